//! The SQL both storage backends share: every query written once, with `$N`
//! placeholders (sqlx accepts them on SQLite too), over backend-neutral
//! column values ([`Time`], [`Day`], `Uuid`, `Json`, `bool`; see [`value`]).
//!
//! The store traits are implemented in each backend crate (Rust's orphan rule
//! wants the impl next to `SqliteStore` / `PostgresStore`), so the shared code
//! is stamped there by one macro, [`shared_queries!`]: each area of the store
//! (outbox, overrides, …) is a `macro_rules!` in its own file here, whose body
//! is ordinary Rust naming four aliases the stamp defines — `Store` (the
//! backend's store type), `Db` (`sqlx::Sqlite` or `sqlx::Postgres`), `Row`
//! and `Conn`. A backend crate writes
//!
//! ```ignore
//! mod sql {
//!     healthcode_store_sql::shared_queries!(crate::SqliteStore, sqlx::Sqlite);
//! }
//! ```
//!
//! and provides, on its store type, a `pool` field and a `write_tx()` method
//! (SQLite begins `IMMEDIATE`). What really differs stays in the backend
//! crates: connection setup, migrations, SQLite's group commit, PostgreSQL's
//! partitions and bulk `UNNEST` writes, retention, batch trace reads.
//! Where one statement needs a different spelling per backend, [`Dialect`]
//! holds the two snippets.

pub mod stored;
pub mod trace_reads;
pub mod value;

mod access_log;
mod accounts;
mod alarms;
mod appeals;
mod audit;
mod auth;
mod bulk;
mod cases;
mod checkpoints;
mod dcc;
mod enrolments;
mod enterprises;
mod health;
mod lab;
mod lists;
mod outbox;
mod overrides;
mod paper_passes;
mod peer_lists;
mod retention;
mod risk_areas;
mod staff;
mod stats;
mod transfer;
mod venues;
mod visits;

use healthcode_domain::{Colour, ResidentId};
use healthcode_store::{StoreError, StoreResult};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::de::DeserializeOwned;
use sqlx::types::Json;
use sqlx::{ColumnIndex, Decode, Row, Type};
use uuid::Uuid;

pub use auth::{SESSION_BY_HASH, SessionColumns};
pub use trace_reads::{TRACE_CHUNK, TRACE_COLUMNS, TraceKey, unreadable};
pub use value::{Day, Time};

/// A failed migration as `StoreError`; a schema newer than this binary
/// (a migration it does not know) says to upgrade the binary.
pub fn migrate_error(e: sqlx::migrate::MigrateError) -> StoreError {
    match e {
        sqlx::migrate::MigrateError::VersionMissing(version) => StoreError::Other(format!(
            "the database schema is newer than this healthcode binary (migration {version} is unknown); \
             upgrade the binary"
        )),
        e => StoreError::Other(format!("migrating: {e}")),
    }
}

/// Maps a sqlx error to `StoreError`, keeping the cause for the logs.
/// Unique violations are conflicts; so are PostgreSQL's serialization
/// failures and deadlocks, which a retry resolves like any other lost race.
pub fn other(context: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(format!("{context}: {}", db.message()))
        }
        sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("40001" | "40P01")) => {
            StoreError::Conflict(format!("{context}: concurrent write: {}", db.message()))
        }
        _ => StoreError::Other(format!("{context}: {e}")),
    }
}

/// How many times a transaction that appends to the audit log is tried
/// when other writers keep taking the log's next place first.
pub const AUDIT_ATTEMPTS: usize = 20;

/// The error after [`AUDIT_ATTEMPTS`] lost races for the audit log's end.
pub fn audit_busy() -> StoreError {
    StoreError::Other("audit log busy: other writers kept appending first".into())
}

/// A stored value that does not read back as its type.
pub fn corrupt(what: String) -> StoreError {
    StoreError::Other(format!("stored value unreadable: {what}"))
}

/// A type one backend decodes from a column, for any row lifetime.
pub trait Column<DB: sqlx::Database>: for<'r> Decode<'r, DB> + Type<DB> {}
impl<DB: sqlx::Database, T: for<'r> Decode<'r, DB> + Type<DB>> Column<DB> for T {}

