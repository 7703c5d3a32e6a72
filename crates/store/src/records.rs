//! Records that cross the storage boundary.

use healthcode_domain::visit::Closing;
use healthcode_domain::{
    Colour, Contact, HealthStatus, HolderId, Identity, PhoneNumber, Report, ReportId, ResidentId, Role, ScanDecision,
    StatusChange, VenueId, VenueProfile, VenueState, Visit, VisitId, VisitSource, decide_scan,
};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

mod enterprises;
pub use enterprises::*;

/// How the account signed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountKind {
    /// A resident, signed in by phone.
    Resident,
    /// A visitor, signed in with a passport or foreign ID and a phone or e-mail.
    Visitor,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Resident => "resident",
            AccountKind::Visitor => "visitor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "resident" => Some(AccountKind::Resident),
            "visitor" => Some(AccountKind::Visitor),
            _ => None,
        }
    }
}

/// A resident or visitor account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub id: ResidentId,
    pub holder: HolderId,
    pub contact: Contact,
    pub kind: AccountKind,
    /// Filled by the first declaration (or at visitor sign-up).
    pub identity: Option<Identity>,
    pub created_at: Timestamp,
}

/// A stored health report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReport {
    pub id: ReportId,
    pub resident: ResidentId,
    pub at: Timestamp,
    pub local_date: Date,
    pub report: Report,
    /// How it arrived; `None` for reports stored before channels were
    /// recorded (migration 0016).
    pub channel: Option<healthcode_domain::ReportChannel>,
}

/// Everything one accepted report writes, committed atomically: the report,
/// the identity it declared (if any), the new status and the change records.
#[derive(Debug, Clone)]
pub struct ReportCommit {
    pub report: StoredReport,
    pub identity: Option<Identity>,
    /// The status version read before computing `status`; `None` when the
    /// resident had no status. A mismatch gives `StoreError::Conflict`.
    pub expected_version: Option<i64>,
    pub status: HealthStatus,
    pub changes: Vec<StatusChange>,
}

/// Whether a session came from a browser sign-in or is an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Cookie,
    ApiToken,
    /// A staff member's browser session after password (and second factor):
    /// ends after a shift, never renewed, and ends when the account is
    /// disabled or reset.
    Staff,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::ApiToken => "api_token",
            SessionKind::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cookie" => Some(SessionKind::Cookie),
            "api_token" => Some(SessionKind::ApiToken),
            "staff" => Some(SessionKind::Staff),
            _ => None,
        }
    }
}

/// A signed-in principal: a role and a subject (phone or user name), and the
/// resident account for resident principals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub role: Role,
    pub subject: String,
    pub resident: Option<ResidentId>,
}

/// A session or API token. Only the SHA-256 of the secret is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: [u8; 32],
    pub kind: SessionKind,
    pub principal: Principal,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Where a device token may be used (`StaffScope` as JSON); `None`: anywhere.
    pub scope: Option<String>,
}

/// A one-time sign-in code waiting to be entered. Only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpChallenge {
    /// The normalised phone number or e-mail it was sent to.
    pub contact: String,
    pub code_hash: [u8; 32],
    pub expires_at: Timestamp,
    pub attempts: u32,
    /// Start of the rate-limit window and codes sent in it.
    pub window_start: Timestamp,
    pub sent_in_window: u32,
}

/// A message given to the development outbox instead of an SMS gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub at: Timestamp,
    pub channel: String,
    pub recipient: String,
    pub body: String,
    /// The one-time code in the message, for the dev outbox page.
    pub code: Option<String>,
}

/// A resident with everything recorded about their health: the unit of bulk
/// import (demo, benchmarks) and of copying a deployment between stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentBundle {
    pub resident: Resident,
    /// Oldest first.
    pub reports: Vec<StoredReport>,
    /// `None` until the first declaration.
    pub status: Option<HealthStatus>,
    /// Oldest first.
    pub changes: Vec<StatusChange>,
}

