//! Every employer's work-resumption application for the authority
//! (`/authority/employers`): a list that sorts, filters (state, district,
//! days submitted) and pages on the server. A pending application links to
//! its decision form on the review page (`/authority/enterprises`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use healthcode_domain::ApplicationState;
use healthcode_store::EnterpriseSort;

use crate::services::{enterprises, lists};
use crate::state::AppState;
use crate::web::case_pages::PageAuthority;
use crate::web::i18n::Lang;
use crate::web::listing::{self, ListParams, ListSpec, Listing};
use crate::web::pages::local_minute;
use crate::web::view::Page;

const EMPLOYERS: &str = "/authority/employers";
/// Where pending applications are decided.
pub const REVIEW: &str = "/authority/enterprises";

/// The list: the nearest deadline first unless asked.
const ENTERPRISE_LIST: ListSpec = ListSpec {
    sorts: &["due", "submitted", "name", "district", "state", "headcount"],
    descending: false,
    filters: &[("state", &["pending", "approved", "rejected"]), ("district", &[]), ("from", &[]), ("to", &[])],
};
const ENTERPRISE_SORTS: &[(&str, EnterpriseSort)] = &[
    ("due", EnterpriseSort::Due),
    ("submitted", EnterpriseSort::Submitted),
    ("name", EnterpriseSort::Name),
    ("district", EnterpriseSort::District),
    ("state", EnterpriseSort::State),
    ("headcount", EnterpriseSort::Headcount),
];

/// One application as the list shows it.
#[derive(Debug, Clone)]
pub struct EnterpriseShown {
    pub id: String,
    pub name: String,
    pub district: String,
    pub headcount: u32,
    pub submitted: String,
    pub due: String,
    pub overdue: bool,
    pub pending: bool,
    pub state: String,
    /// (who, when, why) once decided.
    pub decided: Option<(String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "employers.html")]
pub struct EmployersPage {
    pub page: Page,
    pub review: &'static str,
    pub employers: Vec<EnterpriseShown>,
    pub l: Listing,
}

/// `GET /authority/employers`.
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    who: PageAuthority,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let result = async {
        let mut list = ListParams::parse(EMPLOYERS, &query, &ENTERPRISE_LIST)?;
        let q = list.query(&state, ENTERPRISE_SORTS)?;
        let (rows, total) = lists::enterprises(&state, &q).await?;
        Ok::<_, crate::error::ApiError>((list, rows, total))
    }
    .await;
    let (list, rows, total) = match result {
        Ok(r) => r,
        Err(e) => return listing::error_page(lang, EMPLOYERS, &e),
    };
    let now = state.clock.now();
    let employers = rows
        .iter()
        .map(|e| EnterpriseShown {
            id: e.id.to_string(),
            name: e.profile.name.clone(),
            district: listing::district_name(&state, lang, Some(e.profile.district.as_str())),
            headcount: e.profile.planned_headcount,
            submitted: local_minute(&state, e.submitted_at),
            due: local_minute(&state, e.due_at),
            overdue: enterprises::is_overdue(e, now),
            pending: e.state == ApplicationState::Pending,
            state: lang.t(&format!("ent.state_{}", e.state.as_str())).to_string(),
            decided: e.decided_by.clone().map(|by| {
                let at = e.decided_at.map(|t| local_minute(&state, t)).unwrap_or_default();
                (by, at, e.decision_reason.clone().unwrap_or_default())
            }),
        })
        .collect::<Vec<_>>();
    let states = ["pending", "approved", "rejected"].map(|s| (s, lang.t(&format!("ent.state_{s}"))));
    EmployersPage {
        page: Page::staff(lang, EMPLOYERS, &who.roles),
        review: REVIEW,
        l: Listing::new(&state, lang, list, employers.len(), total).select("state", lang.t("ent.state"), states),
        employers,
    }
    .into_response()
}
