//! Check-in by scanning a venue QR, check-out, and the person's own visits.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use healthcode_domain::{Visit, VisitId, VisitSource};
use healthcode_store::Venue;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::{ApiJson, ApiPath};
use crate::auth::extract::ResidentAuth;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::services::check_in::{self, ScanResult};
use crate::services::venues;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CheckInRequest {
    /// The text of the venue's QR (the URL), or just its token.
    pub venue_qr: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VenueSummary {
    pub id: String,
    pub name: String,
    pub address: String,
    pub district: String,
}

impl VenueSummary {
    pub fn of(v: &Venue) -> Self {
        Self {
            id: v.id.to_string(),
            name: v.profile.name.clone(),
            address: v.profile.address.clone(),
            district: v.profile.district.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInResponse {
    /// The visit id.
    pub id: String,
    /// `entered`, `exited` (a rescan of the venue checked out) or `duplicate` (nothing changed).
    pub outcome: String,
    pub venue: VenueSummary,
    pub checked_in_at: String,
    pub checked_out_at: Option<String>,
    /// When the visit closes by itself if nobody checks out.
    pub auto_checkout_at: String,
    /// The person's colour, for door staff.
    pub colour: String,
}

fn check_in_response(r: &ScanResult) -> CheckInResponse {
    CheckInResponse {
        id: r.visit.id.to_string(),
        outcome: r.outcome.as_str().into(),
        venue: VenueSummary::of(&r.venue),
        checked_in_at: r.visit.entered_at.to_string(),
        checked_out_at: r.visit.exited_at.map(|t| t.to_string()),
        auto_checkout_at: r.visit.auto_checkout_at().to_string(),
        colour: r.colour.as_str().into(),
    }
}

/// One visit, as its person or the venue's operator sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitView {
    pub id: String,
    pub venue_id: String,
    pub venue_name: Option<String>,
    pub entered_at: String,
    pub exited_at: Option<String>,
    /// `scan`, `button`, `next_check_in` or `auto`.
    pub exit_kind: Option<String>,
    pub auto_checkout_at: String,
    /// `self_scan` or `staff`.
    pub source: String,
    pub colour_at_entry: String,
}

impl VisitView {
    pub fn of(v: &Visit, venue_name: Option<String>) -> Self {
        Self {
            id: v.id.to_string(),
            venue_id: v.venue.to_string(),
            venue_name,
            entered_at: v.entered_at.to_string(),
            exited_at: v.exited_at.map(|t| t.to_string()),
            exit_kind: v.exit_kind.map(|k| k.as_str().into()),
            auto_checkout_at: v.auto_checkout_at().to_string(),
            source: v.source.as_str().into(),
            colour_at_entry: v.colour.as_str().into(),
        }
    }

    pub fn for_venue(v: &Visit, venue: &Venue) -> Self {
        Self::of(v, Some(venue.profile.name.clone()))
    }
}

/// Scans a venue QR: enters, exits (a rescan of the same venue) or nothing (a repeat within 5 minutes).
/// A yellow or red holder who would enter is refused (403 `ENTRY_REFUSED`, saying why and what to do):
/// no visit is recorded, an attempted entry is.
#[utoipa::path(post, path = "/api/v1/check-ins", tag = "check-in", request_body = CheckInRequest, security(("bearer" = [])),
    responses((status = 201, body = CheckInResponse, description = "entered"), (status = 200, body = CheckInResponse, description = "exited or duplicate"),
        (status = 422, body = ErrorBody, description = "VENUE_TOKEN_FORGED, VENUE_TOKEN_ROTATED"), (status = 404, body = ErrorBody, description = "VENUE_UNKNOWN"),
        (status = 403, body = ErrorBody, description = "ENTRY_REFUSED: a yellow or red code; the attempt is recorded, no visit"),
        (status = 409, body = ErrorBody, description = "VENUE_CLOSED, DECLARATION_REQUIRED")))]
pub async fn check_in(
    State(state): State<AppState>,
    auth: ResidentAuth,
    ApiJson(body): ApiJson<CheckInRequest>,
) -> ApiResult<(StatusCode, Json<CheckInResponse>)> {
    let result = check_in::scan(&state, auth.resident, &body.venue_qr, VisitSource::SelfScan).await?.into_recorded()?;
    let status = match result.outcome {
        check_in::ScanOutcome::Entered => StatusCode::CREATED,
        _ => StatusCode::OK,
    };
    Ok((status, Json(check_in_response(&result))))
}

fn parse_visit_id(id: &str) -> ApiResult<VisitId> {
    id.parse().map_err(|_| ApiError::new(ErrorKind::NotFound, "VISIT_NOT_FOUND", "no such visit among yours"))
}

/// Checks out of a visit.
#[utoipa::path(post, path = "/api/v1/check-ins/{id}/check-out", tag = "check-in", security(("bearer" = [])),
    responses((status = 200, body = VisitView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "VISIT_ALREADY_CLOSED")))]
pub async fn check_out(
    State(state): State<AppState>,
    auth: ResidentAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<VisitView>> {
    let visit = check_in::check_out(&state, auth.resident, parse_visit_id(&id)?).await?;
    let name = venues::read_recent(&state, visit.venue).await.ok().map(|v| v.profile.name);
    Ok(Json(VisitView::of(&visit, name)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyVisits {
    /// The open visit, if any.
    pub current: Option<VisitView>,
    /// Newest first (at most 50).
    pub recent: Vec<VisitView>,
}

/// The person's current check-in and recent visits.
#[utoipa::path(get, path = "/api/v1/me/visits", tag = "check-in", security(("bearer" = [])),
    responses((status = 200, body = MyVisits)))]
pub async fn my_visits(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<MyVisits>> {
    let now = state.clock.now();
    let visits = crate::services::check_in::recent_visits(&state, auth.resident, 50).await?;
    let mut recent = Vec::with_capacity(visits.len());
    let mut current = None;
    for (v, venue) in &visits {
        let view = VisitView::of(v, venue.as_ref().map(|venue| venue.profile.name.clone()));
        if v.is_open_at(now) && current.is_none() {
            current = Some(VisitView::of(v, view.venue_name.clone()));
        }
        recent.push(view);
    }
    Ok(Json(MyVisits { current, recent }))
}
