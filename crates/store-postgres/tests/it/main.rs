//! The PostgreSQL backend against the shared storage contract, plus its own
//! checks (migrations, schema isolation, error hygiene). Every test needing a
//! database skips when `HEALTHCODE_TEST_PG` is unset.
#![allow(clippy::unwrap_used, clippy::expect_used)]

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