/// Column `col` of `row`, or an "unreadable" error naming it. (Stamped code
/// calls it as `get::<T>(row, col)`, through a wrapper for its own `Row`.)
pub fn column<'r, R, T>(row: &'r R, col: &str) -> StoreResult<T>
where
    R: Row,
    T: Decode<'r, R::Database> + Type<R::Database>,
    for<'c> &'c str: ColumnIndex<R>,
{
    row.try_get(col).map_err(|e| corrupt(format!("column {col}: {e}")))
}

pub fn ts<R>(row: &R, col: &str) -> StoreResult<Timestamp>
where
    R: Row,
    Time: Column<R::Database>,
    for<'c> &'c str: ColumnIndex<R>,
{
    column::<R, Time>(row, col).map(|t| t.0)
}

pub fn opt_ts<R>(row: &R, col: &str) -> StoreResult<Option<Timestamp>>
where
    R: Row,
    Time: Column<R::Database>,
    for<'c> &'c str: ColumnIndex<R>,
{
    column::<R, Option<Time>>(row, col).map(|t| t.map(|t| t.0))
}

pub fn date<R>(row: &R, col: &str) -> StoreResult<Date>
where
    R: Row,
    Day: Column<R::Database>,
    for<'c> &'c str: ColumnIndex<R>,
{
    column::<R, Day>(row, col).map(|d| d.0)
}

pub fn opt_date<R>(row: &R, col: &str) -> StoreResult<Option<Date>>
where
    R: Row,
    Day: Column<R::Database>,
    for<'c> &'c str: ColumnIndex<R>,
{
    column::<R, Option<Day>>(row, col).map(|d| d.map(|d| d.0))
}

pub fn from_json<R, T>(row: &R, col: &str) -> StoreResult<T>
where
    R: Row,
    T: DeserializeOwned,
    Json<T>: Column<R::Database>,
    for<'c> &'c str: ColumnIndex<R>,
{
    column::<R, Json<T>>(row, col).map(|j| j.0)
}

pub fn resident_id<R>(row: &R, col: &str) -> StoreResult<ResidentId>
where
    R: Row,
    Uuid: Column<R::Database>,
    for<'c> &'c str: ColumnIndex<R>,
{
    column::<R, Uuid>(row, col).map(ResidentId::from_uuid)
}

pub fn colour(s: &str) -> StoreResult<Colour> {
    s.parse().map_err(|_| corrupt(format!("colour {s}")))
}

/// The few snippets of SQL whose spelling differs between the backends.
pub trait Dialect {
    /// The backend's name, as `Store::backend` answers.
    const BACKEND: &'static str;
    /// The column that orders the access log as written (it has no key).
    const ACCESS_LOG_ORDER: &'static str;
    /// The spelling of the shared statistics statement
    /// (`healthcode_store::stats_sql`, which numbers its own placeholders).
    const STATS: healthcode_store::stats_sql::Dialect;
    /// Begins a transaction whose reads all see one snapshot (for exports).
    const BEGIN_SNAPSHOT: &'static str;
    /// The table visits are written to (on SQLite, `visits` is a view of the
    /// compact `visit_rows`).
    const VISIT_TABLE: &'static str;
    /// The open visit of person `$1` (none, or one row of `visits`), through
    /// the backend's one-open-visit key.
    const OPEN_VISIT: &'static str;
}

impl Dialect for sqlx::Sqlite {
    const BACKEND: &'static str = "sqlite";
    const ACCESS_LOG_ORDER: &'static str = "rowid";
    const STATS: healthcode_store::stats_sql::Dialect = healthcode_store::stats_sql::Dialect::Sqlite;
    // A deferred transaction reads from one WAL snapshot from its first read.
    const BEGIN_SNAPSHOT: &'static str = "BEGIN";
    const VISIT_TABLE: &'static str = "visit_rows";
    const OPEN_VISIT: &'static str = "(SELECT * FROM visits
        WHERE resident_no = (SELECT no FROM residents WHERE id = $1) AND exited_at IS NULL)";
}

