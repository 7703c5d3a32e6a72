//! Work-resumption pages: the employer's enterprises, application form and
//! dashboard (`/employer…`), the resident's invitations and employers
//! (`/me/employers`), and the authority's review queue
//! (`/authority/enterprises`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::{ApplicationState, Colour, EnterpriseId, PhoneNumber, Site, Temperature};
use healthcode_store::Enterprise;
use jiff::Timestamp;

use crate::api::enterprises::{ApplicationRequest, SiteRequest, parse_enterprise_id, profile_of};
use crate::auth::extract::{PageResident, PageVenue};
use crate::error::{ApiError, ErrorKind};
use crate::services::enterprises::{self, Dashboard, GateResult, RosterLine, Verdict};
use crate::state::AppState;
use crate::web::case_pages::PageAuthority;
use crate::web::form_checks;
use crate::web::i18n::Lang;
use crate::web::pages::{Fields, colour_name, error_page, field};
use crate::web::scanner_pages::scanner_config;
use crate::web::view::{Page, ScannerPage, Submitted};

/// One enterprise in the employer's list.
pub struct EnterpriseShown {
    pub id: String,
    pub name: String,
    pub state_text: String,
    pub overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "employer.html")]
pub struct EmployerPage {
    pub page: Page,
    pub enterprises: Vec<EnterpriseShown>,
}

/// A gate scan's result, shown on top of the dashboard.
pub struct GateShown {
    pub colour: String,
    pub colour_name: String,
    pub flagged: bool,
    pub fever: bool,
    pub temperature: Option<String>,
    pub hint: Option<String>,
}

pub struct LineShown {
    pub phone: String,
    /// Initials and phone, or the phone alone.
    pub who: String,
    /// The CSS class (`green`, ...), empty when unknown.
    pub colour: String,
    pub colour_name: String,
    pub clocked_in: String,
    pub on_site: String,
}

pub struct AttentionShown {
    pub who: String,
    pub why: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprise.html")]
pub struct EnterprisePage {
    pub page: Page,
    pub id: String,
    pub name: String,
    pub state_text: String,
    pub pending: bool,
    pub approved: bool,
    pub overdue: bool,
    pub due: String,
    pub decision_reason: Option<String>,
    pub gate: Option<GateShown>,
    pub date: String,
    pub employees: u32,
    pub invited: u32,
    pub green: u32,
    pub clocked_in: u32,
    pub on_site: u32,
    pub share_green: u64,
    pub share_clocked_in: u64,
    pub share_on_site: u64,
    pub attention: Vec<AttentionShown>,
    pub roster: Vec<LineShown>,
}

pub struct MyEmployerShown {
    pub id: String,
    pub name: String,
    pub linked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "my_employers.html")]
pub struct MyEmployersPage {
    pub page: Page,
    pub lines: Vec<MyEmployerShown>,
}

pub struct ApplicationShown {
    pub id: String,
    pub name: String,
    pub due: String,
    pub overdue: bool,
    pub headcount: u32,
    pub district: String,
    pub sites: Vec<String>,
    pub measures: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications.html")]
pub struct ApplicationsPage {
    pub page: Page,
    pub pending: Vec<ApplicationShown>,
}

fn state_text(lang: Lang, s: ApplicationState) -> &'static str {
    lang.t(&format!("ent.state_{}", s.as_str()))
}

fn local_day(state: &AppState, t: Timestamp) -> String {
    t.to_zoned(state.config.time_zone.clone()).date().to_string()
}

fn yes_no(lang: Lang, v: bool) -> String {
    lang.t(if v { "ent.yes" } else { "ent.no" }).to_string()
}

/// A share of the linked employees in whole percent, rounded.
fn percent(d: &Dashboard, n: u32) -> u64 {
    let (n, all) = (u64::from(n), u64::from(d.employees));
    (n * 100 + all / 2).checked_div(all).unwrap_or(0)
}

fn who(l: &RosterLine) -> String {
    match &l.initials {
        Some(i) => format!("{i} · {}", l.phone),
        None => l.phone.to_string(),
    }
}

fn colour_of(lang: Lang, c: Option<Colour>) -> (String, String) {
    match c {
        Some(c) => (c.as_str().to_string(), colour_name(lang, c).to_string()),
        None => (String::new(), "—".into()),
    }
}

