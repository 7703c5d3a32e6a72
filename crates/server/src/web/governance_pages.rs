//! Governance pages for staff: manual overrides (the authority requests, a
//! supervisor decides) and the anomaly alarms (open first, acknowledged with
//! a note). Both reuse the services the JSON API calls.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::{Colour, Contact, Role};
use jiff::Timestamp;

use crate::error::{ApiError, ErrorKind};
use crate::services::{alarms, overrides};
use crate::state::AppState;
use crate::web::form_checks;
use crate::web::i18n::Lang;
use crate::web::pages::{Fields, colour_name, field};
use crate::web::view::{Page, Submitted};

const OVERRIDES: &str = "/authority/overrides";
const ALARMS: &str = "/authority/alarms";

/// A signed-in member of the oversight staff (authority, supervisor or
/// auditor), for pages. What each may do is checked per action.
pub struct PageOverseer {
    pub role: Role,
    pub name: String,
    /// The stable id four eyes compare.
    pub id: String,
    pub roles: healthcode_domain::StaffRoles,
}

impl PageOverseer {
    fn may_request(&self) -> bool {
        self.roles.contains(Role::Authority)
    }

    fn may_decide(&self) -> bool {
        self.roles.contains(Role::Supervisor)
    }

    fn may_acknowledge(&self) -> bool {
        self.roles.contains(Role::Authority) || self.roles.contains(Role::Supervisor)
    }
}

impl FromRequestParts<AppState> for PageOverseer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let who = crate::auth::staff::PageAuditor::from_request_parts(parts, state).await?;
        Ok(PageOverseer {
            role: who.role,
            name: who.name.clone(),
            id: who.staff.id.clone(),
            roles: who.staff.roles.clone(),
        })
    }
}

fn local(state: &AppState, t: Timestamp) -> String {
    t.to_zoned(state.config.time_zone.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// One pending override as shown.
#[derive(Debug, Clone)]
pub struct PendingShown {
    pub id: String,
    /// The first characters of the pseudonymous resident id.
    pub person: String,
    pub colour: String,
    pub colour_name: String,
    pub reason_code: String,
    pub basis: String,
    pub requested_by: String,
    pub requested_at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "overrides.html")]
pub struct OverridesPage {
    pub page: Page,
    pub may_request: bool,
    pub may_decide: bool,
    pub pending: Vec<PendingShown>,
}

/// One alarm as shown.
#[derive(Debug, Clone)]
pub struct AlarmShown {
    pub id: String,
    pub code: String,
    pub kind: String,
    pub at: String,
    pub subject: String,
    pub detail: String,
    /// (who, when) once acknowledged.
    pub acknowledged: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "alarms.html")]
pub struct AlarmsPage {
    pub page: Page,
    pub may_acknowledge: bool,
    pub open: Vec<AlarmShown>,
    pub closed: Vec<AlarmShown>,
}

fn failed(e: &ApiError) -> (StatusCode, Submitted) {
    (e.status(), Submitted { error: Some(e.message.clone()), ..Default::default() })
}

async fn overrides_page(
    state: &AppState,
    lang: Lang,
    who: &PageOverseer,
    (status, submitted): (StatusCode, Submitted),
) -> Response {
    let pending = match crate::services::overrides::pending(state).await {
        Ok(list) => list,
        Err(e) => return crate::web::pages::error_page(lang, OVERRIDES, false, &e),
    };
    let pending = pending
        .iter()
        .map(|o| PendingShown {
            id: o.id.to_string(),
            person: o.resident.to_string().chars().take(8).collect(),
            colour: o.colour.as_str().into(),
            colour_name: colour_name(lang, o.colour).into(),
            reason_code: o.reason_code.clone(),
            basis: o.basis.clone(),
            requested_by: o.requested_by.clone(),
            requested_at: local(state, o.requested_at),
        })
        .collect();
    let page = OverridesPage {
        page: Page::staff(lang, OVERRIDES, &who.roles).with_submitted(submitted),
        may_request: who.may_request(),
        may_decide: who.may_decide(),
        pending,
    };
    (status, page).into_response()
}

