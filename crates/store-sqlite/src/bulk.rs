//! Bulk loading on SQLite (`healthcode demo`'s seeding; see
//! `healthcode_store::bulk`). Separate from the group-commit writer: a load
//! runs on a connection of its own, before the server takes any scan.
//!
//! What makes it fast, measured in docs/BENCHMARKS.md (issue 20, item 4):
//! - the non-unique indexes of `visit_rows`, `reports` and `status_changes` are
//!   dropped at the start and built again at the end, one sort each (in
//!   pieces of [`SORT_CACHE_KIB`]) instead of a random B-tree insert per row
//!   (their statements are kept in the load's mark, so they come back
//!   exactly as the migrations made them);
//!   unique indexes and foreign keys stay, so every invariant is checked as
//!   the rows go in;
//! - visits go 500 rows a statement (5,000 parameters, under SQLite's 32,766),
//!   with the people's and venues' numbers (read once, at the first visits)
//!   instead of a lookup by 16-byte id for each,
//!   residents, reports, statuses and changes 1,000 rows a statement;
//! - the people are numbered here, as migration 0036's trigger numbers them
//!   (see [`insert_people`]), so the trigger's second write of each row is
//!   spared;
//! - a transaction takes [`ROWS_A_TRANSACTION`] rows, batch after batch,
//!   rather than one batch: a person's rows go into B-trees keyed by random
//!   ids, so every commit wrote most of those trees' pages again;
//! - the load's connection has a 1 GiB page cache and `synchronous=NORMAL`:
//!   in WAL mode a commit then waits for no fsync and the file stays
//!   consistent on a crash or power loss (the last commits may be lost,
//!   which the mark covers); `finish` checkpoints, which syncs the file.
//!
//! A crash mid-load leaves the mark (written, with the index drops, in the
//! load's first transaction; removed, with the rebuilt indexes, in its last),
//! so the server refuses the file instead of serving a partial city.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use async_trait::async_trait;
use healthcode_domain::{ResidentId, VenueId, Visit};
use healthcode_store::{
    BulkLoad, BulkLoadStore, Resident, ResidentBundle, StoreError, StoreResult, UnfinishedLoad, Venue,
};
use jiff::Timestamp;
use sqlx::sqlite::SqliteSynchronous;
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, SqliteConnection};

use crate::{SqliteStore, other, sql, visit_rows};

/// Tables whose non-unique indexes a load drops and builds again at its end.
const REBUILT: &str = "('visit_rows', 'reports', 'status_changes')";

/// Visits a statement: 10 parameters each.
const VISIT_ROWS: usize = 500;

/// The page cache, in KiB, while the indexes are rebuilt: SQLite sorts an
/// index's entries in pieces the size of the page cache, written aside and
/// merged. With the load's 1 GiB, the 14 million entries of a visit index
/// at M were one piece, sorted out of the CPU's caches; pieces of 4 MiB
/// took half the CPU (10.8 against 20.7 s for `visit_rows_venue_entered`,
/// sqlite3 shell; 1 MiB no less, `PRAGMA threads` no help on two cores).
const SORT_CACHE_KIB: i64 = 4_096;

/// Rows a transaction takes before it commits (the batch that reaches it
/// included). A commit writes every page the transaction changed to the WAL,
/// and the checkpoint writes them into the file: with a transaction a batch
/// (20,000 people), each of the 50 commits of an M city rewrote most of the
/// pages of the indexes on random ids, 25 GB written for a 2.4 GB file.
/// 5 million rows is an M city's people with their histories (4.6 million
/// rows, about 1 GB with the 1 GiB page cache of the load spilling little)
/// in one transaction, and its visits in three.
const ROWS_A_TRANSACTION: usize = 5_000_000;

/// Hashes an id by folding its bytes into a word. The ids are random
/// (version-4 shaped) and come from the store itself, so SipHash's guard
/// against chosen keys buys nothing here, and its lookups were 8 % of the
/// visits' phase (perf, scale S).
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
}

/// A number by id.
type ById<K> = HashMap<K, i64, BuildHasherDefault<IdHasher>>;

/// The people's and the venues' numbers, by id.
#[derive(Default)]
struct Numbers {
    residents: ById<ResidentId>,
    venues: ById<VenueId>,
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
    /// Rows written in the open transaction, if one is open.
    uncommitted: Option<usize>,
    /// Why a batch failed: its transaction (with the batches before it since
    /// the last commit) is rolled back, so the load cannot go on or finish.
    failed: Option<String>,
}

impl SqliteLoad {
    /// Opens a transaction unless one is open; refuses once a batch failed.
    async fn begin(&mut self) -> StoreResult<()> {
        if let Some(why) = &self.failed {
            return Err(StoreError::Other(format!("the bulk load failed earlier ({why})")));
        }
        if self.uncommitted.is_none() {
            sqlx::query("BEGIN IMMEDIATE").execute(&mut self.conn).await.map_err(other("starting a bulk batch"))?;
            self.uncommitted = Some(0);
        }
        Ok(())
    }