/// Row counts per table, to check a copy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableCounts {
    pub residents: u64,
    pub reports: u64,
    pub statuses: u64,
    pub status_changes: u64,
    pub sessions: u64,
    pub venues: u64,
    pub visits: u64,
    pub checkpoints: u64,
    pub passages: u64,
    pub cases: u64,
    pub notices: u64,
    pub exposure_sites: u64,
    pub audit_entries: u64,
    pub enterprises: u64,
    pub employees: u64,
    pub gate_scans: u64,
    pub appeals: u64,
    pub access_log: u64,
    pub test_results: u64,
    pub false_declarations: u64,
}

/// Cases with their notices and exposure sites, for copying a deployment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseRecords {
    pub cases: Vec<healthcode_domain::Case>,
    pub notices: Vec<Notice>,
    pub sites: Vec<ExposureSite>,
    pub risk_areas: Vec<RiskArea>,
    pub overrides: Vec<Override>,
    /// In id order.
    pub appeals: Vec<Appeal>,
    /// In the order they were recorded; imported only into a store that has none.
    pub accesses: Vec<AccessRecord>,
    /// Anomaly alarms, in id order.
    pub alarms: Vec<Alarm>,
}

/// A registered venue (QR scanning point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venue {
    pub id: VenueId,
    /// The phone that registered it, confirmed by a one-time code.
    pub owner: PhoneNumber,
    pub profile: VenueProfile,
    pub state: VenueState,
    /// Bumped by a token rotation; posters carry the generation they were printed with.
    pub token_generation: u32,
    /// Posters of the previous generation work until then (grace period).
    pub previous_generation_until: Option<Timestamp>,
    /// The signed token of the current generation, as printed on posters
    /// (signatures are randomised, so it is made once and kept).
    pub qr_token: String,
    pub created_at: Timestamp,
}

/// A message to a person about their exposure (never naming the case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: uuid::Uuid,
    pub resident: ResidentId,
    pub at: Timestamp,
    pub case: healthcode_domain::CaseId,
    /// `case`, `close` or `secondary`.
    pub kind: String,
    pub message: String,
}

/// How the authority's case list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseSort {
    /// When the case was recorded.
    #[default]
    Recorded,
    Onset,
    /// The case's district of residence (by code).
    District,
    /// Not yet applied, then applied.
    Status,
    /// Contacts notified (close and secondary together).
    Contacts,
}

/// Which cases the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStatusFilter {
    /// Recorded and traced on demand, not yet applied.
    Traced,
    Applied,
}

/// One page of the case list: filter, order, window.
#[derive(Debug, Clone, Default)]
pub struct CaseListQuery {
    pub status: Option<CaseStatusFilter>,
    /// A district code the case lives in.
    pub district: Option<String>,
    pub sort: CaseSort,
    pub descending: bool,
    pub limit: u32,
    pub offset: u64,
}

/// A case as the list shows it: the district its person declared and how
/// many contacts its application notified (zero before it is applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseListRow {
    pub case: healthcode_domain::Case,
    pub district: Option<String>,
    pub close_notified: u64,
    pub secondary_notified: u64,
}

/// A place and time window published without personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposureSite {
    pub case: healthcode_domain::CaseId,
    pub venue: VenueId,
    pub from: Timestamp,
    pub to: Timestamp,
}

/// One entry of the append-only, hash-chained audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// 1, 2, 3, ... with no gaps: the chain's order.
    pub seq: i64,
    pub at: Timestamp,
    /// `role:name` of who did it (`system` for jobs).
    pub actor: String,
    /// What happened, e.g. `case.recorded`, `trace.viewed`.
    pub action: String,
    /// What it concerned (a case id, a venue id, ...); never a phone or a name.
    pub subject: String,
    pub detail: String,
    pub prev_hash: [u8; 32],
    /// SHA-256 over `prev_hash` and every field above.
    pub hash: [u8; 32],
}

