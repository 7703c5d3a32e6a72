//! The SQLite backend against the shared storage contract, plus its own checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use healthcode_store_sqlite::SqliteStore;
use tempfile::TempDir;

async fn fresh() -> (SqliteStore, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_path(&dir.path().join("healthcode.db")).await.unwrap();
    (store, dir)
}

/// A new database file with only the migrations before `version` applied
/// (a city that has not upgraded yet): its directory, path, URL and a
/// connection to it.
async fn city_before(version: i64) -> (TempDir, std::path::PathBuf, String, sqlx::SqliteConnection) {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("healthcode.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let migrations = healthcode_store_sqlite::MIGRATOR.iter().filter(|m| m.version < version).cloned().collect();
    sqlx::migrate::Migrator::with_migrations(migrations).run(&mut conn).await.unwrap();
    (dir, path, url, conn)
}

mod bulk_load;
mod compact_visits;
mod sessions_by_hash;

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

/// Rows as the first migration's schema holds them, written with plain SQL.
const V1_FIXTURES: &str = r#"
INSERT INTO residents (id, holder_id, contact, kind, name, document_type, document_number, district, created_at)
VALUES (x'01010101010101010101010101010101', x'fefefefefefefefefefefefefefefefe', '+8613800000001', 'resident',
        'Li Wei', 'national_id', '330102199001011234', '330102', 1793606400123);
INSERT INTO reports (id, resident_id, at, local_date, kind, symptoms, temperature_dc, body)
VALUES (x'02020202020202020202020202020202', x'01010101010101010101010101010101', 1793606700000, '2026-11-02',
        'declaration', 1, 381, '{"kind":"declaration","symptoms":["fever"],"temperature":381,"visited_regions":[],"contact_with_case":false,"travel_plan":"train to Hangzhou"}');
INSERT INTO health_status (resident_id, colour, since, basis_kind, rule_id, policy_version, q_required_days, q_streak,
                           q_started_on, q_last_counted_on, last_report_on, version)
VALUES (x'01010101010101010101010101010101', 'yellow', 1793606700000, 'rule', 'Y-FEVER', 'v1', 7, 0, '2026-11-02',
        NULL, '2026-11-02', 1);
INSERT INTO status_changes (resident_id, at, event, from_colour, to_colour, basis, evidence, actor)
VALUES (x'01010101010101010101010101010101', 1793606700000, 'initial', NULL, 'yellow',
        '{"kind":"rule","rule_id":"Y-FEVER","policy_version":"v1"}',
        '[{"kind":"report","report_id":"02020202-0202-0202-0202-020202020202","summary":"temperature 38.1 °C"}]',
        '{"kind":"resident","id":"01010101-0101-0101-0101-010101010101"}');
"#;

#[tokio::test]
async fn a_database_written_by_the_first_migration_upgrades_and_reads_back() {
    use healthcode_store::{AccountStore, HealthStore};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let first =
        sqlx::migrate::Migrator::with_migrations(healthcode_store_sqlite::MIGRATOR.iter().take(1).cloned().collect());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    first.run(&pool).await.unwrap();
    sqlx::raw_sql(V1_FIXTURES).execute(&pool).await.unwrap();
    pool.close().await;

    let store = SqliteStore::open_path(&path).await.unwrap();
    let id = healthcode_domain::ResidentId::from_bytes([1; 16]);
    let resident = store.resident(id).await.unwrap();
    assert_eq!(resident.identity.unwrap().document_number.last4(), "1234");
    assert_eq!(resident.created_at.as_millisecond(), 1_793_606_400_123);
    let status = store.status(id).await.unwrap().unwrap();
    assert_eq!((status.colour, status.version), (healthcode_domain::Colour::Yellow, 1));
    assert_eq!(status.quarantine.unwrap().required_days, 7);
    let history = store.status_history(id, 10).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].basis.rule_id(), Some("Y-FEVER"));
    let reports = store.reports(id, 10).await.unwrap();
    assert_eq!(reports[0].report.temperature().unwrap().tenths(), 381);
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}

