//! The published trust lists (plain, and signed for peer regions), the
//! peer regions' kept lists, and the development outbox.

use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::checkpoints::StatusEntry;
use crate::api::json::ApiQuery;
use crate::auth::staff::OfficerAuth;
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

/// This region's signed trust list for peer regions: the code signing keys
/// (and, when configured, the status list) with region, sequence and expiry,
/// signed by the root key peers pin. `ETag` is the sequence; `If-None-Match`
/// with it answers 304.
#[utoipa::path(get, path = "/api/v1/federation/trust-list", tag = "trust",
    responses((status = 200, description = "signed region list: {payload (base64 JSON: version, region, sequence, issued_at, expires_at, keys, status), kid, signature}"),
        (status = 304, description = "not modified")))]
pub async fn signed_trust_list(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let published = state.federation.published(&state, state.clock.now()).await?;
    let etag = format!("\"{}\"", published.sequence);
    let cache = [(CACHE_CONTROL, "no-cache".to_string()), (ETAG, etag.clone())];
    let matches = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, [(CONTENT_TYPE, "application/json".to_string())], published.json.clone()).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeerView {
    pub region: String,
    pub url: String,
    /// `fresh`, `stale` (past its expiry: its codes get `PEER_LIST_STALE`) or `missing` (never fetched).
    pub state: String,
    pub sequence: Option<u64>,
    pub fetched_at: Option<String>,
    /// When the peer last sent or confirmed the kept list.
    pub checked_at: Option<String>,
    /// Seconds since `checked_at`.
    pub age_seconds: Option<i64>,
    pub expires_at: Option<String>,
    pub last_error: Option<PeerError>,
    /// The peer's code signing keys, in the format of `GET /api/v1/trust-list` (for offline scanners).
    #[schema(value_type = Option<Object>)]
    pub trust_list: Option<healthcode_credential::TrustList>,
    /// Holders the peer lists as not green (`{"h", "c"}`), when it shares its status list.
    pub holders: Option<Vec<StatusEntry>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeerError {
    pub at: String,
    pub code: String,
    pub message: String,
}

/// The configured peer regions and the age of each kept list (officers and staff).
#[utoipa::path(get, path = "/api/v1/federation/peers", tag = "trust", security(("bearer" = [])),
    responses((status = 200, body = [PeerView]), (status = 403, body = ErrorBody)))]
pub async fn peers(State(state): State<AppState>, _auth: OfficerAuth) -> ApiResult<Json<Vec<PeerView>>> {
    let now = state.clock.now();
    let views = state
        .federation
        .config()
        .peers
        .iter()
        .map(|peer| {
            let kept = state.federation.peer(&peer.region);
            let failure = state.federation.last_failure(&peer.region);
            let state_name = match &kept {
                None => "missing",
                Some(k) if k.list.is_stale(now) => "stale",
                Some(_) => "fresh",
            };
            PeerView {
                region: peer.region.clone(),
                url: peer.url.clone(),
                state: state_name.into(),
                sequence: kept.as_ref().map(|k| k.list.sequence),
                fetched_at: kept.as_ref().map(|k| k.fetched_at.to_string()),
                checked_at: kept.as_ref().map(|k| k.checked_at.to_string()),
                age_seconds: kept.as_ref().map(|k| now.duration_since(k.checked_at).as_secs()),
                expires_at: kept.as_ref().map(|k| k.list.expires_at.to_string()),
                last_error: failure.map(|f| PeerError {
                    at: f.at.to_string(),
                    code: f.code.into(),
                    message: f.message,
                }),
                trust_list: kept.as_ref().map(|k| k.list.trust_list()),
                holders: kept.as_ref().and_then(|k| {
                    k.list
                        .status
                        .as_ref()
                        .map(|s| s.iter().map(|e| StatusEntry { h: e.h.clone(), c: e.c.clone() }).collect())
                }),
            }
        })
        .collect();
    Ok(Json(views))
}
