//! Work resumption: employers apply and keep a roster, the authority decides,
//! residents accept invitations, employers scan employees at the gate and read
//! a dashboard that shows colour, clock-in and on-site state only.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use healthcode_domain::{ApplicationState, EnterpriseId, EnterpriseProfile, PhoneNumber, Site, Temperature};
use healthcode_store::{Employee, Enterprise};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::json::{ApiJson, ApiPath, ApiQuery};
use crate::auth::extract::{ResidentAuth, VenueAuth};
use crate::auth::staff::AuthorityAuth;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::services::enterprises::{self, Dashboard, RosterLine, Verdict};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct SiteRequest {
    pub name: String,
    pub address: String,
    /// District code, e.g. `330102`.
    pub district: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplicationRequest {
    /// The company name.
    pub name: String,
    /// At least one; the first is the main site (its district is the enterprise's).
    pub sites: Vec<SiteRequest>,
    pub planned_headcount: u32,
    /// Prevention measures (10 to 2000 characters).
    pub measures: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteView {
    pub name: String,
    pub address: String,
    pub district: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnterpriseView {
    pub id: String,
    pub name: String,
    pub sites: Vec<SiteView>,
    pub district: String,
    pub planned_headcount: u32,
    pub measures: String,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    pub submitted_at: String,
    /// The end of the review deadline (3 working days).
    pub due_at: String,
    /// Pending past its deadline.
    pub overdue: bool,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
}

pub fn enterprise_view(e: &Enterprise, now: jiff::Timestamp) -> EnterpriseView {
    EnterpriseView {
        id: e.id.to_string(),
        name: e.profile.name.clone(),
        sites: e
            .profile
            .sites
            .iter()
            .map(|s| SiteView { name: s.name.clone(), address: s.address.clone(), district: s.district.to_string() })
            .collect(),
        district: e.profile.district.to_string(),
        planned_headcount: e.profile.planned_headcount,
        measures: e.profile.measures.clone(),
        state: e.state.as_str().into(),
        submitted_at: e.submitted_at.to_string(),
        due_at: e.due_at.to_string(),
        overdue: enterprises::is_overdue(e, now),
        decided_at: e.decided_at.map(|t| t.to_string()),
        decision_reason: e.decision_reason.clone(),
    }
}

pub fn parse_enterprise_id(id: &str) -> ApiResult<EnterpriseId> {
    id.parse().map_err(|_| ApiError::new(ErrorKind::NotFound, "ENTERPRISE_NOT_FOUND", "no such enterprise"))
}

/// Parses an application from its wire form.
pub fn profile_of(b: &ApplicationRequest) -> ApiResult<EnterpriseProfile> {
    let sites = b.sites.iter().map(|s| Site::parse(&s.name, &s.address, &s.district)).collect::<Result<Vec<_>, _>>()?;
    Ok(EnterpriseProfile::parse(&b.name, sites, b.planned_headcount, &b.measures)?)
}

/// An employer (venue operator) files a work-resumption application; the authority decides within 3 working days.
#[utoipa::path(post, path = "/api/v1/enterprises", tag = "enterprises", request_body = ApplicationRequest, security(("bearer" = [])),
    responses((status = 201, body = EnterpriseView), (status = 422, body = ErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiJson(b): ApiJson<ApplicationRequest>,
) -> ApiResult<(StatusCode, Json<EnterpriseView>)> {
    let e = enterprises::apply(&state, &auth.owner, profile_of(&b)?).await?;
    Ok((StatusCode::CREATED, Json(enterprise_view(&e, state.clock.now()))))
}

/// The employer's own enterprises, newest first.
#[utoipa::path(get, path = "/api/v1/enterprises", tag = "enterprises", security(("bearer" = [])),
    responses((status = 200, body = [EnterpriseView])))]
pub async fn list(State(state): State<AppState>, auth: VenueAuth) -> ApiResult<Json<Vec<EnterpriseView>>> {
    let now = state.clock.now();
    Ok(Json(
        crate::services::enterprises::of_owner(&state, &auth.owner)
            .await?
            .iter()
            .map(|e| enterprise_view(e, now))
            .collect(),
    ))
}

/// One of the employer's enterprises (anyone else's is 404).
#[utoipa::path(get, path = "/api/v1/enterprises/{id}", tag = "enterprises", security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<EnterpriseView>> {
    let e = enterprises::owned(&state, &auth.owner, parse_enterprise_id(&id)?).await?;
    Ok(Json(enterprise_view(&e, state.clock.now())))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ApplicationsQuery {
    /// `pending` (default), `approved` or `rejected`.
    pub state: Option<String>,
}

/// Applications for the health authority, earliest deadline first (overdue ones lead).
#[utoipa::path(get, path = "/api/v1/enterprise-applications", tag = "enterprises", params(ApplicationsQuery), security(("bearer" = [])),
    responses((status = 200, body = [EnterpriseView]), (status = 403, body = ErrorBody)))]
