//! SQLite's bulk load: people numbered as the trigger numbers them, and a
//! load whose batch failed neither goes on nor finishes.

use healthcode_domain::{Contact, HolderId, ResidentId};
use healthcode_store::{AccountKind, AccountStore, BulkLoadStore, Resident, ResidentBundle, StoreError};

use crate::fresh;

fn person(n: u8) -> Resident {
    Resident {
        id: ResidentId::from_bytes([n; 16]),
        holder: HolderId::from_bytes([n.wrapping_add(100); 16]),
        contact: Contact::parse(&format!("+86138000000{n:02}")).unwrap(),
        kind: AccountKind::Resident,
        identity: None,
        created_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
    }
}

fn bundle(resident: Resident) -> ResidentBundle {
    ResidentBundle { resident, reports: vec![], status: None, changes: vec![] }
}

async fn numbers(dir: &tempfile::TempDir) -> Vec<(Vec<u8>, i64)> {
    let path = dir.path().join("healthcode.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let rows = sqlx::query_as("SELECT id, no FROM residents ORDER BY rowid").fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows
}

#[tokio::test]
async fn a_bulk_load_numbers_people_as_the_trigger_does() {
    let (store, dir) = fresh().await;
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    store.create_resident(&person(1)).await.unwrap();
    let mut load = store.begin_bulk_load("test", now).await.unwrap();
    load.residents(&[bundle(person(2)), bundle(person(3))]).await.unwrap();
    load.residents(&[bundle(person(4))]).await.unwrap();
    load.finish().await.unwrap();
    store.create_resident(&person(5)).await.unwrap();
    let expected: Vec<(Vec<u8>, i64)> = (1..=5u8).map(|n| (vec![n; 16], i64::from(n))).collect();
    assert_eq!(numbers(&dir).await, expected, "one after the highest, in the order written");
}

#[tokio::test]
async fn a_bulk_load_whose_batch_failed_keeps_its_mark_and_cannot_finish() {
    let (store, _dir) = fresh().await;
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let mut load = store.begin_bulk_load("test", now).await.unwrap();
    load.residents(&[bundle(person(1)), bundle(person(2))]).await.unwrap();
    // Person 1's id again: the unique key is checked as the rows go in.
    let twin = Resident { holder: HolderId::from_bytes([99; 16]), contact: person(9).contact, ..person(1) };
    assert!(load.residents(&[bundle(person(3)), bundle(twin)]).await.is_err(), "a taken id is refused");
    assert!(load.residents(&[bundle(person(4))]).await.is_err(), "nothing goes in after a failed batch");
    assert!(load.finish().await.is_err(), "nor does the load finish");
    let mark = store.unfinished_bulk_load().await.unwrap();
    assert_eq!(mark.map(|m| m.what), Some("test".to_owned()), "the mark stays");
    // The failed batch's transaction held the batches before it.
    assert!(matches!(store.resident(person(1).id).await, Err(StoreError::NotFound)));
}