pub async fn overrides_list(State(state): State<AppState>, lang: Lang, who: PageOverseer) -> Response {
    overrides_page(&state, lang, &who, (StatusCode::OK, Submitted::default())).await
}

pub async fn override_request(
    State(state): State<AppState>,
    lang: Lang,
    who: PageOverseer,
    Form(f): Form<Fields>,
) -> Response {
    let fields = form_checks::override_request(lang, &f);
    if who.may_request() && !fields.is_empty() {
        return overrides_page(&state, lang, &who, (StatusCode::UNPROCESSABLE_ENTITY, Submitted::new(fields, &f)))
            .await;
    }
    let result = async {
        if !who.may_request() {
            return Err(ApiError::forbidden());
        }
        let contact = Contact::parse(field(&f, "phone"))?;
        let resident = crate::services::accounts::by_contact(&state, &contact)
            .await?
            .ok_or_else(|| ApiError::new(ErrorKind::NotFound, "RESIDENT_NOT_FOUND", "no resident with this phone"))?;
        let colour: Colour = field(&f, "colour").parse()?;
        overrides::request(
            &state,
            &who.name,
            &who.id,
            resident.id,
            colour,
            field(&f, "reason_code"),
            field(&f, "basis"),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(OVERRIDES).into_response(),
        Err(e) => {
            let mut submitted = Submitted::new(Default::default(), &f);
            if !submitted.fields.place(lang, e.code, &e.message, &form_checks::FIELD_OF_CODE) {
                submitted.error = Some(e.message.clone());
            }
            overrides_page(&state, lang, &who, (e.status(), submitted)).await
        }
    }
}

pub async fn override_decide(
    State(state): State<AppState>,
    lang: Lang,
    who: PageOverseer,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    let result = async {
        if !who.may_decide() {
            return Err(ApiError::forbidden());
        }
        let approve = match action.as_str() {
            "approve" => true,
            "reject" => false,
            _ => return Err(ApiError::not_found()),
        };
        let id =
            id.parse().map_err(|_| ApiError::new(ErrorKind::NotFound, "OVERRIDE_NOT_FOUND", "no such override"))?;
        overrides::decide(&state, &who.name, &who.id, id, approve).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(OVERRIDES).into_response(),
        Err(e) => overrides_page(&state, lang, &who, failed(&e)).await,
    }
}

async fn alarms_page(
    state: &AppState,
    lang: Lang,
    who: &PageOverseer,
    (status, submitted): (StatusCode, Submitted),
) -> Response {
    let list = match alarms::list(state).await {
        Ok(list) => list,
        Err(e) => return crate::web::pages::error_page(lang, ALARMS, false, &e),
    };
    let (mut open, mut closed) = (Vec::new(), Vec::new());
    for a in &list {
        let shown = AlarmShown {
            id: a.id.to_string(),
            code: a.kind.as_str().into(),
            kind: lang.t(&format!("alarm.kind.{}", a.kind.as_str())).into(),
            at: local(state, a.at),
            subject: a.subject.clone(),
            detail: a.detail.clone(),
            acknowledged: a
                .acknowledged_by
                .clone()
                .map(|by| (by, a.acknowledged_at.map(|t| local(state, t)).unwrap_or_default())),
        };
        if shown.acknowledged.is_some() { closed.push(shown) } else { open.push(shown) }
    }
    let page = AlarmsPage {
        page: Page::staff(lang, ALARMS, &who.roles).with_submitted(submitted),
        may_acknowledge: who.may_acknowledge(),
        open,
        closed,
    };
    (status, page).into_response()
}

pub async fn alarms_list(State(state): State<AppState>, lang: Lang, who: PageOverseer) -> Response {
    alarms_page(&state, lang, &who, (StatusCode::OK, Submitted::default())).await
}

pub async fn alarm_acknowledge(
    State(state): State<AppState>,
    lang: Lang,
    who: PageOverseer,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let result = async {
        if !who.may_acknowledge() {
            return Err(ApiError::forbidden());
        }
        let id = alarms::parse_id(&id)?;
        alarms::acknowledge(&state, who.role, &who.name, id, field(&f, "note")).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(ALARMS).into_response(),
        Err(e) => alarms_page(&state, lang, &who, failed(&e)).await,
    }
}
