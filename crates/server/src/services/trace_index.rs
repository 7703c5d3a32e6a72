//! The stay index traces read instead of the store ([`StayIndex`]): loaded
//! from the store when the server starts, then kept up to date by this
//! server's own check-ins and check-outs.
//!
//! On SQLite this server is the one writer of its visits. On PostgreSQL
//! (off unless `trace_index_days` is set, since each server holds a whole
//! copy) every server announces its visit changes with NOTIFY and each
//! index follows the store's feed of all of them ([`sync`] makes a trace
//! wait until everything committed before it has arrived). A trace uses the index only once it is loaded and
//! when it holds every stay the trace could read; otherwise the trace reads
//! the store, as it always could.
//!
//! Changes reach the index through a queue, so a check-in never waits for a
//! trace and never applies anything itself: a job applies the queue every
//! second, and a trace applies what is left before it reads.

use healthcode_domain::stays::{StayIndex, StayLoader};
use healthcode_domain::{ResidentId, Visit, VisitId};
use jiff::{SignedDuration, Timestamp};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use crate::error::ApiError;
use crate::state::AppState;

/// Venues per store read while loading.
const LOAD_VENUES_PER_READ: usize = 500;

/// A change the index has not applied yet.
#[derive(Debug, Clone)]
enum Change {
    Entered(Visit),
    Closed { resident: ResidentId, visit: VisitId, at: Timestamp },
}

#[derive(Debug)]
enum Held {
    /// Not in use (configured off).
    Off,
    /// Waiting to be loaded; changes queue meanwhile.
    Unloaded,
    Ready(Box<StayIndex>),
}

/// What the index is doing, for logs and `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexState {
    Off,
    Unloaded,
    Ready { stays: usize },
}

/// The server's stay index and its queue of changes.
#[derive(Debug)]
pub struct TraceIndex {
    days: u32,
    held: RwLock<Held>,
    queue: Mutex<Vec<Change>>,
    /// Set when a load begins: changes before it are in what the load
    /// reads, so only later ones need queueing (and a process that never
    /// loads queues nothing).
    queueing: AtomicBool,
    /// Loads begun so far; a load installs only if none begun after it has.
    loads: AtomicU64,
    installed: AtomicU64,
    /// Set when changes arrive from the store's feed of every server's
    /// writes (PostgreSQL): this server's own then come that way too.
    fed: AtomicBool,
    /// The feed lost changes: traces read the store until a reload.
    stale: AtomicBool,
    /// Markers this server sent down the feed, and the last one seen back.
    markers_sent: AtomicU64,
    marker_seen: tokio::sync::watch::Sender<u64>,
    /// This process's marker prefix (random), so servers tell theirs apart.
    marker_prefix: String,
}

impl TraceIndex {
    /// An index holding the last `days` days (0: off), not loaded yet.
    pub fn new(days: u32) -> Self {
        let held = if days == 0 { Held::Off } else { Held::Unloaded };
        Self {
            days,
            held: RwLock::new(held),
            queue: Mutex::new(Vec::new()),
            queueing: AtomicBool::new(false),
            loads: AtomicU64::new(0),
            installed: AtomicU64::new(0),
            fed: AtomicBool::new(false),
            stale: AtomicBool::new(false),
            markers_sent: AtomicU64::new(0),
            marker_seen: tokio::sync::watch::Sender::new(0),
            marker_prefix: format!(
                "{:08x}",
                crate::auth::session::random_bytes::<4>().map(u32::from_be_bytes).unwrap_or(0)
            ),
        }
    }

    /// How many days of stays it holds once loaded (0: off).
    pub fn days(&self) -> u32 {
        self.days
    }

    pub fn state(&self) -> IndexState {
        match &*self.held.read().unwrap_or_else(|e| e.into_inner()) {
            Held::Off => IndexState::Off,
            Held::Unloaded => IndexState::Unloaded,
            Held::Ready(index) => IndexState::Ready { stays: index.len() },
        }
    }

    /// A visit this server opened (committed).
    pub fn entered(&self, visit: &Visit) {
        if self.fed.load(Ordering::Acquire) {
            return;
        }
        self.push(Change::Entered(visit.clone()));
    }

    /// A visit this server closed (committed) at `at`.
    pub fn closed(&self, resident: ResidentId, visit: VisitId, at: Timestamp) {
        if self.fed.load(Ordering::Acquire) {
            return;
        }
        self.push(Change::Closed { resident, visit, at });
    }