pub async fn applications(
    State(state): State<AppState>,
    _auth: AuthorityAuth,
    ApiQuery(q): ApiQuery<ApplicationsQuery>,
) -> ApiResult<Json<Vec<EnterpriseView>>> {
    let wanted = match q.state.as_deref() {
        None => ApplicationState::Pending,
        Some(s) => ApplicationState::parse(s)
            .ok_or_else(|| ApiError::bad_input("STATE_INVALID", "state is pending, approved or rejected"))?,
    };
    let now = state.clock.now();
    Ok(Json(
        crate::services::enterprises::in_state(&state, wanted, 500)
            .await?
            .iter()
            .map(|e| enterprise_view(e, now))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// Why (3 to 1000 characters); the employer reads it.
    pub reason: String,
}

async fn decide(
    state: &AppState,
    auth: &AuthorityAuth,
    id: &str,
    verdict: Verdict,
    reason: &str,
) -> ApiResult<Json<EnterpriseView>> {
    let e = enterprises::decide(state, &auth.name, parse_enterprise_id(id)?, verdict, reason).await?;
    Ok(Json(enterprise_view(&e, state.clock.now())))
}

/// The health authority approves an application (audited).
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/approve", tag = "enterprises", request_body = DecisionRequest, security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "APPLICATION_ALREADY_DECIDED")))]
pub async fn approve(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<DecisionRequest>,
) -> ApiResult<Json<EnterpriseView>> {
    decide(&state, &auth, &id, Verdict::Approve, &b.reason).await
}

/// The health authority rejects an application with a reason (audited).
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/reject", tag = "enterprises", request_body = DecisionRequest, security(("bearer" = [])),
    responses((status = 200, body = EnterpriseView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody, description = "APPLICATION_ALREADY_DECIDED")))]
