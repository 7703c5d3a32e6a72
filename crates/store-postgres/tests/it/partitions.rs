//! Daily partitions of visits and passages: retention drops whole old days
//! (checked in the catalog), keeps days with an open visit, and a day whose
//! rows already sit in DEFAULT stays there without failing any write.

use healthcode_domain::visit::Closing;
use healthcode_domain::{
    Checkpoint, CheckpointId, CheckpointKind, Colour, Contact, Direction, DistrictCode, ExitKind, HolderId, Passage,
    PhoneNumber, ResidentId, VenueId, VenueProfile, VenueState, Verdict, Visit, VisitId, VisitSource,
};
use healthcode_store::{
    AccountKind, AccountStore, CheckpointStore, PurgeCounts, PurgeMode, Resident, RetentionStore, StoreError,
    TransferStore, Venue, VenueStore, VisitStore,
};
use healthcode_store_postgres::PostgresStore;
use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

use crate::{database_or_skip, fresh};

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn person(store: &PostgresStore, n: u8) -> ResidentId {
    let r = Resident {
        id: ResidentId::from_bytes([n; 16]),
        holder: HolderId::from_bytes([n ^ 0xff; 16]),
        contact: Contact::parse(&format!("+86138000001{n:02}")).unwrap(),
        kind: AccountKind::Resident,
        identity: None,
        created_at: at("2026-10-01T00:00:00Z"),
    };
    store.create_resident(&r).await.unwrap();
    r.id
}

async fn cafe(store: &PostgresStore) -> VenueId {
    let v = Venue {
        id: VenueId::from_bytes([7; 16]),
        owner: PhoneNumber::parse("+84912000007").unwrap(),
        profile: VenueProfile::parse(
            "Phở 7",
            "7 Hàng Bạc",
            "VN-HN",
            "HN-HOAN-KIEM",
            "Hàng Bạc",
            "restaurant",
            Some(40),
            None,
        )
        .unwrap(),
        state: VenueState::Open,
        token_generation: 0,
        previous_generation_until: None,
        qr_token: "token-7".into(),
        created_at: at("2026-10-01T00:00:00Z"),
    };
    store.create_venue(&v).await.unwrap();
    v.id
}

async fn post(store: &PostgresStore) -> CheckpointId {
    let c = Checkpoint {
        id: CheckpointId::from_bytes([9; 16]),
        name: "QL1A km 9".into(),
        kind: CheckpointKind::NationalHighway,
        district: DistrictCode::parse("HN-THANH-TRI").unwrap(),
        location: "National highway 1A".into(),
        created_at: at("2026-10-01T00:00:00Z"),
        province: None,
    };
    store.create_checkpoint(&c).await.unwrap();
    c.id
}

fn visit(n: u8, who: ResidentId, venue: VenueId, entered: &str, exited: Option<&str>) -> Visit {
    Visit {
        id: VisitId::from_bytes([n; 16]),
        resident: who,
        venue,
        entered_at: at(entered),
        exited_at: exited.map(at),
        exit_kind: exited.map(|_| ExitKind::Scan),
        source: VisitSource::SelfScan,
        max_stay: jiff::SignedDuration::from_hours(4),
        colour: Colour::Green,
    }
}

fn passage(n: u8, checkpoint: CheckpointId, scanned: &str) -> Passage {
    Passage {
        id: uuid::Uuid::from_bytes([n; 16]),
        checkpoint,
        holder: Some(HolderId::from_bytes([n; 16])),
        colour: Some(Colour::Green),
        verdict: Verdict::Allow,
        reason: "CODE_VALID".into(),
        direction: Direction::In,
        scanned_at: at(scanned),
        officer: "olga".into(),
        offline: false,
    }
}

