//! Retention on PostgreSQL: the same city (~1M visits and 280k passages over
//! 28 days) in two fresh schemas, one as the schema was before partitioning
//! (every migration up to 0013, purged with the old row-by-row DELETEs) and
//! one partitioned (purged by `purge_before`), then 14 days purged in each.
//!
//! ```sh
//! cargo run -p healthcode-store-postgres --example partition_retention -- postgres://hc:hc@127.0.0.1:5432/hc_part_demo
//! ```
//!
//! Prints load and purge times, rows purged, and bytes per visit (all
//! relations of the visits table or its partitions, indexes included) before
//! and after the purge.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)] // a benchmark: timings printed

use std::time::Instant;

use healthcode_domain::{
    CheckpointId, Colour, Direction, ExitKind, Passage, ResidentId, VenueId, Verdict, Visit, VisitId, VisitSource,
};
use healthcode_store::{CheckpointStore, PurgeMode, RetentionStore, VisitStore};
use healthcode_store_postgres::testing::fresh_schema;
use healthcode_store_postgres::{MIGRATOR, PgSettings, PostgresStore};
use jiff::{SignedDuration, Timestamp};
use sqlx::migrate::Migrator;
use sqlx::{Connection, PgConnection};

const DAYS: i64 = 28;
const VISITS: i64 = 1_000_000;
const PASSAGES: i64 = 280_000;
const START: &str = "2026-10-01T00:00:00Z";

/// Residents, venues and a checkpoint.
const PEOPLE: &str = r#"
INSERT INTO residents (id, holder_id, contact, kind, name, document_type, document_number, district, created_at)
SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, gen_random_uuid(),
       '+8613' || lpad(n::text, 9, '0'), 'resident', NULL, NULL, NULL, NULL, '2026-09-01 00:00:00+00'
FROM generate_series(1, 50000) n;
INSERT INTO venues (id, owner_phone, name, address, province, district, commune, category, capacity,
                    max_stay_minutes, state, token_generation, previous_generation_until, qr_token, created_at)
SELECT ('00000000-0000-4000-9000-' || lpad(to_hex(n), 12, '0'))::uuid, '+84912' || lpad(n::text, 6, '0'),
       'Venue ' || n, 'Street ' || n, 'VN-HN', 'HN-HOAN-KIEM', 'Hàng Bạc', 'restaurant', 40, 240, 'open', 0,
       NULL, 'token-' || n, '2026-09-01 00:00:00+00'
FROM generate_series(1, 2000) n;
INSERT INTO checkpoints (id, name, kind, district, location, created_at)
VALUES ('00000000-0000-4000-a000-000000000001', 'QL1A', 'city_entry', 'HN-THANH-TRI', 'highway',
        '2026-09-01 00:00:00+00');
"#;

/// Visits and passages spread evenly over 28 days; every visit is closed
/// after 45 minutes except the last 500 (open on the last day).
const ROWS: &str = r#"
INSERT INTO visits (id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour)
SELECT gen_random_uuid(),
       ('00000000-0000-4000-8000-' || lpad(to_hex(1 + n % 50000), 12, '0'))::uuid,
       ('00000000-0000-4000-9000-' || lpad(to_hex(1 + (n::bigint * 7919) % 2000), 12, '0'))::uuid,
       t, CASE WHEN n <= 999500 THEN t + interval '45 minutes' END, CASE WHEN n <= 999500 THEN 'scan' END,
       'self_scan', 14400000, 'green'
FROM (SELECT n, timestamptz '2026-10-01 00:00:00+00' + (n - 1) * (interval '28 days' / 1000000) AS t
      FROM generate_series(1, 1000000) n) s;
INSERT INTO passages (id, checkpoint_id, holder_id, colour, verdict, reason, direction, scanned_at, officer, offline)
SELECT gen_random_uuid(), '00000000-0000-4000-a000-000000000001', gen_random_uuid(), 'green', 'allow',
       'CODE_VALID', 'in', timestamptz '2026-10-01 00:00:00+00' + (n - 1) * (interval '28 days' / 280000),
       'olga', FALSE
FROM generate_series(1, 280000) n;
"#;