    fn push(&self, change: Change) {
        if !self.queueing.load(Ordering::Acquire) {
            return;
        }
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).push(change);
    }

    fn apply_queue(&self, held: &mut Held) {
        let Held::Ready(index) = held else { return };
        let changes = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|e| e.into_inner()));
        for change in changes {
            match change {
                Change::Entered(visit) => {
                    index.insert(&visit);
                }
                Change::Closed { resident, visit, at } => {
                    index.close(resident, visit, at);
                }
            }
        }
    }

    /// Applies what is queued (a periodic job does it when nothing traces);
    /// with nothing queued, takes no lock on the index.
    pub fn catch_up(&self) {
        if self.queue.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
            return;
        }
        let mut held = self.held.write().unwrap_or_else(|e| e.into_inner());
        self.apply_queue(&mut held);
    }

    /// Runs `read` on the index when it is loaded and holds every stay that
    /// began at or after `from`; `None` otherwise (read the store instead).
    pub fn read<R>(&self, from: Timestamp, read: impl FnOnce(&StayIndex) -> R) -> Option<R> {
        if self.stale.load(Ordering::Acquire) {
            return None;
        }
        self.catch_up();
        let held = self.held.read().unwrap_or_else(|e| e.into_inner());
        match &*held {
            Held::Ready(index) if index.covers(from) => Some(read(index)),
            _ => None,
        }
    }

    /// Drops the stays that began more than `days` days before `now`, once
    /// a day's worth of them has gathered (a rebuild: counted from a new base).
    pub fn forget_old(&self, now: Timestamp) {
        let keep_from = now - SignedDuration::from_hours(24 * i64::from(self.days));
        let mut held = self.held.write().unwrap_or_else(|e| e.into_inner());
        self.apply_queue(&mut held);
        if let Held::Ready(index) = &mut *held
            && keep_from.duration_since(index.base()) >= SignedDuration::from_hours(24)
        {
            index.forget_before(keep_from);
        }
    }

    /// Stops using the index (a load failed): traces read the store.
    fn give_up(&self) {
        self.queueing.store(false, Ordering::Release);
        *self.held.write().unwrap_or_else(|e| e.into_inner()) = Held::Off;
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn install(&self, load: u64, index: StayIndex) {
        let mut held = self.held.write().unwrap_or_else(|e| e.into_inner());
        if matches!(*held, Held::Off) || self.installed.load(Ordering::Acquire) > load {
            return;
        }
        self.installed.store(load, Ordering::Release);
        *held = Held::Ready(Box::new(index));
        self.apply_queue(&mut held);
        self.stale.store(false, Ordering::Release);
    }
}

/// Loads the index from the store: every visit that began in the last
/// `days` days, read venue by venue (many venues per statement). Changes
/// queued meanwhile are applied on top (an entry read back is not held
/// twice). Returns how many stays it holds; 0 when the index is off.
pub async fn load(state: &AppState) -> Result<usize, ApiError> {
    let index = &state.trace_index;
    if index.days() == 0 {
        return Ok(0);
    }
    index.queueing.store(true, Ordering::Release);
    let this_load = index.loads.fetch_add(1, Ordering::AcqRel) + 1;
    let loaded = read_all(state).await;
    match loaded {
        Ok(loaded) => {
            let stays = loaded.len();
            let bytes = loaded.footprint();
            tracing::info!(
                stays,
                venue_logs = bytes.venue_logs,
                person_lists = bytes.person_lists,
                numbering = bytes.numbering,
                odd_ids = bytes.odd_ids,
                total = bytes.total(),
                "trace index built (bytes by part)"
            );
            index.install(this_load, loaded);
            Ok(stays)
        }
        Err(e) => {
            index.give_up();
            Err(e)
        }
    }
}

async fn read_all(state: &AppState) -> Result<StayIndex, ApiError> {
    let now = state.clock.now();
    let base = now - SignedDuration::from_hours(24 * i64::from(state.trace_index.days()));
    let mut loader = StayLoader::new(base);
    let mut after = None;
    loop {
        let venues = state.store.venues_after(after, 10_000).await?;
        let Some(last) = venues.last() else { break };
        after = Some(last.id);
        let ids: Vec<_> = venues.iter().map(|v| v.id).collect();
        for chunk in ids.chunks(LOAD_VENUES_PER_READ) {
            for visit in state.store.venues_visits_between(chunk, base, Timestamp::MAX).await? {
                loader.add(&visit);
            }
        }
    }
    // Sorting millions of entries: off the async workers.
    tokio::task::spawn_blocking(move || loader.finish())
        .await
        .map_err(|e| ApiError::internal(format!("sorting the trace index: {e}")))
}

