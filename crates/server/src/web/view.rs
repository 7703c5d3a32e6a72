//! Template structs: what each page shows.

use askama::Template;
use askama_web::WebTemplate;

use crate::api::trust::OutboxEntry;
use crate::web::form_errors::FieldErrors;
use crate::web::i18n::Lang;

mod cases;
pub use cases::{CaseApplyPage, CasePage, CaseRow, CasesPage, TraceCounts, TraceGroupShown, TraceStayShown};

/// What every page needs: language, where it is, who is signed in, an error.
#[derive(Debug, Clone)]
pub struct Page {
    pub lang: Lang,
    pub langs: [Lang; 3],
    pub path: String,
    pub signed_in: bool,
    /// A venue operator is signed in (operator menu instead of the resident's).
    pub operator: bool,
    pub error: Option<String>,
    /// A submitted form's errors, each shown beside its field.
    pub fields: FieldErrors,
    /// What the form held when it was sent back with errors.
    pub typed: Vec<(String, String)>,
    /// Region pickers the page's forms use (`<datalist>`s after the content).
    pub datalists: Vec<Datalist>,
    /// A staff member is signed in: the console's links their roles may open
    /// (href, catalogue key), and the page is laid out full width.
    pub staff_nav: Vec<(&'static str, &'static str)>,
}

/// The staff console's sections: (href, catalogue key, roles that may open it),
/// in the order the navigation shows them. Each entry's roles are those its
/// page's extractor admits (`auth::staff`), so a link never leads to a 403.
const STAFF_SECTIONS: &[(&str, &str, &[healthcode_domain::Role])] = {
    use healthcode_domain::Role::{Auditor, Authority, Officer, Supervisor};
    &[
        ("/authority/cases", "case.title", &[Authority]),
        ("/authority/overrides", "ovr.title", &[Auditor, Authority, Supervisor]),
        ("/authority/alarms", "alarm.title", &[Auditor, Authority, Supervisor]),
        ("/authority/appeals", "appeal.inbox", &[Authority]),
        ("/checkpoint", "scan.checkpoints", &[Officer, Authority]),
        ("/staff/passages", "passage.title", &[Officer, Authority]),
        ("/authority/enterprises", "ent.review_title", &[Authority]),
        ("/authority/employers", "ent.list_title", &[Authority]),
        ("/authority/tests", "lab.title", &[Authority]),
        ("/authority/false-declarations", "fd.title", &[Auditor, Authority, Supervisor]),
        ("/staff/accounts", "staff.accounts", &[Supervisor]),
        ("/staff/enrol", "enrol.title", &[Officer, Authority]),
        ("/stats", "nav.stats", &[Officer, Authority, Supervisor, Auditor]),
    ]
};

/// The console links a holder of `roles` may open.
pub fn staff_links(roles: &healthcode_domain::StaffRoles) -> Vec<(&'static str, &'static str)> {
    STAFF_SECTIONS
        .iter()
        .filter(|(_, _, allowed)| allowed.iter().any(|r| roles.contains(*r)))
        .map(|(href, key, _)| (*href, *key))
        .collect()
}

/// A searchable list of places for a text field (`list="<id>"`): each
/// option's value is `Name (code)` in the page's language, its label the
/// other languages' names and the official code, so typing a name in any of
/// the three finds it; the server turns the value back into the code.
#[derive(Debug, Clone, Default)]
pub struct Datalist {
    pub id: &'static str,
    pub options: Vec<(String, String)>,
}

fn datalist(
    catalogue: &crate::regions::Catalogue,
    lang: Lang,
    id: &'static str,
    levels: &[crate::regions::Level],
) -> Datalist {
    let options = catalogue
        .places()
        .iter()
        .filter(|p| levels.contains(&p.level))
        .map(|p| {
            let mut others: Vec<&str> = Vec::new();
            for other in Lang::ALL {
                let name = p.name(other);
                if other != lang && name != p.name(lang) && !others.contains(&name) {
                    others.push(name);
                }
            }
            others.push(&p.official);
            (catalogue.picker_value(&p.code, lang), others.join(" · "))
        })
        .collect();
    Datalist { id, options }
}

