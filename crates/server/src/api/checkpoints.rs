//! Checkpoints: the registry (authority), scans and offline sync (officers),
//! the status list for offline verification, and venue staff scans.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use healthcode_domain::{CheckpointId, Colour, Direction, HolderId, Passage, Verdict, VisitSource};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{ApiJson, ApiPath};
use crate::api::venues::parse_venue_id;
use crate::auth::extract::VenueAuth;
use crate::auth::staff::{AuthorityAuth, OfficerAuth};
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::services::checkpoints::{self, ScanVerdict};
use crate::services::{check_in, venues};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckpointRequest {
    pub name: String,
    /// `national_highway`, `provincial_border`, `station`, `airport` or `other`
    /// (`city_entry`, the kind before there were five, is taken as `other`).
    pub kind: String,
    pub district: String,
    #[serde(default)]
    pub location: String,
    /// The province (region code, e.g. `VN-HN`) whose time zone the post's
    /// times are shown in; absent: the deployment's zone.
    pub province: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointResponse {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub district: String,
    pub location: String,
    pub province: Option<String>,
    /// The IANA zone of the post's region (its province, else the deployment's).
    pub time_zone: String,
}

fn checkpoint_response(state: &AppState, c: &healthcode_domain::Checkpoint) -> CheckpointResponse {
    CheckpointResponse {
        id: c.id.to_string(),
        name: c.name.clone(),
        kind: c.kind.as_str().into(),
        district: c.district.to_string(),
        location: c.location.clone(),
        province: c.province.as_ref().map(ToString::to_string),
        time_zone: crate::services::time_zones::zone_of_checkpoint(&state.config, c).name,
    }
}

fn parse_checkpoint_id(id: &str) -> ApiResult<CheckpointId> {
    id.parse().map_err(|_| ApiError::new(ErrorKind::NotFound, "CHECKPOINT_NOT_FOUND", "no such checkpoint"))
}

/// Registers a checkpoint (health authority).
#[utoipa::path(post, path = "/api/v1/checkpoints", tag = "checkpoints", request_body = CheckpointRequest, security(("bearer" = [])),
    responses((status = 201, body = CheckpointResponse), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    _auth: AuthorityAuth,
    ApiJson(b): ApiJson<CheckpointRequest>,
) -> ApiResult<(StatusCode, Json<CheckpointResponse>)> {
    let c = checkpoints::register(&state, &b.name, &b.kind, &b.district, &b.location, b.province.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(checkpoint_response(&state, &c))))
}

/// All checkpoints (officers and the authority).
#[utoipa::path(get, path = "/api/v1/checkpoints", tag = "checkpoints", security(("bearer" = [])),
    responses((status = 200, body = [CheckpointResponse])))]
