//! False declarations: the authority records one with evidence, a different
//! supervisor decides; approval turns the person red by the policy's rule.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use healthcode_store::FalseDeclaration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{ApiJson, ApiPath};
use crate::auth::extract::ResidentAuth;
use crate::auth::staff::{AuditorAuth, AuthorityAuth, SupervisorAuth};
use crate::error::{ApiResult, ErrorBody};
use crate::services::{false_declarations, lab};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct FalseDeclarationRequest {
    /// The person, by phone.
    pub phone: String,
    /// What shows the declaration was false (10 to 1000 characters).
    pub evidence: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FalseDeclarationView {
    pub id: String,
    pub resident_id: String,
    pub evidence: String,
    pub requested_by: String,
    pub requested_at: String,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    pub decided_by: Option<String>,
}

fn view(f: &FalseDeclaration) -> FalseDeclarationView {
    FalseDeclarationView {
        id: f.id.to_string(),
        resident_id: f.resident.to_string(),
        evidence: f.evidence.clone(),
        requested_by: f.requested_by.clone(),
        requested_at: f.requested_at.to_string(),
        state: f.state.clone(),
        decided_by: f.decided_by.clone(),
    }
}

/// Records a false declaration (health authority). No effect until a supervisor approves it.
#[utoipa::path(post, path = "/api/v1/false-declarations", tag = "governance", request_body = FalseDeclarationRequest, security(("bearer" = [])),
    responses((status = 201, body = FalseDeclarationView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "EVIDENCE_REQUIRED")))]
pub async fn request(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiJson(b): ApiJson<FalseDeclarationRequest>,
) -> ApiResult<(StatusCode, Json<FalseDeclarationView>)> {
    let resident = lab::resident_by(&state, &b.phone).await?;
    let f = false_declarations::request(&state, &auth.name, &auth.staff.id, resident, &b.evidence).await?;
    Ok((StatusCode::CREATED, Json(view(&f))))
}

/// False declarations waiting for a supervisor.
#[utoipa::path(get, path = "/api/v1/false-declarations", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = [FalseDeclarationView])))]
pub async fn pending(State(state): State<AppState>, _auth: AuditorAuth) -> ApiResult<Json<Vec<FalseDeclarationView>>> {
    Ok(Json(crate::services::false_declarations::pending(&state).await?.iter().map(view).collect()))
}

async fn decide(
    state: &AppState,
    auth: &SupervisorAuth,
    id: &str,
    approve: bool,
) -> ApiResult<Json<FalseDeclarationView>> {
    let id = false_declarations::parse_id(id)?;
    Ok(Json(view(&false_declarations::decide(state, &auth.name, &auth.staff.id, id, approve).await?)))
}

/// A supervisor other than the requester approves: the policy's false-declaration rule fires now.
#[utoipa::path(post, path = "/api/v1/false-declarations/{id}/approve", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = FalseDeclarationView), (status = 403, body = ErrorBody, description = "FORBIDDEN or FALSE_DECLARATION_SELF_APPROVAL"), (status = 409, body = ErrorBody, description = "FALSE_DECLARATION_DECIDED")))]
pub async fn approve(
    State(state): State<AppState>,
    auth: SupervisorAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<FalseDeclarationView>> {
    decide(&state, &auth, &id, true).await
}

/// A supervisor rejects: nothing changes but the record.
#[utoipa::path(post, path = "/api/v1/false-declarations/{id}/reject", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = FalseDeclarationView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    auth: SupervisorAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<FalseDeclarationView>> {
    decide(&state, &auth, &id, false).await
}

/// The caller's approved false declarations (what their red rests on), newest first.
#[utoipa::path(get, path = "/api/v1/me/false-declarations", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = [FalseDeclarationView])))]
pub async fn mine(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<Vec<FalseDeclarationView>>> {
    let list = crate::services::false_declarations::of_resident(&state, auth.resident).await?;
    Ok(Json(list.iter().filter(|f| f.state == "approved").map(view).collect()))
}
