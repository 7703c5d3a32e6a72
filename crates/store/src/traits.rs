//! The storage traits, one per area, and their union [`Store`].

use async_trait::async_trait;
use healthcode_domain::visit::Closing;
use healthcode_domain::{
    Actor, ApplicationState, AttemptedEntry, Case, CaseId, Checkpoint, CheckpointId, Colour, Contact, EnterpriseId,
    HealthStatus, HolderId, Identity, Passage, PhoneNumber, ReportId, ResidentId, StatusChange, VenueId, VenueState,
    Visit, VisitId,
};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::audit::AuditEntry;
use crate::error::{StoreError, StoreResult};

/// How many times [`VisitStore::scan`]'s default decides again after a race.
const SCAN_ATTEMPTS: usize = 5;
use crate::records::{
    AccessRecord, Alarm, AlarmKind, Appeal, AuditRecord, CaseListQuery, CaseListRow, CaseRecords, Employee,
    EmployeeSnapshot, Enrolment, Enterprise, EnterpriseDecision, EnterpriseRecords, ExposureSite, GateScan, Notice,
    OtpChallenge, OutboxMessage, Override, PaperPassPrint, PaperPassRecord, PeerListRecord, PurgeCounts, PurgeMode,
    ReportCommit, Resident, ResidentBundle, RiskArea, ScanApplied, ScanRequest, SessionRecord, StaffAccount,
    StaffChange, StatCell, StatDay, StoredReport, TableCounts, Venue, decide_request,
};

/// Resident and visitor accounts.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account; `Conflict` when the contact or holder id exists.
    async fn create_resident(&self, resident: &Resident) -> StoreResult<()>;
    async fn resident(&self, id: ResidentId) -> StoreResult<Resident>;
    async fn resident_by_contact(&self, contact: &Contact) -> StoreResult<Option<Resident>>;
    async fn resident_by_holder(&self, holder: HolderId) -> StoreResult<Resident>;
    /// Writes residents with their history in one transaction (demo,
    /// benchmarks, copying a deployment). `Conflict` when one exists.
    async fn import_residents(&self, batch: &[ResidentBundle]) -> StoreResult<()>;
}

