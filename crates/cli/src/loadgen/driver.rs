//! Runs the workers: open loop at a fixed rate (action `i` is due at
//! `start + i / rate`; a worker that falls behind starts the next due action
//! at once, and its latency still counts from the due time), or closed loop
//! as fast as the server answers. No action starts after the end of the
//! duration (due actions a saturated generator never reached are reported
//! as not started), and those in flight are waited for, so a run lasts at
//! most its duration plus one request timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::clock::now;
use super::flows::Target;
use super::plan::Pace;
use super::stats::Stats;

pub struct Outcome {
    pub stats: Stats,
    /// From the start to the last answer.
    pub elapsed: Duration,
    /// Actions due within the duration (open loop) or started (closed loop).
    pub actions: u64,
}

pub async fn drive(target: Arc<Target>, pace: Pace, duration: Duration, concurrency: u32) -> Outcome {
    let start = now();
    let end = start + duration;
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (target, next) = (target.clone(), next.clone());
        workers.spawn(async move {
            let mut stats = Stats::default();
            while let Some((i, due)) = next_action(&next, pace, start, end).await {
                target.step(i, due, &mut stats).await;
            }
            stats
        });
    }
    let mut stats = Stats::default();
    while let Some(done) = workers.join_next().await {
        match done {
            Ok(worker) => stats.merge(&worker),
            Err(e) => eprintln!("warning: a load worker failed: {e}"),
        }
    }
    let elapsed = now().saturating_duration_since(start);
    let actions = match pace {
        // Every action whose due time falls within the duration, reached or not (a saturated
        // generator's workers stop claiming numbers at the end, so the counter says less).
        Pace::Fixed { per_second } => (duration.as_secs_f64() * per_second).ceil() as u64,
        Pace::Max => stats.actions.count(),
    };
    Outcome { stats, elapsed, actions }
}

/// The next action's number and due time, or `None` once the run is over.
async fn next_action(next: &AtomicU64, pace: Pace, start: Instant, end: Instant) -> Option<(u64, Instant)> {
    match pace {
        Pace::Fixed { per_second } => {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let due = start + Duration::from_secs_f64(i as f64 / per_second);
            if due >= end || now() >= end {
                return None;
            }
            tokio::time::sleep_until(tokio::time::Instant::from_std(due)).await;
            Some((i, due))
        }
        Pace::Max => {
            let t = now();
            (t < end).then(|| (next.fetch_add(1, Ordering::Relaxed), t))
        }
    }
}
