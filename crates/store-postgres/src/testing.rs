//! Test support: a fresh, isolated schema per test on one shared database.
//!
//! ```no_run
//! # async fn demo() -> healthcode_store::StoreResult<()> {
//! use healthcode_store_postgres::{PgSettings, PostgresStore, testing};
//! let Some(base) = testing::test_database_url() else { return Ok(()) };
//! let (url, _guard) = testing::fresh_schema(&base).await?;
//! let store = PostgresStore::open(&url, &PgSettings::default()).await?;
//! # drop(store);
//! # Ok(())
//! # }
//! ```

use healthcode_store::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The environment variable naming the test database.
pub const TEST_DATABASE_ENV: &str = "HEALTHCODE_TEST_PG";

/// The test database URL from `HEALTHCODE_TEST_PG`, if set and not empty.
pub fn test_database_url() -> Option<String> {
    std::env::var(TEST_DATABASE_ENV).ok().filter(|url| !url.trim().is_empty())
}

/// Creates a fresh schema on the database at `base_url` and returns a URL
/// that selects it (an `options=-c search_path=<schema>` query parameter),
/// usable by `PostgresStore::open` and by the `healthcode` binary's `--db`.
/// The schema is dropped when the guard drops.
pub async fn fresh_schema(base_url: &str) -> StoreResult<(String, SchemaGuard)> {
    let schema = format!("hc_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = PgConnection::connect(base_url)
        .await
        .map_err(|e| StoreError::Other(format!("connecting to the test database: {e}")))?;
    sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
        .execute(&mut conn)
        .await
        .map_err(|e| StoreError::Other(format!("creating test schema {schema}: {e}")))?;
    let _ = conn.close().await;
    let separator = if base_url.contains('?') { '&' } else { '?' };
    // The schema name is [a-z0-9_], so only the space and `=` need encoding.
    // A test's server runs background jobs on the test's runtime; when the
    // test ends in the middle of one (the retention pass starts at once), the
    // guard's blocking drop stops that runtime with the job's transaction
    // open, and DROP SCHEMA would wait for its locks forever. The server ends
    // such a session after 5 s, so the drop goes through.
    let url = format!(
        "{base_url}{separator}options=-c%20search_path%3D{schema}%20-c%20idle_in_transaction_session_timeout%3D5000"
    );
    Ok((url, SchemaGuard { base_url: base_url.to_owned(), schema }))
}

/// Runs a script of several statements (such as a `pg_dump`) on the database
/// at `url`, in one round trip of the simple query protocol.
pub async fn execute_script(url: &str, script: &str) -> StoreResult<()> {
    let mut conn = PgConnection::connect(url)
        .await
        .map_err(|e| StoreError::Other(format!("connecting to the test database: {e}")))?;
    sqlx::raw_sql(AssertSqlSafe(script.to_owned()))
        .execute(&mut conn)
        .await
        .map_err(|e| StoreError::Other(format!("running the script: {e}")))?;
    let _ = conn.close().await;
    Ok(())
}

/// Drops its schema (with everything in it) when dropped.
#[derive(Debug)]
pub struct SchemaGuard {
    base_url: String,
    schema: String,
}

impl SchemaGuard {
    /// The schema's name.
    pub fn schema(&self) -> &str {
        &self.schema
    }
}

impl Drop for SchemaGuard {
    /// Runs on its own thread and runtime, so it works inside or outside an
    /// async context; failures are logged and ignored.
    fn drop(&mut self) {
        let (url, schema) = (self.base_url.clone(), self.schema.clone());
        let dropper = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => return tracing::warn!(%schema, error = %e, "cannot drop test schema: no runtime"),
            };
            let dropped = runtime.block_on(async {
                let mut conn = PgConnection::connect(&url).await?;
                // A task of the finished test (say, a server's startup retention pass) may
                // hold locks in the schema in an open transaction, on a runtime that stays
                // blocked until this drop returns: waiting for it would wait forever. So
                // wait a little, then end the sessions holding locks there and drop again.
                sqlx::query("SET lock_timeout = '3s'").execute(&mut conn).await?;
                let drop_schema = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                if sqlx::query(AssertSqlSafe(drop_schema.clone())).execute(&mut conn).await.is_err() {
                    sqlx::query(
                        "SELECT pg_terminate_backend(l.pid) FROM pg_locks l
                         JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = $1 AND l.pid <> pg_backend_pid()",
                    )
                    .bind(&schema)
                    .execute(&mut conn)
                    .await?;
                    sqlx::query(AssertSqlSafe(drop_schema)).execute(&mut conn).await?;
                }
                conn.close().await
            });
            if let Err(e) = dropped {
                tracing::warn!(%schema, error = %e, "dropping test schema failed");
            }
        });
        if dropper.join().is_err() {
            tracing::warn!(schema = %self.schema, "dropping test schema panicked");
        }
    }
}