pub async fn reject(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<DecisionRequest>,
) -> ApiResult<Json<EnterpriseView>> {
    decide(&state, &auth, &id, Verdict::Reject, &b.reason).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteRequest {
    /// The employee's phone; the resident signed in with it accepts.
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterLineView {
    pub phone: String,
    /// `invited` or `linked`.
    pub link: String,
    /// Initials of the declared name, once linked.
    pub initials: Option<String>,
    /// `green`, `yellow`, `red`; null before linking or declaring.
    pub colour: Option<String>,
    /// Reported today: the daily clock-in, or a declaration (which makes a clock-in that day unnecessary).
    pub clocked_in_today: bool,
    /// Gate-scanned today.
    pub on_site: bool,
    /// A gate scan today measured 37.3 °C or more.
    pub fever: bool,
    pub needs_attention: bool,
}

fn line_view(l: &RosterLine) -> RosterLineView {
    RosterLineView {
        phone: l.phone.to_string(),
        link: if l.accepted { "linked" } else { "invited" }.into(),
        initials: l.initials.clone(),
        colour: l.colour.map(|c| c.as_str().into()),
        clocked_in_today: l.clocked_in_today,
        on_site: l.on_site,
        fever: l.fever,
        needs_attention: l.needs_attention(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmployeeView {
    pub enterprise_id: String,
    pub phone: String,
    /// `invited` or `linked`.
    pub link: String,
    pub invited_at: String,
    pub accepted_at: Option<String>,
}

fn employee_view(e: &Employee) -> EmployeeView {
    EmployeeView {
        enterprise_id: e.enterprise.to_string(),
        phone: e.phone.to_string(),
        link: if e.accepted_at.is_some() { "linked" } else { "invited" }.into(),
        invited_at: e.invited_at.to_string(),
        accepted_at: e.accepted_at.map(|t| t.to_string()),
    }
}

/// Invites a phone onto the roster (again, after a removal).
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/employees", tag = "enterprises", request_body = InviteRequest, security(("bearer" = [])),
    responses((status = 201, body = EmployeeView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "ALREADY_ON_ROSTER")))]
pub async fn invite(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<InviteRequest>,
) -> ApiResult<(StatusCode, Json<EmployeeView>)> {
    let id = parse_enterprise_id(&id)?;
    let phone = PhoneNumber::parse(&b.phone)?;
    let line = enterprises::invite(&state, &auth.owner, id, &phone).await?;
    Ok((StatusCode::CREATED, Json(employee_view(&line))))
}

/// Removes a phone from the roster; the employer stops seeing it at once.
#[utoipa::path(delete, path = "/api/v1/enterprises/{id}/employees/{phone}", tag = "enterprises", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody, description = "ENTERPRISE_NOT_FOUND or NOT_ON_ROSTER")))]
pub async fn remove(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath((id, phone)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    let id = parse_enterprise_id(&id)?;
    let phone = PhoneNumber::parse(&phone)?;
    enterprises::remove(&state, &auth.owner, id, &phone).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyEmployerView {
    pub enterprise_id: String,
    pub name: String,
    /// The application's state.
    pub state: String,
    /// `invited` or `linked`.
    pub link: String,
    pub invited_at: String,
}

/// The signed-in resident's invitations and employers.
#[utoipa::path(get, path = "/api/v1/me/employers", tag = "enterprises", security(("bearer" = [])),
    responses((status = 200, body = [MyEmployerView])))]
pub async fn my_employers(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<Vec<MyEmployerView>>> {
    let list = enterprises::employers_of(&state, auth.resident).await?;
    Ok(Json(
        list.iter()
            .map(|(line, e)| MyEmployerView {
                enterprise_id: e.id.to_string(),
                name: e.profile.name.clone(),
                state: e.state.as_str().into(),
                link: if line.accepted_at.is_some() { "linked" } else { "invited" }.into(),
                invited_at: line.invited_at.to_string(),
            })
            .collect(),
    ))
}

/// Accepts an invitation sent to the resident's own phone: the account is linked.
#[utoipa::path(post, path = "/api/v1/me/employers/{id}/accept", tag = "enterprises", security(("bearer" = [])),
    responses((status = 200, body = EmployeeView), (status = 404, body = ErrorBody, description = "INVITATION_NOT_FOUND"), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    auth: ResidentAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<EmployeeView>> {
    let id = parse_enterprise_id(&id)
        .map_err(|_| ApiError::new(ErrorKind::NotFound, "INVITATION_NOT_FOUND", "no such invitation"))?;
    Ok(Json(employee_view(&enterprises::accept(&state, auth.resident, id).await?)))
}

/// Declines an invitation or leaves the roster.
#[utoipa::path(post, path = "/api/v1/me/employers/{id}/leave", tag = "enterprises", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody, description = "INVITATION_NOT_FOUND")))]
pub async fn leave(
    State(state): State<AppState>,
    auth: ResidentAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let id = parse_enterprise_id(&id)
        .map_err(|_| ApiError::new(ErrorKind::NotFound, "INVITATION_NOT_FOUND", "no such invitation"))?;
    enterprises::leave(&state, auth.resident, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GateScanRequest {
    /// The scanned code (`HCODE1:…`) or paper pass (`HPASS1:…`).
    pub qr_text: String,
    /// Measured at the gate, °C.
    pub temperature_c: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GateScanView {
    pub id: String,
    pub colour: String,
    /// Needs attention: not green, or a fever.
    pub flagged: bool,
    pub fever: bool,
    /// `CLEAR`, `FEVER`, `COLOUR_YELLOW` or `COLOUR_RED`.
    pub reason: String,
    pub temperature_c: Option<f64>,
    /// Initials and last four document characters, for the eye-check.
    pub holder_hint: Option<String>,
    pub scanned_at: String,
}

/// The employer scans an employee's code at the gate, with the measured
/// temperature: 37.3 °C or more, or a colour other than green, flags the person.
#[utoipa::path(post, path = "/api/v1/enterprises/{id}/gate-scans", tag = "enterprises", request_body = GateScanRequest, security(("bearer" = [])),
    responses((status = 201, body = GateScanView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "ENTERPRISE_NOT_APPROVED"),
        (status = 422, body = ErrorBody, description = "NOT_ON_ROSTER, a CODE_* verification failure, TEMPERATURE_OUT_OF_RANGE")))]
pub async fn gate_scan(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
    ApiJson(b): ApiJson<GateScanRequest>,
) -> ApiResult<(StatusCode, Json<GateScanView>)> {
    let id = parse_enterprise_id(&id)?;
    let temperature = b.temperature_c.map(Temperature::from_celsius).transpose()?;
    let r = enterprises::gate_scan(&state, &auth.owner, id, &b.qr_text, temperature).await?;
    Ok((
        StatusCode::CREATED,
        Json(GateScanView {
            id: r.scan.id.to_string(),
            colour: r.scan.colour.as_str().into(),
            flagged: r.scan.flagged,
            fever: r.fever,
            reason: r.scan.reason.clone(),
            temperature_c: r.scan.temperature.map(|t| t.celsius()),
            holder_hint: r.holder_hint,
            scanned_at: r.scan.scanned_at.to_string(),
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardView {
    pub enterprise_id: String,
    pub name: String,
    /// The application's state.
    pub state: String,
    /// The local date the figures are for.
    pub date: String,
    /// Accepted (linked) employees.
    pub employees: u32,
    /// Invitations not yet accepted.
    pub invited: u32,
    pub green: u32,
    pub clocked_in: u32,
    pub on_site: u32,
    /// Shares of the linked employees, 0 to 1.
    pub share_green: f64,
    pub share_clocked_in: f64,
    pub share_on_site: f64,
    /// Linked employees who are not green, have not clocked in today, or had a fever at the gate.
    pub attention: Vec<RosterLineView>,
    /// Every active roster line, by phone.
    pub roster: Vec<RosterLineView>,
}

pub fn dashboard_view(d: &Dashboard) -> DashboardView {
    DashboardView {
        enterprise_id: d.enterprise.id.to_string(),
        name: d.enterprise.profile.name.clone(),
        state: d.enterprise.state.as_str().into(),
        date: d.date.to_string(),
        employees: d.employees,
        invited: d.invited,
        green: d.green,
        clocked_in: d.clocked_in,
        on_site: d.on_site,
        share_green: d.share(d.green),
        share_clocked_in: d.share(d.clocked_in),
        share_on_site: d.share(d.on_site),
        attention: d.attention().map(line_view).collect(),
        roster: d.roster.iter().map(line_view).collect(),
    }
}

/// Today's shares of employees green, clocked in and on site, and who needs
/// attention. Never declarations, symptoms, declared temperatures or visits.
#[utoipa::path(get, path = "/api/v1/enterprises/{id}/dashboard", tag = "enterprises", security(("bearer" = [])),
    responses((status = 200, body = DashboardView), (status = 404, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    auth: VenueAuth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<DashboardView>> {
    let d = enterprises::dashboard(&state, &auth.owner, parse_enterprise_id(&id)?).await?;
    Ok(Json(dashboard_view(&d)))
}
