//! Retention: check-ins, declarations and passages older than the period
//! (default 28 days) are deleted; the audit log keeps the fact, with counts
//! only. One testable step, run hourly by the server and by hand with
//! `healthcode purge [--dry-run]`.

use healthcode_store::{PurgeCounts, PurgeMode, Store, StoreResult};
use jiff::{SignedDuration, Timestamp};

pub const DEFAULT_RETENTION: SignedDuration = SignedDuration::from_hours(24 * 28);

/// One pass: deletes (or counts) what is older than `retention` at `now`.
pub async fn purge_once(
    store: &dyn Store,
    now: Timestamp,
    retention: SignedDuration,
    mode: PurgeMode,
) -> StoreResult<PurgeCounts> {
    let cutoff = now.checked_sub(retention).unwrap_or(Timestamp::MIN);
    let counts = store.purge_before(cutoff, mode).await?;
    if mode == PurgeMode::Delete && counts != PurgeCounts::default() {
        let detail = format!(
            "visits={} reports={} passages={} attempts={} before {cutoff}",
            counts.visits, counts.reports, counts.passages, counts.attempts
        );
        let entry = crate::services::audit::entry_at(
            now,
            healthcode_store::AuditActor::System,
            healthcode_store::AuditAction::RetentionPurged,
            "",
            &detail,
        );
        crate::services::audit::append(store, &entry).await?;
    }
    Ok(counts)
}
