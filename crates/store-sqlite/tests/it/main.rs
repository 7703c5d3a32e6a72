//! The SQLite backend against the shared storage contract, plus its own checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use healthcode_store_sqlite::SqliteStore;
use tempfile::TempDir;

async fn fresh() -> (SqliteStore, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_path(&dir.path().join("healthcode.db")).await.unwrap();
    (store, dir)
}

healthcode_store::contract_tests!(fresh());

#[tokio::test]
async fn reopening_keeps_data_and_migrations_are_idempotent() {
    use healthcode_store::{AccountKind, AccountStore, Resident};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("healthcode.db");
    let store = SqliteStore::open_path(&path).await.unwrap();
    let r = Resident {
        id: healthcode_domain::ResidentId::from_bytes([1; 16]),
        holder: healthcode_domain::HolderId::from_bytes([2; 16]),
        contact: healthcode_domain::Contact::parse("+8613800000001").unwrap(),
        kind: AccountKind::Resident,
        identity: None,
        created_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
    };
    store.create_resident(&r).await.unwrap();
    drop(store);
    let again = SqliteStore::open_path(&path).await.unwrap();
    again.migrate().await.unwrap();
    assert_eq!(again.resident(r.id).await.unwrap(), r);
    assert_eq!(again.integrity_check().await.unwrap(), "ok");
}
