//! healthcode storage on PostgreSQL: [`PostgresStore`] implements every trait
//! of `healthcode-store` through sqlx, with its own `migrations/` run by
//! [`MIGRATOR`], tuned by [`PgSettings`]. [`testing`] gives tests a fresh,
//! throw-away schema per store.
//!
//! Ids are `uuid` (ordered bytewise, like the SQLite blobs), instants are
//! `timestamptz` sent in the binary protocol (exact to the microsecond),
//! JSON bodies are `jsonb`. `visits` and `passages` are partitioned by UTC
//! day (the `partitions` module creates a day's partition before its first
//! write; retention drops old days whole), and the one-open-visit rule lives
//! in the `open_visits` table. Writes run at the server's default isolation (READ
//! COMMITTED); the optimistic status version makes a report commit safe
//! without table locks. The SQL avoids triggers, advisory locks,
//! LISTEN/NOTIFY and stored procedures, so PostgreSQL-compatible distributed
//! databases can serve too; migrations therefore run without sqlx's advisory
//! lock and retry when another instance migrates at the same moment.

mod bulk;
mod bulk_load;
mod cluster;
mod partitions;
mod retention;
pub mod testing;
mod trace_reads;
mod visits;

use healthcode_store::{StoreError, StoreResult};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// The embedded migrations of this backend.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How many times `migrate` tries when another instance migrates concurrently.
const MIGRATE_ATTEMPTS: u32 = 5;

/// Connection-pool and session settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgSettings {
    pub max_connections: u32,
    /// Server-side limit for one statement (`statement_timeout`), unless the
    /// URL's `options` already set one.
    pub statement_timeout: Duration,
    /// How long a caller waits for a free connection.
    pub acquire_timeout: Duration,
    /// Announce every visit change with NOTIFY in the transaction that
    /// makes it, for the trace indexes of every server on the database
    /// (on when the trace index is).
    pub announce_visits: bool,
}

impl Default for PgSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            statement_timeout: Duration::from_secs(30),
            acquire_timeout: Duration::from_secs(10),
            announce_visits: false,
        }
    }
}

/// A PostgreSQL-backed store.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// Days whose partition of `visits` or `passages` is known to exist.
    partitions: std::sync::Arc<partitions::PartitionCache>,
    /// This process's job locks ([`cluster`]).
    leadership: std::sync::Arc<cluster::Leadership>,
    /// The channel of this schema's visit changes.
    channel: std::sync::Arc<str>,
    announce_visits: bool,
}

impl PostgresStore {
    /// Connects to a `postgres://` URL (TLS as its `sslmode` says, through
    /// rustls) and applies pending migrations. Errors name the host and
    /// database, never the password.
    pub async fn open(url: &str, settings: &PgSettings) -> StoreResult<Self> {
        // The parse error of the url crate never quotes the input.
        let mut options =
            PgConnectOptions::from_str(url).map_err(|e| StoreError::Other(format!("bad PostgreSQL URL: {e}")))?;
        let target = describe(&options);
        if !options.get_options().is_some_and(|o| o.contains("statement_timeout")) {
            let timeout = format!("{}ms", settings.statement_timeout.as_millis());
            options = options.options([("statement_timeout", timeout)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(settings.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Other(format!("connecting to PostgreSQL at {target}: {e}")))?;
        let schema: Option<String> = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&pool)
            .await
            .map_err(|e| StoreError::Other(format!("reading the schema at {target}: {e}")))?;
        let store = Self {
            pool,
            partitions: std::sync::Arc::default(),
            leadership: std::sync::Arc::default(),
            channel: cluster::channel_of(schema.as_deref().unwrap_or("public")).into(),
            announce_visits: settings.announce_visits,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies pending migrations (idempotent). Refuses a database that holds
    /// a migration this binary does not know.
    pub async fn migrate(&self) -> StoreResult<()> {
        let mut migrator = Migrator::with_migrations(MIGRATOR.iter().cloned().collect());
        migrator.set_locking(false);
        let mut attempt = 1;
        loop {
            match migrator.run(&self.pool).await {
                Ok(()) => return Ok(()),
                // Each migration commits atomically with its bookkeeping row,
                // so a concurrent migrator makes one side fail; trying again
                // finds the work done.
                Err(e @ (MigrateError::Execute(_) | MigrateError::ExecuteMigration(..)))
                    if attempt < MIGRATE_ATTEMPTS =>
                {
                    tracing::warn!(attempt, error = %e, "migrating PostgreSQL failed; retrying");
                    tokio::time::sleep(Duration::from_millis(250 * u64::from(attempt))).await;
                    attempt += 1;
                }
                Err(e) => return Err(migrate_error(e)),
            }
        }
    }

    /// Called before passages are written: creates the partitions of their
    /// days.
    async fn before_passages_write(&self, passages: &[healthcode_domain::Passage]) {
        self.partitions
            .ensure(&self.pool, partitions::Partitioned::Passages, passages.iter().map(|p| p.scanned_at))
            .await;
    }

    /// `/metrics` lines of this backend's own: none (its pool's workings
    /// are PostgreSQL's to report).
    fn backend_metrics(&self) -> String {
        String::new()
    }

    /// Sessions are read through the pool: a read is a round trip to the
    /// server whichever thread makes it.
    fn read_session_directly(
        &self,
        _token_hash: &[u8; 32],
        _now: jiff::Timestamp,
    ) -> Option<StoreResult<Option<healthcode_store::SessionRecord>>> {
        None
    }

    async fn write_tx(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(other("starting a write transaction"))
    }
}

/// `host:port/database` for messages, without user or password.
fn describe(options: &PgConnectOptions) -> String {
    let db = options.get_database().unwrap_or("(default database)");
    format!("{}:{}/{db}", options.get_host(), options.get_port())
}

use healthcode_store_sql::migrate_error;
pub(crate) use healthcode_store_sql::other;

/// The queries shared with the other backend, stamped for this one.
mod sql {
    healthcode_store_sql::shared_queries!(crate::PostgresStore, sqlx::Postgres);
}
