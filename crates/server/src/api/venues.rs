//! Venues: registration, the signed QR, the operator's own entry/exit log.

use crate::web::i18n::Lang;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use healthcode_credential::{render_png, render_svg};
use healthcode_domain::{VenueId, VenueProfile};
use healthcode_store::Venue;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::check_ins::VisitView;
use crate::api::json::{ApiJson, ApiPath, ApiQuery};
use crate::auth::extract::VenueAuth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::services::venues::{self, venue_qr_text};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct VenueRequest {
    pub name: String,
    pub address: String,
    /// Province code, e.g. `VN-HN`.
    pub province: String,
    pub district: String,
    #[serde(default)]
    pub commune: String,
    /// shop, restaurant, office, factory, school, hospital, transport, residential, government, entertainment, other
    pub category: String,
    pub capacity: Option<u32>,
    /// Open visits close automatically after this (default 240).
    pub max_stay_minutes: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PosterLinks {
    pub pdf: String,
    pub png: String,
    pub svg: String,
    /// The QR alone.
    pub qr_png: String,
    pub qr_svg: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VenueResponse {
    pub id: String,
    pub name: String,
    pub address: String,
    pub province: String,
    pub district: String,
    pub commune: String,
    pub category: String,
    pub capacity: Option<u32>,
    pub max_stay_minutes: u32,
    /// `open` or `closed`.
    pub state: String,
    /// The text of the venue QR: a URL any phone camera opens.
    pub qr_text: String,
    pub poster: PosterLinks,
    pub created_at: String,
}

pub fn venue_response(state: &AppState, v: &Venue) -> ApiResult<VenueResponse> {
    let p = &v.profile;
    Ok(VenueResponse {
        id: v.id.to_string(),
        name: p.name.clone(),
        address: p.address.clone(),
        province: p.province.to_string(),
        district: p.district.to_string(),
        commune: p.commune.clone(),
        category: p.category.as_str().into(),
        capacity: p.capacity,
        max_stay_minutes: p.max_stay_minutes,
        state: v.state.as_str().into(),
        qr_text: venue_qr_text(state, v)?,
        poster: PosterLinks {
            pdf: format!("/api/v1/venues/{}/poster.pdf", v.id),
            png: format!("/api/v1/venues/{}/poster.png", v.id),
            svg: format!("/api/v1/venues/{}/poster.svg", v.id),
            qr_png: format!("/api/v1/venues/{}/qr.png", v.id),
            qr_svg: format!("/api/v1/venues/{}/qr.svg", v.id),
        },
        created_at: v.created_at.to_string(),
    })
}

pub fn parse_venue_id(id: &str) -> ApiResult<VenueId> {
    id.parse::<VenueId>()
        .map_err(|_| ApiError::new(crate::error::ErrorKind::NotFound, "VENUE_NOT_FOUND", "no such venue among yours"))
}

/// Registers a venue (QR scanning point) owned by the signed-in operator's phone.
#[utoipa::path(post, path = "/api/v1/venues", tag = "venues", request_body = VenueRequest, security(("bearer" = [])),
    responses((status = 201, body = VenueResponse), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiJson(b): ApiJson<VenueRequest>,
) -> ApiResult<(StatusCode, Json<VenueResponse>)> {
    let profile = VenueProfile::parse(
        &b.name,
        &b.address,
        &b.province,
        &b.district,
        &b.commune,
        &b.category,
        b.capacity,
        b.max_stay_minutes,
    )?;
    let venue = venues::register(&state, auth.owner, profile).await?;
    Ok((StatusCode::CREATED, Json(venue_response(&state, &venue)?)))
}

/// The operator's venues, newest first.
#[utoipa::path(get, path = "/api/v1/venues", tag = "venues", security(("bearer" = [])),
    responses((status = 200, body = [VenueResponse])))]
pub async fn list(State(state): State<AppState>, auth: VenueAuth) -> ApiResult<Json<Vec<VenueResponse>>> {
    let venues = crate::services::venues::of_owner(&state, &auth.owner).await?;
    Ok(Json(venues.iter().map(|v| venue_response(&state, v)).collect::<ApiResult<_>>()?))
}

