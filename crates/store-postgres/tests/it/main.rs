//! The PostgreSQL backend against the shared storage contract, plus its own
//! checks (migrations, schema isolation, error hygiene). Every test needing a
//! database skips when `HEALTHCODE_TEST_PG` is unset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cluster;
mod migrations;
mod partitions;

use healthcode_store_postgres::testing::{SchemaGuard, fresh_schema, test_database_url};
use healthcode_store_postgres::{PgSettings, PostgresStore};

/// The base URL, or `None` after printing the skip notice.
fn database_or_skip() -> Option<String> {
    let url = test_database_url();
    if url.is_none() {
        eprintln!("skipped: HEALTHCODE_TEST_PG not set");
    }
    url
}

/// A store on a fresh schema of the test database.
async fn fresh(base: String) -> (PostgresStore, SchemaGuard) {
    let (url, guard) = fresh_schema(&base).await.unwrap();
    let store = PostgresStore::open(&url, &PgSettings::default()).await.unwrap();
    (store, guard)
}

// The macro awaits this block inside each generated test, so the `return`
// ends that test early: a skip without a list of test names to keep in step.
healthcode_store::contract_tests!({
    let Some(base) = database_or_skip() else { return };
    fresh(base)
});

#[tokio::test]
async fn an_audit_entry_that_cannot_be_written_undoes_its_change() {
    let Some(base) = database_or_skip() else { return };
    let (url, _guard) = fresh_schema(&base).await.unwrap();
    let store = PostgresStore::open(&url, &PgSettings::default()).await.unwrap();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    // Test-only: the schema itself has no functions or triggers.
    sqlx::raw_sql(
        "CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit down'; END $$;
         CREATE TRIGGER audit_down BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_down();",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    healthcode_store::contract::a_failing_audit_entry_undoes_its_change(&store).await;
}