pub async fn list(State(state): State<AppState>, _auth: OfficerAuth) -> ApiResult<Json<Vec<CheckpointResponse>>> {
    Ok(Json(crate::services::checkpoints::list(&state).await?.iter().map(|c| checkpoint_response(&state, c)).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScanRequest {
    /// The scanned QR text (`HCODE1:…`).
    pub qr_text: String,
    /// `in` or `out`: required at checkpoints (`DIRECTION_REQUIRED` without
    /// it); venue staff scans ignore it.
    pub direction: Option<String>,
    /// A device-made id, so a retried request records one passage.
    pub client_id: Option<uuid::Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScanResponse {
    /// `allow` or `deny`.
    pub verdict: String,
    pub colour: Option<String>,
    /// Stable reason code: `CODE_VALID`, `COLOUR_YELLOW`, `COLOUR_RED`, `STATUS_CHANGED`, a `CODE_*` failure,
    /// or `PEER_LIST_STALE` / `PEER_LIST_MISSING` for a peer region's code without a usable list.
    pub reason: String,
    pub message: String,
    pub holder_hint: Option<String>,
    pub expires_at: Option<String>,
    /// The passage (checkpoints) or visit (venues) recorded, if any.
    pub recorded_id: Option<String>,
    /// The region that issued the code: this one or a peer region (for an EU DCC: its member state).
    pub region: Option<String>,
    /// Checkpoints only, for this region's holders: where they declared
    /// coming from (regions visited in their latest declaration, else their
    /// district of residence).
    pub declared_origin: Option<Vec<String>>,
    /// Whether that origin lies in a risk area marked now.
    pub origin_in_risk_area: Option<bool>,
    /// Whether they filed a declaration or clock-in today.
    pub declared_today: Option<bool>,
    /// lab: at a checkpoint, whether the holder has a negative test sampled within the last 72 hours
    /// (null for a code of another region or an unreadable one, and at venues). Never the result itself.
    pub negative_test_within_72h: Option<bool>,
    /// Present for an EU DCC (`HC1:`): the certificate type and the rule applied.
    pub dcc: Option<DccScan>,
}

/// The EU DCC part of a verdict. `reason` above is `DCC_ACCEPTED`,
/// `DCC_RULE_NOT_MET` or a `DCC_*` verification failure (docs/API.md).
#[derive(Debug, Serialize, ToSchema)]
pub struct DccScan {
    /// `v` (vaccination), `t` (test) or `r` (recovery); absent when the certificate could not be verified.
    pub kind: Option<String>,
    pub rule_id: Option<String>,
    pub rule_version: Option<String>,
    pub accepted: bool,
}

fn scan_response(v: &ScanVerdict, recorded: Option<String>) -> ScanResponse {
    ScanResponse {
        declared_origin: v.declared.as_ref().map(|d| d.origin.clone()),
        origin_in_risk_area: v.declared.as_ref().map(|d| d.origin_in_risk_area),
        declared_today: v.declared.as_ref().map(|d| d.declared_today),
        verdict: v.verdict.as_str().into(),
        colour: v.colour.map(|c| c.as_str().into()),
        reason: v.reason.clone(),
        message: v.message.clone(),
        holder_hint: v.holder_hint.clone(),
        expires_at: v.expires_at.map(|t| t.to_string()),
        recorded_id: recorded,
        region: v.region.clone(),
        dcc: v.dcc.as_ref().map(|d| DccScan {
            kind: d.kind.map(str::to_owned),
            rule_id: d.rule_id.map(str::to_owned),
            rule_version: d.rule_version.clone(),
            accepted: d.accepted,
        }),
        negative_test_within_72h: v.negative_test_72h,
    }
}

/// An officer scans a code at a checkpoint: verdict and passage.
#[utoipa::path(post, path = "/api/v1/checkpoints/{id}/scans", tag = "checkpoints", request_body = ScanRequest, security(("bearer" = [])),
    responses((status = 200, body = ScanResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn scan(
    State(state): State<AppState>,
    auth: OfficerAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ScanRequest>,
) -> ApiResult<Json<ScanResponse>> {
    let Some(direction) = b.direction.as_deref() else {
        return Err(ApiError::bad_input("DIRECTION_REQUIRED", "direction is required: in or out"));
    };
    let direction = Direction::parse(direction)?;
    let checkpoint = checkpoints::find(&state, parse_checkpoint_id(&id)?).await?;
    auth.check_checkpoint(&checkpoint.id.to_string(), Some(checkpoint.district.as_str()))?;
    let (verdict, passage) =
        checkpoints::scan(&state, checkpoint.id, &auth.name, &b.qr_text, direction, b.client_id).await?;
    Ok(Json(scan_response(&verdict, Some(passage.id.to_string()))))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct QueuedPassage {
    /// Made by the device when it scanned; the same id syncs once.
    pub client_id: uuid::Uuid,
    /// Pseudonymous holder id (32 hex), when the code could be read.
    pub holder_id: Option<String>,
    pub colour: Option<String>,
    pub verdict: String,
    pub reason: String,
    pub direction: String,
    /// RFC 3339, the device's clock.
    pub scanned_at: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SyncRequest {
    pub passages: Vec<QueuedPassage>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncResponse {
    pub received: usize,
    /// New passages; the rest had already been synced, or were refused.
    pub recorded: u64,
    /// Passages not taken, each with its reason; the others landed. The
    /// device drops them too: sending them again cannot succeed.
    pub refused: Vec<RefusedPassage>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedPassage {
    pub client_id: uuid::Uuid,
    /// `PASSAGE_TIME_OUT_OF_RANGE`: scanned before the retention period or
    /// more than five minutes after the server's now.
    pub code: String,
    pub message: String,
}

fn queued(q: &QueuedPassage, checkpoint: CheckpointId, officer: &str) -> ApiResult<Passage> {
    Ok(Passage {
        id: q.client_id,
        checkpoint,
        holder: q.holder_id.as_deref().map(|h| h.parse::<HolderId>()).transpose()?,
        colour: q.colour.as_deref().map(|c| c.parse::<Colour>()).transpose()?,
        verdict: Verdict::parse(&q.verdict)?,
        reason: q.reason.chars().take(64).collect(),
        direction: Direction::parse(&q.direction)?,
        scanned_at: q
            .scanned_at
            .parse()
            .map_err(|_| ApiError::bad_input("TIME_INVALID", "scanned_at must be RFC 3339"))?,
        officer: officer.to_string(),
        offline: true,
    })
}

/// Uploads passages queued while offline; idempotent by `client_id`.
#[utoipa::path(post, path = "/api/v1/checkpoints/{id}/passages:sync", tag = "checkpoints", request_body = SyncRequest, security(("bearer" = [])),
    responses((status = 200, body = SyncResponse), (status = 422, body = ErrorBody)))]
pub async fn sync(
    State(state): State<AppState>,
    auth: OfficerAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<SyncRequest>,
) -> ApiResult<Json<SyncResponse>> {
    if b.passages.len() > 1000 {
        return Err(ApiError::bad_input("TOO_MANY_PASSAGES", "sync at most 1000 passages at a time"));
    }
    let checkpoint = checkpoints::find(&state, parse_checkpoint_id(&id)?).await?;
    auth.check_checkpoint(&checkpoint.id.to_string(), Some(checkpoint.district.as_str()))?;
    let now = state.clock.now();
    let mut passages = Vec::with_capacity(b.passages.len());
    let mut refused = Vec::new();
    for q in &b.passages {
        let passage = queued(q, checkpoint.id, &auth.name)?;
        match checkpoints::check_passage_time(passage.scanned_at, now, state.config.retention) {
            Ok(()) => passages.push(passage),
            Err(e) => {
                state.metrics.passages_out_of_range.inc();
                refused.push(RefusedPassage { client_id: q.client_id, code: e.code.into(), message: e.message });
            }
        }
    }
    let recorded = checkpoints::record_passages(&state, &passages).await?;
    Ok(Json(SyncResponse { received: b.passages.len(), recorded, refused }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusListResponse {
    pub issuer: String,
    pub generated_at: String,
    /// Holders whose code is not green now: `{"h": "<32 hex>", "c": "yellow"|"red"}`.
    pub holders: Vec<StatusEntry>,
    /// Holders who reprinted their paper pass within a pass's validity, with the current print
    /// number: `{"h": "<32 hex>", "n": 3}`. A pass with a lower number is revoked.
    pub passes: Vec<PassEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassEntry {
    pub h: String,
    pub n: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusEntry {
    pub h: String,
    pub c: String,
}

/// The status list an offline scanner caches: everyone not green now.
#[utoipa::path(get, path = "/api/v1/status-list", tag = "checkpoints", security(("bearer" = [])),
    responses((status = 200, body = StatusListResponse)))]
pub async fn status_list(State(state): State<AppState>, _auth: OfficerAuth) -> ApiResult<Json<StatusListResponse>> {
    let now = state.clock.now();
    let checkpoints::StatusList { holders, reprinted } = checkpoints::status_list(&state, now).await?;
    Ok(Json(StatusListResponse {
        issuer: state.config.region_id.clone(),
        generated_at: now.to_string(),
        holders: holders.iter().map(|(h, c)| StatusEntry { h: h.to_string(), c: c.as_str().into() }).collect(),
        passes: reprinted.iter().map(|(h, n)| PassEntry { h: h.to_string(), n: *n }).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffScanResponse {
    #[serde(flatten)]
    pub verdict: ScanResponse,
    /// `entered`, `exited` or `duplicate` when a visit was recorded;
    /// `refused` for a yellow or red holder (deny: no visit, an attempted
    /// entry recorded, whose id is `recorded_id`).
    pub outcome: Option<String>,
}

/// Venue staff scan a visitor's code (people without smartphones show a
/// paper pass or a printed code): the visit is recorded for that person, or,
/// for a yellow or red holder, deny and an attempted entry (no visit).
#[utoipa::path(post, path = "/api/v1/venues/{id}/scans", tag = "venues", request_body = ScanRequest, security(("bearer" = [])),
    responses((status = 200, body = StaffScanResponse), (status = 404, body = ErrorBody)))]
pub async fn venue_scan(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<ScanRequest>,
) -> ApiResult<Json<StaffScanResponse>> {
    let venue = venues::owned(&state, &auth.owner, parse_venue_id(&id)?).await?;
    if venue.state == healthcode_domain::VenueState::Closed {
        return Err(ApiError::new(ErrorKind::Conflict, "VENUE_CLOSED", "this venue is closed and takes no check-ins"));
    }
    let mut verdict = checkpoints::judge(&state, &b.qr_text).await?;
    // lab: venue staff do not learn about tests.
    verdict.negative_test_72h = None;
    // An unreadable code, or one of nobody registered here: the verdict, no visit.
    // Only a holder of this region can have a visit recorded here.
    let ours = verdict.region.as_deref() == Some(state.config.region_id.as_str());
    let resident = match verdict.holder.filter(|_| ours) {
        Some(holder) => crate::services::accounts::by_holder(&state, holder).await?,
        None => None,
    };
    let Some(resident) = resident else {
        return Ok(Json(StaffScanResponse { verdict: scan_response(&verdict, None), outcome: None }));
    };
    match check_in::scan_at(&state, resident.id, venue, VisitSource::Staff).await? {
        check_in::ScanAnswer::Recorded(result) => Ok(Json(StaffScanResponse {
            verdict: scan_response(&verdict, Some(result.visit.id.to_string())),
            outcome: Some(result.outcome.as_str().into()),
        })),
        // Yellow or red now: deny, no visit; the attempt is recorded.
        check_in::ScanAnswer::Refused(refusal) => {
            let denied = ScanVerdict {
                verdict: Verdict::Deny,
                reason: refusal.reason().into(),
                message: refusal.error().message,
                colour: Some(refusal.attempt.colour),
                ..verdict
            };
            Ok(Json(StaffScanResponse {
                verdict: scan_response(&denied, Some(refusal.attempt.id.to_string())),
                outcome: Some("refused".into()),
            }))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassageView {
    pub id: String,
    pub holder_id: Option<String>,
    pub colour: Option<String>,
    pub verdict: String,
    pub reason: String,
    pub direction: String,
    pub scanned_at: String,
    pub officer: String,
    /// Judged on the device without the server, synced later.
    pub offline: bool,
}

/// The checkpoint's passages of the last 24 hours, newest first.
#[utoipa::path(get, path = "/api/v1/checkpoints/{id}/passages", tag = "checkpoints", security(("bearer" = [])),
    responses((status = 200, body = [PassageView]), (status = 404, body = ErrorBody)))]
pub async fn passages(
    State(state): State<AppState>,
    auth: OfficerAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<PassageView>>> {
    let checkpoint = checkpoints::find(&state, parse_checkpoint_id(&id)?).await?;
    auth.check_checkpoint(&checkpoint.id.to_string(), Some(checkpoint.district.as_str()))?;
    let now = state.clock.now();
    let from = now.checked_sub(jiff::SignedDuration::from_hours(24)).unwrap_or(now);
    let to = now.checked_add(jiff::SignedDuration::from_mins(10)).unwrap_or(now);
    let list = checkpoints::passages(&state, checkpoint.id, from, to, 1000).await?;
    Ok(Json(
        list.iter()
            .map(|p| PassageView {
                id: p.id.to_string(),
                holder_id: p.holder.map(|h| h.to_string()),
                colour: p.colour.map(|c| c.as_str().into()),
                verdict: p.verdict.as_str().into(),
                reason: p.reason.clone(),
                direction: p.direction.as_str().into(),
                scanned_at: p.scanned_at.to_string(),
                officer: p.officer.clone(),
                offline: p.offline,
            })
            .collect(),
    ))
}
