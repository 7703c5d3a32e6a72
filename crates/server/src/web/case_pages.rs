//! The health authority's case pages (record, trace report, apply), the
//! resident's notices, and the public exposure sites.

use axum::Form;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::policy::CaseKind;
use healthcode_domain::{CaseId, Contact, ResidentId, VenueId};
use healthcode_store::{CaseListQuery, CaseSort, CaseStatusFilter};
use jiff::Timestamp;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::auth::extract::PageResident;
use crate::error::{ApiError, ErrorKind};
use crate::services::cases;
use crate::services::trace_cache::ReadTrace;
use crate::state::AppState;
use crate::web::form_checks;
use crate::web::i18n::Lang;
use crate::web::listing::{self, ListParams, ListSpec, Listing, Pager};
use crate::web::pages::{Fields, error_page, field};
use crate::web::view::{
    CaseApplyPage, CasePage, CaseRow, CasesPage, ExposureSitesPage, NoticesPage, Page, Submitted, TraceCounts,
    TraceGroupShown, TraceStayShown,
};

/// A signed-in health authority user, for pages.
pub struct PageAuthority {
    pub name: String,
    /// Every role the member holds (the console's navigation).
    pub roles: healthcode_domain::StaffRoles,
}

impl FromRequestParts<AppState> for PageAuthority {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let who = crate::auth::staff::PageAuthority::from_request_parts(parts, state).await?;
        Ok(PageAuthority { name: who.name.clone(), roles: who.staff.roles.clone() })
    }
}

fn local(state: &AppState, t: Timestamp) -> String {
    t.to_zoned(state.config.time_zone.clone()).strftime("%m-%d %H:%M").to_string()
}

const CASES: &str = "/authority/cases";

/// The case list: sorted by when recorded (newest first) unless asked.
const CASE_LIST: ListSpec = ListSpec {
    sorts: &["recorded", "onset", "district", "status", "contacts"],
    descending: true,
    filters: &[("status", &["traced", "applied"]), ("district", &[])],
};

async fn cases_page(
    state: &AppState,
    lang: Lang,
    who: &PageAuthority,
    submitted: Submitted,
    query: &[(String, String)],
) -> Response {
    let today = state.clock.now().to_zoned(state.config.time_zone.clone()).date().to_string();
    let status = submitted.status();
    let result = async {
        let mut list = ListParams::parse(CASES, query, &CASE_LIST)?;
        let district = listing::district_code(state, &mut list)?;
        let q = CaseListQuery {
            status: match list.filter("status") {
                "traced" => Some(CaseStatusFilter::Traced),
                "applied" => Some(CaseStatusFilter::Applied),
                _ => None,
            },
            district,
            sort: match list.sort {
                "onset" => CaseSort::Onset,
                "district" => CaseSort::District,
                "status" => CaseSort::Status,
                "contacts" => CaseSort::Contacts,
                _ => CaseSort::Recorded,
            },
            descending: list.descending,
            limit: list.per,
            offset: list.offset(),
        };
        let (rows, total) = cases::list_page(state, &q).await?;
        Ok::<_, ApiError>((list, rows, total))
    }
    .await;
    let (list, rows, total) = match result {
        Ok(r) => r,
        Err(e) => return listing::error_page(lang, CASES, &e),
    };
    let cases: Vec<CaseRow> = rows
        .iter()
        .map(|r| {
            let id = r.case.id.to_string();
            CaseRow {
                short_id: id.chars().take(8).collect(),
                id,
                kind: lang.t(&format!("case.{}", r.case.kind.as_str())).to_string(),
                district: listing::district_name(state, lang, r.district.as_deref()),
                onset: r.case.onset.to_string(),
                recorded: local(state, r.case.recorded_at),
                applied: r.case.applied_at.is_some(),
                applied_at: r.case.applied_at.map(|t| local(state, t)).unwrap_or_default(),
                close: r.close_notified,
                secondary: r.secondary_notified,
            }
        })
        .collect();
    let shown = cases.len();
    let statuses = [("traced", lang.t("list.traced")), ("applied", lang.t("case.applied"))];
    let l = Listing::new(state, lang, list, shown, total).select("status", lang.t("list.status"), statuses);
    let page = Page::staff(lang, CASES, &who.roles).with_submitted(submitted);
    (status, CasesPage { page, today, cases, l }).into_response()
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    who: PageAuthority,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    cases_page(&state, lang, &who, Submitted::default(), &query).await
}