/// The partitions of `parent` in the test's schema, by name, from the catalog.
async fn partitions(conn: &mut PgConnection, schema: &str, parent: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = p.relnamespace
         WHERE n.nspname = $1 AND p.relname = $2 ORDER BY 1",
    )
    .bind(schema)
    .bind(parent)
    .fetch_all(conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn old_days_are_dropped_whole_and_open_visits_survive() {
    let Some(base) = database_or_skip() else { return };
    let (store, guard) = fresh(base.clone()).await;
    let (a, b, c, d) =
        (person(&store, 1).await, person(&store, 2).await, person(&store, 3).await, person(&store, 4).await);
    let venue = cafe(&store).await;
    let checkpoint = post(&store).await;
    let old = visit(1, a, venue, "2026-11-01T10:00:00Z", Some("2026-11-01T11:00:00Z"));
    let open = visit(2, b, venue, "2026-11-02T10:00:00Z", None);
    let closed_beside_open = visit(3, c, venue, "2026-11-02T12:00:00Z", Some("2026-11-02T13:00:00Z"));
    let straddling_old = visit(4, a, venue, "2026-11-03T01:00:00Z", Some("2026-11-03T02:00:00Z"));
    let straddling_new = visit(5, d, venue, "2026-11-03T13:00:00Z", Some("2026-11-03T14:00:00Z"));
    let recent = visit(6, d, venue, "2026-11-04T09:00:00Z", Some("2026-11-04T10:00:00Z"));
    let all = [&old, &open, &closed_beside_open, &straddling_old, &straddling_new, &recent];
    store.import_visits(&all.map(Clone::clone)).await.unwrap();
    let passages = [
        passage(1, checkpoint, "2026-11-01T08:00:00Z"),
        passage(2, checkpoint, "2026-11-03T08:00:00Z"),
        passage(3, checkpoint, "2026-11-04T08:00:00Z"),
    ];
    assert_eq!(store.record_passages(&passages).await.unwrap(), 3);
    assert_eq!(store.record_passages(&passages[..1]).await.unwrap(), 0, "a passage synced twice is kept once");

    let mut conn = PgConnection::connect(&base).await.unwrap();
    let schema = guard.schema();
    let days = |table: &str| {
        ["20261101", "20261102", "20261103", "20261104", "20261105"].map(|d| format!("{table}_{d}")).to_vec()
    };
    let with_default = |table: &str| {
        let mut names = days(table);
        names.push(format!("{table}_default"));
        names
    };
    assert_eq!(partitions(&mut conn, schema, "visits").await, with_default("visits"));
    assert_eq!(partitions(&mut conn, schema, "passages").await, with_default("passages"));
    let in_default: i64 =
        sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM \"{schema}\".visits_default")))
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(in_default, 0, "every visit went to its day");

    let cutoff = at("2026-11-03T12:00:00Z");
    let expected = PurgeCounts { visits: 3, reports: 0, passages: 2, attempts: 0 };
    assert_eq!(store.purge_before(cutoff, PurgeMode::DryRun).await.unwrap(), expected, "dry run");
    assert_eq!(partitions(&mut conn, schema, "visits").await, with_default("visits"), "a dry run drops nothing");
    assert_eq!(store.purge_before(cutoff, PurgeMode::Delete).await.unwrap(), expected);

    let mut kept_visits = with_default("visits");
    kept_visits.remove(0);
    assert_eq!(partitions(&mut conn, schema, "visits").await, kept_visits, "1 Nov dropped, 2 Nov holds an open visit");
    let mut kept_passages = with_default("passages");
    kept_passages.remove(1);
    kept_passages.remove(0);
    assert_eq!(partitions(&mut conn, schema, "passages").await, kept_passages, "1 and 2 Nov dropped");
    let gone: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname IN ('visits_20261101', 'passages_20261101')",
    )
    .bind(schema)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(gone, 0, "the tables themselves are gone");

    for v in [&old, &closed_beside_open, &straddling_old] {
        assert!(matches!(store.visit(v.id).await, Err(StoreError::NotFound)), "{:?} purged", v.id);
    }
    for v in [&open, &straddling_new, &recent] {
        assert_eq!(&store.visit(v.id).await.unwrap(), v);
    }
    assert_eq!(store.passages_after(None, 10).await.unwrap(), passages[2..].to_vec());
    assert_eq!(store.purge_before(cutoff, PurgeMode::Delete).await.unwrap(), PurgeCounts::default(), "idempotent");

    // The open visit still counts as the person's one open visit, and closes.
    let second = visit(7, b, venue, "2026-11-04T11:00:00Z", None);
    assert!(matches!(store.record_scan(None, Some(&second)).await, Err(StoreError::Conflict(_))));
    let closing = Closing { visit: open.id, at: at("2026-11-04T11:00:00Z"), kind: ExitKind::NextCheckIn };
    store.record_scan(Some(&closing), Some(&second)).await.unwrap();
    assert_eq!(store.visit(open.id).await.unwrap().exit_kind, Some(ExitKind::NextCheckIn));

    // A late write for a dropped day gets its partition again.
    let late = visit(8, c, venue, "2026-11-01T15:00:00Z", Some("2026-11-01T16:00:00Z"));
    store.import_visits(std::slice::from_ref(&late)).await.unwrap();
    assert!(partitions(&mut conn, schema, "visits").await.contains(&"visits_20261101".to_owned()));
    assert_eq!(store.counts().await.unwrap().visits, 5);
}

