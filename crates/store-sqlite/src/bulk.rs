//! Bulk loading on SQLite (`healthcode demo`'s seeding; see
//! `healthcode_store::bulk`). Separate from the group-commit writer: a load
//! runs on a connection of its own, before the server takes any scan.
//!
//! What makes it fast, measured in docs/BENCHMARKS.md (issue 20, item 4):
//! - the non-unique indexes of `visit_rows`, `reports` and `status_changes` are
//!   dropped at the start and built again at the end, one sort each instead
//!   of a random B-tree insert per row (their statements are kept in the
//!   load's mark, so they come back exactly as the migrations made them);
//!   unique indexes and foreign keys stay, so every invariant is checked as
//!   the rows go in;
//! - visits go 500 rows a statement (5,000 parameters, under SQLite's 32,766),
//!   with the people's and venues' numbers (read once, at the first visits)
//!   instead of a lookup by 16-byte id for each,
//!   residents, reports, statuses and changes 1,000 rows a statement, each batch in one
//!   transaction;
//! - the load's connection has a 1 GiB page cache and `synchronous=NORMAL`:
//!   in WAL mode a commit then waits for no fsync and the file stays
//!   consistent on a crash or power loss (the last commits may be lost,
//!   which the mark covers); `finish` checkpoints, which syncs the file.
//!
//! A crash mid-load leaves the mark (written, with the index drops, in the
//! load's first transaction; removed, with the rebuilt indexes, in its last),
//! so the server refuses the file instead of serving a partial city.

use std::collections::HashMap;

use async_trait::async_trait;
use healthcode_domain::{ResidentId, VenueId, Visit};
use healthcode_store::{BulkLoad, BulkLoadStore, ResidentBundle, StoreError, StoreResult, UnfinishedLoad, Venue};
use jiff::Timestamp;
use sqlx::sqlite::SqliteSynchronous;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, SqliteConnection};

use crate::{SqliteStore, other, sql, visit_rows};

/// Tables whose non-unique indexes a load drops and builds again at its end.
const REBUILT: &str = "('visit_rows', 'reports', 'status_changes')";

/// Visits a statement: 10 parameters each.
const VISIT_ROWS: usize = 500;

/// The people's and the venues' numbers, by id.
#[derive(Default)]
struct Numbers {
    residents: HashMap<ResidentId, i64>,
    venues: HashMap<VenueId, i64>,
}

impl Numbers {
    async fn read(conn: &mut SqliteConnection) -> StoreResult<Self> {
        let residents: Vec<(Vec<u8>, i64)> = sqlx::query_as("SELECT id, no FROM residents")
            .fetch_all(&mut *conn)
            .await
            .map_err(other("reading the people's numbers"))?;
        let venues: Vec<(Vec<u8>, i64)> = sqlx::query_as("SELECT id, no FROM venues")
            .fetch_all(&mut *conn)
            .await
            .map_err(other("reading the venues' numbers"))?;
        let id = |b: &[u8]| <[u8; 16]>::try_from(b).map_err(|_| StoreError::Other("an id not 16 bytes".into()));
        Ok(Self {
            residents: residents
                .iter()
                .map(|(b, n)| Ok((ResidentId::from_bytes(id(b)?), *n)))
                .collect::<StoreResult<_>>()?,
            venues: venues.iter().map(|(b, n)| Ok((VenueId::from_bytes(id(b)?), *n))).collect::<StoreResult<_>>()?,
        })
    }

    fn of(&self, v: &Visit) -> StoreResult<(i64, i64)> {
        let resident = self
            .residents
            .get(&v.resident)
            .ok_or_else(|| StoreError::Other(format!("visit {}: no person {}", v.id, v.resident)))?;
        let venue = self
            .venues
            .get(&v.venue)
            .ok_or_else(|| StoreError::Other(format!("visit {}: no venue {}", v.id, v.venue)))?;
        Ok((*resident, *venue))
    }
}

struct SqliteLoad {
    conn: SqliteConnection,
    /// The statement for a full chunk of visits (prepared once, cached).
    full_chunk: String,
    /// Read at the first visits: every person and venue is in by then.
    numbers: Option<Numbers>,
}

