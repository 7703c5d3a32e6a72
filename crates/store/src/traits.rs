//! The storage traits, one per area, and their union [`Store`].

use async_trait::async_trait;
use healthcode_domain::{Contact, HealthStatus, HolderId, ResidentId, StatusChange};
use jiff::Timestamp;

use crate::error::StoreResult;
use crate::records::{
    OtpChallenge, OutboxMessage, ReportCommit, Resident, ResidentBundle, SessionRecord, StoredReport, TableCounts,
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
    async fn counts(&self) -> StoreResult<TableCounts>;
}

/// Everything the server needs from storage.
#[async_trait]
pub trait Store: AccountStore + HealthStore + AuthStore + OutboxStore + TransferStore {
    /// Which backend this is (`sqlite`, `postgres`), for logs and `/healthz`.
    fn backend(&self) -> &'static str;
    /// A cheap round trip, for `/healthz`.
    async fn ping(&self) -> StoreResult<()>;
}