#[tokio::test]
async fn a_day_already_in_default_stays_there_and_still_purges() {
    let Some(base) = database_or_skip() else { return };
    let (store, guard) = fresh(base.clone()).await;
    let (a, b) = (person(&store, 1).await, person(&store, 2).await);
    let venue = cafe(&store).await;
    let schema = guard.schema();
    // A row written where no partition exists for its day (as after the
    // upgrade migration, which moves every old row into DEFAULT).
    let mut conn = PgConnection::connect(&base).await.unwrap();
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO \"{schema}\".visits (id, resident_id, venue_id, entered_at, exited_at, exit_kind, source,
             max_stay_ms, colour)
         VALUES ($1, $2, $3, '2026-12-01 09:00:00+00', '2026-12-01 10:00:00+00', 'scan', 'self_scan', 14400000,
             'green')"
    )))
    .bind(VisitId::from_bytes([1; 16]).as_uuid())
    .bind(a.as_uuid())
    .bind(venue.as_uuid())
    .execute(&mut conn)
    .await
    .unwrap();

    // The store now wants a partition for that day: PostgreSQL refuses to
    // create it, and the write still succeeds, into DEFAULT.
    let same_day = visit(2, b, venue, "2026-12-01T11:00:00Z", None);
    store.record_scan(None, Some(&same_day)).await.unwrap();
    let names = partitions(&mut conn, schema, "visits").await;
    assert!(!names.contains(&"visits_20261201".to_owned()), "{names:?}");
    assert!(names.contains(&"visits_20261202".to_owned()), "the next day is ready: {names:?}");
    let in_default: i64 =
        sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM \"{schema}\".visits_default")))
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(in_default, 2);
    assert_eq!(store.visit(same_day.id).await.unwrap(), same_day);

    // Retention deletes DEFAULT's old rows one by one and keeps the open one.
    let counts = store.purge_before(at("2026-12-03T00:00:00Z"), PurgeMode::Delete).await.unwrap();
    assert_eq!(counts, PurgeCounts { visits: 1, reports: 0, passages: 0, attempts: 0 });
    assert_eq!(store.visit(same_day.id).await.unwrap(), same_day);
    let names = partitions(&mut conn, schema, "visits").await;
    assert!(!names.contains(&"visits_20261202".to_owned()), "an empty old day is dropped: {names:?}");
    let last = store.last_venue_and_visit_ids().await.unwrap().1;
    assert_eq!(last, Some(same_day.id));
}

/// Visits and passages as the schema before partitioning holds them.
const UNPARTITIONED_FIXTURES: &str = r#"
INSERT INTO venues (id, owner_phone, name, address, province, district, commune, category, capacity,
                    max_stay_minutes, state, token_generation, previous_generation_until, qr_token, created_at)
VALUES ('07070707-0707-0707-0707-070707070707', '+84912000007', 'Phở 7', '7 Hàng Bạc', 'VN-HN', 'HN-HOAN-KIEM',
        'Hàng Bạc', 'restaurant', 40, 240, 'open', 0, NULL, 'token-7', '2026-10-01 00:00:00+00');
INSERT INTO visits (id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour)
VALUES ('0a0a0a0a-0a0a-0a0a-0a0a-0a0a0a0a0a0a', '01010101-0101-0101-0101-010101010101',
        '07070707-0707-0707-0707-070707070707', '2026-11-02 09:00:00+00', '2026-11-02 10:00:00+00', 'scan',
        'self_scan', 14400000, 'green'),
       ('0b0b0b0b-0b0b-0b0b-0b0b-0b0b0b0b0b0b', '01010101-0101-0101-0101-010101010101',
        '07070707-0707-0707-0707-070707070707', '2026-11-02 11:00:00+00', NULL, NULL,
        'self_scan', 14400000, 'green');
INSERT INTO checkpoints (id, name, kind, district, location, created_at)
VALUES ('09090909-0909-0909-0909-090909090909', 'QL1A km 9', 'city_entry', 'HN-THANH-TRI', 'National highway 1A',
        '2026-10-01 00:00:00+00');
