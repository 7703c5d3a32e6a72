//! The trace reports staff pages were computed from, kept a short time: the
//! report page, its pages and drill-downs (`?venue=`), the apply
//! confirmation and `report.csv` read one computed report instead of tracing
//! again on every request (a busy case at scale S: ~1.2 s a trace).
//!
//! An entry is keyed by (case, depth); it is the report as traced at one
//! moment, used for [`TTL`] after it was computed and dropped at once by a
//! change that could alter it. The data version counts the changes this
//! server sees: a visit opened or closed (its own check-ins and check-outs,
//! and on PostgreSQL with the trace index on, every server's from the
//! store's feed) drops the reports whose window ends after that visit
//! began (a visit that began after a window's end was never read; a
//! check-out whose visit's start is unknown counts from a day before it,
//! the longest stay); anything else a report shows (a case recorded or
//! applied, notices sent, auto check-outs and retention passes this server
//! ran) drops them all. A report traced while a change happened is not kept.
//! Changes this server does not see (another server on the same PostgreSQL
//! without the trace index; rows written by another process) reach a page
//! within [`TTL`].
//!
//! Only reading uses it: applying a case always traces again
//! ([`crate::services::cases::apply`]), so a stale report is never applied.

use healthcode_domain::{CaseId, ResidentId, VenueId};
use jiff::{SignedDuration, Timestamp};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use crate::services::cases::{Depth, TraceReport};

/// How long a computed report is reused at most.
pub const TTL: SignedDuration = SignedDuration::from_secs(60);

/// Reports kept at most (each a whole trace; a busy one is tens of MB).
const CAPACITY: usize = 8;

/// A trace as the staff pages read it: the report, who among its contacts
/// already holds a notice, and the venues it names.
#[derive(Debug)]
pub struct ReadTrace {
    pub report: TraceReport,
    pub notified: HashSet<ResidentId>,
    pub venues: HashMap<VenueId, healthcode_store::Venue>,
    /// (reader, UTC day) whose look at this report is in the access log.
    logged: Mutex<HashSet<(String, i64)>>,
}

impl ReadTrace {
    pub fn new(
        report: TraceReport,
        notified: HashSet<ResidentId>,
        venues: HashMap<VenueId, healthcode_store::Venue>,
    ) -> Self {
        Self { report, notified, venues, logged: Mutex::default() }
    }

    /// Whether `reader`'s look on `day` is already logged for this report
    /// (the store would add nothing: one entry per person, reader and day).
    pub fn logged(&self, reader: &str, day: i64) -> bool {
        self.logged.lock().unwrap_or_else(PoisonError::into_inner).contains(&(reader.to_string(), day))
    }

    pub fn mark_logged(&self, reader: &str, day: i64) {
        self.logged.lock().unwrap_or_else(PoisonError::into_inner).insert((reader.to_string(), day));
    }
}

struct Entry {
    /// The end of the report's window: it read no visit that began later.
    window_end: Timestamp,
    at: Timestamp,
    read: Arc<ReadTrace>,
}

/// Changes remembered for reports being computed while they happen.
const RECENT_CHANGES: usize = 4_096;

#[derive(Default)]
struct Inner {
    version: u64,
    entries: HashMap<(CaseId, Depth), Entry>,
    /// The latest changes: (version after it, earliest start of a visit it touched).
    recent: VecDeque<(u64, Timestamp)>,
}

/// The kept reports and the data version.
#[derive(Default)]
pub struct TraceCache {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for TraceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceCache").field("version", &self.version()).finish_non_exhaustive()
    }
}

