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

#[tokio::test]
async fn a_schema_newer_than_the_binary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("healthcode.db");
    let store = SqliteStore::open_path(&path).await.unwrap();
    drop(store);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99999999, 'from the future', 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let err = SqliteStore::open_path(&path).await.unwrap_err().to_string();
    assert!(err.contains("newer than this healthcode binary"), "{err}");
}

#[tokio::test]
async fn backup_is_a_consistent_copy_that_opens_as_a_store() {
    use healthcode_store::{AccountStore, TransferStore};
    let (store, dir) = fresh().await;
    let batch: Vec<_> = (0..50u8)
        .map(|n| healthcode_store::ResidentBundle {
            resident: healthcode_store::Resident {
                id: healthcode_domain::ResidentId::from_bytes([n; 16]),
                holder: healthcode_domain::HolderId::from_bytes([n ^ 0x55; 16]),
                contact: healthcode_domain::Contact::parse(&format!("+86138000001{n:02}")).unwrap(),
                kind: healthcode_store::AccountKind::Resident,
                identity: None,
                created_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            },
            reports: vec![],
            status: None,
            changes: vec![],
        })
        .collect();
    store.import_residents(&batch).await.unwrap();
    let copy = dir.path().join("backup.db");
    store.backup_to(&copy).await.unwrap();
    assert!(store.backup_to(&copy).await.is_err(), "never overwrites");
    let restored = SqliteStore::open_path(&copy).await.unwrap();
    assert_eq!(restored.counts().await.unwrap().residents, 50);
    assert_eq!(restored.integrity_check().await.unwrap(), "ok");
}