pub async fn record(State(state): State<AppState>, lang: Lang, who: PageAuthority, Form(f): Form<Fields>) -> Response {
    let fields = form_checks::case(lang, &f);
    if !fields.is_empty() {
        return cases_page(&state, lang, &who, Submitted::new(fields, &f), &[]).await;
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
            cases_page(&state, lang, &who, submitted, &[]).await
        }
    }
}

/// The summary's order: most contacts first unless asked.
const SUMMARY: ListSpec = ListSpec {
    sorts: &["contacts", "minutes", "notified", "venue", "window", "kind"],
    descending: true,
    filters: &[("kind", &["close", "secondary"])],
};

/// One venue's stays: the longest overlap first unless asked.
const STAYS: ListSpec = ListSpec {
    sorts: &["minutes", "from", "kind", "notified"],
    descending: true,
    filters: &[("kind", &["close", "secondary"])],
};

/// A trace, read for a page: the report, who already holds a notice, the
/// venues (kept moments, see `services::trace_cache`); the reading is
/// audited and logged per person and reader once a day.
struct Traced {
    read: Arc<ReadTrace>,
    counts: TraceCounts,
}

async fn traced(state: &AppState, who: &PageAuthority, id: &str, how: &str) -> Result<Traced, ApiError> {
    let id: CaseId = id.parse().map_err(|_| ApiError::not_found())?;
    let read = cases::read_trace(state, id).await?;
    let actor = healthcode_store::AuditActor::authority(&who.name);
    let viewed = healthcode_store::AuditAction::TraceViewed;
    crate::services::audit::record(state, actor, viewed, &id.to_string(), how).await?;
    crate::services::access::trace_read(state, &read, &who.name).await?;
    let report = &read.report;
    let distinct: HashSet<ResidentId> = report.close.iter().chain(&report.secondary).map(|c| c.resident).collect();
    let shared: HashSet<VenueId> =
        report.close.iter().chain(&report.secondary).flat_map(|c| c.shared.iter().map(|s| s.venue)).collect();
    let counts = TraceCounts {
        close: report.close.len(),
        secondary: report.secondary.len(),
        to_notify: distinct.len(),
        already_notified: distinct.iter().filter(|r| read.notified.contains(r)).count(),
        venues: shared.len(),
        case_visits: report.case_visits.len(),
    };
    Ok(Traced { read, counts })
}

fn kind_name(kind: cases::GroupKind) -> &'static str {
    match kind {
        cases::GroupKind::Close => "case.close",
        cases::GroupKind::Secondary => "case.secondary",
    }
}