/// The purge as it was before partitioning: one transaction, row by row.
async fn old_purge(conn: &mut PgConnection, cutoff: Timestamp) -> u64 {
    let mut tx = conn.begin().await.unwrap();
    let mut purged = 0;
    for sql in [
        "DELETE FROM visits WHERE exited_at IS NOT NULL AND exited_at < $1::text::timestamptz",
        "DELETE FROM reports WHERE at < $1::text::timestamptz",
        "DELETE FROM passages WHERE scanned_at < $1::text::timestamptz",
    ] {
        purged += sqlx::query(sql).bind(cutoff.to_string()).execute(&mut *tx).await.unwrap().rows_affected();
    }
    tx.commit().await.unwrap();
    purged
}

/// Bytes of every relation of the visits table (its partitions included) per visit.
const VISIT_BYTES: &str = "
SELECT (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
        WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
          AND (c.relname = 'visits' OR c.relname LIKE 'visits\\_%'))::float8
       / (SELECT count(*) FROM visits)";

/// How many single-visit transactions the write cost is measured on.
const SINGLE_WRITES: u32 = 2_000;

/// A closed visit on the last day by resident `n`, with a fresh id.
fn late_visit(start: Timestamp, n: u32) -> Visit {
    let at = start + SignedDuration::from_hours(24 * (DAYS - 1) + 12) + SignedDuration::from_millis(i64::from(n));
    Visit {
        id: VisitId::from_uuid(uuid::Uuid::now_v7()),
        resident: ResidentId::from_uuid(format!("00000000-0000-4000-8000-{:012x}", 1 + n % 50_000).parse().unwrap()),
        venue: VenueId::from_uuid(format!("00000000-0000-4000-9000-{:012x}", 1 + n % 2_000).parse().unwrap()),
        entered_at: at,
        exited_at: Some(at + SignedDuration::from_mins(30)),
        exit_kind: Some(ExitKind::Scan),
        source: VisitSource::SelfScan,
        max_stay: SignedDuration::from_hours(4),
        colour: Colour::Green,
    }
}

async fn bytes_per_visit(conn: &mut PgConnection) -> f64 {
    sqlx::query_scalar(VISIT_BYTES).fetch_one(conn).await.unwrap()
}

/// How long VACUUM of visits and passages takes (what a DELETE leaves to do).
async fn vacuum(conn: &mut PgConnection) -> std::time::Duration {
    let t0 = Instant::now();
    sqlx::query("VACUUM ANALYZE visits, passages").execute(&mut *conn).await.unwrap();
    t0.elapsed()
}

async fn wal_lsn(conn: &mut PgConnection) -> String {
    sqlx::query_scalar("SELECT pg_current_wal_lsn()::text").fetch_one(conn).await.unwrap()
}

/// WAL written since `from`, in MB.
async fn wal_since(conn: &mut PgConnection, from: &str) -> f64 {
    sqlx::query_scalar("SELECT (pg_current_wal_lsn() - $1::text::pg_lsn)::float8 / 1e6")
        .bind(from)
        .fetch_one(conn)
        .await
        .unwrap()
}

/// Purges 14 days, then one more (the daily steady state), printing time,
/// WAL, VACUUM time and bytes per visit.
async fn measure<F, Fut>(label: &str, conn: &mut PgConnection, cutoff: Timestamp, purge: F)
where
    F: Fn(Timestamp) -> Fut,
    Fut: std::future::Future<Output = String>,
{
    vacuum(conn).await;
    println!("{label}: {:.1} bytes/visit before purge", bytes_per_visit(conn).await);
    for (what, at) in [("14 days", cutoff), ("1 more day", cutoff + SignedDuration::from_hours(24))] {
        let lsn = wal_lsn(conn).await;
        let t0 = Instant::now();
        let purged = purge(at).await;
        let took = t0.elapsed();
        let wal = wal_since(conn, &lsn).await;
        let vacuumed = vacuum(conn).await;
        println!("{label}: purge {what}: {purged} in {took:.2?}, WAL {wal:.1} MB; VACUUM after it {vacuumed:.2?}");
        println!("{label}: {:.1} bytes/visit after it", bytes_per_visit(conn).await);
    }
}

