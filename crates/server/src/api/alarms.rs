//! Anomaly alarms: the authority, supervisors and auditors read them; the
//! authority or a supervisor acknowledges each once, with a note.

use axum::Json;
use axum::extract::State;
use healthcode_store::Alarm;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{ApiJson, ApiPath};
use crate::auth::staff::{AuditorAuth, OversightAuth};
use crate::error::{ApiResult, ErrorBody};
use crate::services::alarms;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AlarmView {
    pub id: String,
    /// When it was raised (RFC 3339).
    pub at: String,
    /// `MANUAL_CHANGES_BURST` or `RED_WITHOUT_CASE_OR_PRESENCE`.
    pub kind: String,
    /// `all`, `staff:NAME`, or a pseudonymous resident id.
    pub subject: String,
    pub detail: String,
    /// `role:name` of who acknowledged it; absent while it is open.
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<String>,
}

pub fn view(a: &Alarm) -> AlarmView {
    AlarmView {
        id: a.id.to_string(),
        at: a.at.to_string(),
        kind: a.kind.as_str().into(),
        subject: a.subject.clone(),
        detail: a.detail.clone(),
        acknowledged_by: a.acknowledged_by.clone(),
        acknowledged_at: a.acknowledged_at.map(|t| t.to_string()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcknowledgeRequest {
    /// What was checked or done (3 to 1000 characters); kept in the audit log.
    pub note: String,
}

/// Alarms, open ones first, newest first (authority, supervisor, auditor).
#[utoipa::path(get, path = "/api/v1/alarms", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = [AlarmView]), (status = 403, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, _auth: AuditorAuth) -> ApiResult<Json<Vec<AlarmView>>> {
    Ok(Json(alarms::list(&state).await?.iter().map(view).collect()))
}

/// Acknowledges an alarm once, with a note (authority or supervisor; audited).
#[utoipa::path(post, path = "/api/v1/alarms/{id}/acknowledge", tag = "governance", request_body = AcknowledgeRequest,
    security(("bearer" = [])),
    responses((status = 200, body = AlarmView), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "ALARM_NOT_FOUND"),
        (status = 409, body = ErrorBody, description = "ALARM_ALREADY_ACKNOWLEDGED"),
        (status = 422, body = ErrorBody, description = "ALARM_NOTE_REQUIRED")))]
pub async fn acknowledge(
    State(state): State<AppState>,
    auth: OversightAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<AcknowledgeRequest>,
) -> ApiResult<Json<AlarmView>> {
    let id = alarms::parse_id(&id)?;
    Ok(Json(view(&alarms::acknowledge(&state, auth.role, &auth.name, id, &b.note).await?)))
}
