//! The authority's case pages: the list, a trace report, its confirmation.

use askama::Template;
use askama_web::WebTemplate;

use super::Page;

/// One case in the authority's list.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: String,
    /// The first characters of the id, as shown.
    pub short_id: String,
    pub kind: String,
    /// The district by name (the code when the catalogue lacks it; "—" when none was declared).
    pub district: String,
    pub onset: String,
    pub recorded: String,
    pub applied: bool,
    /// When it was applied (empty before).
    pub applied_at: String,
    /// Contacts its application notified: close, secondary.
    pub close: u64,
    pub secondary: u64,
}

#[derive(Template, WebTemplate)]
#[template(path = "cases.html")]
pub struct CasesPage {
    pub page: Page,
    pub today: String,
    pub cases: Vec<CaseRow>,
    pub l: crate::web::listing::Listing,
}

/// One line of a trace report's summary: the contacts found at one venue in
/// one time window (close: the case's stay there; secondary: a day).
#[derive(Debug, Clone)]
pub struct TraceGroupShown {
    pub venue_id: String,
    pub venue: String,
    pub district: String,
    /// `close` or `secondary`.
    pub kind: &'static str,
    pub kind_name: &'static str,
    pub window: String,
    pub contacts: usize,
    pub minutes: i64,
    pub notified: usize,
}

/// One contact's stay in a venue's drill-down.
#[derive(Debug, Clone)]
pub struct TraceStayShown {
    pub person: String,
    pub kind_name: &'static str,
    pub from: String,
    pub to: String,
    pub minutes: i64,
    pub notified: bool,
}

/// The figures at the top of a trace report and on its confirmation.
#[derive(Debug, Clone, Default)]
pub struct TraceCounts {
    pub close: usize,
    pub secondary: usize,
    /// Everyone who gets a notice when the trace is applied.
    pub to_notify: usize,
    /// Of those, how many already hold a contact notice (from any case).
    pub already_notified: usize,
    pub venues: usize,
    pub case_visits: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
pub struct CasePage {
    pub page: Page,
    pub id: String,
    pub short_id: String,
    pub kind: String,
    pub onset: String,
    pub district: String,
    pub window: String,
    pub applied: Option<String>,
    pub counts: TraceCounts,
    /// (venue, in, out)
    pub timeline: Vec<(String, String, String)>,
    /// The summary (no venue chosen) or one venue's stays.
    pub groups: Vec<TraceGroupShown>,
    /// The venue drilled into: (id, name).
    pub venue: Option<(String, String)>,
    pub stays: Vec<TraceStayShown>,
    pub list: crate::web::listing::ListParams,
    pub pager: crate::web::listing::Pager,
}

/// The step between the report and applying it: what will happen, in figures.
#[derive(Template, WebTemplate)]
#[template(path = "case_apply.html")]
pub struct CaseApplyPage {
    pub page: Page,
    pub id: String,
    pub short_id: String,
    pub kind: String,
    pub onset: String,
    pub counts: TraceCounts,
    pub applied: Option<String>,
}
