//! Governance pages for staff: manual overrides (the authority requests, a
//! supervisor decides) and the anomaly alarms (open first, acknowledged with
//! a note). Both reuse the services the JSON API calls.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::{Colour, Contact, Role};
use healthcode_store::{AlarmKind, AlarmSort, ListQuery, Listed, OverrideSort};

use crate::error::{ApiError, ErrorKind};
use crate::services::{alarms, lists, overrides};
use crate::state::AppState;
use crate::web::form_checks;
use crate::web::i18n::Lang;
use crate::web::listing::{self, ListParams, ListSpec, Listing};
use crate::web::pages::local_minute;
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

/// One override as the list shows it.
#[derive(Debug, Clone)]
pub struct OverrideShown {
    pub id: String,
    /// The first characters of the pseudonymous resident id.
    pub person: String,
    pub district: String,
    pub colour: String,
    pub colour_name: String,
    pub reason_code: String,
    pub basis: String,
    pub requested_by: String,
    pub requested_at: String,
    pub pending: bool,
    pub state: String,
    /// (who, when) once decided.
    pub decided: Option<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "overrides.html")]
pub struct OverridesPage {
    pub page: Page,
    pub may_request: bool,
    pub may_decide: bool,
    /// How many wait for a supervisor, whatever the filter.
    pub waiting: u64,
    pub overrides: Vec<OverrideShown>,
    pub l: Listing,
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
    /// How many are open, whatever the filter.
    pub open: u64,
    pub alarms: Vec<AlarmShown>,
    pub l: Listing,
}

/// The overrides list: newest request first unless asked.
const OVERRIDE_LIST: ListSpec = ListSpec {
    sorts: &["requested", "state", "colour", "district"],
    descending: true,
    filters: &[("state", &["pending", "approved", "rejected"]), ("district", &[]), ("from", &[]), ("to", &[])],
};
const OVERRIDE_SORTS: &[(&str, OverrideSort)] = &[
    ("requested", OverrideSort::Requested),
    ("state", OverrideSort::State),
    ("colour", OverrideSort::Colour),
    ("district", OverrideSort::District),
];

/// The alarms list: newest first unless asked.
const ALARM_LIST: ListSpec = ListSpec {
    sorts: &["at", "kind", "state"],
    descending: true,
    filters: &[
        ("state", &["open", "acknowledged"]),
        ("kind", &["MANUAL_CHANGES_BURST", "RED_WITHOUT_CASE_OR_PRESENCE"]),
        ("from", &[]),
        ("to", &[]),
    ],
};
const ALARM_SORTS: &[(&str, AlarmSort)] =
    &[("at", AlarmSort::At), ("kind", AlarmSort::Kind), ("state", AlarmSort::State)];

fn failed(e: &ApiError) -> (StatusCode, Submitted) {
    (e.status(), Submitted { error: Some(e.message.clone()), ..Default::default() })
}

async fn overrides_page(
    state: &AppState,
    lang: Lang,
    who: &PageOverseer,
    (status, submitted): (StatusCode, Submitted),
    query: &[(String, String)],
) -> Response {
    let result = async {
        let mut list = ListParams::parse(OVERRIDES, query, &OVERRIDE_LIST)?;
        let q = list.query(state, OVERRIDE_SORTS)?;
        let (rows, total) = lists::overrides(state, &q).await?;
        let pending = ListQuery { state: Some("pending".into()), limit: 0, ..ListQuery::default() };
        let (_, waiting) = lists::overrides(state, &pending).await?;
        Ok::<_, ApiError>((list, rows, total, waiting))
    }
    .await;
    let (list, rows, total, waiting) = match result {
        Ok(r) => r,
        Err(e) => return listing::error_page(lang, OVERRIDES, &e),
    };
    let overrides = rows
        .iter()
        .map(|Listed { record: o, district }| OverrideShown {
            id: o.id.to_string(),
            person: o.resident.to_string().chars().take(8).collect(),
            district: listing::district_name(state, lang, district.as_deref()),
            colour: o.colour.as_str().into(),
            colour_name: colour_name(lang, o.colour).into(),
            reason_code: o.reason_code.clone(),
            basis: o.basis.clone(),
            requested_by: o.requested_by.clone(),
            requested_at: local_minute(state, o.requested_at),
            pending: o.state == "pending",
            state: lang.t(&format!("ovr.state.{}", o.state)).into(),
            decided: o
                .decided_by
                .clone()
                .map(|by| (by, o.decided_at.map(|t| local_minute(state, t)).unwrap_or_default())),
        })
        .collect::<Vec<_>>();
    let page = OverridesPage {
        page: Page::staff(lang, OVERRIDES, &who.roles).with_submitted(submitted),
        may_request: who.may_request(),
        may_decide: who.may_decide(),
        waiting,
        l: Listing::new(state, lang, list, overrides.len(), total).select(
            "state",
            lang.t("list.status"),
            ["pending", "approved", "rejected"].map(|s| (s, lang.t(&format!("ovr.state.{s}")))),
        ),
        overrides,
    };
    (status, page).into_response()
}

