//! The append-only, hash-chained audit log: who changed a colour, who looked
//! at personal data, who changed configuration. Each entry's hash covers the
//! previous entry's hash, so editing or removing any row breaks the chain
//! from that row on (`healthcode audit verify`).

use healthcode_store::{AuditRecord, Store, StoreError, StoreResult};
use jiff::Timestamp;
use ring::digest::{Context, SHA256};

use crate::error::ApiError;
use crate::state::AppState;

const MAX_ATTEMPTS: usize = 20;

fn field(ctx: &mut Context, bytes: &[u8]) {
    // Length-prefixed, so no two different entries hash the same input.
    ctx.update(&(bytes.len() as u64).to_be_bytes());
    ctx.update(bytes);
}

/// The hash of an entry: SHA-256 over the previous hash and every field.
pub fn entry_hash(
    prev: &[u8; 32],
    seq: i64,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> [u8; 32] {
    let mut ctx = Context::new(&SHA256);
    ctx.update(b"healthcode-audit-v1");
    field(&mut ctx, prev);
    field(&mut ctx, &seq.to_be_bytes());
    field(&mut ctx, &at.as_millisecond().to_be_bytes());
    for f in [actor, action, subject, detail] {
        field(&mut ctx, f.as_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// Appends an entry at the end of the chain (retrying when another writer
/// appended first).
pub async fn append(
    store: &dyn Store,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> StoreResult<AuditRecord> {
    let mut last_error = None;
    for _ in 0..MAX_ATTEMPTS {
        let tail = store.last_audit().await?;
        let (seq, prev_hash) = tail.map_or((1, [0u8; 32]), |t| (t.seq + 1, t.hash));
        let at = Timestamp::from_millisecond(at.as_millisecond()).unwrap_or(at);
        let entry = AuditRecord {
            seq,
            at,
            actor: actor.into(),
            action: action.into(),
            subject: subject.into(),
            detail: detail.into(),
            prev_hash,
            hash: entry_hash(&prev_hash, seq, at, actor, action, subject, detail),
        };
        match store.append_audit(&entry).await {
            Ok(()) => return Ok(entry),
            Err(StoreError::Conflict(e)) => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Other(format!("audit log busy: {}", last_error.unwrap_or_default())))
}

/// Records an action by a principal (`role:name`).
pub async fn record(state: &AppState, actor: &str, action: &str, subject: &str, detail: &str) -> Result<(), ApiError> {
    append(state.store.as_ref(), state.clock.now(), actor, action, subject, detail).await?;
    Ok(())
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