#[tokio::test]
async fn an_audit_entry_that_cannot_be_written_undoes_its_change() {
    let (store, dir) = fresh().await;
    let pool =
        sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join("healthcode.db").display())).await.unwrap();
    sqlx::query("CREATE TRIGGER audit_down BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit down'); END")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    healthcode_store::contract::a_failing_audit_entry_undoes_its_change(&store).await;
}

/// Migration 0020 rebuilds `checkpoints` (SQLite cannot change a CHECK in
/// place): a post stored as `city_entry` becomes `other`, a station stays a
/// station, and the passages that point at them keep pointing at them.
#[tokio::test]
async fn checkpoints_before_0020_keep_their_passages_and_city_entry_becomes_other() {
    use healthcode_store::CheckpointStore;
    use healthcode_store_sqlite::MIGRATOR;
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("healthcode.db");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let before =
        sqlx::migrate::Migrator::with_migrations(MIGRATOR.iter().filter(|m| m.version < 20).cloned().collect());
    before.run(&mut conn).await.unwrap();
    sqlx::raw_sql(
        "PRAGMA foreign_keys = ON;
         INSERT INTO checkpoints (id, name, kind, district, location, created_at)
         VALUES (x'09090909090909090909090909090909', 'QL1A', 'city_entry', 'HN-THANH-TRI', 'km 9', 1800000000000),
                (x'08080808080808080808080808080808', 'Ga Hà Nội', 'station', 'HN-DONG-DA', 'hall', 1800000000000);
         INSERT INTO passages (id, checkpoint_id, holder_id, colour, verdict, reason, direction, scanned_at, officer, offline)
         VALUES (x'0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c', x'09090909090909090909090909090909', NULL, NULL, 'deny',
                 'CODE_UNREADABLE', 'in', 1800000001000, 'olga', 1);",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let store = SqliteStore::open_path(&path).await.unwrap();
    let kinds: Vec<(String, &str)> =
        store.checkpoints().await.unwrap().iter().map(|c| (c.name.clone(), c.kind.as_str())).collect();
    assert_eq!(kinds, vec![("Ga Hà Nội".to_string(), "station"), ("QL1A".to_string(), "other")]);
    assert!(store.checkpoints().await.unwrap().iter().all(|c| c.province.is_none()));
    let id = healthcode_domain::CheckpointId::from_bytes([9; 16]);
    let t = |s| jiff::Timestamp::from_second(s).unwrap();
    assert_eq!(store.passages(id, t(1_799_999_999), t(1_800_000_100), 10).await.unwrap().len(), 1);
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}

#[tokio::test]
async fn a_bulk_load_sets_indexes_aside_and_builds_them_again_as_they_were() {
    use healthcode_store::BulkLoadStore;
    let (store, dir) = fresh().await;
    let path = dir.path().join("healthcode.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    let schema = || async {
        let rows: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
                .fetch_all(&pool)
                .await
                .unwrap();
        rows
    };
    let before = schema().await;
    assert!(before.iter().any(|(n, _)| n == "visit_rows_venue_entered"));
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let load = store.begin_bulk_load("test", now).await.unwrap();
    let during = schema().await;
    for gone in
        ["visit_rows_venue_entered", "visit_rows_resident_entered", "reports_resident_at", "status_changes_resident"]
    {
        assert!(!during.iter().any(|(n, _)| n == gone), "{gone} is set aside during the load");
    }
    assert!(during.iter().any(|(n, _)| n == "visit_rows_one_open"), "unique indexes stay");
    load.finish().await.unwrap();
    assert_eq!(schema().await, before, "the same indexes, with the same definitions");
    assert_eq!(store.unfinished_bulk_load().await.unwrap(), None);
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}