impl TraceCache {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Something any trace may read changed (a case recorded or applied,
    /// notices sent, old visits purged): no kept report is used again.
    pub fn changed(&self) {
        self.changed_from(Timestamp::MIN);
    }

    /// A visit that began at or after `began` was opened, closed or changed:
    /// the reports that could have read it (their window ends later) are
    /// dropped. A report whose window ended before `began` read no such visit.
    pub fn changed_from(&self, began: Timestamp) {
        let mut inner = self.inner();
        inner.version += 1;
        let version = inner.version;
        if inner.recent.len() >= RECENT_CHANGES {
            inner.recent.pop_front();
        }
        inner.recent.push_back((version, began));
        inner.entries.retain(|_, e| e.window_end <= began);
    }

    /// The data version; read it before tracing, and keep the report under it.
    pub fn version(&self) -> u64 {
        self.inner().version
    }

    /// The report kept for (case, depth), computed less than [`TTL`] before
    /// `now` and untouched by any change since.
    pub fn get(&self, case: CaseId, depth: Depth, now: Timestamp) -> Option<Arc<ReadTrace>> {
        let inner = self.inner();
        inner.entries.get(&(case, depth)).filter(|e| fresh(e.at, now)).map(|e| e.read.clone())
    }

    /// Keeps a report whose trace began at `version`, unless a change since
    /// then could have touched what it read (or too many changes happened
    /// to tell).
    pub fn put(&self, case: CaseId, depth: Depth, version: u64, now: Timestamp, read: Arc<ReadTrace>) {
        let window_end = read.report.window.1;
        let mut inner = self.inner();
        let remembered_from = inner.recent.front().map_or(inner.version, |(v, _)| v - 1);
        if version < remembered_from {
            return;
        }
        if inner.recent.iter().any(|(v, began)| *v > version && *began < window_end) {
            return;
        }
        inner.entries.retain(|_, e| fresh(e.at, now));
        if inner.entries.len() >= CAPACITY
            && let Some(oldest) = inner.entries.iter().min_by_key(|(_, e)| e.at).map(|(k, _)| *k)
        {
            inner.entries.remove(&oldest);
        }
        inner.entries.insert((case, depth), Entry { window_end, at: now, read });
    }
}

fn fresh(at: Timestamp, now: Timestamp) -> bool {
    at <= now && now.duration_since(at) < TTL
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::services::cases::TraceSource;
    use healthcode_domain::Case;
    use healthcode_domain::policy::CaseKind;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_795_000_000 + secs).unwrap()
    }

    /// A report on case `n` whose window ends at `t(end)`.
    fn read(n: u8, end: i64) -> Arc<ReadTrace> {
        let case = Case {
            id: CaseId::from_uuid(uuid::Uuid::from_bytes([n; 16])),
            resident: ResidentId::from_uuid(uuid::Uuid::from_bytes([n + 100; 16])),
            kind: CaseKind::parse("confirmed").unwrap(),
            onset: jiff::civil::date(2026, 11, 20),
            isolated_on: None,
            recorded_by: "anh".into(),
            recorded_at: t(0),
            applied_at: None,
        };
        let report = TraceReport {
            case,
            window: (t(-86_400), t(end)),
            case_visits: Vec::new(),
            case_attempts: Vec::new(),
            close: Vec::new(),
            secondary: Vec::new(),
            read_from: TraceSource::Store,
        };
        Arc::new(ReadTrace::new(report, HashSet::new(), HashMap::new()))
    }

    fn kept(cache: &TraceCache, r: &Arc<ReadTrace>, now: Timestamp) -> bool {
        cache.get(r.report.case.id, Depth::Secondary, now).is_some_and(|k| Arc::ptr_eq(&k, r))
    }

    #[test]
    fn a_report_is_kept_for_its_case_and_depth_until_the_ttl() {
        let cache = TraceCache::default();
        let r = read(1, 100);
        cache.put(r.report.case.id, Depth::Secondary, cache.version(), t(100), r.clone());
        assert!(kept(&cache, &r, t(100)));
        assert!(kept(&cache, &r, t(159)));
        assert!(!kept(&cache, &r, t(160)), "TTL");
        assert!(cache.get(r.report.case.id, Depth::Close, t(100)).is_none(), "another depth");
        assert!(!kept(&cache, &r, t(99)), "a clock gone back");
    }

    #[test]
    fn a_change_to_a_visit_the_report_could_have_read_drops_it() {
        let cache = TraceCache::default();
        let (early, late) = (read(1, 100), read(2, 200));
        for r in [&early, &late] {
            cache.put(r.report.case.id, Depth::Secondary, cache.version(), t(200), (*r).clone());
        }
        // A visit that began at t(150): after the early window ended, within the late one.
        cache.changed_from(t(150));
        assert!(kept(&cache, &early, t(201)), "a visit after the window was never read");
        assert!(!kept(&cache, &late, t(201)));
        cache.changed();
        assert!(!kept(&cache, &early, t(201)), "a case or notice change drops every report");
    }

    #[test]
    fn a_report_traced_while_something_it_read_changed_is_not_kept() {
        let cache = TraceCache::default();
        let r = read(1, 100);
        let before = cache.version();
        cache.changed_from(t(300)); // after the window: harmless
        cache.put(r.report.case.id, Depth::Secondary, before, t(100), r.clone());
        assert!(kept(&cache, &r, t(100)));

        let r = read(2, 100);
        let before = cache.version();
        cache.changed_from(t(50)); // inside the window, during the trace
        cache.put(r.report.case.id, Depth::Secondary, before, t(100), r.clone());
        assert!(!kept(&cache, &r, t(100)));

        let r = read(3, 100);
        let before = cache.version();
        for _ in 0..=RECENT_CHANGES {
            cache.changed_from(t(300));
        }
        cache.put(r.report.case.id, Depth::Secondary, before, t(100), r.clone());
        assert!(!kept(&cache, &r, t(100)), "too many changes to tell");
    }

    #[test]
    fn a_reader_is_logged_once_a_day_per_kept_report() {
        let r = read(1, 100);
        assert!(!r.logged("anh", 20_000));
        r.mark_logged("anh", 20_000);
        assert!(r.logged("anh", 20_000));
        assert!(!r.logged("binh", 20_000) && !r.logged("anh", 20_001));
    }
}