/// One of the operator's venues (404 for another operator's).
#[utoipa::path(get, path = "/api/v1/venues/{id}", tag = "venues", security(("bearer" = [])),
    responses((status = 200, body = VenueResponse), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<VenueResponse>> {
    let venue = venues::owned(&state, &auth.owner, parse_venue_id(&id)?).await?;
    Ok(Json(venue_response(&state, &venue)?))
}

/// Closes a venue: its QR stops accepting check-ins.
#[utoipa::path(post, path = "/api/v1/venues/{id}/close", tag = "venues", security(("bearer" = [])),
    responses((status = 200, body = VenueResponse), (status = 404, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<VenueResponse>> {
    let venue = venues::close(&state, &auth.owner, parse_venue_id(&id)?).await?;
    Ok(Json(venue_response(&state, &venue)?))
}

/// Reopens a closed venue.
#[utoipa::path(post, path = "/api/v1/venues/{id}/reopen", tag = "venues", security(("bearer" = [])),
    responses((status = 200, body = VenueResponse), (status = 404, body = ErrorBody)))]
pub async fn reopen(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<VenueResponse>> {
    let venue = venues::reopen(&state, &auth.owner, parse_venue_id(&id)?).await?;
    Ok(Json(venue_response(&state, &venue)?))
}

/// Issues a new QR token; posters with the old one work for 24 more hours.
/// Of two rotations at the same moment one counts; the other is 409.
#[utoipa::path(post, path = "/api/v1/venues/{id}/rotate-token", tag = "venues", security(("bearer" = [])),
    responses((status = 200, body = VenueResponse), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "VENUE_TOKEN_ROTATED")))]
pub async fn rotate(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<VenueResponse>> {
    let venue = venues::rotate_token(&state, &auth.owner, parse_venue_id(&id)?).await?;
    Ok(Json(venue_response(&state, &venue)?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct LogQuery {
    /// Start of the range (RFC 3339); default 24 hours before `to`.
    pub from: Option<String>,
    /// End of the range (RFC 3339, exclusive); default now.
    pub to: Option<String>,
}

fn instant(s: Option<&str>, default: Timestamp) -> ApiResult<Timestamp> {
    s.map_or(Ok(default), |s| {
        s.parse().map_err(|_| ApiError::bad_input("TIME_INVALID", "times are RFC 3339, e.g. 2026-11-21T08:00:00Z"))
    })
}

/// The venue's own entry/exit log (its operator only).
#[utoipa::path(get, path = "/api/v1/venues/{id}/visits", tag = "venues", params(LogQuery), security(("bearer" = [])),
    responses((status = 200, body = [VisitView]), (status = 404, body = ErrorBody)))]
pub async fn visits(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> ApiResult<Json<Vec<VisitView>>> {
    let venue = venues::owned(&state, &auth.owner, parse_venue_id(&id)?).await?;
    // Default end: just past now, so a visit that began this instant is listed.
    let to = instant(
        q.to.as_deref(),
        state.clock.now().checked_add(SignedDuration::from_secs(1)).unwrap_or(state.clock.now()),
    )?;
    let from = instant(q.from.as_deref(), to.checked_sub(SignedDuration::from_hours(24)).unwrap_or(to))?;
    let visits = crate::services::venues::visits(&state, venue.id, from, to, 1000).await?;
    let actor = healthcode_store::AuditActor::VenueOperator(auth.owner.clone());
    crate::services::audit::record(
        &state,
        actor,
        healthcode_store::AuditAction::VenueLogRead,
        &venue.id.to_string(),
        &format!("{} visits", visits.len()),
    )
    .await?;
    let people = visits.iter().map(|v| v.resident);
    let purpose = crate::services::access::Purpose::VenueLog;
    let reference = venue.id.to_string();
    crate::services::access::record(&state, people, healthcode_domain::Role::Venue, &reference, purpose, &reference)
        .await?;
    Ok(Json(visits.iter().map(|v| VisitView::for_venue(v, &venue)).collect()))
}

/// One yellow or red holder turned away at the venue (no visit recorded).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    pub id: String,
    pub attempted_at: String,
    /// `yellow` or `red`.
    pub colour: String,
    /// `self_scan` (they scanned the poster) or `staff` (staff scanned them).
    pub source: String,
}

/// The venue's attempted entries (its operator only): yellow and red
/// holders told not to enter, newest first, in `[from, to)` (default: the
/// last 24 hours). Kept for tracing, like the log; no visit was recorded.
#[utoipa::path(get, path = "/api/v1/venues/{id}/attempts", tag = "venues", params(LogQuery), security(("bearer" = [])),
    responses((status = 200, body = [AttemptView]), (status = 404, body = ErrorBody)))]