pub async fn overrides_list(
    State(state): State<AppState>,
    lang: Lang,
    who: PageOverseer,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    overrides_page(&state, lang, &who, (StatusCode::OK, Submitted::default()), &query).await
}

pub async fn override_request(
    State(state): State<AppState>,
    lang: Lang,
    who: PageOverseer,
    Form(f): Form<Fields>,
) -> Response {
    let fields = form_checks::override_request(lang, &f);
    if who.may_request() && !fields.is_empty() {
        return overrides_page(&state, lang, &who, (StatusCode::UNPROCESSABLE_ENTITY, Submitted::new(fields, &f)), &[])
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
            overrides_page(&state, lang, &who, (e.status(), submitted), &[]).await
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
        Err(e) => overrides_page(&state, lang, &who, failed(&e), &[]).await,
    }
}

async fn alarms_page(
    state: &AppState,
    lang: Lang,
    who: &PageOverseer,
    (status, submitted): (StatusCode, Submitted),
    query: &[(String, String)],
) -> Response {
    let result = async {
        let mut list = ListParams::parse(ALARMS, query, &ALARM_LIST)?;
        let q = list.query(state, ALARM_SORTS)?;
        let (rows, total) = lists::alarms(state, &q).await?;
        let (_, open) =
            lists::alarms(state, &ListQuery { state: Some("open".into()), limit: 0, ..ListQuery::default() }).await?;
        Ok::<_, ApiError>((list, rows, total, open))
    }
    .await;
    let (list, rows, total, open) = match result {
        Ok(r) => r,
        Err(e) => return listing::error_page(lang, ALARMS, &e),
    };
    let alarms = rows
        .iter()
        .map(|a| AlarmShown {
            id: a.id.to_string(),
            code: a.kind.as_str().into(),
            kind: lang.t(&format!("alarm.kind.{}", a.kind.as_str())).into(),
            at: local_minute(state, a.at),
            subject: a.subject.clone(),
            detail: a.detail.clone(),
            acknowledged: a
                .acknowledged_by
                .clone()
                .map(|by| (by, a.acknowledged_at.map(|t| local_minute(state, t)).unwrap_or_default())),
        })
        .collect::<Vec<_>>();
    let kinds = AlarmKind::ALL.iter().map(|k| (k.as_str(), lang.t(&format!("alarm.kind.{}", k.as_str()))));
    let states = [("open", lang.t("alarm.state_open")), ("acknowledged", lang.t("alarm.acknowledged"))];
    let page =
        AlarmsPage {
            page: Page::staff(lang, ALARMS, &who.roles).with_submitted(submitted),
            may_acknowledge: who.may_acknowledge(),
            open,
            l: Listing::new(state, lang, list, alarms.len(), total)
                .select("state", lang.t("list.status"), states)
                .select("kind", lang.t("list.kind"), kinds),
            alarms,
        };
    (status, page).into_response()
}

pub async fn alarms_list(
    State(state): State<AppState>,
    lang: Lang,
    who: PageOverseer,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    alarms_page(&state, lang, &who, (StatusCode::OK, Submitted::default()), &query).await
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
        Err(e) => alarms_page(&state, lang, &who, failed(&e), &[]).await,
    }
}
