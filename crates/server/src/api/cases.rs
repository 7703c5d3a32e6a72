//! Cases and tracing (health authority), exposure notices (residents), and
//! the public list of exposure sites.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use healthcode_domain::policy::CaseKind;
use healthcode_domain::{CaseId, Contact, HolderId, ResidentId, TraceContact};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::{ApiJson, ApiPath, ApiQuery};
use crate::auth::extract::ResidentAuth;
use crate::auth::staff::AuthorityAuth;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::services::cases::{self, TraceReport};
use crate::state::AppState;

fn parse_case_id(id: &str) -> ApiResult<CaseId> {
    id.parse().map_err(|_| ApiError::new(ErrorKind::NotFound, "CASE_NOT_FOUND", "no such case"))
}

fn parse_date(s: &str, field: &str) -> ApiResult<jiff::civil::Date> {
    s.parse().map_err(|_| ApiError::bad_input("DATE_INVALID", format!("{field} must be a date like 2026-11-20")))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CaseRequest {
    /// The person: one of resident_id, phone or holder_id (the pseudonymous id in their code).
    pub resident_id: Option<String>,
    pub phone: Option<String>,
    pub holder_id: Option<String>,
    /// `confirmed` or `suspected`.
    pub kind: String,
    /// Symptom onset, or the test date without symptoms (YYYY-MM-DD).
    pub onset_date: String,
    pub isolated_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseResponse {
    pub id: String,
    pub resident_id: String,
    pub kind: String,
    pub onset_date: String,
    pub isolated_on: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
    pub applied_at: Option<String>,
}

fn case_response(c: &healthcode_domain::Case) -> CaseResponse {
    CaseResponse {
        id: c.id.to_string(),
        resident_id: c.resident.to_string(),
        kind: c.kind.as_str().into(),
        onset_date: c.onset.to_string(),
        isolated_on: c.isolated_on.map(|d| d.to_string()),
        recorded_by: c.recorded_by.clone(),
        recorded_at: c.recorded_at.to_string(),
        applied_at: c.applied_at.map(|t| t.to_string()),
    }
}

async fn person(state: &AppState, b: &CaseRequest) -> ApiResult<ResidentId> {
    let not_found = || ApiError::new(ErrorKind::NotFound, "RESIDENT_NOT_FOUND", "no such resident");
    if let Some(id) = &b.resident_id {
        return id.parse().map_err(|_| not_found());
    }
    if let Some(phone) = &b.phone {
        let contact = Contact::parse(phone)?;
        return crate::services::accounts::by_contact(state, &contact).await?.map(|r| r.id).ok_or_else(not_found);
    }
    if let Some(holder) = &b.holder_id {
        let holder: HolderId = holder.parse()?;
        return crate::services::accounts::by_holder(state, holder)
            .await
            .ok()
            .flatten()
            .map(|r| r.id)
            .ok_or_else(not_found);
    }
    Err(ApiError::bad_input("PERSON_REQUIRED", "give resident_id, phone or holder_id"))
}

/// Records a confirmed or suspected case; the person's colour turns red by rule.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseRequest, security(("bearer" = [])),
    responses((status = 201, body = CaseResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiJson(b): ApiJson<CaseRequest>,
) -> ApiResult<(StatusCode, Json<CaseResponse>)> {
    let resident = person(&state, &b).await?;
    let kind = CaseKind::parse(&b.kind)?;
    let onset = parse_date(&b.onset_date, "onset_date")?;
    let isolated = b.isolated_on.as_deref().map(|d| parse_date(d, "isolated_on")).transpose()?;
    let case = cases::record(&state, resident, kind, onset, isolated, &auth.name).await?;
    Ok((StatusCode::CREATED, Json(case_response(&case))))
}

/// Recent cases, newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = [CaseResponse])))]
pub async fn list(State(state): State<AppState>, _auth: AuthorityAuth) -> ApiResult<Json<Vec<CaseResponse>>> {
    Ok(Json(cases::list(&state, 500).await?.iter().map(case_response).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub venue_id: String,
    /// The visit of the case (or, for secondary contacts, of the close contact).
    pub case_visit: String,
    pub contact_visit: String,
    pub from: String,
    pub to: String,
    pub overlap_minutes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    pub resident_id: String,
    pub total_minutes: i64,
    pub evidence: Vec<EvidenceView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TraceResponse {
    pub case: CaseResponse,
    pub window_from: String,
    pub window_to: String,
    /// The case's own visits in the window.
    pub case_visits: usize,
    /// The case's attempted entries in the window (turned away at a venue
    /// while yellow or red): evidence of where they went, not a contact source.
    pub case_attempted_entries: Vec<AttemptedEntryView>,
    /// Close contacts in the whole report (the list holds one page of them).
    pub close_total: usize,
    /// Secondary contacts in the whole report.
    pub secondary_total: usize,
    /// How many of each list the page skipped.
    pub offset: usize,
    /// One page of the close contacts, by person id.
    pub close_contacts: Vec<ContactView>,
    /// One page of the secondary contacts, by person id.
    pub secondary_contacts: Vec<ContactView>,
}

/// Contacts a page of the API's trace report holds by default, and at most.
pub const TRACE_PAGE: usize = 1_000;
pub const TRACE_PAGE_MAX: usize = 10_000;

/// A page of a trace report: both contact lists are paged alike.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TracePage {
    /// Contacts of each list to return: 1 to 10,000 (default 1,000).
    pub limit: Option<usize>,
    /// Contacts of each list to skip (default 0). Pages after the first read
    /// the report traced for the first (kept a minute, dropped sooner by any
    /// change it could show), so the pages fit together.
    pub offset: Option<usize>,
}

impl TracePage {
    fn bounds(&self) -> Result<(usize, usize), ApiError> {
        let limit = self.limit.unwrap_or(TRACE_PAGE);
        if !(1..=TRACE_PAGE_MAX).contains(&limit) {
            return Err(ApiError::bad_input("LIST_PARAM_INVALID", "limit is 1 to 10000 contacts a page"));
        }
        Ok((self.offset.unwrap_or(0), limit))
    }
}

fn contact_view(c: &TraceContact) -> ContactView {
    ContactView {
        resident_id: c.resident.to_string(),
        total_minutes: c.total_minutes(),
        evidence: c
            .shared
            .iter()
            .map(|s| EvidenceView {
                venue_id: s.venue.to_string(),
                case_visit: s.source_visit.to_string(),
                contact_visit: s.contact_visit.to_string(),
                from: s.overlap_start.to_string(),
                to: s.overlap_end.to_string(),
                overlap_minutes: s.minutes(),
            })
            .collect(),
    }
}

/// One attempted entry of a case: which venue, when.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptedEntryView {
    pub venue_id: String,
    pub attempted_at: String,
    pub colour: String,
}

/// The whole report (the CLI's `trace CASE`).
pub fn trace_response(r: &TraceReport) -> TraceResponse {
    trace_page(r, 0, usize::MAX)
}

/// One page of the report: `limit` contacts of each list after `offset`.
pub fn trace_page(r: &TraceReport, offset: usize, limit: usize) -> TraceResponse {
    let page = |list: &[TraceContact]| list.iter().skip(offset).take(limit).map(contact_view).collect();
    TraceResponse {
        case_attempted_entries: r
            .case_attempts
            .iter()
            .map(|a| AttemptedEntryView {
                venue_id: a.venue.to_string(),
                attempted_at: a.at.to_string(),
                colour: a.colour.as_str().into(),
            })
            .collect(),
        case: case_response(&r.case),
        window_from: r.window.0.to_string(),
        window_to: r.window.1.to_string(),
        case_visits: r.case_visits.len(),
        close_total: r.close.len(),
        secondary_total: r.secondary.len(),
        offset,
        close_contacts: page(&r.close),
        secondary_contacts: page(&r.secondary),
    }
}

/// Traces a case: close contacts (same venue, overlapping, at least 15 minutes,
/// 30 minutes' buffer after the case left) and their contacts (secondary),
/// with the totals and one page of each list (a two-hop report at city
/// scale names hundreds of thousands of people). The first page traces now.
#[utoipa::path(post, path = "/api/v1/cases/{id}/trace", tag = "cases", params(TracePage), security(("bearer" = [])),
    responses((status = 200, body = TraceResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn trace(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page): ApiQuery<TracePage>,
) -> ApiResult<Json<TraceResponse>> {
    let (offset, limit) = page.bounds()?;
    let case = parse_case_id(&id)?;
    let read =
        if offset == 0 { cases::trace_and_keep(&state, case).await? } else { cases::read_trace(&state, case).await? };
    let report = &read.report;
    let detail = format!("close={} secondary={} offset={offset}", report.close.len(), report.secondary.len());
    let actor = healthcode_store::AuditActor::authority(&auth.name);
    crate::services::audit::record(&state, actor, healthcode_store::AuditAction::TraceViewed, &id, &detail).await?;
    crate::services::access::trace_read(&state, &read, &auth.name).await?;
    Ok(Json(trace_page(report, offset, limit)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplyResponse {
    pub close_contacts: usize,
    pub secondary_contacts: usize,
    /// Statuses changed (people already at that colour or worse keep theirs).
    pub statuses_changed: usize,
    pub exposure_sites: usize,
}

/// Applies the trace: colours by rule citing the shared stays, notices, exposure sites.
#[utoipa::path(post, path = "/api/v1/cases/{id}/apply", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = ApplyResponse), (status = 404, body = ErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ApplyResponse>> {
    let r = cases::apply(&state, parse_case_id(&id)?, &auth.name).await?;
    Ok(Json(ApplyResponse {
        close_contacts: r.close,
        secondary_contacts: r.secondary,
        statuses_changed: r.changed,
        exposure_sites: r.sites,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeView {
    pub at: String,
    /// `case`, `close` or `secondary`.
    pub kind: String,
    pub message: String,
}

/// The caller's exposure notices, newest first (the case is never named).
#[utoipa::path(get, path = "/api/v1/me/notices", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = [NoticeView])))]
pub async fn my_notices(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<Vec<NoticeView>>> {
    let notices = cases::notices_of(&state, auth.resident, 100).await?;
    Ok(Json(
        notices
            .iter()
            .map(|n| NoticeView { at: n.at.to_string(), kind: n.kind.clone(), message: n.message.clone() })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExposureSiteView {
    pub venue_name: String,
    pub district: String,
    pub from: String,
    pub to: String,
}

/// Public: places and time windows where a case was, from the last 14 days. No personal data.
#[utoipa::path(get, path = "/api/v1/exposure-sites", tag = "cases",
    responses((status = 200, body = [ExposureSiteView])))]
pub async fn exposure_sites(State(state): State<AppState>) -> ApiResult<Json<Vec<ExposureSiteView>>> {
    let sites = cases::recent_exposure_sites(&state).await?;
    Ok(Json(
        sites
            .into_iter()
            .map(|(s, v)| ExposureSiteView {
                venue_name: v.profile.name,
                district: v.profile.district.to_string(),
                from: s.from.to_string(),
                to: s.to.to_string(),
            })
            .collect(),
    ))
}
