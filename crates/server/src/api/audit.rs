//! Reading the audit log (auditors, the authority, supervisors). Nothing
//! here writes: an auditor changes nothing.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::ApiQuery;
use crate::auth::staff::AuditorAuth;
use crate::error::{ApiResult, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Entries after this sequence number (default 0).
    pub after: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    /// Hex SHA-256 of the previous entry and of this one.
    pub prev_hash: String,
    pub hash: String,
}

fn hex(b: &[u8; 32]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Up to 500 audit entries after `after`, in order.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), security(("bearer" = [])),
    responses((status = 200, body = [AuditEntryView]), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _auth: AuditorAuth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntryView>>> {
    let entries = crate::services::audit::after(&state, q.after.unwrap_or(0), 500).await?;
    Ok(Json(
        entries
            .iter()
            .map(|e| AuditEntryView {
                seq: e.seq,
                at: e.at.to_string(),
                actor: e.actor.clone(),
                action: e.action.clone(),
                subject: e.subject.clone(),
                detail: e.detail.clone(),
                prev_hash: hex(&e.prev_hash),
                hash: hex(&e.hash),
            })
            .collect(),
    ))
}