async fn insert_visits(
    conn: &mut SqliteConnection,
    sql: String,
    chunk: &[Visit],
    numbers: &Numbers,
) -> StoreResult<()> {
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for v in chunk {
        let (resident, venue) = numbers.of(v)?;
        q = visit_rows::bind_by_numbers(q, v, resident, venue);
    }
    q.execute(&mut *conn).await.map_err(other("bulk-inserting visits"))?;
    Ok(())
}

#[async_trait]
impl BulkLoad for SqliteLoad {
    async fn residents(&mut self, batch: &[ResidentBundle]) -> StoreResult<()> {
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await.map_err(other("starting a bulk batch"))?;
        sql::accounts::import_bundles(&mut tx, batch).await?;
        tx.commit().await.map_err(other("committing a bulk batch of residents"))
    }

    async fn venues(&mut self, batch: &[Venue]) -> StoreResult<()> {
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await.map_err(other("starting a bulk batch"))?;
        for v in batch {
            sql::venues::insert_venue(&mut tx, v).await?;
        }
        tx.commit().await.map_err(other("committing a bulk batch of venues"))
    }

    async fn visits(&mut self, batch: &[Visit]) -> StoreResult<()> {
        if self.numbers.is_none() {
            self.numbers = Some(Numbers::read(&mut self.conn).await?);
        }
        let numbers = self.numbers.as_ref().unwrap_or_else(|| unreachable!("read just above"));
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await.map_err(other("starting a bulk batch"))?;
        for chunk in batch.chunks(VISIT_ROWS) {
            let sql = if chunk.len() == VISIT_ROWS {
                self.full_chunk.clone()
            } else {
                visit_rows::insert_statement(chunk.len(), visit_rows::ROW_BY_NUMBERS)
            };
            insert_visits(&mut tx, sql, chunk, numbers).await?;
        }
        tx.commit().await.map_err(other("committing a bulk batch of visits"))
    }

    async fn finish(mut self: Box<Self>) -> StoreResult<()> {
        let mut tx = self.conn.begin_with("BEGIN IMMEDIATE").await.map_err(other("starting to rebuild indexes"))?;
        for statement in sql::bulk::dropped_indexes(&mut tx).await? {
            sqlx::query(AssertSqlSafe(statement)).execute(&mut *tx).await.map_err(other("rebuilding an index"))?;
        }
        sql::bulk::unmark(&mut tx).await?;
        tx.commit().await.map_err(other("committing the rebuilt indexes"))?;
        // Into the main file, synced: the load is durable once this returns.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut self.conn)
            .await
            .map_err(other("checkpointing the bulk load"))?;
        self.conn.close().await.map_err(other("closing the bulk-load connection"))
    }
}

#[async_trait]
impl BulkLoadStore for SqliteStore {
    async fn begin_bulk_load(&self, what: &str, now: Timestamp) -> StoreResult<Box<dyn BulkLoad>> {
        let options = (*self.pool.connect_options())
            .clone()
            .synchronous(SqliteSynchronous::Normal)
            .pragma("cache_size", "-1048576");
        let mut conn = options.connect().await.map_err(other("opening the bulk-load connection"))?;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(other("starting a bulk load"))?;
        let indexes: Vec<(String, String)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN {REBUILT}
             AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name"
        )))
        .fetch_all(&mut *tx)
        .await
        .map_err(other("reading the indexes to set aside"))?;
        let statements: Vec<String> = indexes.iter().map(|(_, sql)| sql.clone()).collect();
        sql::bulk::mark(&mut tx, what, now, &statements).await?;
        for (name, _) in &indexes {
            sqlx::query(AssertSqlSafe(format!("DROP INDEX \"{}\"", name.replace('"', "\"\""))))
                .execute(&mut *tx)
                .await
                .map_err(other("setting an index aside"))?;
        }
        tx.commit().await.map_err(other("committing the start of a bulk load"))?;
        Ok(Box::new(SqliteLoad {
            conn,
            full_chunk: visit_rows::insert_statement(VISIT_ROWS, visit_rows::ROW_BY_NUMBERS),
            numbers: None,
        }))
    }

    async fn unfinished_bulk_load(&self) -> StoreResult<Option<UnfinishedLoad>> {
        sql::bulk::unfinished(&self.pool).await
    }
}
