//! Several servers on one database ([`ClusterStore`]): which server runs a
//! periodic job, rate-limit buckets every server shares, and the visit
//! changes every server's trace index must see.
//!
//! SQLite is one process's file, so every default here is SQLite's answer:
//! this process leads every job, its in-memory buckets are the only ones,
//! and its own writes are all the visit changes there are. PostgreSQL
//! overrides each (advisory locks, a bucket table, LISTEN/NOTIFY).

use async_trait::async_trait;
use healthcode_domain::{ResidentId, Visit, VisitId};
use jiff::Timestamp;

use crate::StoreResult;

/// A token bucket shared by every server: `per_minute` tokens, refilled
/// evenly over a minute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedBucket {
    pub key: String,
    pub per_minute: u32,
}

/// A change to the visits any server made (committed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisitChange {
    Entered(Visit),
    Closed { resident: ResidentId, visit: VisitId, at: Timestamp },
}

/// What a [`VisitFeed`] hands over next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedEvent {
    Change(VisitChange),
    /// A marker sent with [`ClusterStore::mark_visit_feed`]: every change
    /// committed before it was sent has been handed over before it.
    Marker(String),
    /// The feed lost its connection: changes may be missing (it listens
    /// again on the next call).
    Lost,
}

/// Every server's visit changes in commit order.
#[async_trait]
pub trait VisitFeed: Send {
    async fn next(&mut self) -> StoreResult<FeedEvent>;
}

#[async_trait]
pub trait ClusterStore: Send + Sync {
    /// Whether this process may run `job` now. On PostgreSQL a session
    /// advisory lock per job, held by one server until its connection ends,
    /// so a job runs on one server per interval and moves to another when
    /// that server stops.
    async fn lead_job(&self, _job: &str) -> StoreResult<bool> {
        Ok(true)
    }

    /// Takes a token from every bucket, or none when one is empty:
    /// `Some(Ok(()))`, or `Some(Err(seconds until one is back))`. `None`:
    /// buckets are not shared (one process; keep them in memory).
    async fn take_shared_tokens(
        &self,
        _buckets: &[SharedBucket],
        _now: Timestamp,
    ) -> StoreResult<Option<Result<(), u64>>> {
        Ok(None)
    }

    /// Forgets shared buckets untouched since `before` (full again by then).
    async fn forget_idle_buckets(&self, _before: Timestamp) -> StoreResult<u64> {
        Ok(0)
    }

    /// A feed of every server's visit changes, when other processes may
    /// write visits (`None` on SQLite).
    async fn visit_feed(&self) -> StoreResult<Option<Box<dyn VisitFeed>>> {
        Ok(None)
    }

    /// Sends `marker` down every feed, after every change committed so far.
    async fn mark_visit_feed(&self, _marker: &str) -> StoreResult<()> {
        Ok(())
    }
}
