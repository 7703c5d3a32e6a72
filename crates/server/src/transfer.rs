//! Moving a deployment between stores (`healthcode store copy`, `restore`):
//! residents with their whole history in batches (and their attached EU DCCs), then the other tables
//! (venues and their posters' entry codes, visits, checkpoints, the audit log, cases, statistics,
//! enterprises, staff accounts, on-site enrolments), then sessions, then a
//! check of row counts and a checksum per table on both sides.
//!
//! Each batch commits atomically and residents go in id order, so the target
//! always holds a prefix of the source: an interrupted copy resumes after the
//! target's last resident.

use healthcode_store::{ResidentBundle, Store, StoreError, StoreResult, TableCounts};
use ring::digest::{Context, SHA256};
use std::fmt::Write;

/// The bounds of every rolled-up day.
const FIRST_DAY: jiff::civil::Date = jiff::civil::date(1970, 1, 1);
const LAST_DAY: jiff::civil::Date = jiff::civil::date(9999, 12, 31);

/// Per-table SHA-256 over a canonical rendering of every record, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksums {
    pub residents: String,
    pub reports: String,
    pub statuses: String,
    pub status_changes: String,
    pub sessions: String,
    pub venues: String,
    pub visits: String,
    pub checkpoints: String,
    pub passages: String,
    pub cases: String,
    /// The daily statistics' rollups (they outlive the raw rows).
    pub statistics: String,
    /// Applications, rosters and gate scans.
    pub enterprises: String,
    /// Test results and false declarations.
    pub lab: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub residents_copied: u64,
    /// Residents already in the target from an interrupted run.
    pub resumed_after: u64,
    pub counts: TableCounts,
    pub checksums: Checksums,
}

#[derive(Debug, Clone, Copy)]
pub struct CopyProgress {
    pub done: u64,
    pub total: u64,
}