/// A district, ward or region marked as a risk area for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskArea {
    pub id: uuid::Uuid,
    /// A region or district code; arrivals from it (or a sub-region) are yellow by rule.
    pub code: healthcode_domain::RegionCode,
    pub from: Timestamp,
    pub until: Timestamp,
    pub marked_by: String,
    pub reason: String,
}

/// A manual override: a colour set outside the rules, which has no effect
/// until a second person (a supervisor) approves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub id: uuid::Uuid,
    pub resident: ResidentId,
    pub colour: healthcode_domain::Colour,
    /// A stable reason code (e.g. `LAB_RESULT_NEGATIVE`, `DATA_ERROR`).
    pub reason_code: String,
    /// The free-text basis: what justifies it.
    pub basis: String,
    pub requested_by: String,
    /// The requester's stable id (a staff account id, or `token:<name>`);
    /// `None` for overrides requested before accounts existed.
    pub requested_by_id: Option<String>,
    pub requested_at: Timestamp,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
}

/// What a retention pass deleted (or, in a dry run, would delete).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeCounts {
    pub visits: u64,
    pub reports: u64,
    pub passages: u64,
    /// Attempted entries at venues (yellow/red holders turned away).
    pub attempts: u64,
}

/// Whether a retention pass deletes or only counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeMode {
    DryRun,
    Delete,
}

/// One local day as the instants `[start, end)` that bound it, for counting.
/// For the current day `end` is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatDay {
    pub day: Date,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// One counted figure: a metric (see [`metric`]) in a district on a day.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct StatCell {
    pub day: Date,
    pub district: String,
    pub metric: String,
    pub value: i64,
}

/// The district of people without one (visitors), in statistics.
pub const NO_DISTRICT: &str = "none";

/// The metrics a backend counts for a day. Venue figures are by the venue's
/// district, people figures by the person's, passages by the checkpoint's.
pub mod metric {
    /// Venues registered that day.
    pub const NEW_POINTS: &str = "new_points";
    /// Venues with at least one check-in that day.
    pub const ACTIVE_POINTS: &str = "active_points";
    /// Visits begun that day.
    pub const CHECK_INS: &str = "check_ins";
    pub const DECLARATIONS: &str = "declarations";
    pub const CLOCK_INS: &str = "clock_ins";
    /// People who reported at least one symptom that day.
    pub const SYMPTOMATIC: &str = "symptomatic";
    /// Declarations that day by channel: `declarations_<channel>`
    /// (`web`, `app`, `staff_assisted`, `hotline_import`).
    pub const DECLARATIONS_BY: &str = "declarations_";
    /// People who reported a symptom that day through a channel:
    /// `symptomatic_<channel>` (one person may use two channels).
    pub const SYMPTOMATIC_BY: &str = "symptomatic_";
    /// People who reported a given symptom: `symptom_<name>`.
    pub const SYMPTOM_PREFIX: &str = "symptom_";
    /// Net flow into a colour that day (changes into it minus changes out
    /// of it): `net_green`, `net_yellow`, `net_red`. Summed over every day
    /// so far, the number of people with that colour.
    pub const NET_PREFIX: &str = "net_";
    /// Colour changes that day, by the new colour (first statuses included).
    pub const BECAME_GREEN: &str = "became_green";
    pub const BECAME_YELLOW: &str = "became_yellow";
    pub const BECAME_RED: &str = "became_red";
    /// Quarantines completed, and streaks restarted (missed day, abnormal report).
    pub const QUARANTINE_COMPLETED: &str = "quarantine_completed";
    pub const QUARANTINE_RESTARTED: &str = "quarantine_restarted";
    pub const CASES_CONFIRMED: &str = "cases_confirmed";
    pub const CASES_SUSPECTED: &str = "cases_suspected";
    /// Exposure notices sent that day.
    pub const EXPOSED_CLOSE: &str = "exposed_close";
    pub const EXPOSED_SECONDARY: &str = "exposed_secondary";
    pub const PASSAGES_ALLOWED: &str = "passages_allowed";
    pub const PASSAGES_DENIED: &str = "passages_denied";
    /// Passages by the checkpoint's kind and the direction:
    /// `passages_<kind>_<in|out>` (`passages_national_highway_in`, ...).
    pub const PASSAGES_BY: &str = "passages_";
    /// Of those, the ones turned back (deny): `turned_back_<kind>_<in|out>`.
    pub const TURNED_BACK_BY: &str = "turned_back_";
    /// Yellow and red holders turned away at venues (attempted entries), by
    /// the venue's district.
    pub const ATTEMPTED_ENTRIES: &str = "attempted_entries";
    /// Enterprises whose application was approved by the end of the day.
    pub const ENTERPRISES_APPROVED: &str = "enterprises_approved";
    /// Of those, the ones with at least one employee scanned at a gate that day.
    pub const ENTERPRISES_OPERATING: &str = "enterprises_operating";
    /// Roster lines accepted by the end of the day and not removed by then
    /// (an employee on two rosters counts twice).
    pub const EMPLOYEES: &str = "employees";
    /// Of those, the ones scanned at their enterprise's gate that day.
    pub const EMPLOYEES_ON_SITE: &str = "employees_on_site";
}