fn why(lang: Lang, l: &RosterLine) -> String {
    let mut reasons = Vec::new();
    match l.colour {
        Some(Colour::Green) => {}
        Some(c) => reasons.push(colour_name(lang, c).to_string()),
        None => reasons.push(lang.t("ent.no_code").to_string()),
    }
    if !l.clocked_in_today {
        reasons.push(lang.t("ent.missing_clock_in").to_string());
    }
    if l.fever {
        reasons.push(lang.t("ent.fever").to_string());
    }
    reasons.join(" · ")
}

fn enterprise_page(state: &AppState, lang: Lang, d: &Dashboard, gate: Option<&GateResult>) -> EnterprisePage {
    let e = &d.enterprise;
    let now = state.clock.now();
    EnterprisePage {
        page: Page::operator(lang, &format!("/employer/{}", e.id)),
        id: e.id.to_string(),
        name: e.profile.name.clone(),
        state_text: state_text(lang, e.state).into(),
        pending: e.state == ApplicationState::Pending,
        approved: e.state == ApplicationState::Approved,
        overdue: enterprises::is_overdue(e, now),
        due: local_day(state, e.due_at),
        decision_reason: e.decision_reason.clone(),
        gate: gate.map(|g| {
            let (colour, name) = colour_of(lang, Some(g.scan.colour));
            GateShown {
                colour: if g.scan.flagged { "red".into() } else { colour },
                colour_name: name,
                flagged: g.scan.flagged,
                fever: g.fever,
                temperature: g.scan.temperature.map(|t| t.to_string()),
                hint: g.holder_hint.clone(),
            }
        }),
        date: d.date.to_string(),
        employees: d.employees,
        invited: d.invited,
        green: d.green,
        clocked_in: d.clocked_in,
        on_site: d.on_site,
        share_green: percent(d, d.green),
        share_clocked_in: percent(d, d.clocked_in),
        share_on_site: percent(d, d.on_site),
        attention: d.attention().map(|l| AttentionShown { who: who(l), why: why(lang, l) }).collect(),
        roster: d
            .roster
            .iter()
            .map(|l| {
                let (colour, colour_name) = colour_of(lang, l.colour);
                LineShown {
                    phone: l.phone.to_string(),
                    who: who(l),
                    colour,
                    colour_name: if l.accepted { colour_name } else { lang.t("ent.invited").into() },
                    clocked_in: yes_no(lang, l.clocked_in_today),
                    on_site: yes_no(lang, l.on_site),
                }
            })
            .collect(),
    }
}

async fn list_page(state: &AppState, lang: Lang, who: &PageVenue, submitted: Submitted) -> Response {
    let now = state.clock.now();
    let status = submitted.status();
    match crate::services::enterprises::of_owner(state, &who.owner).await {
        Ok(list) => (
            status,
            EmployerPage {
                page: Page::operator(lang, "/employer").with_regions(&state.config.regions).with_submitted(submitted),
                enterprises: list
                    .iter()
                    .map(|e: &Enterprise| EnterpriseShown {
                        id: e.id.to_string(),
                        name: e.profile.name.clone(),
                        state_text: state_text(lang, e.state).into(),
                        overdue: enterprises::is_overdue(e, now),
                    })
                    .collect(),
            },
        )
            .into_response(),
        Err(e) => error_page(lang, "/employer", false, &e),
    }
}

pub async fn list(State(state): State<AppState>, lang: Lang, who: PageVenue) -> Response {
    list_page(&state, lang, &who, Submitted::default()).await
}

/// Extra sites, one a line: `name; address; district`.
fn more_sites(text: &str) -> Result<Vec<SiteRequest>, ApiError> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let parts: Vec<&str> = l.split(';').map(str::trim).collect();
            match parts.as_slice() {
                [name, address, district] => {
                    Ok(SiteRequest { name: (*name).into(), address: (*address).into(), district: (*district).into() })
                }
                _ => Err(ApiError::bad_input("SITE_INVALID", "write each further site as: name; address; district")),
            }
        })
        .collect()
}