    /// Ends a batch of `rows` rows: commits once the transaction holds
    /// [`ROWS_A_TRANSACTION`] (or `commit` is asked), or rolls it back
    /// when the batch (or the commit) failed.
    async fn end(&mut self, done: StoreResult<()>, rows: usize, commit: bool) -> StoreResult<()> {
        let written = self.uncommitted.unwrap_or(0) + rows;
        let done = match done {
            Ok(()) if commit || written >= ROWS_A_TRANSACTION => sqlx::query("COMMIT")
                .execute(&mut self.conn)
                .await
                .map(|_| ())
                .map_err(other("committing a bulk batch")),
            Ok(()) => {
                self.uncommitted = Some(written);
                return Ok(());
            }
            Err(e) => Err(e),
        };
        if let Err(e) = &done {
            self.failed = Some(e.to_string());
            // Best effort: closing the connection rolls back as well.
            let _ = sqlx::query("ROLLBACK").execute(&mut self.conn).await;
        }
        self.uncommitted = None;
        done
    }
}

/// The people of a batch with their histories. The people are numbered here
/// as migration 0036's trigger numbers them, one after the highest number in
/// the order given, in the same transaction; a row that comes with its number
/// skips the trigger, whose `UPDATE` wrote each new row and its two number
/// indexes a second time (13.5 against 8.8 s of CPU for a million people,
/// measured with the sqlite3 shell). The columns are the shared insert's
/// (`sql::accounts`) and `no`; the seeding test compares the people both write.
async fn insert_people(conn: &mut SqliteConnection, batch: &[ResidentBundle]) -> StoreResult<()> {
    let last: i64 = sqlx::query_scalar("SELECT coalesce(max(no), 0) FROM residents")
        .fetch_one(&mut *conn)
        .await
        .map_err(other("reading the last person's number"))?;
    let numbered: Vec<(i64, &Resident)> = (last + 1..).zip(batch.iter().map(|b| &b.resident)).collect();
    for chunk in numbered.chunks(sql::health::ROWS_A_STATEMENT) {
        let columns = sql::accounts::INSERTED_COLUMNS;
        let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!("INSERT INTO residents ({columns}, no) "));
        query.push_values(chunk, |mut b, (no, r)| {
            sql::accounts::bind_resident(&mut b, r);
            b.push_bind(*no);
        });
        query.build().execute(&mut *conn).await.map_err(other("inserting residents"))?;
    }
    sql::accounts::import_histories(conn, batch).await
}

/// Rows a batch of people writes: each person, report, status and change.
fn rows_of(batch: &[ResidentBundle]) -> usize {
    batch.iter().map(|b| 1 + b.reports.len() + usize::from(b.status.is_some()) + b.changes.len()).sum()
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
        self.begin().await?;
        let done = insert_people(&mut self.conn, batch).await;
        self.end(done, rows_of(batch), false).await
    }

    async fn venues(&mut self, batch: &[Venue]) -> StoreResult<()> {
        self.begin().await?;
        let mut done = Ok(());
        for v in batch {
            done = sql::venues::insert_venue(&mut self.conn, v).await;
            if done.is_err() {
                break;
            }
        }
        self.end(done, batch.len(), false).await
    }

    async fn visits(&mut self, batch: &[Visit]) -> StoreResult<()> {
        self.begin().await?;
        if self.numbers.is_none() {
            let read = Numbers::read(&mut self.conn).await;
            match read {
                Ok(numbers) => self.numbers = Some(numbers),
                Err(e) => return self.end(Err(e), 0, false).await,
            }
        }
        let numbers = self.numbers.as_ref().unwrap_or_else(|| unreachable!("read just above"));
        let mut done = Ok(());
        for chunk in batch.chunks(VISIT_ROWS) {
            let sql = if chunk.len() == VISIT_ROWS {
                self.full_chunk.clone()
            } else {
                visit_rows::insert_statement(chunk.len(), visit_rows::ROW_BY_NUMBERS)
            };
            done = insert_visits(&mut self.conn, sql, chunk, numbers).await;
            if done.is_err() {
                break;
            }
        }
        self.end(done, batch.len(), false).await
    }

    async fn finish(mut self: Box<Self>) -> StoreResult<()> {
        self.begin().await?;
        self.end(Ok(()), 0, true).await?;
        sqlx::query(AssertSqlSafe(format!("PRAGMA cache_size = -{SORT_CACHE_KIB}")))
            .execute(&mut self.conn)
            .await
            .map_err(other("sizing the sorts of the indexes"))?;
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
            uncommitted: None,
            failed: None,
        }))
    }

    async fn unfinished_bulk_load(&self) -> StoreResult<Option<UnfinishedLoad>> {
        sql::bulk::unfinished(&self.pool).await
    }
}
