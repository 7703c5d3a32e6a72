//! The append-only, hash-chained audit log: who changed a colour, who looked
//! at personal data, who changed configuration. Each entry's hash covers the
//! previous entry's hash, so editing or removing any row breaks the chain
//! from that row on (`healthcode audit verify`).

use healthcode_store::{AuditAction, AuditActor, AuditEntry, AuditRecord, Store, StoreResult};
use jiff::Timestamp;

use crate::error::ApiError;
use crate::state::AppState;

/// The hash of an entry (kept by the store, which chains the entries).
pub use healthcode_store::audit::entry_hash;

/// Appends an entry at the end of the chain. A change that has an entry of
/// its own (an override's decision, an appeal's answer, a case applied, an
/// application decided) passes it to the store method that makes the change
/// instead, so both commit together or neither does.
pub async fn append(store: &dyn Store, entry: &AuditEntry) -> StoreResult<AuditRecord> {
    store.append_audit_entry(entry).await
}

/// The entry for something an actor did now.
pub fn entry(state: &AppState, actor: AuditActor, action: AuditAction, subject: &str, detail: &str) -> AuditEntry {
    AuditEntry::new(state.clock.now(), actor, action, subject, detail)
}

/// Records an action by an actor, now.
pub async fn record(
    state: &AppState,
    actor: AuditActor,
    action: AuditAction,
    subject: &str,
    detail: &str,
) -> Result<(), ApiError> {
    append(state.store.as_ref(), &entry(state, actor, action, subject, detail)).await?;
    Ok(())
}

/// An entry at `at` (for jobs and commands that hold their own clock).
pub fn entry_at(at: Timestamp, actor: AuditActor, action: AuditAction, subject: &str, detail: &str) -> AuditEntry {
    AuditEntry::new(at, actor, action, subject, detail)
}

/// The first entry whose link is broken, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: &'static str,
}

/// Recomputes the chain; returns the number of entries, or the first broken link.
pub async fn verify_chain(store: &dyn Store) -> StoreResult<Result<u64, BrokenLink>> {
    let (mut expected_seq, mut prev) = (1i64, [0u8; 32]);
    let mut count = 0u64;
    loop {
        let page = store.audit_after(expected_seq - 1, 5_000).await?;
        if page.is_empty() {
            return Ok(Ok(count));
        }
        for e in page {
            if e.seq != expected_seq {
                return Ok(Err(BrokenLink { seq: expected_seq, reason: "an entry is missing" }));
            }
            if e.prev_hash != prev {
                return Ok(Err(BrokenLink { seq: e.seq, reason: "it does not point at the previous entry" }));
            }
            if entry_hash(&prev, e.seq, e.at, &e.actor, &e.action, &e.subject, &e.detail) != e.hash {
                return Ok(Err(BrokenLink { seq: e.seq, reason: "its content does not match its hash" }));
            }
            prev = e.hash;
            expected_seq += 1;
            count += 1;
        }
    }
}

/// Audit entries after the sequence number `after`, oldest first.
pub async fn after(state: &AppState, after: i64, limit: u32) -> Result<Vec<AuditRecord>, crate::error::ApiError> {
    Ok(state.store.audit_after(after, limit).await?)
}