pub async fn apply(State(state): State<AppState>, lang: Lang, who: PageVenue, Form(mut f): Form<Fields>) -> Response {
    state.config.regions.codes_in_form(&mut f, &["site_district"]);
    let fields = form_checks::enterprise(lang, &f);
    if !fields.is_empty() {
        return list_page(&state, lang, &who, Submitted::new(fields, &f)).await;
    }
    let result = async {
        let mut sites = vec![SiteRequest {
            name: field(&f, "site_name").into(),
            address: field(&f, "site_address").into(),
            district: field(&f, "site_district").into(),
        }];
        sites.extend(more_sites(field(&f, "more_sites"))?);
        let headcount = field(&f, "planned_headcount")
            .trim()
            .parse::<u32>()
            .map_err(|_| ApiError::bad_input("HEADCOUNT_INVALID", "the planned headcount must be 1 to 100000"))?;
        let request = ApplicationRequest {
            name: field(&f, "name").into(),
            sites,
            planned_headcount: headcount,
            measures: field(&f, "measures").into(),
        };
        enterprises::apply(&state, &who.owner, profile_of(&request)?).await
    }
    .await;
    match result {
        Ok(e) => Redirect::to(&format!("/employer/{}", e.id)).into_response(),
        Err(e) => {
            let mut submitted = Submitted::new(Default::default(), &f);
            submitted.error = Some(e.message);
            list_page(&state, lang, &who, submitted).await
        }
    }
}

async fn show_page(
    state: &AppState,
    lang: Lang,
    who: &PageVenue,
    id: EnterpriseId,
    gate: Option<&GateResult>,
    submitted: Submitted,
) -> Response {
    match enterprises::dashboard(state, &who.owner, id).await {
        Ok(d) => {
            let status = submitted.status();
            let mut page = enterprise_page(state, lang, &d, gate);
            page.page = page.page.with_submitted(submitted);
            (status, page).into_response()
        }
        Err(e) => error_page(lang, "/employer", false, &e),
    }
}

pub async fn show(State(state): State<AppState>, lang: Lang, who: PageVenue, Path(id): Path<String>) -> Response {
    match parse_enterprise_id(&id) {
        Ok(id) => show_page(&state, lang, &who, id, None, Submitted::default()).await,
        Err(e) => error_page(lang, "/employer", false, &e),
    }
}

/// Invite, remove or gate-scan, then the dashboard again.
pub async fn action(
    State(state): State<AppState>,
    lang: Lang,
    who: PageVenue,
    Path((id, verb)): Path<(String, String)>,
    Form(f): Form<Fields>,
) -> Response {
    let id = match parse_enterprise_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(lang, "/employer", false, &e),
    };
    let result: Result<Option<GateResult>, ApiError> = async {
        match verb.as_str() {
            "invite" => {
                let phone = PhoneNumber::parse(field(&f, "phone"))?;
                enterprises::invite(&state, &who.owner, id, &phone).await.map(|_| None)
            }
            "remove" => {
                let phone = PhoneNumber::parse(field(&f, "phone"))?;
                enterprises::remove(&state, &who.owner, id, &phone).await.map(|_| None)
            }
            "gate-scan" => {
                let text = field(&f, "temperature_c").trim();
                let temperature = if text.is_empty() {
                    None
                } else {
                    let c = text.replace(',', ".").parse::<f64>().map_err(|_| {
                        ApiError::bad_input("TEMPERATURE_OUT_OF_RANGE", "temperature must be between 30.0 and 45.0 °C")
                    })?;
                    Some(Temperature::from_celsius(c)?)
                };
                enterprises::gate_scan(&state, &who.owner, id, field(&f, "qr_text"), temperature).await.map(Some)
            }
            _ => Err(ApiError::not_found()),
        }
    }
    .await;
    match result {
        Ok(None) => Redirect::to(&format!("/employer/{id}")).into_response(),
        Ok(Some(gate)) => show_page(&state, lang, &who, id, Some(&gate), Submitted::default()).await,
        Err(e) if e.code == "ENTERPRISE_NOT_FOUND" => error_page(lang, "/employer", false, &e),
        Err(e) if verb == "invite" => {
            // The invite form's phone: beside the field, and kept.
            let mut submitted = Submitted::new(Default::default(), &f);
            submitted.error = submitted.fields.place_or_top(lang, &e, &form_checks::FIELD_OF_CODE);
            show_page(&state, lang, &who, id, None, submitted).await
        }
        Err(e) => {
            let submitted = Submitted { error: Some(e.message), ..Default::default() };
            show_page(&state, lang, &who, id, None, submitted).await
        }
    }
}

async fn my_page(state: &AppState, lang: Lang, who: PageResident, error: Option<String>) -> Response {
    match enterprises::employers_of(state, who.resident).await {
        Ok(list) => MyEmployersPage {
            page: Page::new(lang, "/me/employers", true).with_error(error),
            lines: list
                .iter()
                .map(|(line, e)| MyEmployerShown {
                    id: e.id.to_string(),
                    name: e.profile.name.clone(),
                    linked: line.accepted_at.is_some(),
                })
                .collect(),
        }
        .into_response(),
        Err(e) => error_page(lang, "/me/employers", true, &e),
    }
}