/// One look at a person's records by someone else: which role (shown to
/// the person; never the name), why, and what it was about (a case id, a
/// venue id). A store keeps one entry per person, reader, role, purpose,
/// reference and UTC day of `at`: the first look that day (migration 0032).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecord {
    pub resident: ResidentId,
    pub at: Timestamp,
    pub role: Role,
    /// `trace_report`, `venue_log`, ...
    pub purpose: String,
    pub reference: String,
    /// Who read (a staff member's name, a venue's id): for the once-a-day
    /// rule and for auditors, never shown to the person. `None` on entries
    /// written before migration 0032, which are kept as they were.
    pub reader: Option<String>,
}

/// What an alarm is about. Stored as its stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlarmKind {
    /// Many manual status changes in a short time (across everyone, or by one approver).
    ManualChangesBurst,
    /// A manual change turned someone red with no case, no shared stay and no
    /// visit or report in the area in the last 14 days.
    RedWithoutCaseOrPresence,
}

impl AlarmKind {
    pub const ALL: [AlarmKind; 2] = [AlarmKind::ManualChangesBurst, AlarmKind::RedWithoutCaseOrPresence];

    pub fn as_str(self) -> &'static str {
        match self {
            AlarmKind::ManualChangesBurst => "MANUAL_CHANGES_BURST",
            AlarmKind::RedWithoutCaseOrPresence => "RED_WITHOUT_CASE_OR_PRESENCE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An anomaly the health authority must look at: raised by the system after
/// a manual status change, closed by a person who acknowledges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    pub id: uuid::Uuid,
    pub at: Timestamp,
    pub kind: AlarmKind,
    /// What it concerns: `all`, `staff:NAME` or a pseudonymous resident id;
    /// never a phone number or a resident's name.
    pub subject: String,
    pub detail: String,
    /// The staff member (`role:name`) who acknowledged it.
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<Timestamp>,
}

/// The status-change events that are manual changes (an approved override,
/// an upheld appeal): what the burst alarm counts.
pub const MANUAL_CHANGE_EVENTS: [&str; 2] = ["override", "appeal_upheld"];

/// A resident's appeal against their colour, and the authority's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appeal {
    pub id: uuid::Uuid,
    pub resident: ResidentId,
    /// The colour contested.
    pub colour: healthcode_domain::Colour,
    pub message: String,
    pub submitted_at: Timestamp,
    /// The end of the last working day the authority has to answer.
    pub due_at: Timestamp,
    /// `pending`, `upheld` or `rejected`.
    pub state: String,
    pub answered_at: Option<Timestamp>,
    pub answered_by: Option<String>,
    pub answer: Option<String>,
}

