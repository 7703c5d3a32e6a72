//! The published trust list and the development outbox.

use axum::Json;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::ApiQuery;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// The public keys that verify this region's codes, with their validity.
/// Retired keys stay listed until every code they signed has expired.
#[utoipa::path(get, path = "/api/v1/trust-list", tag = "trust",
    responses((status = 200, description = "trust list JSON: issuer, generated_at, keys[kid, alg, public_key, spki, not_before, not_after]")))]
pub async fn trust_list(State(state): State<AppState>) -> impl IntoResponse {
    let list = state.keys.trust_list(state.clock.now());
    ([(CACHE_CONTROL, "public, max-age=60")], Json(list))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OutboxQuery {
    /// Only messages to this phone number or address.
    pub recipient: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxEntry {
    pub at: String,
    pub channel: String,
    pub recipient: String,
    pub body: String,
    pub code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxResponse {
    /// Newest first.
    pub messages: Vec<OutboxEntry>,
}

/// Messages an SMS gateway would have sent. Exists only while no gateway is
/// configured (development and demo); 404 otherwise.
#[utoipa::path(get, path = "/api/v1/dev/outbox", tag = "dev", params(OutboxQuery),
    responses((status = 200, body = OutboxResponse), (status = 404, body = ErrorBody)))]
pub async fn dev_outbox(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<OutboxResponse>> {
    Ok(Json(OutboxResponse { messages: outbox_entries(&state, q.recipient.as_deref()).await? }))
}

pub async fn outbox_entries(state: &AppState, recipient: Option<&str>) -> ApiResult<Vec<OutboxEntry>> {
    if !state.sender.is_dev_outbox() {
        return Err(ApiError::not_found());
    }
    let recipient = recipient
        .filter(|r| !r.trim().is_empty())
        .map(|r| healthcode_domain::Contact::parse(r).map(|c| c.as_str().to_string()))
        .transpose()?;
    let messages = state.store.outbox(recipient.as_deref(), 50).await?;
    Ok(messages
        .into_iter()
        .map(|m| OutboxEntry {
            at: m.at.to_string(),
            channel: m.channel,
            recipient: m.recipient,
            body: m.body,
            code: m.code,
        })
        .collect())
}
