//! The health authority's case pages (record, trace report, apply), the
//! resident's notices, and the public exposure sites.

use axum::Form;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::policy::CaseKind;
use healthcode_domain::{CaseId, Contact, TraceContact};
use jiff::Timestamp;

use crate::auth::extract::PageResident;
use crate::error::{ApiError, ErrorKind};
use crate::services::cases;
use crate::state::AppState;
use crate::web::form_checks;
use crate::web::i18n::Lang;
use crate::web::pages::{Fields, error_page, field};
use crate::web::view::{CasePage, CasesPage, ExposureSitesPage, NoticesPage, Page, Submitted};

/// A signed-in health authority user, for pages.
pub struct PageAuthority {
    pub name: String,
}

impl FromRequestParts<AppState> for PageAuthority {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let who = crate::auth::staff::PageAuthority::from_request_parts(parts, state).await?;
        Ok(PageAuthority { name: who.name.clone() })
    }
}

fn local(state: &AppState, t: Timestamp) -> String {
    t.to_zoned(state.config.time_zone.clone()).strftime("%m-%d %H:%M").to_string()
}

async fn cases_page(state: &AppState, lang: Lang, submitted: Submitted) -> Response {
    let today = state.clock.now().to_zoned(state.config.time_zone.clone()).date().to_string();
    let status = submitted.status();
    match cases::list(state, 200).await {
        Ok(list) => (
            status,
            CasesPage {
                page: Page::new(lang, "/authority/cases", false).with_submitted(submitted),
                today,
                cases: list
                    .iter()
                    .map(|c| {
                        (
                            c.id.to_string(),
                            lang.t(&format!("case.{}", c.kind.as_str())).to_string(),
                            c.onset.to_string(),
                            c.applied_at.map(|t| local(state, t)).unwrap_or_else(|| "—".into()),
                        )
                    })
                    .collect(),
            },
        )
            .into_response(),
        Err(e) => error_page(lang, "/authority/cases", false, &e),
    }
}

pub async fn list(State(state): State<AppState>, lang: Lang, _who: PageAuthority) -> Response {
    cases_page(&state, lang, Submitted::default()).await
}

pub async fn record(State(state): State<AppState>, lang: Lang, who: PageAuthority, Form(f): Form<Fields>) -> Response {
    let fields = form_checks::case(lang, &f);
    if !fields.is_empty() {
        return cases_page(&state, lang, Submitted::new(fields, &f)).await;
    }
    let result = async {
        let contact = Contact::parse(field(&f, "phone"))?;
        let resident = crate::services::accounts::by_contact(&state, &contact)
            .await?
            .ok_or_else(|| ApiError::new(ErrorKind::NotFound, "RESIDENT_NOT_FOUND", "no resident with this phone"))?;
        let kind = CaseKind::parse(field(&f, "kind"))?;
        let date = |name: &str| {
            field(&f, name).parse().map_err(|_| ApiError::bad_input("DATE_INVALID", "dates look like 2026-11-20"))
        };
        let onset = date("onset_date")?;
        let isolated = if field(&f, "isolated_on").is_empty() { None } else { Some(date("isolated_on")?) };
        cases::record(&state, resident.id, kind, onset, isolated, &who.name).await
    }
    .await;
    match result {
        Ok(case) => Redirect::to(&format!("/authority/cases/{}", case.id)).into_response(),
        Err(e) => {
            let mut submitted = Submitted::new(Default::default(), &f);
            if !submitted.fields.place(lang, e.code, &e.message, &form_checks::FIELD_OF_CODE) {
                submitted.error = Some(e.message);
            }
            cases_page(&state, lang, submitted).await
        }
    }
}

pub async fn show(State(state): State<AppState>, lang: Lang, who: PageAuthority, Path(id): Path<String>) -> Response {
    let path = format!("/authority/cases/{id}");
    let result = async {
        let id: CaseId = id.parse().map_err(|_| ApiError::not_found())?;
        let report = cases::trace(&state, id).await?;
        let actor = healthcode_store::AuditActor::authority(&who.name);
        let viewed = healthcode_store::AuditAction::TraceViewed;
        crate::services::audit::record(&state, actor, viewed, &id.to_string(), "page").await?;
        crate::services::access::trace_viewed(&state, &report).await?;
        let names = cases::venue_names_of(&state, &report).await?;
        let rows = |list: &[TraceContact]| -> Vec<(String, String, i64)> {
            list.iter()
                .map(|c| {
                    let mut venues: Vec<&str> =
                        c.shared.iter().filter_map(|s| names.get(&s.venue).map(String::as_str)).collect();
                    venues.dedup();
                    (c.resident.to_string()[..8].to_string(), venues.join(", "), c.total_minutes())
                })
                .collect()
        };
        let timeline = report
            .case_visits
            .iter()
            .map(|v| {
                let name = names.get(&v.venue).cloned().unwrap_or_default();
                (name, local(&state, v.entered_at), local(&state, v.effective_end()))
            })
            .collect();
        Ok::<_, ApiError>(CasePage {
            page: Page::new(lang, &path, false),
            id: report.case.id.to_string(),
            kind: lang.t(&format!("case.{}", report.case.kind.as_str())).to_string(),
            onset: report.case.onset.to_string(),
            window: format!("{} – {}", local(&state, report.window.0), local(&state, report.window.1)),
            applied: report.case.applied_at.map(|t| local(&state, t)),
            timeline,
            close: rows(&report.close),
            secondary: rows(&report.secondary),
        })
    }
    .await;
    match result {
        Ok(page) => page.into_response(),
        Err(e) => error_page(lang, &path, false, &e),
    }
}

pub async fn apply(State(state): State<AppState>, lang: Lang, who: PageAuthority, Path(id): Path<String>) -> Response {
    let result = async {
        let id: CaseId = id.parse().map_err(|_| ApiError::not_found())?;
        cases::apply(&state, id, &who.name).await?;
        Ok::<_, ApiError>(id)
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/authority/cases/{id}")).into_response(),
        Err(e) => error_page(lang, "/authority/cases", false, &e),
    }
}

pub async fn notices(State(state): State<AppState>, lang: Lang, who: PageResident) -> Response {
    match cases::notices_of(&state, who.resident, 100).await {
        Ok(list) => NoticesPage {
            page: Page::new(lang, "/me/notices", true),
            notices: list.iter().map(|n| (local(&state, n.at), n.kind.clone(), n.message.clone())).collect(),
        }
        .into_response(),
        Err(e) => error_page(lang, "/me/notices", true, &e),
    }
}

pub async fn exposure_sites(State(state): State<AppState>, lang: Lang) -> Response {
    let sites = match cases::recent_exposure_sites(&state).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, "/exposure-sites", false, &e),
    };
    let rows = sites
        .into_iter()
        .map(|(s, v)| {
            let district = state.config.regions.name(v.profile.district.as_str(), lang).to_string();
            (v.profile.name, district, local(&state, s.from), local(&state, s.to))
        })
        .collect();
    ExposureSitesPage { page: Page::new(lang, "/exposure-sites", false), sites: rows }.into_response()
}