/// A scan of a venue QR for the store to decide and record in one step
/// ([`crate::VisitStore::scan`]): the decision reads the person's status and
/// latest visit, so deciding where the write happens removes a round trip
/// and every race between two scans of the same person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRequest {
    /// The id of the visit the scan opens, if it enters. A store that numbers
    /// its visits (SQLite: [`VisitId::from_number`]) gives its own instead;
    /// the visit answered in [`ScanApplied::Done`] has the id stored.
    pub visit: VisitId,
    pub resident: ResidentId,
    pub venue: VenueId,
    /// The scan's instant (the entry, or the exit).
    pub at: Timestamp,
    pub source: VisitSource,
    /// The venue's maximum stay (the automatic check-out of a new visit).
    pub max_stay: SignedDuration,
    /// A repeat within this window changes nothing.
    pub duplicate_window: SignedDuration,
}

impl ScanRequest {
    /// The visit the scan opens if it enters, for a person of `colour`.
    pub fn entry(&self, colour: Colour) -> Visit {
        Visit {
            id: self.visit,
            resident: self.resident,
            venue: self.venue,
            entered_at: self.at,
            exited_at: None,
            exit_kind: None,
            source: self.source,
            max_stay: self.max_stay,
            colour,
        }
    }
}

/// What a [`ScanRequest`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanApplied {
    /// The person has no status yet (no declaration): nothing was recorded.
    NoStatus,
    /// The person is yellow or red and the scan would have let them in:
    /// nothing was written (the caller records the attempted entry). A scan
    /// that leaves (or repeats) a visit they are already in is `Done`.
    Refused {
        /// The person's colour at the scan (yellow or red).
        colour: Colour,
        /// The scan's instant, after [`scan_time`].
        at: Timestamp,
    },
    /// Decided and, unless a duplicate, committed.
    Done {
        /// The person's colour at the scan.
        colour: Colour,
        decision: ScanDecision,
        /// The visit the scan opened, closed (as closed) or repeated.
        visit: Visit,
    },
}

/// When a scan counts: its own instant, or the person's latest entry or exit
/// if that is later. Two requests of one person read the clock in one order
/// and may reach the writer in the other; deciding the later-read one first
/// and then the earlier one would close a visit before it began, and leave
/// an open visit that is no longer the person's latest (the next entry then
/// breaks "one open visit a person"). So a person's scans never go back in
/// time; the difference is the few milliseconds between the two requests.
pub fn scan_time(at: Timestamp, latest: Option<&Visit>) -> Timestamp {
    latest.map_or(at, |last| at.max(last.entered_at).max(last.exited_at.unwrap_or(last.entered_at)))
}

/// Decides one scan against the person's colour and latest visit, as the
/// stores do: the writes to make (a close, an open) and the answer.
pub fn decide_request(
    request: &ScanRequest,
    colour: Option<Colour>,
    latest: Option<&Visit>,
) -> (Option<Closing>, Option<Visit>, ScanApplied) {
    let Some(colour) = colour else { return (None, None, ScanApplied::NoStatus) };
    let request = &ScanRequest { at: scan_time(request.at, latest), ..request.clone() };
    let decided = decide_scan(latest, request.venue, request.at, request.duplicate_window);
    let (decision, close, open, visit) = match (decided, latest) {
        (decision @ ScanDecision::Duplicate { .. }, Some(last)) => (decision, None, None, last.clone()),
        (ScanDecision::Exit { close }, Some(last)) => {
            let closed = Visit { exited_at: Some(close.at), exit_kind: Some(close.kind), ..last.clone() };
            (ScanDecision::Exit { close }, Some(close), None, closed)
        }
        // An entry of someone not green: refused, and nothing written (an
        // open visit elsewhere stays open: they did not get in here).
        (_, _) if !healthcode_domain::may_enter(colour) => {
            return (None, None, ScanApplied::Refused { colour, at: request.at });
        }
        // An entry (`decide_scan` repeats or closes only a latest visit).
        (decided, _) => {
            let close = match decided {
                ScanDecision::Enter { close } => close,
                ScanDecision::Duplicate { .. } | ScanDecision::Exit { .. } => None,
            };
            let open = request.entry(colour);
            (ScanDecision::Enter { close }, close, Some(open.clone()), open)
        }
    };
    (close, open, ScanApplied::Done { colour, decision, visit })
}

