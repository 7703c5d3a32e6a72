//! Manual overrides: the authority requests, a different supervisor decides.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use healthcode_domain::{Colour, Contact};
use healthcode_store::Override;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{ApiJson, ApiPath};
use crate::auth::staff::{AuditorAuth, AuthorityAuth, SupervisorAuth};
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::services::overrides;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct OverrideRequest {
    /// The person, by phone.
    pub phone: String,
    /// `green`, `yellow` or `red`.
    pub colour: String,
    /// A stable reason code, e.g. `LAB_RESULT_NEGATIVE`.
    pub reason_code: String,
    /// What justifies it (10 to 1000 characters).
    pub basis: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideView {
    pub id: String,
    pub resident_id: String,
    pub colour: String,
    pub reason_code: String,
    pub basis: String,
    pub requested_by: String,
    pub requested_at: String,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    pub decided_by: Option<String>,
}

fn view(o: &Override) -> OverrideView {
    OverrideView {
        id: o.id.to_string(),
        resident_id: o.resident.to_string(),
        colour: o.colour.as_str().into(),
        reason_code: o.reason_code.clone(),
        basis: o.basis.clone(),
        requested_by: o.requested_by.clone(),
        requested_at: o.requested_at.to_string(),
        state: o.state.clone(),
        decided_by: o.decided_by.clone(),
    }
}

fn parse_id(id: &str) -> ApiResult<uuid::Uuid> {
    id.parse().map_err(|_| ApiError::new(ErrorKind::NotFound, "OVERRIDE_NOT_FOUND", "no such override"))
}

/// Requests a manual override (health authority). It has no effect until a supervisor approves it.
#[utoipa::path(post, path = "/api/v1/overrides", tag = "governance", request_body = OverrideRequest, security(("bearer" = [])),
    responses((status = 201, body = OverrideView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiJson(b): ApiJson<OverrideRequest>,
) -> ApiResult<(StatusCode, Json<OverrideView>)> {
    let contact = Contact::parse(&b.phone)?;
    let resident = crate::services::accounts::by_contact(&state, &contact)
        .await?
        .ok_or_else(|| ApiError::new(ErrorKind::NotFound, "RESIDENT_NOT_FOUND", "no resident with this phone"))?;
    let colour: Colour = b.colour.parse()?;
    let o =
        overrides::request(&state, &auth.name, &auth.staff.id, resident.id, colour, &b.reason_code, &b.basis).await?;
    Ok((StatusCode::CREATED, Json(view(&o))))
}

/// Overrides waiting for a supervisor.
#[utoipa::path(get, path = "/api/v1/overrides", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = [OverrideView])))]
pub async fn pending(State(state): State<AppState>, _auth: AuditorAuth) -> ApiResult<Json<Vec<OverrideView>>> {
    Ok(Json(crate::services::overrides::pending(&state).await?.iter().map(view).collect()))
}

async fn decide(state: &AppState, auth: &SupervisorAuth, id: &str, approve: bool) -> ApiResult<Json<OverrideView>> {
    Ok(Json(view(&overrides::decide(state, &auth.name, &auth.staff.id, parse_id(id)?, approve).await?)))
}

/// A supervisor other than the requester approves: the colour changes now.
#[utoipa::path(post, path = "/api/v1/overrides/{id}/approve", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = OverrideView), (status = 403, body = ErrorBody, description = "FORBIDDEN or OVERRIDE_SELF_APPROVAL"), (status = 409, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    auth: SupervisorAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<OverrideView>> {
    decide(&state, &auth, &id, true).await
}

/// A supervisor rejects: nothing changes but the record.
#[utoipa::path(post, path = "/api/v1/overrides/{id}/reject", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = OverrideView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    auth: SupervisorAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<OverrideView>> {
    decide(&state, &auth, &id, false).await
}
