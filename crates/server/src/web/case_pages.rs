//! The health authority's case pages (record, trace report, apply), the
//! resident's notices, and the public exposure sites.

use axum::Form;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::policy::CaseKind;
use healthcode_domain::{CaseId, Contact, TraceContact};
use jiff::Timestamp;
use std::collections::HashMap;

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
    match state.store.cases(200).await {
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
        Err(e) => error_page(lang, "/authority/cases", false, &e.into()),
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
        let resident =
            state.store.resident_by_contact(&contact).await?.ok_or_else(|| {
                ApiError::new(ErrorKind::NotFound, "RESIDENT_NOT_FOUND", "no resident with this phone")
            })?;
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

async fn venue_names(state: &AppState, contacts: &[&TraceContact]) -> HashMap<healthcode_domain::VenueId, String> {
    let mut names = HashMap::new();
    for c in contacts {
        for s in &c.shared {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(s.venue) {
                slot.insert(state.store.venue(s.venue).await.map(|v| v.profile.name).unwrap_or_default());
            }
        }
    }
    names
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
        let all: Vec<&TraceContact> = report.close.iter().chain(&report.secondary).collect();
        let names = venue_names(&state, &all).await;
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
        let mut timeline = Vec::new();
        for v in &report.case_visits {
            let name = state.store.venue(v.venue).await.map(|x| x.profile.name).unwrap_or_default();
            timeline.push((name, local(&state, v.entered_at), local(&state, v.effective_end())));
        }
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
    match state.store.notices_of(who.resident, 100).await {
        Ok(list) => NoticesPage {
            page: Page::new(lang, "/me/notices", true),
            notices: list.iter().map(|n| (local(&state, n.at), n.kind.clone(), n.message.clone())).collect(),
        }
        .into_response(),
        Err(e) => error_page(lang, "/me/notices", true, &e.into()),
    }
}

pub async fn exposure_sites(State(state): State<AppState>, lang: Lang) -> Response {
    let now = state.clock.now();
    let since = now.checked_sub(jiff::SignedDuration::from_hours(24 * 14)).unwrap_or(now);
    let sites = match state.store.exposure_sites(since, 1000).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, "/exposure-sites", false, &e.into()),
    };
    let mut rows = Vec::with_capacity(sites.len());
    for s in sites {
        if let Ok(v) = state.store.venue(s.venue).await {
            rows.push((
                v.profile.name,
                state.config.regions.name(v.profile.district.as_str(), lang).to_string(),
                local(&state, s.from),
                local(&state, s.to),
            ));
        }
    }
    ExposureSitesPage { page: Page::new(lang, "/exposure-sites", false), sites: rows }.into_response()
}