/// The last good signed trust list fetched from a peer region, kept so a
/// restart (or a peer that is down) does not lose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerListRecord {
    /// The peer's region id.
    pub region: String,
    /// The list's sequence number; a stored list is never replaced by a lower one.
    pub sequence: i64,
    /// The signed document exactly as fetched (JSON), verified again when read.
    pub document: String,
    /// The peer's `ETag` for it, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// When this sequence was first fetched.
    pub fetched_at: Timestamp,
    /// When the peer last confirmed it (or sent it).
    pub checked_at: Timestamp,
}

/// A staff member's account (`staff_accounts`). Sessions of a staff person
/// carry the subject [`StaffAccount::subject`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub id: uuid::Uuid,
    pub login: healthcode_domain::StaffLogin,
    pub display_name: String,
    pub roles: healthcode_domain::StaffRoles,
    pub scope: healthcode_domain::StaffScope,
    pub state: healthcode_domain::StaffState,
    /// The argon2id PHC string, once the person has set a password.
    pub password_hash: Option<String>,
    /// The RFC 6238 secret, once the person has enrolled a second factor,
    /// sealed by the server (`server::auth::seal`); the store never opens it.
    pub totp_sealed: Option<Vec<u8>>,
    /// The last time step a code was accepted for (a code is used once).
    pub totp_last_step: Option<i64>,
    /// Wrong passwords or codes since the last good sign-in.
    pub failed_attempts: u32,
    /// SHA-256 of the invitation secret and when it stops working.
    pub invite_hash: Option<[u8; 32]>,
    pub invite_expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Bumped by every write; an update names the version it read.
    pub version: i64,
}

impl StaffAccount {
    /// The session subject of this person: `staff:<id>`.
    pub fn subject(&self) -> String {
        staff_subject(self.id)
    }
}

/// The session subject of a staff account.
pub fn staff_subject(id: uuid::Uuid) -> String {
    format!("staff:{id}")
}

/// What else commits with a staff account's update, in its transaction.
#[derive(Debug, Clone, Copy, Default)]
pub struct StaffChange<'a> {
    pub audit: &'a [crate::audit::AuditEntry],
    /// Ends every session of the account (disable, reset, lock).
    pub end_sessions: bool,
    /// A session to start (a good sign-in).
    pub new_session: Option<&'a SessionRecord>,
}

/// An on-site enrolment (`enrolments`): the person a staff member enrolled,
/// who it was, and how the person was handed their sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub resident: ResidentId,
    /// `<document type>:<document number>`; one enrolment per document.
    pub document_key: String,
    /// The staff member who helped: an account id, or `token:<name>` for a device.
    pub staff_id: String,
    /// The first declaration, filed by the staff member (channel `staff_assisted`).
    pub report: Option<healthcode_domain::ReportId>,
    /// `link` (sign-in link sent by SMS or e-mail) or `paper_pass`.
    pub handover: String,
    /// SHA-256 of the one-use sign-in link's secret, until it is used.
    pub link_hash: Option<[u8; 32]>,
    pub link_expires_at: Option<Timestamp>,
    pub enrolled_at: Timestamp,
}

/// A resident's current paper pass print (the pass text itself is signed
/// from it on demand and never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperPassRecord {
    pub resident: ResidentId,
    /// 1 for the first print, +1 for each reprint; lower numbers are revoked.
    pub print: u32,
    pub valid_from: Timestamp,
    pub valid_until: Timestamp,
    pub printed_at: Timestamp,
}

/// The window and time of a new print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperPassPrint {
    pub valid_from: Timestamp,
    pub valid_until: Timestamp,
    pub printed_at: Timestamp,
}