impl Dialect for sqlx::Postgres {
    const BACKEND: &'static str = "postgres";
    const ACCESS_LOG_ORDER: &'static str = "seq";
    const STATS: healthcode_store::stats_sql::Dialect = healthcode_store::stats_sql::Dialect::Postgres;
    const BEGIN_SNAPSHOT: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
    const VISIT_TABLE: &'static str = "visits";
    const OPEN_VISIT: &'static str = "(SELECT v.* FROM open_visits ov
        JOIN visits v ON v.id = ov.visit_id AND v.entered_at = ov.entered_at WHERE ov.resident_id = $1)";
}

/// Names the stamped code uses; not an API.
#[doc(hidden)]
pub mod __private {
    pub use crate::stored;
    pub use crate::{
        AUDIT_ATTEMPTS, Day, Dialect, TRACE_CHUNK, Time, TraceKey, audit_busy, colour, column, corrupt, date,
        from_json, opt_date, opt_ts, other, resident_id, ts,
    };
    pub use async_trait::async_trait;
    pub use healthcode_domain as domain;
    pub use healthcode_store as store;
    pub use jiff;
    pub use serde_json;
    pub use sqlx;
    pub use sqlx::types::Json;
    pub use uuid::{self, Uuid};
}

/// Opens a stamped module: the shared names and the four aliases.
#[doc(hidden)]
#[macro_export]
macro_rules! __prelude {
    ($Store:path, $Db:ty) => {
        #[allow(unused_imports)]
        use $crate::__private::*;
        #[allow(dead_code)]
        type Store = $Store;
        #[allow(dead_code)]
        type Db = $Db;
        #[allow(dead_code)]
        type Row = <$Db as $crate::__private::sqlx::Database>::Row;
        #[allow(dead_code)]
        type Conn = <$Db as $crate::__private::sqlx::Database>::Connection;

        /// Column `col` of `row`, or an "unreadable" error naming it.
        #[allow(dead_code)]
        fn get<'r, T>(row: &'r Row, col: &str) -> $crate::__private::store::StoreResult<T>
        where
            T: $crate::__private::sqlx::Decode<'r, Db> + $crate::__private::sqlx::Type<Db>,
        {
            $crate::column(row, col)
        }
    };
}

/// Stamps every shared area of the store for one backend: the trait impls
/// and the `pub(crate)` helpers the backend's own code reuses (as
/// `sql::<area>::<name>`).
#[macro_export]
macro_rules! shared_queries {
    ($Store:path, $Db:ty) => {
        $crate::__store!($Store, $Db);
        $crate::__outbox!($Store, $Db);
        $crate::__trace_reads!($Store, $Db);
        $crate::__retention!($Store, $Db);
        $crate::__visits!($Store, $Db);
        $crate::__transfer!($Store, $Db);
        $crate::__stats!($Store, $Db);
        $crate::__access_log!($Store, $Db);
        $crate::__checkpoints!($Store, $Db);
        $crate::__health!($Store, $Db);
        $crate::__auth!($Store, $Db);
        $crate::__accounts!($Store, $Db);
        $crate::__enterprises!($Store, $Db);
        $crate::__cases!($Store, $Db);
        $crate::__audit!($Store, $Db);
        $crate::__alarms!($Store, $Db);
        $crate::__venues!($Store, $Db);
        $crate::__appeals!($Store, $Db);
        $crate::__overrides!($Store, $Db);
        $crate::__risk_areas!($Store, $Db);
        $crate::__peer_lists!($Store, $Db);
        $crate::__staff!($Store, $Db);
        $crate::__lab!($Store, $Db);
        $crate::__paper_passes!($Store, $Db);
        $crate::__enrolments!($Store, $Db);
        $crate::__dcc!($Store, $Db);
        $crate::__bulk!($Store, $Db);
        $crate::__lists!($Store, $Db);
    };
}

/// The union trait itself: the backend's name and a liveness check.
#[doc(hidden)]
#[macro_export]
macro_rules! __store {
    ($Store:path, $Db:ty) => {
        mod store_impl {
            $crate::__prelude!($Store, $Db);

            #[async_trait]
            impl store::Store for Store {
                fn backend(&self) -> &'static str {
                    <Db as Dialect>::BACKEND
                }

                async fn ping(&self) -> store::StoreResult<()> {
                    sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ()).map_err(other("ping"))
                }

                fn metrics(&self) -> String {
                    self.backend_metrics()
                }
            }
        }
    };
}