#[tokio::main]
async fn main() {
    let base = std::env::args().nth(1).expect("usage: partition_retention postgres://…");
    let start: Timestamp = START.parse().unwrap();
    let cutoff = start + SignedDuration::from_hours(24 * (DAYS / 2));

    // Before: the schema up to migration 0013, purged with the old statements.
    let (url, _old_guard) = fresh_schema(&base).await.unwrap();
    let mut conn = PgConnection::connect(&url).await.unwrap();
    let before = Migrator::with_migrations(MIGRATOR.iter().filter(|m| m.version < 14).cloned().collect());
    before.run(&mut conn).await.unwrap();
    sqlx::raw_sql(PEOPLE).execute(&mut conn).await.unwrap();
    let t0 = Instant::now();
    sqlx::raw_sql(ROWS).execute(&mut conn).await.unwrap();
    println!("unpartitioned: loaded {VISITS} visits, {PASSAGES} passages in {:.1?}", t0.elapsed());
    let t0 = Instant::now();
    for n in 0..SINGLE_WRITES {
        let v = late_visit(start, n);
        let mut tx = conn.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO visits (id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms,
                 colour)
             VALUES ($1, $2, $3, $4::text::timestamptz, $5::text::timestamptz, 'scan', 'self_scan', 14400000, 'green')",
        )
        .bind(v.id.as_uuid())
        .bind(v.resident.as_uuid())
        .bind(v.venue.as_uuid())
        .bind(v.entered_at.to_string())
        .bind(v.exited_at.unwrap().to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    println!("unpartitioned: one visit per transaction: {:.2?} each", t0.elapsed() / SINGLE_WRITES);
    let old = std::sync::Arc::new(tokio::sync::Mutex::new(PgConnection::connect(&url).await.unwrap()));
    measure("unpartitioned", &mut conn, cutoff, |at| {
        let old = old.clone();
        async move { format!("{} rows", old_purge(&mut *old.lock().await, at).await) }
    })
    .await;
    drop(conn);

    // After: the partitioned schema. The store creates the daily
    // partitions (one seed row a day through its own writes, then removed),
    // so the bulk load lands in its days rather than in DEFAULT.
    let (url, _new_guard) = fresh_schema(&base).await.unwrap();
    let settings = PgSettings { statement_timeout: std::time::Duration::from_secs(600), ..PgSettings::default() };
    let store = PostgresStore::open(&url, &settings).await.unwrap();
    let mut conn = PgConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(PEOPLE).execute(&mut conn).await.unwrap();
    let checkpoint = CheckpointId::from_uuid("00000000-0000-4000-a000-000000000001".parse().unwrap());
    let (visits, passages): (Vec<Visit>, Vec<Passage>) = (0..DAYS)
        .map(|d| {
            let at = start + SignedDuration::from_hours(24 * d + 23);
            let visit = Visit {
                id: VisitId::from_uuid(uuid::Uuid::now_v7()),
                resident: ResidentId::from_uuid("00000000-0000-4000-8000-000000000001".parse().unwrap()),
                venue: VenueId::from_uuid("00000000-0000-4000-9000-000000000001".parse().unwrap()),
                entered_at: at,
                exited_at: Some(at + SignedDuration::from_mins(5)),
                exit_kind: Some(ExitKind::Scan),
                source: VisitSource::SelfScan,
                max_stay: SignedDuration::from_hours(4),
                colour: Colour::Green,
            };
            let passage = Passage {
                id: uuid::Uuid::now_v7(),
                checkpoint,
                holder: None,
                colour: None,
                verdict: Verdict::Deny,
                reason: "CODE_UNREADABLE".into(),
                direction: Direction::In,
                scanned_at: at,
                officer: "olga".into(),
                offline: false,
            };
            (visit, passage)
        })
        .unzip();
    store.import_visits(&visits).await.unwrap();
    store.record_passages(&passages).await.unwrap();
    sqlx::raw_sql("DELETE FROM visits; DELETE FROM passages;").execute(&mut conn).await.unwrap();
    let t0 = Instant::now();
    sqlx::raw_sql(ROWS).execute(&mut conn).await.unwrap();
    sqlx::query(
        "INSERT INTO open_visits (resident_id, visit_id, entered_at)
         SELECT resident_id, id, entered_at FROM visits WHERE exited_at IS NULL",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    println!("partitioned: loaded the same rows in {:.1?}", t0.elapsed());
    let partitions: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'visits'::regclass")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    println!("partitioned: {partitions} visit partitions");
    let t0 = Instant::now();
    for n in 0..SINGLE_WRITES {
        store.import_visits(&[late_visit(start, n)]).await.unwrap();
    }
    println!(
        "partitioned: one visit per transaction (its id looked up in every partition): {:.2?} each",
        t0.elapsed() / SINGLE_WRITES
    );
    measure("partitioned", &mut conn, cutoff, |at| {
        let store = store.clone();
        async move { format!("{:?}", store.purge_before(at, PurgeMode::Delete).await.unwrap()) }
    })
    .await;
}
