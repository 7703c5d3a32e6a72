//! Migrations: upgrading a database written by the first migration, refusing
//! a newer schema, and keeping everything inside the selected schema.

use healthcode_domain::{
    Actor, Basis, ChangeEvent, Colour, Contact, Declaration, DistrictCode, DocumentNumber, DocumentType, Evidence,
    HealthStatus, HolderId, Identity, PersonName, Quarantine, Report, ReportId, ResidentId, StatusChange, SymptomSet,
    Temperature,
};
use healthcode_store::{AccountKind, AccountStore, HealthStore, Resident, StoreError, StoredReport};
use healthcode_store_postgres::testing::fresh_schema;
use healthcode_store_postgres::{MIGRATOR, PgSettings, PostgresStore};
use jiff::Timestamp;
use jiff::civil::date;
use sqlx::migrate::Migrator;
use sqlx::{Connection, PgConnection};

use crate::{database_or_skip, fresh};

const RESIDENT: &str = "01010101-0101-0101-0101-010101010101";
const REPORT: &str = "02020202-0202-0202-0202-020202020202";

/// Rows as the first migration's schema holds them, written with plain SQL.
pub(crate) const V1_FIXTURES: &str = r#"
INSERT INTO residents (id, holder_id, contact, kind, name, document_type, document_number, district, created_at)
VALUES ('01010101-0101-0101-0101-010101010101', 'fefefefe-fefe-fefe-fefe-fefefefefefe', '+8613800000001',
        'resident', 'Li Wei', 'national_id', '330102199001011234', '330102', '2026-11-02 08:00:00.123+00');
INSERT INTO reports (id, resident_id, at, local_date, kind, symptoms, temperature_dc, body)
VALUES ('02020202-0202-0202-0202-020202020202', '01010101-0101-0101-0101-010101010101',
        '2026-11-02 08:05:00+00', '2026-11-02', 'declaration', 1, 381,
        '{"kind": "declaration", "symptoms": ["fever"], "temperature": 381, "visited_regions": [],
          "contact_with_case": false, "travel_plan": "train to Hangzhou"}');
INSERT INTO health_status (resident_id, colour, since, basis_kind, rule_id, policy_version, q_required_days,
                           q_streak, q_started_on, q_last_counted_on, last_report_on, version)
VALUES ('01010101-0101-0101-0101-010101010101', 'yellow', '2026-11-02 08:05:00+00', 'rule', 'Y-FEVER', 'v1',
        7, 0, '2026-11-02', NULL, '2026-11-02', 1);
INSERT INTO status_changes (resident_id, at, event, from_colour, to_colour, basis, evidence, actor)
VALUES ('01010101-0101-0101-0101-010101010101', '2026-11-02 08:05:00+00', 'initial', NULL, 'yellow',
        '{"kind": "rule", "rule_id": "Y-FEVER", "policy_version": "v1"}',
        '[{"kind": "report", "report_id": "02020202-0202-0202-0202-020202020202", "summary": "temperature 38.1 °C"}]',
        '{"kind": "resident", "id": "01010101-0101-0101-0101-010101010101"}');