pub async fn my_employers(State(state): State<AppState>, lang: Lang, who: PageResident) -> Response {
    my_page(&state, lang, who, None).await
}

/// Accept or leave, then the list again.
pub async fn my_action(
    State(state): State<AppState>,
    lang: Lang,
    who: PageResident,
    Path((id, verb)): Path<(String, String)>,
) -> Response {
    let result = async {
        let id: EnterpriseId = id.parse().map_err(|_| ApiError::not_found())?;
        match verb.as_str() {
            "accept" => enterprises::accept(&state, who.resident, id).await.map(|_| ()),
            "leave" => enterprises::leave(&state, who.resident, id).await,
            _ => Err(ApiError::not_found()),
        }
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/me/employers").into_response(),
        Err(e) => my_page(&state, lang, who, Some(e.message)).await,
    }
}

async fn review_page(state: &AppState, lang: Lang, who: &PageAuthority, error: Option<String>) -> Response {
    let now = state.clock.now();
    match crate::services::enterprises::in_state(state, ApplicationState::Pending, 500).await {
        Ok(list) => ApplicationsPage {
            page: Page::staff(lang, "/authority/enterprises", &who.roles).with_error(error),
            pending: list
                .iter()
                .map(|e| ApplicationShown {
                    id: e.id.to_string(),
                    name: e.profile.name.clone(),
                    due: local_day(state, e.due_at),
                    overdue: enterprises::is_overdue(e, now),
                    headcount: e.profile.planned_headcount,
                    district: state.config.regions.name(e.profile.district.as_str(), lang).to_string(),
                    sites: e
                        .profile
                        .sites
                        .iter()
                        .map(|s: &Site| {
                            format!(
                                "{}, {} ({})",
                                s.name,
                                s.address,
                                state.config.regions.name(s.district.as_str(), lang)
                            )
                        })
                        .collect(),
                    measures: e.profile.measures.clone(),
                })
                .collect(),
        }
        .into_response(),
        Err(e) => error_page(lang, "/authority/enterprises", false, &e),
    }
}

pub async fn review(State(state): State<AppState>, lang: Lang, who: PageAuthority) -> Response {
    review_page(&state, lang, &who, None).await
}

pub async fn decide(
    State(state): State<AppState>,
    lang: Lang,
    who: PageAuthority,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let result = async {
        let id = parse_enterprise_id(&id)?;
        let verdict = match field(&f, "verdict") {
            "approve" => Verdict::Approve,
            "reject" => Verdict::Reject,
            _ => return Err(ApiError::bad_input("VERDICT_INVALID", "approve or reject")),
        };
        enterprises::decide(&state, &who.name, id, verdict, field(&f, "reason")).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/authority/enterprises").into_response(),
        Err(e) => review_page(&state, lang, &who, Some(e.message)).await,
    }
}

/// `GET /employer/{id}/scan`: the camera scanner at the enterprise's gate
/// (online only; the measured temperature goes with each code).
pub async fn gate_scanner(
    State(state): State<AppState>,
    lang: Lang,
    who: PageVenue,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/employer/{id}/scan");
    let result = async {
        let id = parse_enterprise_id(&id)?;
        let e = enterprises::owned(&state, &who.owner, id).await?;
        if e.state != ApplicationState::Approved {
            return Err(ApiError::new(
                ErrorKind::Conflict,
                "ENTERPRISE_NOT_APPROVED",
                "gate scans start once the work-resumption application is approved",
            ));
        }
        Ok(e)
    }
    .await;
    match result {
        Ok(e) => {
            let settings = serde_json::json!({
                "mode": "gate",
                "id": e.id.to_string(),
                "scanUrl": format!("/api/v1/enterprises/{}/gate-scans", e.id),
                "signInUrl": "/venue/signin",
            });
            ScannerPage {
                page: Page::operator(lang, &path),
                title: e.profile.name.clone(),
                subtitle: lang.t("ent.gate").to_string(),
                checkpoint: false,
                gate: true,
                staff_name: String::new(),
                closed: false,
                config_json: scanner_config(lang, settings),
            }
            .respond()
        }
        Err(e) => error_page(lang, "/employer", false, &e),
    }
}
