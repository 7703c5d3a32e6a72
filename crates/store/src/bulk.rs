//! Bulk loading ([`BulkLoadStore`]): the demo's seeding of a synthetic city
//! into an empty store, fast. A load is marked in the database before its
//! first row and unmarked after its last index is rebuilt, so a load cut
//! short (a crash, ^C, a full disk) leaves a store that says so: the server
//! refuses to open it ([`BulkLoadStore::unfinished_bulk_load`]) rather than
//! serve a silently partial city. The data it leaves is the same, table for
//! table and index for index, as the one-row-at-a-time imports write.

use async_trait::async_trait;
use healthcode_domain::Visit;
use jiff::Timestamp;

use crate::error::StoreResult;
use crate::records::{ResidentBundle, Venue};

/// A load marked as begun and never finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfinishedLoad {
    /// What was being loaded (e.g. `demo city, seed 1, 1000000 residents`).
    pub what: String,
    pub started_at: Timestamp,
}

/// One load in progress. Each call writes its batch on a connection of its
/// own, in one transaction (or one `COPY`), or, on SQLite, in a transaction
/// that takes several batches: a batch that fails there rolls back those
/// before it since the last commit, and the load refuses every later call.
/// [`BulkLoad::finish`] rebuilds what the load set aside and removes the
/// mark. Dropping it unfinished leaves the mark, on purpose.
#[async_trait]
pub trait BulkLoad: Send {
    /// Residents with their history, as [`crate::AccountStore::import_residents`].
    async fn residents(&mut self, batch: &[ResidentBundle]) -> StoreResult<()>;
    /// Venues, as [`crate::VenueStore::create_venue`] one by one.
    async fn venues(&mut self, batch: &[Venue]) -> StoreResult<()>;
    /// Visits, as [`crate::VisitStore::import_visits`].
    async fn visits(&mut self, batch: &[Visit]) -> StoreResult<()>;
    /// Rebuilds the indexes set aside, checks the load, removes the mark.
    async fn finish(self: Box<Self>) -> StoreResult<()>;
}

#[async_trait]
pub trait BulkLoadStore: Send + Sync {
    /// Marks a load as begun (`Conflict` if one is already marked) and
    /// readies the store for it. Meant for an empty store: the seeding
    /// writes nothing else while the load runs.
    async fn begin_bulk_load(&self, what: &str, now: Timestamp) -> StoreResult<Box<dyn BulkLoad>>;
    /// The load marked as begun and never finished, if any.
    async fn unfinished_bulk_load(&self) -> StoreResult<Option<UnfinishedLoad>>;
}