INSERT INTO passages (id, checkpoint_id, holder_id, colour, verdict, reason, direction, scanned_at, officer, offline)
VALUES ('0c0c0c0c-0c0c-0c0c-0c0c-0c0c0c0c0c0c', '09090909-0909-0909-0909-090909090909', NULL, NULL, 'deny',
        'CODE_UNREADABLE', 'in', '2026-11-02 08:00:00+00', 'olga', TRUE);
"#;

#[tokio::test]
async fn an_unpartitioned_database_upgrades_keeping_every_row_and_the_open_visit() {
    use healthcode_store_postgres::testing::fresh_schema;
    use healthcode_store_postgres::{MIGRATOR, PgSettings};
    let Some(base) = database_or_skip() else { return };
    let (url, guard) = fresh_schema(&base).await.unwrap();
    let before =
        sqlx::migrate::Migrator::with_migrations(MIGRATOR.iter().filter(|m| m.version < 14).cloned().collect());
    let mut conn = PgConnection::connect(&url).await.unwrap();
    before.run(&mut conn).await.unwrap();
    sqlx::raw_sql(crate::migrations::V1_FIXTURES).execute(&mut conn).await.unwrap();
    sqlx::raw_sql(UNPARTITIONED_FIXTURES).execute(&mut conn).await.unwrap();

    let store = PostgresStore::open(&url, &PgSettings::default()).await.unwrap();
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.visits, counts.passages), (2, 1));
    let in_default: i64 = sqlx::query_scalar("SELECT count(*) FROM visits_default").fetch_one(&mut conn).await.unwrap();
    assert_eq!(in_default, 2, "old rows wait in DEFAULT");
    let (who, venue) = (ResidentId::from_bytes([1; 16]), VenueId::from_bytes([7; 16]));
    let open = visit(0x0b, who, venue, "2026-11-02T11:00:00Z", None);
    assert_eq!(store.visit(open.id).await.unwrap(), open);

    // The open visit came along into `open_visits`: a second one conflicts,
    // closing it and opening the next one (same day, so DEFAULT) works.
    let next = visit(0x0d, who, venue, "2026-11-02T12:00:00Z", None);
    assert!(matches!(store.record_scan(None, Some(&next)).await, Err(StoreError::Conflict(_))));
    let closing = Closing { visit: open.id, at: at("2026-11-02T12:00:00Z"), kind: ExitKind::NextCheckIn };
    store.record_scan(Some(&closing), Some(&next)).await.unwrap();
    assert!(matches!(store.record_scan(Some(&closing), None).await, Err(StoreError::Conflict(_))), "closed twice");
    let names = partitions(&mut conn, guard.schema(), "visits").await;
    assert!(!names.contains(&"visits_20261102".to_owned()), "{names:?}");
    assert_eq!(store.close_expired_visits(at("2026-11-02T16:00:00Z"), 10).await.unwrap(), 1);
    assert_eq!(store.visit(next.id).await.unwrap().exit_kind, Some(ExitKind::Auto));
    let open_left: i64 = sqlx::query_scalar("SELECT count(*) FROM open_visits").fetch_one(&mut conn).await.unwrap();
    assert_eq!(open_left, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn servers_creating_the_same_day_together_all_succeed() {
    let Some(base) = database_or_skip() else { return };
    let (url, guard) = healthcode_store_postgres::testing::fresh_schema(&base).await.unwrap();
    let settings = healthcode_store_postgres::PgSettings::default();
    let first = PostgresStore::open(&url, &settings).await.unwrap();
    let venue = cafe(&first).await;
    let mut people = Vec::new();
    for n in 1..=4 {
        people.push(person(&first, n).await);
    }
    // Four servers, each with its own empty cache, write the same new day.
    let mut writes = tokio::task::JoinSet::new();
    for (n, who) in (1u8..).zip(people) {
        let store = PostgresStore::open(&url, &settings).await.unwrap();
        writes.spawn(async move {
            let v = visit(n, who, venue, "2026-12-10T09:00:00Z", Some("2026-12-10T09:30:00Z"));
            store.import_visits(&[v]).await
        });
    }
    while let Some(written) = writes.join_next().await {
        written.unwrap().unwrap();
    }
    let mut conn = PgConnection::connect(&base).await.unwrap();
    let names = partitions(&mut conn, guard.schema(), "visits").await;
    assert_eq!(names, ["visits_20261210", "visits_20261211", "visits_default"]);
    let in_day: i64 =
        sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM \"{}\".visits_20261210", guard.schema())))
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(in_day, 4, "every row in its day, none in DEFAULT");
}