fn hex(ctx: Context) -> String {
    ctx.finish().as_ref().iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Reads a whole store in order and hashes each table.
pub async fn checksums(store: &dyn Store, batch: u32) -> StoreResult<Checksums> {
    let (mut residents, mut reports, mut statuses, mut changes, mut sessions) = (
        Context::new(&SHA256),
        Context::new(&SHA256),
        Context::new(&SHA256),
        Context::new(&SHA256),
        Context::new(&SHA256),
    );
    let mut after = None;
    loop {
        let ids = store.resident_ids_after(after, batch).await?;
        let Some(last) = ids.last().copied() else { break };
        for b in store.export_residents(&ids).await? {
            residents.update(format!("{:?}\n", b.resident).as_bytes());
            for r in &b.reports {
                reports.update(format!("{r:?}\n").as_bytes());
            }
            if let Some(s) = &b.status {
                statuses.update(format!("{s:?}\n").as_bytes());
            }
            for c in &b.changes {
                changes.update(format!("{c:?}\n").as_bytes());
            }
        }
        after = Some(last);
    }
    let mut after = None;
    loop {
        let page = store.sessions_after(after, batch).await?;
        let Some(last) = page.last().map(|s| s.token_hash) else { break };
        for s in &page {
            sessions.update(format!("{s:?}\n").as_bytes());
        }
        after = Some(last);
    }
    let (mut venues, mut visits) = (Context::new(&SHA256), Context::new(&SHA256));
    let mut after = None;
    loop {
        let page = store.venues_after(after, batch).await?;
        let Some(last) = page.last().map(|v| v.id) else { break };
        for v in &page {
            venues.update(format!("{v:?}\n").as_bytes());
        }
        after = Some(last);
    }
    let mut after = None;
    loop {
        let page = store.visits_after(after, batch).await?;
        let Some(last) = page.last().map(|v| v.id) else { break };
        for v in &page {
            visits.update(format!("{v:?}\n").as_bytes());
        }
        after = Some(last);
    }
    let (mut checkpoints, mut passages) = (Context::new(&SHA256), Context::new(&SHA256));
    for c in store.checkpoints().await? {
        checkpoints.update(format!("{c:?}\n").as_bytes());
    }
    let mut after = None;
    loop {
        let page = store.passages_after(after, batch).await?;
        let Some(last) = page.last().map(|p| p.id) else { break };
        for p in &page {
            passages.update(format!("{p:?}\n").as_bytes());
        }
        after = Some(last);
    }
    let mut cases = Context::new(&SHA256);
    cases.update(format!("{:?}", store.case_records().await?).as_bytes());
    let mut statistics = Context::new(&SHA256);
    for day in store.rolled_days(FIRST_DAY, LAST_DAY).await? {
        let mut cells = store.rollups(day, day).await?;
        cells.sort();
        statistics.update(format!("{day} {cells:?}\n").as_bytes());
    }
    let mut enterprises = Context::new(&SHA256);
    enterprises.update(format!("{:?}", store.enterprise_records().await?).as_bytes());
    let mut lab = Context::new(&SHA256);
    lab.update(format!("{:?}", store.lab_records().await?).as_bytes());
    Ok(Checksums {
        lab: hex(lab),
        enterprises: hex(enterprises),
        statistics: hex(statistics),
        cases: hex(cases),
        checkpoints: hex(checkpoints),
        passages: hex(passages),
        venues: hex(venues),
        visits: hex(visits),
        residents: hex(residents),
        reports: hex(reports),
        statuses: hex(statuses),
        status_changes: hex(changes),
        sessions: hex(sessions),
    })
}

/// Copies everything from `from` to `to`, resuming an interrupted copy, and
/// verifies counts and checksums. The target must be empty or a prefix of
/// the source left by an earlier run.
pub async fn copy_store(
    from: &dyn Store,
    to: &dyn Store,
    batch: u32,
    mut progress: impl FnMut(CopyProgress),
) -> StoreResult<CopyReport> {
    let total = from.counts().await?.residents;
    let mut after = to.last_resident_id().await?;
    let mut resumed_after = 0;
    if let Some(last) = after {
        let known = from.export_residents(&[last]).await;
        if !matches!(known, Ok(ref b) if b.len() == 1) {
            return Err(StoreError::Conflict(
                "the target store holds residents that are not in the source: copy only into an empty store".into(),
            ));
        }
        resumed_after = to.counts().await?.residents;
    }
    let mut done = resumed_after;
    progress(CopyProgress { done, total });
    loop {
        let ids = from.resident_ids_after(after, batch).await?;
        let Some(last) = ids.last().copied() else { break };
        let bundles: Vec<ResidentBundle> = from.export_residents(&ids).await?;
        to.import_residents(&bundles).await?;
        done += ids.len() as u64;
        after = Some(last);
        progress(CopyProgress { done, total });
    }
    // Attached EU DCCs, resident by resident over every source resident
    // (idempotent: a certificate already attached in the target is kept), so
    // a resumed copy misses none.
    let mut after_dcc = None;
    loop {
        let ids = from.resident_ids_after(after_dcc, batch).await?;
        let Some(last) = ids.last().copied() else { break };
        for id in &ids {
            for attachment in from.dcc_attachments_of(*id).await? {
                to.attach_dcc(&attachment).await?;
            }
        }
        after_dcc = Some(last);
    }
    // Venues, then visits (they refer to residents and venues), each resumed
    // after the target's last id.
    let (mut after_venue, mut after_visit) = to.last_venue_and_visit_ids().await?;
    loop {
        let page = from.venues_after(after_venue, batch).await?;
        let Some(last) = page.last().map(|v| v.id) else { break };
        for venue in &page {
            to.create_venue(venue).await?;
        }
        after_venue = Some(last);
    }
    loop {
        let page = from.visits_after(after_visit, batch).await?;
        let Some(last) = page.last().map(|v| v.id) else { break };
        to.import_visits(&page).await?;
        after_visit = Some(last);
    }
    // Attempted entries at venues (one taken id is skipped), and the entry codes
    // printed on the posters still accepted (the current QR generation's and
    // the one before), venue by venue over every source venue, so a resumed
    // copy misses none. When a code was made is not kept: the copy is marked
    // as of the epoch.
    let (since, until) = (jiff::Timestamp::UNIX_EPOCH, jiff::Timestamp::MAX);
    let mut after_attempts = None;
    loop {
        let page = from.venues_after(after_attempts, batch).await?;
        let Some(last) = page.last().map(|v| v.id) else { break };
        for venue in &page {
            for attempt in from.venue_attempts(venue.id, since, until, u32::MAX).await? {
                match to.record_attempt(&attempt).await {
                    Ok(()) | Err(StoreError::Conflict(_)) => {} // copied before this run
                    Err(e) => return Err(e),
                }
            }
            let generations = venue.token_generation.checked_sub(1).into_iter().chain([venue.token_generation]);
            for generation in generations {
                let Some(code) = from.venue_entry_code(venue.id, generation).await? else { continue };
                match to.create_venue_entry_code(&code, venue.id, generation, jiff::Timestamp::UNIX_EPOCH).await {
                    Ok(()) | Err(StoreError::Conflict(_)) => {} // copied before this run
                    Err(e) => return Err(e),
                }
            }
        }
        after_attempts = Some(last);
    }
    // Checkpoints (few) and passages (idempotent by id).
    for checkpoint in from.checkpoints().await? {
        match to.checkpoint(checkpoint.id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => to.create_checkpoint(&checkpoint).await?,
            Err(e) => return Err(e),
        }
    }
    let mut after_passage = None;
    loop {
        let page = from.passages_after(after_passage, batch).await?;
        let Some(last) = page.last().map(|p| p.id) else { break };
        to.record_passages(&page).await?;
        after_passage = Some(last);
    }
    // The audit log, entry by entry with its own hashes, after the target's tail.
    let mut after_audit = to.last_audit().await?.map_or(0, |e| e.seq);
    loop {
        let page = from.audit_after(after_audit, batch).await?;
        let Some(last) = page.last().map(|e| e.seq) else { break };
        for entry in &page {
            to.append_audit(entry).await?;
        }
        after_audit = last;
    }
    // Cases, notices and exposure sites (small; idempotent).
    to.import_case_records(&from.case_records().await?).await?;
    // The statistics' rollups, a day at a time (replacing: idempotent): the
    // figures of days whose raw rows retention has deleted live only there.
    for day in from.rolled_days(FIRST_DAY, LAST_DAY).await? {
        // When the source rolled it up is not kept: the copy is marked as of the epoch.
        to.put_rollup(day, &from.rollups(day, day).await?, jiff::Timestamp::UNIX_EPOCH).await?;
    }
    // Applications, rosters and gate scans (after residents; idempotent).
    to.import_enterprise_records(&from.enterprise_records().await?).await?;
    // Test results and false declarations (after residents and cases; idempotent).
    to.import_lab_records(&from.lab_records().await?).await?;
    // Staff accounts as they are (state, password hash, sealed second factor,
    // version), and on-site enrolments (after residents); both idempotent.
    // Their sessions come with the sessions below, so a move keeps people
    // signed in. The sealed seeds open only with the source's seal key
    // (`keys/staff-seal.key`): move the data directory's `keys/` with them.
    let staff = from.staff_accounts().await?;
    to.import_staff_accounts(&staff).await?;
    if to.staff_accounts().await? != staff {
        return Err(StoreError::Other("staff accounts differ after the copy".into()));
    }
    let enrolments = from.enrolments().await?;
    to.import_enrolments(&enrolments).await?;
    if to.enrolments().await? != enrolments {
        return Err(StoreError::Other("enrolments differ after the copy".into()));
    }
    let mut after_session = None;
    loop {
        let page = from.sessions_after(after_session, batch).await?;
        let Some(last) = page.last().map(|s| s.token_hash) else { break };
        to.import_sessions(&page).await?;
        after_session = Some(last);
    }
    let (source_counts, target_counts) = (from.counts().await?, to.counts().await?);
    if source_counts != target_counts {
        return Err(StoreError::Other(format!(
            "row counts differ after the copy: source {source_counts:?}, target {target_counts:?}"
        )));
    }
    let (source_sums, target_sums) = (checksums(from, batch).await?, checksums(to, batch).await?);
    if source_sums != target_sums {
        return Err(StoreError::Other(format!(
            "checksums differ after the copy: source {source_sums:?}, target {target_sums:?}"
        )));
    }
    Ok(CopyReport {
        residents_copied: done - resumed_after,
        resumed_after,
        counts: target_counts,
        checksums: target_sums,
    })
}