/// A form sent back: the message at the top (a failure no field explains),
/// the errors beside their fields, and what was typed.
#[derive(Debug, Clone, Default)]
pub struct Submitted {
    pub error: Option<String>,
    pub fields: FieldErrors,
    pub typed: Vec<(String, String)>,
}

impl Submitted {
    pub fn new(fields: FieldErrors, typed: &[(String, String)]) -> Self {
        Self { error: None, fields, typed: typed.to_vec() }
    }

    /// 422 when a field is in error, else 200 (the page itself is fine).
    pub fn status(&self) -> axum::http::StatusCode {
        if self.fields.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY }
    }
}

impl Page {
    pub fn new(lang: Lang, path: &str, signed_in: bool) -> Self {
        Self {
            lang,
            langs: Lang::ALL,
            path: path.to_string(),
            signed_in,
            operator: false,
            error: None,
            fields: FieldErrors::default(),
            typed: Vec::new(),
            datalists: Vec::new(),
            staff_nav: Vec::new(),
        }
    }

    /// A staff console page: the navigation the signed-in member's roles may open.
    pub fn staff(lang: Lang, path: &str, roles: &healthcode_domain::StaffRoles) -> Self {
        Self { staff_nav: staff_links(roles), ..Self::new(lang, path, false) }
    }

    /// The navigation link `href` is the section this page is in.
    pub fn in_section(&self, href: &str) -> bool {
        self.path == href || self.path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'))
    }

    /// Adds the region pickers (`hc-provinces`, `hc-districts`, `hc-communes`,
    /// `hc-regions`) for the page's forms.
    pub fn with_regions(mut self, catalogue: &crate::regions::Catalogue) -> Self {
        use crate::regions::Level;
        self.datalists = vec![
            datalist(catalogue, self.lang, "hc-provinces", &[Level::Province]),
            datalist(catalogue, self.lang, "hc-districts", &[Level::District]),
            datalist(catalogue, self.lang, "hc-communes", &[Level::Commune]),
            datalist(catalogue, self.lang, "hc-regions", &[Level::Province, Level::City, Level::District]),
        ];
        self
    }

    pub fn operator(lang: Lang, path: &str) -> Self {
        Self { operator: true, ..Self::new(lang, path, false) }
    }

    pub fn with_error(mut self, error: Option<String>) -> Self {
        self.error = error;
        self
    }

    pub fn with_fields(mut self, fields: FieldErrors) -> Self {
        self.fields = fields;
        self
    }

    pub fn with_submitted(mut self, s: Submitted) -> Self {
        self.error = s.error;
        self.fields = s.fields;
        self.typed = s.typed;
        self
    }

    /// A field's value as it was sent (empty on a fresh form).
    pub fn value(&self, name: &str) -> &str {
        self.typed.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// A field was sent with this value (for selects and checkboxes).
    pub fn sent(&self, name: &str, value: &str) -> bool {
        self.typed.iter().any(|(k, v)| k == name && v == value)
    }

    /// The error shown beside a form field, if it has one.
    pub fn field_error(&self, name: &str) -> Option<&str> {
        self.fields.get(name)
    }

    pub fn invalid(&self, name: &str) -> bool {
        self.fields.get(name).is_some()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub page: Page,
}

#[derive(Template, WebTemplate)]
#[template(path = "signin.html")]
pub struct SignInPage {
    pub page: Page,
    pub phone: String,
    /// Where to go after signing in (a local path).
    pub next: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "visitor.html")]
pub struct VisitorPage {
    pub page: Page,
}

#[derive(Template, WebTemplate)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    pub page: Page,
    pub contact: String,
    /// Visitor fields carried to the verification step.
    pub visitor: Vec<(String, String)>,
    pub dev_outbox: bool,
    pub next: String,
}

/// Values to put back into the declaration form.
#[derive(Debug, Clone, Default)]
pub struct DeclarationForm {
    pub name: String,
    pub document_type: String,
    pub document_number: String,
    pub district: String,
    pub temperature_c: String,
    pub symptoms: Vec<String>,
    pub visited_regions: String,
    pub contact_with_case: bool,
    pub travel_plan: String,
    /// An EU DCC's `HC1:` text, as pasted.
    pub dcc: String,
}

impl DeclarationForm {
    pub fn has_symptom(&self, value: &str) -> bool {
        self.symptoms.iter().any(|s| s == value)
    }

