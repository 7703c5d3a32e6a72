//! Appeals: residents contest their colour; the health authority answers by
//! the deadline, and an upheld appeal reverses the contested change.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use healthcode_store::Appeal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{ApiJson, ApiPath};
use crate::auth::extract::ResidentAuth;
use crate::auth::staff::{AuditorAuth, AuthorityAuth};
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::services::appeals::{self, Outcome};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct AppealRequest {
    /// Why the colour is wrong (10 to 2000 characters).
    pub message: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// `upheld` (the contested change is reversed) or `rejected`.
    pub outcome: String,
    /// The answer the resident reads (5 to 2000 characters).
    pub answer: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppealView {
    pub id: String,
    /// The pseudonymous resident id (staff views only carry meaning).
    pub resident_id: String,
    /// The colour contested.
    pub colour: String,
    pub message: String,
    pub submitted_at: String,
    /// The end of the last working day to answer.
    pub due_at: String,
    /// Pending past its deadline.
    pub overdue: bool,
    /// `pending`, `upheld` or `rejected`.
    pub state: String,
    pub answered_at: Option<String>,
    pub answer: Option<String>,
}

pub fn view(a: &Appeal, now: jiff::Timestamp) -> AppealView {
    AppealView {
        id: a.id.to_string(),
        resident_id: a.resident.to_string(),
        colour: a.colour.as_str().into(),
        message: a.message.clone(),
        submitted_at: a.submitted_at.to_string(),
        due_at: a.due_at.to_string(),
        overdue: a.state == "pending" && now > a.due_at,
        state: a.state.clone(),
        answered_at: a.answered_at.map(|t| t.to_string()),
        answer: a.answer.clone(),
    }
}

fn parse_id(id: &str) -> ApiResult<uuid::Uuid> {
    id.parse().map_err(|_| ApiError::new(ErrorKind::NotFound, "APPEAL_NOT_FOUND", "no such appeal"))
}

/// Contests the caller's current colour.
#[utoipa::path(post, path = "/api/v1/appeals", tag = "governance", request_body = AppealRequest, security(("bearer" = [])),
    responses((status = 201, body = AppealView), (status = 409, body = ErrorBody, description = "APPEAL_NOTHING_TO_CONTEST, APPEAL_ALREADY_PENDING"),
        (status = 422, body = ErrorBody, description = "APPEAL_MESSAGE_INVALID")))]
pub async fn file(
    State(state): State<AppState>,
    auth: ResidentAuth,
    ApiJson(body): ApiJson<AppealRequest>,
) -> ApiResult<(StatusCode, Json<AppealView>)> {
    let appeal = appeals::file(&state, auth.resident, &body.message).await?;
    Ok((StatusCode::CREATED, Json(view(&appeal, state.clock.now()))))
}

/// The caller's appeals, newest first, with the answers.
#[utoipa::path(get, path = "/api/v1/me/appeals", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = [AppealView])))]
pub async fn mine(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<Vec<AppealView>>> {
    let now = state.clock.now();
    Ok(Json(
        crate::services::appeals::of_resident(&state, auth.resident, 50).await?.iter().map(|a| view(a, now)).collect(),
    ))
}

/// Pending appeals, earliest deadline (so overdue) first (health authority).
#[utoipa::path(get, path = "/api/v1/appeals", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = [AppealView]), (status = 403, body = ErrorBody)))]
pub async fn pending(State(state): State<AppState>, _auth: AuditorAuth) -> ApiResult<Json<Vec<AppealView>>> {
    let now = state.clock.now();
    Ok(Json(crate::services::appeals::pending(&state, 500).await?.iter().map(|a| view(a, now)).collect()))
}

/// Answers an appeal (health authority). Upheld reverses the contested change.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/answer", tag = "governance", request_body = AnswerRequest, security(("bearer" = [])),
    responses((status = 200, body = AppealView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody, description = "APPEAL_NOT_FOUND"),
        (status = 409, body = ErrorBody, description = "APPEAL_ALREADY_ANSWERED"), (status = 422, body = ErrorBody, description = "APPEAL_OUTCOME_INVALID, APPEAL_ANSWER_INVALID")))]
pub async fn answer(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<AnswerRequest>,
) -> ApiResult<Json<AppealView>> {
    let outcome = Outcome::parse(&body.outcome)?;
    let appeal = appeals::answer(&state, &auth.name, parse_id(&id)?, outcome, &body.answer).await?;
    Ok(Json(view(&appeal, state.clock.now())))
}