pub async fn attempts(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> ApiResult<Json<Vec<AttemptView>>> {
    let venue = venues::owned(&state, &auth.owner, parse_venue_id(&id)?).await?;
    let to = instant(
        q.to.as_deref(),
        state.clock.now().checked_add(SignedDuration::from_secs(1)).unwrap_or(state.clock.now()),
    )?;
    let from = instant(q.from.as_deref(), to.checked_sub(SignedDuration::from_hours(24)).unwrap_or(to))?;
    let list = crate::services::venues::attempts(&state, venue.id, from, to, 1000).await?;
    let people = list.iter().map(|a| a.resident);
    let purpose = crate::services::access::Purpose::VenueLog;
    let reference = venue.id.to_string();
    crate::services::access::record(&state, people, healthcode_domain::Role::Venue, &reference, purpose, &reference)
        .await?;
    Ok(Json(
        list.iter()
            .map(|a| AttemptView {
                id: a.id.to_string(),
                attempted_at: a.at.to_string(),
                colour: a.colour.as_str().into(),
                source: a.source.as_str().into(),
            })
            .collect(),
    ))
}

/// The venue QR alone, as SVG (print it at 15 cm or more).
#[utoipa::path(get, path = "/api/v1/venues/{id}/qr.svg", tag = "venues", security(("bearer" = [])),
    responses((status = 200, content_type = "image/svg+xml", description = "venue QR")))]
pub async fn qr_svg(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let venue = venues::owned(&state, &auth.owner, parse_venue_id(&id)?).await?;
    let svg = render_svg(&venue_qr_text(&state, &venue)?).map_err(ApiError::internal)?;
    Ok(([(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "private, no-cache")], svg))
}

/// The venue QR alone, as PNG.
#[utoipa::path(get, path = "/api/v1/venues/{id}/qr.png", tag = "venues", security(("bearer" = [])),
    responses((status = 200, content_type = "image/png", description = "venue QR")))]
pub async fn qr_png(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let venue = venues::owned(&state, &auth.owner, parse_venue_id(&id)?).await?;
    let png = render_png(&venue_qr_text(&state, &venue)?, 10).map_err(ApiError::internal)?;
    Ok(([(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "private, no-cache")], png))
}

/// The deployment's languages, the venue region's first: its district's (or
/// province's) language in the region catalogue, else the deployment's order.
pub(crate) fn poster_languages(state: &AppState, p: &VenueProfile) -> Vec<Lang> {
    let regions = &state.config.regions;
    let first = regions.language(p.district.as_str()).or_else(|| regions.language(p.province.as_str()));
    let mut langs: Vec<Lang> = first.into_iter().collect();
    langs.extend(Lang::ALL.iter().copied().filter(|l| Some(*l) != first));
    langs
}

/// `?size=a4|a5|a6` on the poster routes (default A4).
#[derive(Debug, Deserialize, IntoParams)]
pub struct PosterQuery {
    /// `a4` (default), `a5`, or `a6` (a table tent).
    pub size: Option<String>,
}

fn paper_size(q: &PosterQuery) -> ApiResult<healthcode_poster::PaperSize> {
    match q.size.as_deref() {
        None | Some("") => Ok(healthcode_poster::PaperSize::A4),
        Some(s) => healthcode_poster::PaperSize::parse(s)
            .ok_or_else(|| ApiError::bad_input("POSTER_SIZE_INVALID", "size must be a4, a5 or a6")),
    }
}