/// Before a trace reads the index: on a store whose feed brings every
/// server's visit changes (PostgreSQL), sends a marker down the feed and
/// waits until it comes back, so every change committed before the trace
/// began (on any server) is queued. `false`: the index may miss some (the
/// trace reads the store). Without a feed, this server saw every change.
pub async fn sync(state: &AppState) -> bool {
    let index = &state.trace_index;
    if !index.fed.load(Ordering::Acquire) {
        return true;
    }
    if index.stale.load(Ordering::Acquire) {
        return false;
    }
    let n = index.markers_sent.fetch_add(1, Ordering::AcqRel) + 1;
    let mut seen = index.marker_seen.subscribe();
    if let Err(e) = state.store.mark_visit_feed(&format!("{}:{n}", index.marker_prefix)).await {
        tracing::warn!(error = %e, "could not mark the visit feed; this trace reads the store");
        return false;
    }
    let arrived = tokio::time::timeout(SYNC_WAIT, seen.wait_for(|seen| *seen >= n)).await;
    matches!(arrived, Ok(Ok(_)))
}

/// How long a trace waits for its marker before it reads the store instead.
const SYNC_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Follows the store's feed of every server's visit changes into the queue.
/// When the feed loses its connection (changes may be missing), traces read
/// the store until the index is loaded again, behind a marker that proves
/// the feed is listening once more.
async fn follow(state: AppState, mut feed: Box<dyn healthcode_store::VisitFeed>) {
    use healthcode_store::{FeedEvent, VisitChange};
    let index = state.trace_index.clone();
    let ours = format!("{}:", index.marker_prefix);
    let reload = format!("{}:reload", index.marker_prefix);
    let reloading = std::sync::Arc::new(AtomicBool::new(false));
    loop {
        match feed.next().await {
            Ok(FeedEvent::Change(VisitChange::Entered(visit))) => {
                state.trace_cache.changed_from(visit.entered_at);
                index.push(Change::Entered(visit));
            }
            Ok(FeedEvent::Change(VisitChange::Closed { resident, visit, at })) => {
                index.push(Change::Closed { resident, visit, at });
                state
                    .trace_cache
                    .changed_from(at.checked_sub(crate::services::cases::LONGEST_STAY).unwrap_or(Timestamp::MIN));
            }
            Ok(FeedEvent::Marker(marker)) if marker == reload => {
                if index.stale.load(Ordering::Acquire) && !reloading.swap(true, Ordering::AcqRel) {
                    let (state, reloading) = (state.clone(), reloading.clone());
                    tokio::spawn(async move {
                        match load(&state).await {
                            Ok(stays) => tracing::info!(stays, "trace index loaded again after the feed came back"),
                            Err(e) => tracing::error!(error = %e.message, "reloading the trace index failed"),
                        }
                        reloading.store(false, Ordering::Release);
                    });
                }
            }
            Ok(FeedEvent::Marker(marker)) => {
                if let Some(n) = marker.strip_prefix(&ours).and_then(|n| n.parse::<u64>().ok()) {
                    index.marker_seen.send_if_modified(|seen| {
                        let newer = n > *seen;
                        if newer {
                            *seen = n;
                        }
                        newer
                    });
                }
            }
            Ok(FeedEvent::Lost) | Err(_) => {
                if !index.stale.swap(true, Ordering::AcqRel) {
                    tracing::warn!("the visit feed lost its connection; traces read the store until the index reloads");
                    // The next `next` listens again; a marker seen after it proves it.
                    let (state, reload) = (state.clone(), reload.clone());
                    tokio::spawn(async move {
                        while state.trace_index.stale.load(Ordering::Acquire) {
                            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                            let _ = state.store.mark_visit_feed(&reload).await;
                        }
                    });
                }
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
        }
    }
}

/// Loads the index in the background, then keeps the queue applied and
/// the old days dropped. On a store with a feed of every server's visit
/// changes, listens first, so nothing committed after the load's reads is missed.
pub fn spawn(state: AppState) {
    if state.trace_index.days() == 0 {
        return;
    }
    tokio::spawn(async move {
        match state.store.visit_feed().await {
            Ok(None) => {}
            Ok(Some(feed)) => {
                state.trace_index.fed.store(true, Ordering::Release);
                tokio::spawn(follow(state.clone(), feed));
            }
            Err(e) => {
                tracing::error!(error = %e, "listening for other servers' visits failed; traces read the store");
                state.trace_index.give_up();
                return;
            }
        }
        #[allow(clippy::disallowed_methods)] // how long the load took, for the log
        let started = std::time::Instant::now();
        match load(&state).await {
            Ok(stays) => tracing::info!(
                stays,
                days = state.trace_index.days(),
                seconds = started.elapsed().as_secs_f64(),
                "trace index loaded"
            ),
            Err(e) => {
                tracing::error!(error = %e.message, "loading the trace index failed; traces read the store");
                return;
            }
        }
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        let mut ticks: u64 = 0;
        loop {
            tick.tick().await;
            ticks += 1;
            let index = state.clone();
            let now = state.clock.now();
            let hourly = ticks.is_multiple_of(3600);
            let _ = tokio::task::spawn_blocking(move || {
                if hourly {
                    index.trace_index.forget_old(now);
                } else {
                    index.trace_index.catch_up();
                }
            })
            .await;
        }
    });
}