    pub fn is_document_type(&self, value: &str) -> bool {
        self.document_type == value
    }
}

pub type Choice = (&'static str, &'static str);

pub const DOC_TYPES: [Choice; 3] =
    [("national_id", "doc.national_id"), ("passport", "doc.passport"), ("foreign_id", "doc.foreign_id")];

pub const SYMPTOMS: [Choice; 6] = [
    ("fever", "symptom.fever"),
    ("cough", "symptom.cough"),
    ("difficulty_breathing", "symptom.difficulty_breathing"),
    ("fatigue", "symptom.fatigue"),
    ("sore_throat", "symptom.sore_throat"),
    ("loss_of_taste_smell", "symptom.loss_of_taste_smell"),
];

#[derive(Template, WebTemplate)]
#[template(path = "declare.html")]
pub struct DeclarePage {
    pub page: Page,
    pub form: DeclarationForm,
    pub doc_types: [Choice; 3],
    pub symptoms: [Choice; 6],
}

#[derive(Debug, Clone)]
pub struct QuarantineShown {
    pub required_days: u16,
    pub streak: u16,
    pub next_due: String,
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub struct CodeShown {
    pub colour: String,
    pub colour_name: String,
    pub holder_hint: String,
    pub svg: String,
    pub expires_in: i64,
    /// Why the code has its colour, in plain words (the rule and policy
    /// version are on the history page, not on the card).
    pub reason: String,
    pub quarantine: Option<QuarantineShown>,
}

#[derive(Template, WebTemplate)]
#[template(path = "code.html")]
pub struct CodePage {
    pub page: Page,
    pub code: Option<CodeShown>,
    pub flash: Option<String>,
    /// Texts the refresh script (`static/code.js`) shows.
    pub refreshing: &'static str,
    pub offline: &'static str,
    /// The EU DCCs the resident attached, newest first.
    pub dccs: Vec<DccShown>,
}

/// One attached EU DCC on the resident's page.
#[derive(Debug, Clone)]
pub struct DccShown {
    pub accepted: bool,
    /// Type, country, verdict and rule, in the reader's language.
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "clock_in.html")]
pub struct ClockInPage {
    pub page: Page,
    pub symptoms: [Choice; 6],
    /// What was typed and ticked, kept after an error.
    pub temperature_c: String,
    pub checked: Vec<String>,
}

impl ClockInPage {
    pub fn has_symptom(&self, value: &str) -> bool {
        self.checked.iter().any(|s| s == value)
    }
}

#[derive(Debug, Clone)]
pub struct HistoryShown {
    pub at: String,
    pub event_name: String,
    pub from: Option<String>,
    pub to: String,
    pub to_name: String,
    pub reason: String,
    /// `RULE-ID · policy version`, or none when no rule made the change.
    pub rule: Option<String>,
    pub evidence: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "history.html")]
pub struct HistoryPage {
    pub page: Page,
    pub entries: Vec<HistoryShown>,
    /// Who looked at the person's records: (when, role, why).
    pub accesses: Vec<(String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "outbox.html")]
pub struct OutboxPage {
    pub page: Page,
    pub messages: Vec<OutboxEntry>,
}

#[derive(Debug, Clone)]
pub struct ScanShown {
    pub outcome: String,
    pub outcome_text: String,
    pub colour: String,
    pub colour_name: String,
    pub at: String,
    pub auto_checkout: Option<String>,
    /// The time the page was made (`HH:MM:SS`), which `checkin.js` keeps ticking.
    pub now: String,
    /// The city's time zone (IANA name) the clock shows.
    pub time_zone: String,
    /// What a person whose code is not green should do, in plain words.
    pub advice: Option<&'static str>,
    /// Outcome `refused` (a yellow or red holder told not to enter): why.
    pub refused_reason: Option<&'static str>,
}

/// Where the entry code printed on a venue's poster is typed (`/c`).
#[derive(Template, WebTemplate)]
#[template(path = "entry_code.html")]
pub struct EntryCodePage {
    pub page: Page,
}

#[derive(Template, WebTemplate)]
#[template(path = "check_in.html")]
pub struct CheckInPage {
    pub page: Page,
    pub venue_name: String,
    pub venue_address: String,
    /// Where the check-in form posts (the venue URL path).
    pub action: String,
    pub signed_in_resident: bool,
    /// The person is checked in here right now (the button checks out).
    pub here_now: bool,
    pub result: Option<ScanShown>,
}