/// What a venue's poster shows: the headline and instructions in the venue
/// region's language first (the others smaller), the place by name in that
/// language, the entry code to type at `/c` printed large, the deployment's
/// name.
pub(crate) fn poster_content(
    state: &AppState,
    venue: &Venue,
    entry_code: &healthcode_domain::VenueEntryCode,
    size: healthcode_poster::PaperSize,
) -> ApiResult<healthcode_poster::PosterContent> {
    let p = &venue.profile;
    let langs = poster_languages(state, p);
    let first = langs[0];
    let place = crate::web::venue_pages::place_line(&state.config.regions, p, first);
    let base = state.config.public_base_url.trim_end_matches('/');
    let site = base.split_once("://").map_or(base, |(_, rest)| rest);
    let banner = match &state.config.deployment_name {
        Some(name) => name.clone(),
        None => first.t("app.name").to_owned(),
    };
    Ok(healthcode_poster::PosterContent {
        qr_text: venue_qr_text(state, venue)?,
        venue_name: p.name.clone(),
        address_lines: vec![p.address.clone(), place],
        reference: format!("V-{}", &venue.id.to_string()[..8].to_uppercase()),
        instructions: langs.iter().map(|l| l.t("poster.instructions").to_owned()).collect(),
        headlines: langs.iter().map(|l| l.t("poster.headline").to_owned()).collect(),
        banner,
        entry_code: entry_code.grouped(),
        entry_instruction: first.tf("poster.entry_code", &[("site", &site)]),
        size,
    })
}

async fn poster_of(
    state: &AppState,
    auth: &VenueAuth,
    id: &str,
    q: &PosterQuery,
) -> ApiResult<healthcode_poster::Poster> {
    let size = paper_size(q)?;
    let venue = venues::owned(state, &auth.owner, parse_venue_id(id)?).await?;
    let code = venues::entry_code(state, &venue).await?;
    let content = poster_content(state, &venue, &code, size)?;
    let fonts = state.fonts.clone();
    // Layout shapes text: keep it off the async workers.
    tokio::task::spawn_blocking(move || healthcode_poster::Poster::new(&content, &fonts))
        .await
        .map_err(ApiError::internal)?
        .map_err(poster_error)
}

fn poster_error(e: healthcode_poster::PosterError) -> ApiError {
    match e {
        healthcode_poster::PosterError::FontMissing { .. } => {
            tracing::error!(error = %e, "poster font missing");
            ApiError::new(crate::error::ErrorKind::Unavailable, "POSTER_FONT_MISSING", e.to_string())
        }
        e => ApiError::internal(e),
    }
}

/// The printable poster as PDF (A4 by default: QR 16 cm; A5 11.3 cm; A6 8 cm), fonts embedded.
#[utoipa::path(get, path = "/api/v1/venues/{id}/poster.pdf", tag = "venues", security(("bearer" = [])), params(PosterQuery),
    responses((status = 200, content_type = "application/pdf", description = "A4 poster"), (status = 503, body = ErrorBody, description = "POSTER_FONT_MISSING")))]
pub async fn poster_pdf(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PosterQuery>,
) -> ApiResult<impl IntoResponse> {
    let poster = poster_of(&state, &auth, &id, &q).await?;
    let pdf =
        tokio::task::spawn_blocking(move || poster.pdf()).await.map_err(ApiError::internal)?.map_err(poster_error)?;
    Ok(([(CONTENT_TYPE, "application/pdf"), (CACHE_CONTROL, "private, no-cache")], pdf))
}

/// The poster as a 150 dpi PNG.
#[utoipa::path(get, path = "/api/v1/venues/{id}/poster.png", tag = "venues", security(("bearer" = [])), params(PosterQuery),
    responses((status = 200, content_type = "image/png", description = "A4 poster at 150 dpi")))]
pub async fn poster_png(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PosterQuery>,
) -> ApiResult<impl IntoResponse> {
    let poster = poster_of(&state, &auth, &id, &q).await?;
    let png = tokio::task::spawn_blocking(move || poster.png(150))
        .await
        .map_err(ApiError::internal)?
        .map_err(poster_error)?;
    Ok(([(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "private, no-cache")], png))
}

/// The poster as SVG (A4, millimetres).
#[utoipa::path(get, path = "/api/v1/venues/{id}/poster.svg", tag = "venues", security(("bearer" = [])), params(PosterQuery),
    responses((status = 200, content_type = "image/svg+xml", description = "A4 poster")))]
pub async fn poster_svg(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<PosterQuery>,
) -> ApiResult<impl IntoResponse> {
    let poster = poster_of(&state, &auth, &id, &q).await?;
    Ok(([(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "private, no-cache")], poster.svg().to_string()))
}
