//! Rows written by an earlier release still read.
//!
//! Some columns hold domain values as JSON (a report's body; a status change's
//! basis, evidence and actor; an application's sites). Their shape is fixed by
//! the storage types in `healthcode-store-sql` (`stored.rs`), and this test
//! holds them to it: `fixtures/release-2026-12-05/` is a database the release
//! of that day wrote (a SQLite file, and a `pg_dump` of a PostgreSQL schema),
//! through the story in `write_release_fixture`. Opening it runs today's
//! migrations; every resident, report, change and application must then read
//! back, with every kind of value the story made.
//!
//! To record a new release's fixture (before changing a stored shape on
//! purpose, with a migration that rewrites the old rows):
//! `HEALTHCODE_WRITE_FIXTURE=crates/server/tests/fixtures/release-YYYY-MM-DD cargo test -p healthcode-server --test it release_fixture::write -- --ignored`,
//! then again with `HEALTHCODE_TEST_PG` set for the PostgreSQL dump.

use crate::check_in::{operator_token, venue_registered};
use crate::enterprises::approved_enterprise;
use crate::harness::{Resident, TestApp, spawn_app};
use healthcode_domain::{Actor, Basis, Evidence, Role};
use healthcode_store::{ResidentBundle, Store};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const FIXTURE: &str = "release-2026-12-05";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(FIXTURE)
}

async fn declared(app: &TestApp, phone: &str, temperature: f64, symptoms: &[&str]) -> Resident {
    let who = app.resident_signs_in(phone).await;
    let (s, b) = app.resident_declares(&who, temperature, symptoms).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    who
}

async fn scan(app: &TestApp, who: &Resident, qr: &str) {
    let (s, b) = app.post_json("/api/v1/check-ins", Some(&who.token), json!({ "venue_qr": qr })).await;
    assert!(s.is_success(), "{b}");
}