/// Health reports, statuses and their history.
#[async_trait]
pub trait HealthStore: Send + Sync {
    async fn status(&self, resident: ResidentId) -> StoreResult<Option<HealthStatus>>;
    /// Writes a report, identity, status and changes in one transaction and
    /// returns the status with its new version. `Conflict` when the status
    /// version is not `expected_version` (someone else wrote first).
    async fn commit_report(&self, commit: &ReportCommit) -> StoreResult<HealthStatus>;
    /// Status changes, newest first.
    async fn status_history(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<StatusChange>>;
    /// Reports, newest first.
    async fn reports(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<StoredReport>>;
}

/// One-time codes and sessions.
#[async_trait]
pub trait AuthStore: Send + Sync {
    async fn put_otp(&self, challenge: &OtpChallenge) -> StoreResult<()>;
    async fn otp(&self, contact: &str) -> StoreResult<Option<OtpChallenge>>;
    async fn delete_otp(&self, contact: &str) -> StoreResult<()>;
    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()>;
    /// The session for a token hash, if it exists and has not expired at `now`.
    async fn session(&self, token_hash: &[u8; 32], now: Timestamp) -> StoreResult<Option<SessionRecord>>;
    async fn delete_session(&self, token_hash: &[u8; 32]) -> StoreResult<()>;
    /// Exchanges a session for a new one in one transaction: deletes `old` and
    /// inserts `new`, only if `old` was still there. `false`, with nothing
    /// written, when it was gone: a session is exchanged once, however many
    /// requests present it at the same moment.
    async fn replace_session(&self, old: &[u8; 32], new: &SessionRecord) -> StoreResult<bool>;
    /// Counts one guess at a contact's code in one statement, only while the
    /// code is live (`expires_at > now`) and fewer than `max_attempts` guesses
    /// were counted; returns the code's hash for a counted guess, else `None`.
    /// However many guesses race, at most `max_attempts` get a hash to compare.
    async fn count_otp_attempt(
        &self,
        contact: &str,
        max_attempts: u32,
        now: Timestamp,
    ) -> StoreResult<Option<[u8; 32]>>;
    /// Deletes the contact's code if it is still the one with `code_hash`;
    /// `true` for the one caller that deleted it (a code works once).
    async fn take_otp(&self, contact: &str, code_hash: &[u8; 32]) -> StoreResult<bool>;
    /// Moves a session's expiry (sliding renewal).
    async fn extend_session(&self, token_hash: &[u8; 32], expires_at: Timestamp) -> StoreResult<()>;
    /// Every session and token of a subject (phone or user name), live or
    /// expired, newest first.
    async fn sessions_of(&self, subject: &str) -> StoreResult<Vec<SessionRecord>>;
    /// Deletes every session and token of a subject; returns how many.
    async fn delete_sessions_of(&self, subject: &str) -> StoreResult<u64>;
    /// Every API token (device and script tokens), live or expired, newest first.
    async fn api_tokens(&self) -> StoreResult<Vec<SessionRecord>>;
}

/// The development outbox (messages when no SMS gateway is configured).
#[async_trait]
pub trait OutboxStore: Send + Sync {
    async fn push_outbox(
        &self,
        channel: &str,
        recipient: &str,
        body: &str,
        code: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Newest first, optionally for one recipient.
    async fn outbox(&self, recipient: Option<&str>, limit: u32) -> StoreResult<Vec<OutboxMessage>>;
    /// Empties the outbox (a server with real gateways keeps no code from an
    /// earlier development run); returns how many messages went.
    async fn clear_outbox(&self) -> StoreResult<u64>;
}

/// Reading a whole store out in order, for `healthcode store copy`.
#[async_trait]
pub trait TransferStore: Send + Sync {
    /// Resident ids in ascending byte order after `after`, at most `limit`.
    async fn resident_ids_after(&self, after: Option<ResidentId>, limit: u32) -> StoreResult<Vec<ResidentId>>;
    /// The greatest resident id (byte order), to resume an interrupted copy.
    async fn last_resident_id(&self) -> StoreResult<Option<ResidentId>>;
    /// Residents with their full history, in the order of `ids`.
    async fn export_residents(&self, ids: &[ResidentId]) -> StoreResult<Vec<ResidentBundle>>;
    /// Live and expired sessions in token-hash order after `after`.
    async fn sessions_after(&self, after: Option<[u8; 32]>, limit: u32) -> StoreResult<Vec<SessionRecord>>;
    /// Inserts sessions, skipping any already present.
    async fn import_sessions(&self, batch: &[SessionRecord]) -> StoreResult<()>;
    /// Venues in id (byte) order after `after`.
    async fn venues_after(&self, after: Option<VenueId>, limit: u32) -> StoreResult<Vec<Venue>>;
    /// Visits in id (byte) order after `after`.
    async fn visits_after(&self, after: Option<VisitId>, limit: u32) -> StoreResult<Vec<Visit>>;
    /// The greatest venue and visit ids, to resume an interrupted copy.
    async fn last_venue_and_visit_ids(&self) -> StoreResult<(Option<VenueId>, Option<VisitId>)>;
    /// Every case, notice and exposure site, in id order.
    async fn case_records(&self) -> StoreResult<CaseRecords>;
    /// Inserts case records, skipping any already present.
    async fn import_case_records(&self, records: &CaseRecords) -> StoreResult<()>;
    /// Every application, roster line and gate scan, in id order.
    async fn enterprise_records(&self) -> StoreResult<EnterpriseRecords>;
    /// Inserts them in one transaction, skipping any already present (copies,
    /// and the demo's bulk seeding).
    async fn import_enterprise_records(&self, records: &EnterpriseRecords) -> StoreResult<()>;
    async fn counts(&self) -> StoreResult<TableCounts>;
}

/// Venues (QR scanning points).
#[async_trait]
pub trait VenueStore: Send + Sync {
    async fn create_venue(&self, venue: &Venue) -> StoreResult<()>;
    async fn venue(&self, id: VenueId) -> StoreResult<Venue>;
    /// The venues among `ids` that exist, in one read (lists that name the
    /// venues of many rows), in no particular order; a duplicate id gives
    /// its venue once, an unknown one nothing.
    async fn venues_by_id(&self, ids: &[VenueId]) -> StoreResult<Vec<Venue>>;
    /// The venues a phone registered, newest first.
    async fn venues_of(&self, owner: &PhoneNumber) -> StoreResult<Vec<Venue>>;
    /// Sets a venue's state (open or closed) and nothing else, so a
    /// close never undoes a token rotation made at the same moment.
    async fn set_venue_state(&self, id: VenueId, state: VenueState) -> StoreResult<()>;
    /// Moves a venue's token from generation `from` to `to`'s (with its
    /// token and grace period), and nothing else; `false`, writing nothing,
    /// when the venue is no longer at `from` (rotated at the same moment).
    async fn rotate_venue_token(&self, from: u32, to: &Venue) -> StoreResult<bool>;
    /// The entry code printed on a venue's poster of QR `generation`, if
    /// one was made.
    async fn venue_entry_code(&self, venue: VenueId, generation: u32) -> StoreResult<Option<String>>;
    /// Keeps `code` as the entry code of the venue's QR `generation`:
    /// `Conflict` when the code is taken, or the generation has one.
    async fn create_venue_entry_code(
        &self,
        code: &str,
        venue: VenueId,
        generation: u32,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// The venue and QR generation an entry code was printed for
    /// (`NotFound`: no such code).
    async fn venue_of_entry_code(&self, code: &str) -> StoreResult<(VenueId, u32)>;
    /// Records a yellow or red holder turned away at a venue (no visit).
    /// The id is new: a taken one is a `Conflict`.
    async fn record_attempt(&self, attempt: &AttemptedEntry) -> StoreResult<()>;
    /// A venue's attempted entries in `[from, to)`, newest first.
    async fn venue_attempts(
        &self,
        venue: VenueId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<AttemptedEntry>>;
    /// A person's attempted entries in `[from, to)`, oldest first (tracing).
    async fn resident_attempts(
        &self,
        resident: ResidentId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<AttemptedEntry>>;
}

/// Visits: entries and exits at venues.
#[async_trait]
pub trait VisitStore: Send + Sync {
    /// The person's most recent visit, open or not.
    async fn latest_visit(&self, resident: ResidentId) -> StoreResult<Option<Visit>>;
    /// What a scan decides on, in one read where the backend can: the
    /// person's colour now (`None` before their first declaration) and
    /// their open visit if they have one, else their most recent visit.
    async fn scan_context(&self, resident: ResidentId) -> StoreResult<(Option<Colour>, Option<Visit>)>;
    /// Decides a scan against the person's colour and latest visit and
    /// records it. This default reads, decides and writes, and decides again
    /// when another scan of the same person committed in between (`Conflict`
    /// after a few tries); a backend may do it all inside its writer.
    async fn scan(&self, request: &ScanRequest) -> StoreResult<ScanApplied> {
        for _ in 0..SCAN_ATTEMPTS {
            let (colour, latest) = self.scan_context(request.resident).await?;
            let (close, open, applied) = decide_request(request, colour, latest.as_ref());
            if close.is_none() && open.is_none() {
                return Ok(applied);
            }
            match self.record_scan(close.as_ref(), open.as_ref()).await {
                Ok(()) => return Ok(applied),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict("several scans of the same person arrived at once".into()))
    }
    /// In one transaction: closes `close` (which must still be open, else
    /// `Conflict`) and inserts `open` (a second open visit for the same
    /// person is a `Conflict`: one active check-in at a time).
    async fn record_scan(&self, close: Option<&Closing>, open: Option<&Visit>) -> StoreResult<()>;
    async fn visit(&self, id: VisitId) -> StoreResult<Visit>;
    /// A person's visits, newest first.
    async fn resident_visits(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<Visit>>;
    /// A venue's visits that began in `[from, to)`, newest first.
    async fn venue_visits(&self, venue: VenueId, from: Timestamp, to: Timestamp, limit: u32)
    -> StoreResult<Vec<Visit>>;
    /// Every visit of any of `residents` that began in `[from, to)`, in no
    /// particular order (tracing: many people's visits in one read).
    async fn residents_visits_between(
        &self,
        residents: &[ResidentId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>>;
    /// Every visit at any of `venues` that began in `[from, to)`, in no
    /// particular order (tracing: many venues' logs in one read).
    async fn venues_visits_between(
        &self,
        venues: &[VenueId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>>;
    /// Closes, as `Auto` at their maximum stay, up to `limit` visits still
    /// open past it at `now`; returns how many.
    async fn close_expired_visits(&self, now: Timestamp, limit: u32) -> StoreResult<u64>;
    /// Writes visits in bulk (demo, benchmarks, copy).
    async fn import_visits(&self, batch: &[Visit]) -> StoreResult<()>;
}

/// Checkpoints and the passages recorded there.
#[async_trait]
pub trait CheckpointStore: Send + Sync {
    async fn create_checkpoint(&self, checkpoint: &Checkpoint) -> StoreResult<()>;
    async fn checkpoint(&self, id: CheckpointId) -> StoreResult<Checkpoint>;
    /// All checkpoints, by name.
    async fn checkpoints(&self) -> StoreResult<Vec<Checkpoint>>;
    /// Inserts passages, skipping ids already recorded (offline queues sync
    /// more than once); returns how many were new.
    async fn record_passages(&self, passages: &[Passage]) -> StoreResult<u64>;
    /// A checkpoint's passages scanned in `[from, to)`, newest first.
    async fn passages(
        &self,
        checkpoint: CheckpointId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Passage>>;
    /// Passages in id order after `after` (for copies).
    async fn passages_after(&self, after: Option<uuid::Uuid>, limit: u32) -> StoreResult<Vec<Passage>>;
    /// The pseudonymous ids of everyone whose code is not green now, for the
    /// offline status list.
    async fn non_green_holders(&self) -> StoreResult<Vec<(HolderId, Colour)>>;
}

/// Cases, what tracing applied, and what people and the public are told.
#[async_trait]
pub trait CaseStore: Send + Sync {
    async fn create_case(&self, case: &Case) -> StoreResult<()>;
    async fn case(&self, id: CaseId) -> StoreResult<Case>;
    /// Newest first.
    async fn cases(&self, limit: u32) -> StoreResult<Vec<Case>>;
    /// One page of the case list as `query` filters and orders it (ties by
    /// id, so pages never overlap), and how many cases the filter matches.
    async fn case_list(&self, query: &CaseListQuery) -> StoreResult<(Vec<CaseListRow>, u64)>;
    /// Which of `residents` already hold a contact notice (close or
    /// secondary) from any case.
    async fn notified_among(&self, residents: &[ResidentId]) -> StoreResult<std::collections::HashSet<ResidentId>>;
    /// The person's most recent case, if any.
    async fn case_of(&self, resident: ResidentId) -> StoreResult<Option<Case>>;
    /// Marks a case applied and records its exposure sites and `audit`, in
    /// one transaction.
    async fn mark_case_applied(
        &self,
        id: CaseId,
        at: Timestamp,
        sites: &[ExposureSite],
        audit: &AuditEntry,
    ) -> StoreResult<()>;
    /// Writes a status and its changes outside of a report (authority
    /// findings), with the same optimistic version check as `commit_report`.
    async fn commit_status(
        &self,
        expected_version: Option<i64>,
        status: &HealthStatus,
        changes: &[StatusChange],
    ) -> StoreResult<HealthStatus>;
    async fn push_notice(&self, notice: &Notice) -> StoreResult<()>;
    /// Newest first.
    async fn notices_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<Notice>>;
    /// Exposure sites whose window ends after `since`, newest first.
    async fn exposure_sites(&self, since: Timestamp, limit: u32) -> StoreResult<Vec<ExposureSite>>;
}

/// Risk areas marked by the health authority.
#[async_trait]
pub trait RiskAreaStore: Send + Sync {
    async fn add_risk_area(&self, area: &RiskArea) -> StoreResult<()>;
    /// Areas in force at `at`.
    async fn risk_areas_at(&self, at: Timestamp) -> StoreResult<Vec<RiskArea>>;
}

/// Manual overrides awaiting or after a second person's decision.
#[async_trait]
pub trait OverrideStore: Send + Sync {
    async fn create_override(&self, o: &Override) -> StoreResult<()>;
    async fn get_override(&self, id: uuid::Uuid) -> StoreResult<Override>;
    /// Pending ones, oldest first.
    async fn pending_overrides(&self) -> StoreResult<Vec<Override>>;
    /// Records the decision and `audit` in one transaction; `Conflict` when
    /// it was already decided (and then nothing is written).
    async fn decide_override(
        &self,
        id: uuid::Uuid,
        state: &str,
        by: &str,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
}

/// Retention: personal records older than the configured period go.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// Deletes (or, in a dry run, only counts) closed visits that ended,
    /// reports made and passages scanned before `cutoff`. Open visits stay.
    async fn purge_before(&self, cutoff: Timestamp, mode: PurgeMode) -> StoreResult<PurgeCounts>;
}

/// The append-only audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends an entry whose `seq` must be the next one; `Conflict` when
    /// another entry took that place first (the caller re-reads and retries).
    async fn append_audit(&self, entry: &AuditRecord) -> StoreResult<()>;
    /// Appends `entry` at the end of the chain (the store gives it its place
    /// and hashes) and returns the stored record.
    async fn append_audit_entry(&self, entry: &AuditEntry) -> StoreResult<AuditRecord>;
    async fn last_audit(&self) -> StoreResult<Option<AuditRecord>>;
    /// Entries with `seq > after`, in order.
    async fn audit_after(&self, after: i64, limit: u32) -> StoreResult<Vec<AuditRecord>>;
}

/// Daily statistics: counting a day from the raw rows, and the rollups of
/// closed days.
#[async_trait]
pub trait StatsStore: Send + Sync {
    /// Counts every [`metric`](crate::metric) for one day from the raw rows,
    /// by district. Zero counts are left out.
    async fn count_day(&self, day: &StatDay) -> StoreResult<Vec<StatCell>>;
    /// Replaces the rollup of `day` with `cells` and marks the day rolled.
    async fn put_rollup(&self, day: Date, cells: &[StatCell], at: Timestamp) -> StoreResult<()>;
    /// Rolled-up cells of the days in `[from, to]`, in day order.
    async fn rollups(&self, from: Date, to: Date) -> StoreResult<Vec<StatCell>>;
    /// Per district and metric, the sum of the rolled-up cells of every day
    /// before `day` (for running totals); the cells carry `day`.
    async fn rollup_sums_before(&self, day: Date) -> StoreResult<Vec<StatCell>>;
    /// The days in `[from, to]` that have been rolled up.
    async fn rolled_days(&self, from: Date, to: Date) -> StoreResult<Vec<Date>>;
    /// The earliest instant anything was recorded (a person, venue or
    /// visit), to know where statistics begin.
    async fn first_activity(&self) -> StoreResult<Option<Timestamp>>;
}

/// Who looked at whose records.
#[async_trait]
pub trait AccessLogStore: Send + Sync {
    async fn record_access(&self, records: &[AccessRecord]) -> StoreResult<()>;
    /// A person's entries, newest first.
    async fn accesses_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<AccessRecord>>;
}

/// Residents' appeals against their colour.
#[async_trait]
pub trait AppealStore: Send + Sync {
    async fn create_appeal(&self, appeal: &Appeal) -> StoreResult<()>;
    async fn appeal(&self, id: uuid::Uuid) -> StoreResult<Appeal>;
    /// A person's appeals, newest first.
    async fn appeals_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<Appeal>>;
    /// Pending appeals, earliest deadline first.
    async fn pending_appeals(&self, limit: u32) -> StoreResult<Vec<Appeal>>;
    /// Records the answer and `audit` in one transaction; `Conflict` when it
    /// was already answered (and then nothing is written).
    async fn answer_appeal(
        &self,
        id: uuid::Uuid,
        state: &str,
        by: &str,
        answer: &str,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
}

/// Everything the server needs from storage.
#[async_trait]
pub trait Store:
    AccountStore
    + HealthStore
    + AuthStore
    + OutboxStore
    + TransferStore
    + VenueStore
    + VisitStore
    + CheckpointStore
    + CaseStore
    + AuditStore
    + RiskAreaStore
    + OverrideStore
    + RetentionStore
    + StatsStore
    + AccessLogStore
    + AppealStore
    + EnterpriseStore
    + AlarmStore
    + PeerListStore
    + StaffStore
    + crate::lab::LabStore
    + crate::dcc::DccStore
    + PaperPassStore
    + EnrolmentStore
    + crate::cluster::ClusterStore
    + crate::bulk::BulkLoadStore
    + crate::lists::ListStore
{
    /// Which backend this is (`sqlite`, `postgres`), for logs and `/healthz`.
    fn backend(&self) -> &'static str;
    /// A cheap round trip, for `/healthz`.
    async fn ping(&self) -> StoreResult<()>;
    /// `/metrics` lines about the backend's own workings (Prometheus text,
    /// each ending in a newline); none where it has nothing to add.
    fn metrics(&self) -> String;
}

/// Work resumption: applications, rosters and gate scans.
#[async_trait]
pub trait EnterpriseStore: Send + Sync {
    async fn create_enterprise(&self, enterprise: &Enterprise) -> StoreResult<()>;
    async fn enterprise(&self, id: EnterpriseId) -> StoreResult<Enterprise>;
    /// The enterprises among `ids` that exist, in one read, in no particular
    /// order; a duplicate id gives its enterprise once, an unknown one nothing.
    async fn enterprises_by_id(&self, ids: &[EnterpriseId]) -> StoreResult<Vec<Enterprise>>;
    /// The enterprises an operator phone filed, newest first.
    async fn enterprises_of(&self, owner: &PhoneNumber) -> StoreResult<Vec<Enterprise>>;
    /// Applications in a state, earliest deadline first (so overdue ones lead).
    async fn enterprises_in_state(&self, state: ApplicationState, limit: u32) -> StoreResult<Vec<Enterprise>>;
    /// Records the decision and `audit` in one transaction; `Conflict` when
    /// it was already decided, `NotFound` when there is no such application
    /// (and then nothing is written).
    async fn decide_enterprise(
        &self,
        id: EnterpriseId,
        decision: &EnterpriseDecision,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
    /// Puts a phone on the roster, or re-activates a removed line (clearing
    /// its link and acceptance). `Conflict` when the line is active.
    async fn invite_employee(&self, enterprise: EnterpriseId, phone: &PhoneNumber, at: Timestamp) -> StoreResult<()>;
    /// A roster line, removed or not.
    async fn employee(&self, enterprise: EnterpriseId, phone: &PhoneNumber) -> StoreResult<Employee>;
    /// Links an active, not yet accepted line to a resident. `NotFound` when
    /// there is no active line, `Conflict` when it was already accepted.
    async fn accept_invitation(
        &self,
        enterprise: EnterpriseId,
        phone: &PhoneNumber,
        resident: ResidentId,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Ends an active line at once; `NotFound` when there is none.
    async fn remove_employee(&self, enterprise: EnterpriseId, phone: &PhoneNumber, at: Timestamp) -> StoreResult<()>;
    /// The active lines for a phone across enterprises (invitations and links), newest first.
    async fn employers_of(&self, phone: &PhoneNumber) -> StoreResult<Vec<Employee>>;
    /// The active, accepted line linking a resident to an enterprise, if any.
    async fn employee_by_resident(
        &self,
        enterprise: EnterpriseId,
        resident: ResidentId,
    ) -> StoreResult<Option<Employee>>;
    /// Every active line with what the employer may see: the colour, the last
    /// report's date, and whether gate scans in `[from, to)` (a local day)
    /// found the person, and at or above `fever_tenths`; by phone.
    async fn roster_snapshot(
        &self,
        enterprise: EnterpriseId,
        from: Timestamp,
        to: Timestamp,
        fever_tenths: u16,
    ) -> StoreResult<Vec<EmployeeSnapshot>>;
    async fn record_gate_scan(&self, scan: &GateScan) -> StoreResult<()>;
    /// An enterprise's gate scans in `[from, to)`, newest first.
    async fn gate_scans(
        &self,
        enterprise: EnterpriseId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<GateScan>>;
}

/// Anomaly alarms, and the count of recent manual status changes they watch.
#[async_trait]
pub trait AlarmStore: Send + Sync {
    /// `Conflict` when the id exists.
    async fn raise_alarm(&self, alarm: &Alarm) -> StoreResult<()>;
    async fn alarm(&self, id: uuid::Uuid) -> StoreResult<Alarm>;
    /// Unacknowledged ones first, then newest first.
    async fn alarms(&self, limit: u32) -> StoreResult<Vec<Alarm>>;
    /// The newest unacknowledged alarm of a kind raised at or after `since`,
    /// optionally only about one subject (so alarms do not flood).
    async fn open_alarm_since(
        &self,
        kind: AlarmKind,
        subject: Option<&str>,
        since: Timestamp,
    ) -> StoreResult<Option<Alarm>>;
    /// Records who acknowledged it; `NotFound` when there is no such alarm,
    /// `Conflict` when it was already acknowledged.
    async fn acknowledge_alarm(&self, id: uuid::Uuid, by: &str, at: Timestamp) -> StoreResult<()>;
    /// How many manual status changes ([`MANUAL_CHANGE_EVENTS`](crate::MANUAL_CHANGE_EVENTS))
    /// were recorded at or after `since`, by anyone or by one actor.
    async fn manual_changes_since(&self, since: Timestamp, by: Option<&Actor>) -> StoreResult<u64>;
}

/// The last good trust list of each peer region (federation).
#[async_trait]
pub trait PeerListStore: Send + Sync {
    /// Keeps `list` as its region's copy, replacing one with a lower or equal
    /// sequence; `Conflict` when the kept one's sequence is higher (rollback).
    async fn put_peer_list(&self, list: &PeerListRecord) -> StoreResult<()>;
    /// Every kept list, by region.
    async fn peer_lists(&self) -> StoreResult<Vec<PeerListRecord>>;
}

/// Staff accounts (issue 16).
#[async_trait]
pub trait StaffStore: Send + Sync {
    /// Creates an account and its audit entry; `Conflict` when the login is taken.
    async fn create_staff(&self, account: &StaffAccount, audit: &AuditEntry) -> StoreResult<()>;
    async fn staff(&self, id: uuid::Uuid) -> StoreResult<StaffAccount>;
    async fn staff_by_login(&self, login: &str) -> StoreResult<Option<StaffAccount>>;
    async fn staff_by_invite(&self, invite_hash: &[u8; 32]) -> StoreResult<Option<StaffAccount>>;
    /// Every account, by login.
    async fn staff_accounts(&self) -> StoreResult<Vec<StaffAccount>>;
    /// Puts copied accounts in as they are (`healthcode store copy`); one
    /// already there is kept.
    async fn import_staff_accounts(&self, accounts: &[StaffAccount]) -> StoreResult<()>;
    /// Writes `account` (every field) if the stored version is still
    /// `account.version`, bumping it, with `change` in the same transaction;
    /// `Conflict` when someone else wrote first (nothing is written).
    async fn update_staff(&self, account: &StaffAccount, change: StaffChange<'_>) -> StoreResult<()>;
}

/// On-site enrolments (issue 16 item 4).
#[async_trait]
pub trait EnrolmentStore: Send + Sync {
    /// Creates the person, their enrolment and its audit entry in one
    /// transaction; `Conflict` when the document is enrolled already, is on
    /// an account (a person who signed up by themselves gave it), or the
    /// contact belongs to an account (nothing is written).
    async fn create_enrolment(&self, resident: &Resident, enrolment: &Enrolment, audit: &AuditEntry)
    -> StoreResult<()>;
    /// Names the first declaration of an enrolment.
    async fn set_enrolment_report(&self, resident: ResidentId, report: ReportId) -> StoreResult<()>;
    async fn enrolment(&self, resident: ResidentId) -> StoreResult<Option<Enrolment>>;
    async fn enrolment_by_document(&self, document_key: &str) -> StoreResult<Option<Enrolment>>;
    /// The oldest account that holds this document (enrolled on site or
    /// given by the person on their own profile), if any.
    async fn resident_by_document(&self, identity: &Identity) -> StoreResult<Option<ResidentId>>;
    /// Uses up a sign-in link: the person it belongs to when it is live at
    /// `now` (then it is gone), `None` otherwise. Concurrent uses: one wins.
    async fn take_enrolment_link(&self, link_hash: &[u8; 32], now: Timestamp) -> StoreResult<Option<ResidentId>>;
    /// Every enrolment, by resident (for `store copy`).
    async fn enrolments(&self) -> StoreResult<Vec<Enrolment>>;
    /// Puts copied enrolments in as they are; one already there is kept.
    async fn import_enrolments(&self, enrolments: &[Enrolment]) -> StoreResult<()>;
}

/// Paper passes: each resident's current print number and window.
#[async_trait]
pub trait PaperPassStore: Send + Sync {
    /// The resident's current print while it is valid after `renew_at`;
    /// otherwise (none yet, or it ends by then) records `fresh` as the next
    /// print. Concurrent callers get the same print.
    async fn current_paper_pass(
        &self,
        resident: ResidentId,
        fresh: &PaperPassPrint,
        renew_at: Timestamp,
    ) -> StoreResult<PaperPassRecord>;
    /// Records `fresh` as the next print, revoking the current one.
    async fn reprint_paper_pass(&self, resident: ResidentId, fresh: &PaperPassPrint) -> StoreResult<PaperPassRecord>;
    /// The resident's current print, if any.
    async fn paper_pass(&self, resident: ResidentId) -> StoreResult<Option<PaperPassRecord>>;
    /// Holders whose current print is a reprint made at or after `since`
    /// (earlier prints of theirs may still be in their window), with its
    /// number: what an offline scanner needs to refuse the revoked ones.
    async fn reprinted_paper_passes(&self, since: Timestamp) -> StoreResult<Vec<(HolderId, u32)>>;
}