fn page_of<T>(rows: Vec<T>, list: &ListParams) -> Vec<T> {
    let from = usize::try_from(list.offset()).unwrap_or(usize::MAX);
    rows.into_iter().skip(from).take(list.per as usize).collect()
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    who: PageAuthority,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let path = format!("/authority/cases/{id}");
    let result = async {
        let venue: Option<VenueId> =
            match query.iter().find(|(k, _)| k == "venue") {
                Some((_, v)) => Some(v.parse().map_err(|_| {
                    ApiError::bad_input("LIST_PARAM_INVALID", "the list cannot be shown with this venue")
                })?),
                None => None,
            };
        let mut list = ListParams::parse(&path, &query, if venue.is_some() { &STAYS } else { &SUMMARY })?;
        let t = traced(&state, &who, &id, "page").await?;
        let report = &t.read.report;
        let zone = state.config.time_zone.clone();
        let name_of = |v: VenueId| t.read.venues.get(&v).map_or_else(String::new, |v| v.profile.name.clone());
        let kind_filter = list.filter("kind").to_string();
        let wanted = |k: cases::GroupKind| kind_filter.is_empty() || kind_filter == k.as_str();
        let (groups, stays, total, chosen) = match venue {
            None => {
                let mut groups: Vec<cases::TraceGroup> =
                    cases::summarise(report, &zone).into_iter().filter(|g| wanted(g.kind)).collect();
                let notified_in =
                    |g: &cases::TraceGroup| g.people.iter().filter(|p| t.read.notified.contains(p)).count();
                let names: HashMap<VenueId, String> = groups.iter().map(|g| (g.venue, name_of(g.venue))).collect();
                groups.sort_by(|a, b| {
                    let order = match list.sort {
                        "minutes" => a.minutes.cmp(&b.minutes),
                        "notified" => notified_in(a).cmp(&notified_in(b)),
                        "venue" => names[&a.venue].cmp(&names[&b.venue]),
                        "window" => a.from.cmp(&b.from),
                        "kind" => a.kind.cmp(&b.kind),
                        _ => a.people.len().cmp(&b.people.len()),
                    };
                    let order = if list.descending { order.reverse() } else { order };
                    order.then(a.from.cmp(&b.from)).then(a.venue.cmp(&b.venue)).then(a.kind.cmp(&b.kind))
                });
                let total = groups.len() as u64;
                let shown = page_of(groups, &list)
                    .into_iter()
                    .map(|g| TraceGroupShown {
                        venue_id: g.venue.to_string(),
                        venue: names[&g.venue].clone(),
                        district: t.read.venues.get(&g.venue).map_or_else(String::new, |v| {
                            state.config.regions.name(v.profile.district.as_str(), lang).to_string()
                        }),
                        kind: g.kind.as_str(),
                        kind_name: lang.t(kind_name(g.kind)),
                        window: format!("{} – {}", local(&state, g.from), local(&state, g.to)),
                        contacts: g.people.len(),
                        minutes: g.minutes,
                        notified: notified_in(&g),
                    })
                    .collect();
                (shown, Vec::new(), total, None)
            }
            Some(v) => {
                list.keep.push(("venue", v.to_string()));
                let mut stays: Vec<(cases::GroupKind, ResidentId, &healthcode_domain::SharedStay)> = Vec::new();
                for (kind, contacts) in
                    [(cases::GroupKind::Close, &report.close), (cases::GroupKind::Secondary, &report.secondary)]
                {
                    if !wanted(kind) {
                        continue;
                    }
                    for c in contacts {
                        stays.extend(c.shared.iter().filter(|s| s.venue == v).map(|s| (kind, c.resident, s)));
                    }
                }
                stays.sort_by(|a, b| {
                    let order = match list.sort {
                        "from" => a.2.overlap_start.cmp(&b.2.overlap_start),
                        "kind" => a.0.cmp(&b.0),
                        "notified" => t.read.notified.contains(&a.1).cmp(&t.read.notified.contains(&b.1)),
                        _ => a.2.minutes().cmp(&b.2.minutes()),
                    };
                    let order = if list.descending { order.reverse() } else { order };
                    order.then(a.2.overlap_start.cmp(&b.2.overlap_start)).then(a.1.cmp(&b.1))
                });
                let total = stays.len() as u64;
                let shown = page_of(stays, &list)
                    .into_iter()
                    .map(|(kind, person, s)| TraceStayShown {
                        person: person.to_string().chars().take(8).collect(),
                        kind_name: lang.t(kind_name(kind)),
                        from: local(&state, s.overlap_start),
                        to: local(&state, s.overlap_end),
                        minutes: s.minutes(),
                        notified: t.read.notified.contains(&person),
                    })
                    .collect();
                (Vec::new(), shown, total, Some((v.to_string(), name_of(v))))
            }
        };
        let pager = Pager::new(lang, &list, groups.len().max(stays.len()), total);
        let timeline = report
            .case_visits
            .iter()
            .map(|v| (name_of(v.venue), local(&state, v.entered_at), local(&state, v.effective_end())))
            .collect();
        let person = crate::services::accounts::resident(&state, report.case.resident).await?;
        let district = person.identity.as_ref().map(|i| i.district.as_str().to_string());
        Ok::<_, ApiError>(CasePage {
            page: Page::staff(lang, &path, &who.roles),
            id: report.case.id.to_string(),
            short_id: report.case.id.to_string().chars().take(8).collect(),
            kind: lang.t(&format!("case.{}", report.case.kind.as_str())).to_string(),
            onset: report.case.onset.to_string(),
            district: listing::district_name(&state, lang, district.as_deref()),
            window: format!("{} – {}", local(&state, report.window.0), local(&state, report.window.1)),
            applied: report.case.applied_at.map(|t| local(&state, t)),
            counts: t.counts,
            timeline,
            groups,
            venue: chosen,
            stays,
            list,
            pager,
        })
    }
    .await;
    match result {
        Ok(page) => page.into_response(),
        Err(e) => listing::error_page(lang, &path, &e),
    }
}

