//! Migration 0036 (compact visit rows) on a city that already has visits:
//! every visit keeps its id, reads and writes find it, and new visits are
//! numbered.

use healthcode_domain::{ResidentId, VenueId, VisitId, VisitSource};
use healthcode_store::{ScanApplied, ScanRequest, StoreError, TransferStore, VisitStore};
use healthcode_store_sqlite::SqliteStore;
use sqlx::Connection;

const T0: i64 = 1_800_000_000_000;

/// A version-7-like id, as check-ins made before 0036 (ms first).
fn old_id(ms: i64, tail: u8) -> [u8; 16] {
    let mut b = [tail; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b
}

fn hex(b: [u8; 16]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test]
async fn visits_written_before_0036_keep_their_ids_and_new_ones_are_numbered() {
    let (_dir, path, url, mut conn) = crate::city_before(36).await;
    let (closed, open) = (old_id(T0, 0x71), old_id(T0 + 3_600_000, 0x72));
    let sql = format!(
        "PRAGMA foreign_keys = ON;
         INSERT INTO residents (id, holder_id, contact, kind, created_at)
         VALUES (x'{p}', x'{p}', '+8613800000001', 'resident', {T0});
         INSERT INTO venues (id, owner_phone, name, address, province, district, commune, category, max_stay_minutes,
                             state, token_generation, qr_token, created_at)
         VALUES (x'{a}', '+8613800000009', 'Cafe', '1 Road', 'HN', 'HN-1', 'C1', 'food', 240, 'open', 1, 't', {T0}),
                (x'{b}', '+8613800000009', 'Shop', '2 Road', 'HN', 'HN-1', 'C1', 'retail', 240, 'open', 1, 't', {T0});
         INSERT INTO visits (id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour)
         VALUES (x'{c}', x'{p}', x'{a}', {T0}, {T0} + 600000, 'scan', 'self_scan', 14400000, 'green'),
                (x'{o}', x'{p}', x'{b}', {T0} + 3600000, NULL, NULL, 'staff', 14400000, 'green');",
        p = hex([1; 16]),
        a = hex([0xa; 16]),
        b = hex([0xb; 16]),
        c = hex(closed),
        o = hex(open),
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();

    let store = SqliteStore::open_path(&path).await.unwrap();
    let person = ResidentId::from_bytes([1; 16]);
    let (closed, open) = (VisitId::from_bytes(closed), VisitId::from_bytes(open));
    let was_open = store.visit(open).await.unwrap();
    assert_eq!(
        (was_open.venue, was_open.exited_at, was_open.source),
        (VenueId::from_bytes([0xb; 16]), None, VisitSource::Staff)
    );
    assert_eq!(store.visit(closed).await.unwrap().exit_kind, Some(healthcode_domain::ExitKind::Scan));
    // The row numbers of the old visits do not name them.
    for n in 1..=2 {
        assert!(matches!(store.visit(VisitId::from_number(n).unwrap()).await, Err(StoreError::NotFound)));
    }

    // A green scan at the cafe closes the old open visit and opens a numbered one.
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO health_status (resident_id, colour, since, basis_kind, policy_version, version)
         VALUES (?, 'green', ?, 'declaration', 'test', 1)",
    )
    .bind(person.as_bytes().as_slice())
    .bind(T0)
    .execute(&pool)
    .await
    .unwrap();
    let at = jiff::Timestamp::from_millisecond(T0 + 7_200_000).unwrap();
    let request = ScanRequest {
        visit: VisitId::from_bytes([0x99; 16]),
        resident: person,
        venue: VenueId::from_bytes([0xa; 16]),
        at,
        source: VisitSource::SelfScan,
        max_stay: jiff::SignedDuration::from_mins(240),
        duplicate_window: jiff::SignedDuration::from_mins(5),
    };
    let ScanApplied::Done { visit: entered, .. } = store.scan(&request).await.unwrap() else { panic!("green enters") };
    assert_eq!(entered.id, VisitId::from_number(3).unwrap(), "numbered after the old rows");
    assert_eq!(store.visit(entered.id).await.unwrap(), entered);
    assert_eq!(store.visit(open).await.unwrap().exited_at, Some(at), "the old open visit was closed by the entry");

    // Id order: numbered ids first (their top bits are small), then the kept ones; page by page.
    let mut seen = Vec::new();
    let mut after = None;
    while let Some(v) = store.visits_after(after, 1).await.unwrap().pop() {
        after = Some(v.id);
        seen.push(v.id);
    }
    assert_eq!(seen, vec![entered.id, closed, open]);
    assert_eq!(store.last_venue_and_visit_ids().await.unwrap().1, Some(open));
    assert_eq!(store.resident_visits(person, 10).await.unwrap().len(), 3);

    // People and venues made after the migration get numbers too.
    let numbers: Vec<(i64,)> = sqlx::query_as("SELECT no FROM residents UNION ALL SELECT no FROM venues ORDER BY 1")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(numbers, vec![(1,), (1,), (2,)]);
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}