/// The story whose rows make the fixture: every kind of basis, evidence,
/// actor and report the release could store.
#[tokio::test]
#[ignore = "writes a release fixture; run by hand (see the module doc)"]
async fn write_release_fixture() {
    let Ok(dir) = std::env::var("HEALTHCODE_WRITE_FIXTURE") else {
        panic!("set HEALTHCODE_WRITE_FIXTURE to the fixture directory")
    };
    let app = spawn_app().await;

    // A fever, a quarantine completed by seven clean clock-ins, and a missed day.
    let li = declared(&app, "+8613800000101", 38.2, &["fever", "cough"]).await;
    let mai = declared(&app, "+8613800000102", 38.0, &["fever"]).await;
    for _ in 0..7 {
        app.advance_days(1);
        let (s, b) = app.resident_clocks_in(&li, 36.6).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    assert_eq!(app.colour_of(&li).await, "green");
    let (s, b) = app.resident_clocks_in(&mai, 36.5).await; // Mai missed six days: the streak restarts
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // A declaration with regions visited, contact with a case and a travel plan.
    let travel = app.resident_signs_in("+8613800000103").await;
    let (s, b) = app
        .post_json(
            "/api/v1/declarations",
            Some(&travel.token),
            json!({"name": "Trần Văn An", "document_type": "passport", "document_number": "B1234567",
                "district": "330106", "symptoms": [], "temperature_c": 36.7,
                "visited_regions": ["420100", "110101"], "contact_with_case": true,
                "travel_plan": "Hangzhou East, train G7512 on 2026-11-12"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // A case traced and applied: case evidence, shared stays, a secondary contact.
    let op = operator_token(&app, "+84912000900").await;
    let cafe = venue_registered(&app, &op, "Cà phê Lâm").await;
    let shop = venue_registered(&app, &op, "Tiệm sách").await;
    let (cafe_qr, shop_qr) = (cafe["qr_text"].as_str().unwrap(), shop["qr_text"].as_str().unwrap());
    let case = declared(&app, "+8613800000104", 36.6, &[]).await;
    let close = declared(&app, "+8613800000105", 36.6, &[]).await;
    let second = declared(&app, "+8613800000106", 36.6, &[]).await;
    scan(&app, &case, cafe_qr).await;
    scan(&app, &close, cafe_qr).await;
    app.clock.advance(SignedDuration::from_mins(40));
    scan(&app, &case, cafe_qr).await;
    scan(&app, &close, cafe_qr).await;
    app.clock.advance(SignedDuration::from_mins(30));
    scan(&app, &close, shop_qr).await;
    scan(&app, &second, shop_qr).await;
    app.clock.advance(SignedDuration::from_mins(45));
    scan(&app, &close, shop_qr).await;
    scan(&app, &second, shop_qr).await;
    let authority = app.token(Role::Authority, "anh").await;
    let today = jiff::Zoned::new(app.clock_now(), jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
    let (s, recorded) = app
        .post_json(
            "/api/v1/cases",
            Some(&authority),
            json!({"phone": "+8613800000104", "kind": "confirmed", "onset_date": today.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{recorded}");
    let case_id = recorded["id"].as_str().unwrap();
    let (s, b) = app.post_json(&format!("/api/v1/cases/{case_id}/trace"), Some(&authority), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.post_json(&format!("/api/v1/cases/{case_id}/apply"), Some(&authority), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(app.colour_of(&second).await, "yellow");

    // An approved override and an upheld appeal.
    let supervisor = app.token(Role::Supervisor, "sam").await;
    let (s, o) = app
        .post_json(
            "/api/v1/overrides",
            Some(&authority),
            json!({"phone": "+8613800000102", "colour": "green", "reason_code": "LAB_RESULT_NEGATIVE",
                "basis": "PCR test 2026-11-09 negative, lab ZJ-17, sample 4471"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let approve = format!("/api/v1/overrides/{}/approve", o["id"].as_str().unwrap());
    let (s, b) = app.post_json(&approve, Some(&supervisor), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, appeal) =
        app.post_json("/api/v1/appeals", Some(&second.token), json!({"message": "I sat outside the bookshop."})).await;
    assert_eq!(s, StatusCode::CREATED, "{appeal}");
    let (s, b) = app
        .post_json(
            &format!("/api/v1/appeals/{}/answer", appeal["id"].as_str().unwrap()),
            Some(&authority),
            json!({"outcome": "upheld", "answer": "The venue's camera shows a seat outside."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");

    // An approved work-resumption application with its sites.
    approved_enterprise(&app, "+84912000901", "Hàng Bạc Foods").await;

    // What the story made is what the reading test expects.
    let kinds = kinds(&app.state.store).await;
    assert_eq!(kinds, expected_kinds(), "update expected_kinds() with the new fixture");

    std::fs::create_dir_all(&dir).unwrap();
    let target = Path::new(&dir);
    match healthcode_store_postgres::testing::test_database_url() {
        None => {
            let db = app.data.path().join("healthcode.db");
            let copy = healthcode_store_sqlite::SqliteStore::open(&format!("sqlite://{}", db.display())).await.unwrap();
            let file = target.join("healthcode.sqlite");
            let _ = std::fs::remove_file(&file);
            copy.backup_to(&file).await.unwrap();
        }
        Some(base) => {
            let schema = app.schema_name().expect("a PostgreSQL app has a schema");
            let out = std::process::Command::new("pg_dump")
                .args(["--no-owner", "--no-privileges", "--inserts", "--schema", schema, "--dbname", &base])
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            // psql's meta-commands (`\restrict`) are not SQL: the test runs the dump without psql.
            let dump: String = String::from_utf8(out.stdout)
                .unwrap()
                .replace(schema, "{{schema}}")
                .lines()
                .filter(|line| !line.starts_with('\\'))
                .map(|line| format!("{line}\n"))
                .collect();
            std::fs::write(target.join("postgres.sql"), dump).unwrap();
        }
    }
}

/// The kinds of every JSON-held value in a store: (column, kind).
async fn kinds(store: &Arc<dyn Store>) -> BTreeSet<(&'static str, String)> {
    let mut found = BTreeSet::new();
    for bundle in everyone(store).await {
        for report in &bundle.reports {
            let kind = serde_json::to_value(&report.report).unwrap()["kind"].as_str().unwrap().to_string();
            found.insert(("report", kind));
        }
        for change in &bundle.changes {
            found.insert(("basis", basis_kind(&change.basis).to_string()));
            found.insert(("actor", actor_kind(&change.actor).to_string()));
            for evidence in &change.evidence {
                found.insert(("evidence", evidence_kind(evidence).to_string()));
            }
        }
    }
    found
}

fn basis_kind(basis: &Basis) -> &'static str {
    match basis {
        Basis::NoRuleMatched { .. } => "no_rule_matched",
        Basis::Rule { .. } => "rule",
        Basis::Override { .. } => "override",
    }
}

fn actor_kind(actor: &Actor) -> &'static str {
    match actor {
        Actor::Resident(_) => "resident",
        Actor::System => "system",
        Actor::Staff(_) => "staff",
    }
}

fn evidence_kind(evidence: &Evidence) -> &'static str {
    match evidence {
        Evidence::Report { .. } => "report",
        Evidence::MissedDays { .. } => "missed_days",
        Evidence::Streak { .. } => "streak",
        Evidence::Case { .. } => "case",
        Evidence::SharedStay { .. } => "shared_stay",
        Evidence::Override { .. } => "override",
        Evidence::Appeal { .. } => "appeal",
        Evidence::TestResult { .. } => "test_result",
        Evidence::FalseDeclaration { .. } => "false_declaration",
    }
}

fn expected_kinds() -> BTreeSet<(&'static str, String)> {
    [
        ("actor", "resident"),
        ("actor", "staff"),
        ("basis", "no_rule_matched"),
        ("basis", "override"),
        ("basis", "rule"),
        ("evidence", "appeal"),
        ("evidence", "case"),
        ("evidence", "missed_days"),
        ("evidence", "override"),
        ("evidence", "report"),
        ("evidence", "shared_stay"),
        ("evidence", "streak"),
        ("report", "clock_in"),
        ("report", "declaration"),
    ]
    .into_iter()
    .map(|(column, kind)| (column, kind.to_string()))
    .collect()
}

async fn everyone(store: &Arc<dyn Store>) -> Vec<ResidentBundle> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let ids = store.resident_ids_after(after, 100).await.unwrap();
        let Some(last) = ids.last().copied() else { break };
        all.extend(store.export_residents(&ids).await.unwrap());
        after = Some(last);
    }
    all
}

/// Opens the fixture as this release would find it on disk: a copy of the
/// SQLite file, or the dump loaded into a fresh PostgreSQL schema.
async fn open_fixture(scratch: &Path) -> (Arc<dyn Store>, Option<healthcode_store_postgres::testing::SchemaGuard>) {
    match healthcode_store_postgres::testing::test_database_url() {
        None => {
            let file = scratch.join("healthcode.db");
            std::fs::copy(fixture_dir().join("healthcode.sqlite"), &file).unwrap();
            let store = healthcode_server::open_store(&format!("sqlite://{}", file.display())).await.unwrap();
            (store, None)
        }
        Some(base) => {
            let (url, guard) = healthcode_store_postgres::testing::fresh_schema(&base).await.unwrap();
            let dump = std::fs::read_to_string(fixture_dir().join("postgres.sql")).unwrap();
            let dump = dump.replace("{{schema}}", guard.schema()).replace("CREATE SCHEMA ", "-- CREATE SCHEMA ");
            healthcode_store_postgres::testing::execute_script(&base, &dump).await.unwrap();
            let store = healthcode_server::open_store(&url).await.unwrap();
            (store, Some(guard))
        }
    }
}

#[tokio::test]
async fn rows_written_by_the_previous_release_still_read() {
    let scratch = tempfile::tempdir().unwrap();
    let (store, _guard) = open_fixture(scratch.path()).await;

    let everyone = everyone(&store).await;
    assert_eq!(everyone.len(), 6, "residents in the fixture");
    assert_eq!(kinds(&store).await, expected_kinds());

    // Values, not only kinds: the traveller's declaration and the override's evidence.
    let reports: Vec<serde_json::Value> =
        everyone.iter().flat_map(|b| b.reports.iter()).map(|r| serde_json::to_value(&r.report).unwrap()).collect();
    let traveller = reports.iter().find(|r| r["contact_with_case"] == true).expect("the traveller's declaration");
    assert_eq!(traveller["visited_regions"], json!(["420100", "110101"]), "{traveller}");
    assert_eq!(traveller["travel_plan"], "Hangzhou East, train G7512 on 2026-11-12");
    let override_evidence = everyone
        .iter()
        .flat_map(|b| b.changes.iter())
        .flat_map(|c| c.evidence.iter())
        .find_map(|e| match e {
            Evidence::Override { requested_by, approved_by, basis, .. } => Some((requested_by, approved_by, basis)),
            _ => None,
        })
        .expect("the override's evidence");
    assert_eq!((override_evidence.0.as_str(), override_evidence.1.as_str()), ("anh", "sam"));
    assert!(override_evidence.2.contains("ZJ-17"));
    let shared = everyone
        .iter()
        .flat_map(|b| b.changes.iter())
        .flat_map(|c| c.evidence.iter())
        .find_map(|e| match e {
            Evidence::SharedStay { minutes, .. } => Some(*minutes),
            _ => None,
        })
        .expect("a shared stay");
    assert!(shared >= 15, "{shared}");

    // Every status reads, with its quarantine where one runs.
    assert!(everyone.iter().all(|b| b.status.is_some()), "every fixture resident has declared");
    assert!(everyone.iter().any(|b| b.status.as_ref().is_some_and(|s| s.quarantine.is_some())));

    let enterprises = store.enterprise_records().await.unwrap();
    assert_eq!(enterprises.enterprises.len(), 1);
    let sites = serde_json::to_value(&enterprises.enterprises[0].profile.sites).unwrap();
    assert!(!sites.as_array().unwrap().is_empty(), "{sites}");
}