/// `GET /authority/cases/{id}/apply`: what applying will do, in figures,
/// with the button that does it.
pub async fn apply_confirm(
    State(state): State<AppState>,
    lang: Lang,
    who: PageAuthority,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/authority/cases/{id}/apply");
    match traced(&state, &who, &id, "confirmation").await {
        Ok(t) => CaseApplyPage {
            page: Page::staff(lang, &path, &who.roles),
            id: t.read.report.case.id.to_string(),
            short_id: t.read.report.case.id.to_string().chars().take(8).collect(),
            kind: lang.t(&format!("case.{}", t.read.report.case.kind.as_str())).to_string(),
            onset: t.read.report.case.onset.to_string(),
            applied: t.read.report.case.applied_at.map(|at| local(&state, at)),
            counts: t.counts,
        }
        .into_response(),
        Err(e) => error_page(lang, &path, false, &e),
    }
}

/// `GET /authority/cases/{id}/report.csv`: every shared stay of the report,
/// with codes and names (venue, district), for a spreadsheet.
pub async fn report_csv(
    State(state): State<AppState>,
    lang: Lang,
    who: PageAuthority,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/authority/cases/{id}/report.csv");
    let t = match traced(&state, &who, &id, "csv").await {
        Ok(t) => t,
        Err(e) => return error_page(lang, &path, false, &e),
    };
    let zone = state.config.time_zone.clone();
    let at = |ts: Timestamp| ts.to_zoned(zone.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let mut out = String::from(
        "case_id,kind,person,venue_id,venue_name,district_code,district_name,overlap_start,overlap_end,minutes,already_notified\r\n",
    );
    for (kind, contacts) in [("close", &t.read.report.close), ("secondary", &t.read.report.secondary)] {
        for c in contacts {
            for s in &c.shared {
                let venue = t.read.venues.get(&s.venue);
                let district = venue.map_or("", |v| v.profile.district.as_str());
                let cells = [
                    t.read.report.case.id.to_string(),
                    kind.to_string(),
                    c.resident.to_string(),
                    s.venue.to_string(),
                    venue.map_or_else(String::new, |v| v.profile.name.clone()),
                    district.to_string(),
                    if district.is_empty() {
                        String::new()
                    } else {
                        state.config.regions.name(district, lang).to_string()
                    },
                    at(s.overlap_start),
                    at(s.overlap_end),
                    s.minutes().to_string(),
                    t.read.notified.contains(&c.resident).to_string(),
                ];
                let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
                out.push_str(&line.join(","));
                out.push_str("\r\n");
            }
        }
    }
    let name = format!("attachment; filename=\"trace-{}.csv\"", t.read.report.case.id);
    ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (CONTENT_DISPOSITION, name)], out).into_response()
}

/// A CSV cell: quoted when it holds a comma, quote or line break; a leading
/// `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet never runs it.
fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
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