#[derive(Debug, Clone)]
pub struct VisitShown {
    pub id: String,
    pub venue: String,
    pub entered: String,
    pub exited: String,
    pub auto_checkout: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "visits.html")]
pub struct VisitsPage {
    pub page: Page,
    pub current: Option<VisitShown>,
    pub recent: Vec<VisitShown>,
}

#[derive(Template, WebTemplate)]
#[template(path = "venue_signin.html")]
pub struct VenueSignInPage {
    pub page: Page,
    pub code_for: Option<String>,
    pub dev_outbox: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "venues.html")]
pub struct VenuesPage {
    pub page: Page,
    /// (id, name, closed)
    pub venues: Vec<(String, String, bool)>,
    pub categories: Vec<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "venue.html")]
pub struct VenuePage {
    pub page: Page,
    pub id: String,
    pub name: String,
    pub address: String,
    /// Commune, district and province by name.
    pub place: String,
    pub closed: bool,
    pub svg: String,
    pub qr_text: String,
    /// (entered, exited, colour at entry, its name)
    pub log: Vec<(String, String, String, String)>,
    /// Yellow and red holders turned away: (when, colour, its name, how).
    pub attempts: Vec<(String, String, String, &'static str)>,
    /// The venue's zone (its province's), which the times are in.
    pub time_zone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_signin.html")]
pub struct StaffSignInPage {
    pub page: Page,
    /// The identity provider's name, when single sign-on is configured.
    pub sso: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_invite.html")]
pub struct StaffInvitePage {
    pub page: Page,
    pub secret: String,
    pub login: String,
    pub display_name: String,
    pub roles: String,
    /// The authority and supervisors must enrol a second factor.
    pub required: bool,
    pub totp_key: String,
    pub qr_svg: String,
}

/// One account on the supervisor's page.
#[derive(Debug, Clone)]
pub struct StaffAccountShown {
    pub id: String,
    pub login: String,
    pub display_name: String,
    pub roles: String,
    pub state_key: &'static str,
    /// Not the supervisor's own account.
    pub may_change: bool,
    /// The version shown: a change sent from this page names it, so a change
    /// made meanwhile by another supervisor is refused, never overwritten.
    pub version: i64,
}

impl StaffAccountShown {
    /// Whether the account holds `role` (`officer`, `authority`, ...).
    pub fn holds(&self, role: &str) -> bool {
        self.roles.split(',').any(|r| r.trim() == role)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_accounts.html")]
pub struct StaffAccountsPage {
    pub page: Page,
    pub accounts: Vec<StaffAccountShown>,
    pub invitation: Option<String>,
    pub role_choices: [(&'static str, &'static str); 4],
}

/// One checkpoint in the officer's list.
#[derive(Debug, Clone)]
pub struct CheckpointShown {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub district: String,
    pub location: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "checkpoints.html")]
pub struct CheckpointsPage {
    pub page: Page,
    pub authority: bool,
    /// The checkpoint kinds for the registration form: (value, label).
    pub kinds: Vec<(&'static str, &'static str)>,
    pub staff_name: String,
    pub checkpoints: Vec<CheckpointShown>,
}

/// The camera scanner: a checkpoint (officers, works offline) or a venue's staff mode (online only).
#[derive(Template, WebTemplate)]
#[template(path = "scanner.html")]
pub struct ScannerPage {
    pub page: Page,
    pub title: String,
    pub subtitle: String,
    /// Checkpoint mode (direction, offline queue); else venue staff or gate mode.
    pub checkpoint: bool,
    /// An employer's gate (a temperature box; flags instead of check-ins).
    pub gate: bool,
    /// The officer's name (checkpoint mode).
    pub staff_name: String,
    /// The venue is closed (staff mode): scans will be refused.
    pub closed: bool,
    /// Settings and texts for scanner.js, as JSON safe inside a `<script>` element.
    pub config_json: String,
}

impl ScannerPage {
    /// The page with the scanner pages' Content-Security-Policy, which alone
    /// lets the vendored zxing-wasm decoder compile (`'wasm-unsafe-eval'`).
    pub fn respond(self) -> axum::response::Response {
        use axum::response::IntoResponse as _;
        let mut response = self.into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_SECURITY_POLICY,
            axum::http::HeaderValue::from_static(crate::app::SCANNER_POLICY),
        );
        response
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "pass.html")]
pub struct PassPage {
    pub page: Page,
    pub name: String,
    pub document_hint: String,
    pub svg: String,
    /// The print number, printed on the pass: a reprint revokes lower ones.
    pub print: u32,
    /// The validity window, as dates (UTC).
    pub valid_from: String,
    pub valid_until: String,
    /// The holder's own view (offers a reprint); an officer's print after an enrolment does not.
    pub holder_view: bool,
}

/// The officer's on-site enrolment form; `done` says what was handed over.
#[derive(Template, WebTemplate)]
#[template(path = "staff_enrol.html")]
pub struct EnrolPage {
    pub page: Page,
    pub doc_types: [Choice; 3],
    pub symptoms: [Choice; 6],
    pub done: Option<String>,
}

/// The page a sign-in link opens: one button, so a link preview never uses it up.
#[derive(Template, WebTemplate)]
#[template(path = "signin_link.html")]
pub struct SignInLinkPage {
    pub page: Page,
    pub secret: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "notices.html")]
pub struct NoticesPage {
    pub page: Page,
    /// (when, kind, message)
    pub notices: Vec<(String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "exposure_sites.html")]
pub struct ExposureSitesPage {
    pub page: Page,
    /// (venue, district, from, to)
    pub sites: Vec<(String, String, String, String)>,
}

/// A headline figure of the dashboard.
#[derive(Debug, Clone)]
pub struct Headline {
    pub label: String,
    pub value: String,
    /// Change from the day before (`+3`, `-1`, `±0`, `—` when unknown).
    pub change: String,
    /// `green`, `yellow`, `red` or empty.
    pub class: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "stats.html")]
pub struct StatsPage {
    pub page: Page,
    /// Every figure (staff) or the public view.
    pub authority: bool,
    pub min_count: u32,
    pub from: String,
    pub to: String,
    pub today: String,
    pub district: String,
    /// The chosen district's name (the code when the catalogue lacks it).
    pub district_name: String,
    /// (code, name) of every district in the table.
    pub districts: Vec<(String, String)>,
    pub headlines: Vec<Headline>,
    /// The last day's symptoms and quarantine progress: (label, figure).
    pub breakdown: Vec<(String, String)>,
    /// The last day's declarations and people reporting symptoms by channel.
    pub channels: Vec<(String, String, String)>,
    /// The last day's checkpoint passages by kind: (kind, [in, out, turned back in, turned back out]).
    pub checkpoint_kinds: Vec<(String, [String; 4])>,
    /// The last day's districts with the most check-ins: (rank, district, check-ins).
    pub top_districts: Vec<(u32, String, String)>,
    pub columns: Vec<String>,
    /// District, then (shown, sort key) per column, for the last day.
    pub table: Vec<(String, Vec<(String, String)>)>,
    /// JSON for the charts.
    pub chart_data: String,
    /// The filter as a query string, for the export links.
    pub query: String,
}

impl StatsPage {
    /// The chosen district is one of the table's.
    pub fn district_listed(&self) -> bool {
        self.districts.iter().any(|(code, _)| *code == self.district)
    }
}

/// An appeal as listed on a page.
#[derive(Debug, Clone)]
pub struct AppealRow {
    pub id: String,
    /// The first characters of the pseudonymous id (the inbox names nobody).
    pub person: String,
    pub colour: String,
    pub colour_name: String,
    pub message: String,
    pub submitted: String,
    pub due: String,
    pub overdue: bool,
    pub state: String,
    pub pending: bool,
    pub answer: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "appeal.html")]
pub struct MyAppealPage {
    pub page: Page,
    pub colour: String,
    /// Not green, and no appeal waiting for an answer.
    pub can_appeal: bool,
    pub sent: bool,
    pub appeals: Vec<AppealRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "appeals.html")]
pub struct AppealInboxPage {
    pub page: Page,
    /// How many wait for an answer, whatever the filter.
    pub waiting: u64,
    /// Each appeal with its person's district by name.
    pub appeals: Vec<(AppealRow, String)>,
    pub l: crate::web::listing::Listing,
}
