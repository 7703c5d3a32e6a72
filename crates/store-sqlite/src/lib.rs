//! healthcode storage on SQLite: [`SqliteStore`] implements every trait of
//! `healthcode-store` through sqlx, with its own `migrations/`; only the scan
//! writer's connection is a rusqlite one (`scan_batch`), driven from the
//! writer's thread with no hand-off per statement, and so are the few
//! read-only connections that read sessions on the caller's thread
//! (`session_reads`).
//!
//! The file runs in WAL mode with `synchronous=FULL` (an acknowledged write
//! survives a crash or power loss), foreign keys on, and every write in a
//! `BEGIN IMMEDIATE` transaction so concurrent writers queue instead of
//! failing mid-transaction. Check-ins and check-outs (`record_scan`) are
//! group-committed: one writer thread, on a connection of its own,
//! commits every scan waiting in one
//! transaction (a refused scan undone alone, see `scan_batch`), and
//! answers each once the commit is on disk: that connection commits with
//! `synchronous=NORMAL` and a thread of its own syncs the WAL file before
//! the batch's callers hear of it (`group_commit::sync_then_answer`).

mod bulk;
mod group_commit;
mod scan_batch;
mod session_reads;
mod trace_reads;
mod visit_rows;
mod visits;

use healthcode_store::{AccessRecord, StatCell};
use healthcode_store::{StoreError, StoreResult};
use jiff::civil::Date;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// The embedded migrations of this backend.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connections in the pool (one writer at a time; the rest read in parallel
/// thanks to WAL).
pub const POOL_SIZE: u32 = 3;

/// The WAL's length in pages past which a commit checkpoints it (see `open`).
const WAL_AUTOCHECKPOINT: u32 = 8000;

/// A SQLite-backed store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Scans go through one writer thread that commits them in groups.
    scans: group_commit::ScanWriter,
    /// Sessions are read on the caller's thread (none in memory: sqlx's
    /// shared-cache database would lock readers out while the writer writes).
    sessions: Option<std::sync::Arc<session_reads::SessionReads>>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite://` URL and
    /// applies pending migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Other(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // The commit that takes the WAL past `WAL_AUTOCHECKPOINT` pages (32 MiB, not
            // SQLite's 1,000) checkpoints it, on every connection alike (a
            // pooled connection with a lower threshold would checkpoint at
            // each of its commits once the scan writer's WAL passed it): a
            // checkpoint copies each page once however often the commits
            // since the last one rewrote it (the hot index pages), 16 % more
            // check-ins a second under wrk.
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT.to_string());
        let pool = SqlitePoolOptions::new()
            .max_connections(POOL_SIZE)
            .connect_with(options.clone())
            .await
            .map_err(other("opening SQLite database"))?;
        migrate(&pool).await?;
        // The scan writer's own connection, beside the pool, on the file
        // the pool opened (none: a shared in-memory database of sqlx's name).
        let file: String = sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(&pool)
            .await
            .map_err(other("finding the database file"))?;
        // With the WAL file (kept open by the connections from here on), the
        // scan writer's batches are synced by a thread of their own
        // (`group_commit::sync_then_answer`). None in memory.
        let (writer, wal, sessions) = if file.is_empty() {
            (scan_batch::connect(options.get_filename(), true, WAL_AUTOCHECKPOINT)?, None, None)
        } else {
            let path = Path::new(&file);
            let writer = scan_batch::connect(path, false, WAL_AUTOCHECKPOINT)?;
            let sessions = std::sync::Arc::new(session_reads::SessionReads::new(path));
            (writer, std::fs::File::open(format!("{file}-wal")).ok(), Some(sessions))
        };
        let scans = group_commit::ScanWriter::spawn(writer, wal)?;
        Ok(Self { pool, scans, sessions })
    }

    /// Opens the database file at `path`.
    pub async fn open_path(path: &Path) -> StoreResult<Self> {
        Self::open(&format!("sqlite://{}", path.display())).await
    }

    /// Applies pending migrations (idempotent).
    pub async fn migrate(&self) -> StoreResult<()> {
        migrate(&self.pool).await
    }

    /// Writes a consistent copy of the live database to `path` (which must
    /// not exist), without stopping writers: `VACUUM INTO`.
    pub async fn backup_to(&self, path: &Path) -> StoreResult<()> {
        if path.exists() {
            return Err(StoreError::Conflict(format!("{} already exists", path.display())));
        }
        let target = path.to_str().ok_or_else(|| StoreError::Other("backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO ?").bind(target).execute(&self.pool).await.map_err(other("writing the backup"))?;
        Ok(())
    }

    /// Runs `PRAGMA integrity_check` and returns its verdict (`ok` when sound).
    pub async fn integrity_check(&self) -> StoreResult<String> {
        sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&self.pool).await.map_err(other("integrity check"))
    }

    /// Called before passages are written: SQLite keeps one table, so there
    /// is nothing to prepare.
    async fn before_passages_write(&self, _passages: &[healthcode_domain::Passage]) {}

    /// Retention's first step: SQLite keeps one table per kind, so no whole
    /// day can be dropped; the shared purge deletes row by row.
    async fn drop_old_days(&self, _cutoff: jiff::Timestamp) -> StoreResult<healthcode_store::PurgeCounts> {
        Ok(healthcode_store::PurgeCounts::default())
    }

    /// Appends access records (one statement each; SQLite's statements are
    /// cheap inside one transaction).
    async fn insert_accesses(conn: &mut SqliteConnection, records: &[AccessRecord]) -> StoreResult<()> {
        sql::access_log::insert_each(conn, records).await
    }

    /// Writes a day's statistics cells.
    async fn insert_rollup_cells(conn: &mut SqliteConnection, day: Date, cells: &[StatCell]) -> StoreResult<()> {
        sql::stats::insert_cells_each(conn, day, cells).await
    }

    /// `/metrics` lines of this backend's own: the session reads that fell
    /// back to the pool (0 in memory, where every read goes there).
    fn backend_metrics(&self) -> String {
        let fallbacks = self.sessions.as_ref().map_or(0, |reads| reads.fallbacks());
        format!(
            "# HELP healthcode_session_read_fallbacks_total Session reads that failed on their own connection and went through the pool.\n\
             # TYPE healthcode_session_read_fallbacks_total counter\n\
             healthcode_session_read_fallbacks_total {fallbacks}\n"
        )
    }

    /// A session read on the caller's thread (`session_reads`); `None` in
    /// memory, or when the read failed for a reason of its connection.
    fn read_session_directly(
        &self,
        token_hash: &[u8; 32],
        now: jiff::Timestamp,
    ) -> Option<StoreResult<Option<healthcode_store::SessionRecord>>> {
        self.sessions.as_ref()?.session(token_hash, now)
    }

    async fn write_tx(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(other("starting a write transaction"))
    }
}

pub(crate) use healthcode_store_sql::other;

/// The queries shared with the other backend, stamped for this one.
mod sql {
    healthcode_store_sql::shared_queries!(crate::SqliteStore, sqlx::Sqlite);
}

/// One process owns the file (the group-commit writer and the in-memory
/// trace index and rate limits assume it), so every cluster default holds:
/// this process leads every job and sees every visit change itself.
impl healthcode_store::ClusterStore for SqliteStore {}

/// Applies pending migrations to the database behind `pool`.
async fn migrate(pool: &SqlitePool) -> StoreResult<()> {
    MIGRATOR.run(pool).await.map_err(healthcode_store_sql::migrate_error)
}
