//! A resident's own access log: who (by role) looked at their records, when
//! and why.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::extract::ResidentAuth;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessView {
    pub at: String,
    /// The reader's role (`authority`, `venue`, ...), never their name.
    pub role: String,
    /// `trace_report` or `venue_log`.
    pub purpose: String,
    /// The case or venue it was about.
    pub reference: String,
}

/// Who looked at the caller's records, newest first.
#[utoipa::path(get, path = "/api/v1/me/access", tag = "governance", security(("bearer" = [])),
    responses((status = 200, body = [AccessView])))]
pub async fn my_access(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<Vec<AccessView>>> {
    let entries = crate::services::access::of_resident(&state, auth.resident, 200).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AccessView {
                at: e.at.to_string(),
                role: e.role.as_str().into(),
                purpose: e.purpose,
                reference: e.reference,
            })
            .collect(),
    ))
}