"#;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[tokio::test]
async fn a_database_written_by_the_first_migration_upgrades_and_reads_back() {
    let Some(base) = database_or_skip() else { return };
    let (url, _guard) = fresh_schema(&base).await.unwrap();
    let first = Migrator::with_migrations(MIGRATOR.iter().take(1).cloned().collect());
    let mut conn = PgConnection::connect(&url).await.unwrap();
    first.run(&mut conn).await.unwrap();
    sqlx::raw_sql(V1_FIXTURES).execute(&mut conn).await.unwrap();

    let store = PostgresStore::open(&url, &PgSettings::default()).await.unwrap();
    let applied: i64 =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success").fetch_one(&mut conn).await.unwrap();
    assert_eq!(applied, i64::try_from(MIGRATOR.iter().count()).unwrap(), "every migration applied");

    let id: ResidentId = RESIDENT.parse().unwrap();
    let report_id: ReportId = REPORT.parse().unwrap();
    let resident = Resident {
        id,
        holder: HolderId::from_bytes([0xfe; 16]),
        contact: Contact::parse("+8613800000001").unwrap(),
        kind: AccountKind::Resident,
        identity: Some(Identity {
            name: PersonName::parse("Li Wei").unwrap(),
            document_type: DocumentType::NationalId,
            document_number: DocumentNumber::parse("330102199001011234").unwrap(),
            district: DistrictCode::parse("330102").unwrap(),
        }),
        created_at: at("2026-11-02T08:00:00.123Z"),
    };
    assert_eq!(store.resident(id).await.unwrap(), resident);
    let basis = Basis::Rule { rule_id: "Y-FEVER".into(), policy_version: "v1".into() };
    let status = HealthStatus {
        resident: id,
        colour: Colour::Yellow,
        since: at("2026-11-02T08:05:00Z"),
        basis: basis.clone(),
        quarantine: Some(Quarantine::new(7, date(2026, 11, 2))),
        last_report_on: Some(date(2026, 11, 2)),
        version: 1,
    };
    assert_eq!(store.status(id).await.unwrap(), Some(status));
    let report = StoredReport {
        id: report_id,
        resident: id,
        at: at("2026-11-02T08:05:00Z"),
        local_date: date(2026, 11, 2),
        report: Report::Declaration(Declaration {
            symptoms: SymptomSet::parse_all(&["fever"]).unwrap(),
            temperature: Some(Temperature::from_celsius(38.1).unwrap()),
            visited_regions: vec![],
            contact_with_case: false,
            travel_plan: "train to Hangzhou".into(),
        }),
        // Stored before 0016: its channel is unknown, not guessed.
        channel: None,
    };
    assert_eq!(store.reports(id, 10).await.unwrap(), vec![report]);
    let change = StatusChange {
        resident: id,
        at: at("2026-11-02T08:05:00Z"),
        event: ChangeEvent::Initial,
        from: None,
        to: Colour::Yellow,
        basis,
        evidence: vec![Evidence::Report { report_id, summary: "temperature 38.1 °C".into() }],
        actor: Actor::Resident(id),
    };
    assert_eq!(store.status_history(id, 10).await.unwrap(), vec![change]);
}

#[tokio::test]
async fn a_schema_newer_than_the_binary_is_refused() {
    let Some(base) = database_or_skip() else { return };
    let (url, _guard) = fresh_schema(&base).await.unwrap();
    drop(PostgresStore::open(&url, &PgSettings::default()).await.unwrap());
    let mut conn = PgConnection::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99999999, 'from the future', TRUE, '\\x00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    match PostgresStore::open(&url, &PgSettings::default()).await {
        Err(StoreError::Other(message)) => {
            assert!(message.contains("newer than this healthcode binary"), "{message}");
            assert!(message.contains("migration 99999999 is unknown"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn tables_live_in_the_selected_schema_only() {
    let Some(base) = database_or_skip() else { return };
    let (store, guard) = fresh(base.clone()).await;
    store.migrate().await.unwrap();
    let mut conn = PgConnection::connect(&base).await.unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1")
            .bind(guard.schema())
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(tables.iter().any(|t| t == "_sqlx_migrations"), "{tables:?}");
    assert!(tables.iter().any(|t| t == "residents"), "{tables:?}");
    let in_public: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'residents'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(in_public, 0);
}

#[tokio::test]
async fn a_failed_connection_names_the_host_but_not_the_password() {
    // Port 1 refuses at once; no database is needed.
    let url = "postgres://hc:s3cret-pa55@127.0.0.1:1/healthcode?sslmode=disable";
    let settings = PgSettings { acquire_timeout: std::time::Duration::from_secs(1), ..PgSettings::default() };
    match PostgresStore::open(url, &settings).await {
        Err(StoreError::Other(message)) => {
            assert!(message.contains("127.0.0.1:1/healthcode"), "{message}");
            assert!(!message.contains("s3cret-pa55"), "{message}");
        }
        other => panic!("expected a connection failure, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_starting_together_all_come_up() {
    // No advisory lock: concurrent migrators race, and the losers retry.
    let Some(base) = database_or_skip() else { return };
    let (url, _guard) = fresh_schema(&base).await.unwrap();
    let mut opens = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let url = url.clone();
        opens.spawn(async move { PostgresStore::open(&url, &PgSettings::default()).await.map(|_| ()) });
    }
    while let Some(opened) = opens.join_next().await {
        opened.unwrap().unwrap();
    }
}
