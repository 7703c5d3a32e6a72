//! Moving a deployment: store copy (resumable, verified), backup while
//! writes go on, restore into an empty store.

use crate::{Deployment, deployment, healthcode, last_line, sqlite_only, start_server};
use std::sync::{Arc, Mutex};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn copy(args: &[&str]) -> std::process::Output {
    std::process::Command::new(crate::BIN).args(["store", "copy"]).args(args).output().unwrap()
}

fn uuid_text(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

async fn sqlite_deployment() -> Deployment {
    let data = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", data.path().join("healthcode.db").display());
    Deployment { data, db, _schema: None }
}

#[tokio::test]
async fn a_demo_city_copies_to_another_store_verified_and_resumably() {
    let source = sqlite_deployment().await;
    let out = healthcode(&source, &["demo", "--residents", "300", "--no-serve", "--seed", "11"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = healthcode(&source, &["token", "--role", "officer", "--subject", "olga"]);
    assert!(out.status.success());
    let out = healthcode(&source, &["staff", "add", "ivan", "--name", "Ivan", "--roles", "officer,auditor"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Reading a trace report fills the access log, which must move too.
    let pool = sqlx::SqlitePool::connect(&source.db).await.unwrap();
    let case: Vec<u8> = sqlx::query_scalar("SELECT id FROM cases LIMIT 1").fetch_one(&pool).await.unwrap();
    let case = uuid_text(&case);
    let out = healthcode(&source, &["trace", &case]);
    assert!(out.status.success(), "{}", stderr(&out));
    let accesses: i64 = sqlx::query_scalar("SELECT count(*) FROM access_log").fetch_one(&pool).await.unwrap();
    assert!(accesses >= 1, "the case at least");
    pool.close().await;

    let target = deployment().await;
    let out = copy(&["--from", &source.db, "--to", &target.db, "--batch", "64"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("copied 300 residents"), "{err}");
    assert!(err.contains("checksums (SHA-256 per table) match"), "{err}");
    assert!(err.contains("sessions: 1"), "tokens move too: {err}");
    assert!(err.contains(&format!("access_log: {accesses}")), "the access log moves: {err}");
    assert!(err.contains("enterprises: 1,") && !err.contains("gate_scans: 0"), "employers move too: {err}");
    assert!(
        err.contains("false_declarations: 2") && !err.contains("test_results: 0"),
        "test results and false declarations move too: {err}"
    );
    // Staff accounts move as they are.
    let listed = |dep: &Deployment| String::from_utf8_lossy(&healthcode(dep, &["staff", "list"]).stdout).to_string();
    let staff = listed(&target);
    assert!(staff.contains("ivan") && staff.contains("officer,auditor") && staff.contains("invited"), "{staff}");
    assert_eq!(staff, listed(&source));

    // Running it again finds everything there: nothing copied, still verified.
    let out = copy(&["--from", &source.db, "--to", &target.db]);
    let err = stderr(&out);
    assert!(out.status.success() && err.contains("copied 0 residents (resumed after 300)"), "{err}");

    // A store with foreign residents is refused as a target.
    let other = sqlite_deployment().await;
    healthcode(&other, &["demo", "--residents", "5", "--no-serve", "--seed", "99"]);
    let out = copy(&["--from", &source.db, "--to", &other.db]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("not in the source"), "{}", stderr(&out));

    // The city dashboard reads the same figures on both sides (closed days
    // from the copied rollups, today counted from the copied rows).
    let figures = |dep: &Deployment| {
        let out = healthcode(dep, &["stats", "--format", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["rows"].clone()
    };
    let (before, after) = (figures(&source), figures(&target));
    assert!(before.as_array().unwrap().len() >= 28, "{before}");
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_backup_taken_during_check_ins_restores_every_acknowledged_one() {
    if !sqlite_only() {
        eprintln!("skipped: backup/restore files are for the SQLite store (PostgreSQL uses pg_dump)");
        return;
    }
    let live = deployment().await;
    let server = start_server(&live);
    let client = reqwest::Client::new();
    let op = last_line(&healthcode(&live, &["token", "--role", "venue", "--subject", "+84900000777"]));
    let venue: serde_json::Value = client
        .post(format!("{}/api/v1/venues", server.base))
        .bearer_auth(&op)
        .json(&serde_json::json!({"name": "Chợ", "address": "1 Phố", "province": "VN-HN", "district": "D1", "category": "shop"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let qr = venue["qr_text"].as_str().unwrap().to_string();
    let mut tokens = Vec::new();
    for i in 0..24 {
        let token = last_line(&healthcode(
            &live,
            &["token", "--role", "resident", "--subject", &format!("+86138000003{i:02}")],
        ));
        let resp = client
            .post(format!("{}/api/v1/declarations", server.base))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": "Chen Jing", "document_type": "national_id",
                "document_number": format!("33010219900101{i:04}"), "district": "330102",
                "symptoms": [], "temperature_c": 36.6}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        tokens.push(token);
    }

    // Check-ins go on while the backup is taken.
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let writer = {
        let (acked, base, tokens, qr) = (acked.clone(), server.base.clone(), tokens.clone(), qr.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for token in &tokens {
                let resp = client
                    .post(format!("{base}/api/v1/check-ins"))
                    .bearer_auth(token)
                    .json(&serde_json::json!({ "venue_qr": qr }))
                    .send()
                    .await
                    .unwrap();
                if resp.status() == 201 {
                    let body: serde_json::Value = resp.json().await.unwrap();
                    acked.lock().unwrap().push(body["id"].as_str().unwrap().to_string());
                }
                tokio::time::sleep(std::time::Duration::from_millis(15)).await;
            }
        })
    };
    while acked.lock().unwrap().len() < 8 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before_backup: Vec<String> = acked.lock().unwrap().clone();
    let file = live.path().join("backup.db");
    let out = healthcode(&live, &["backup", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    writer.await.unwrap();
    assert_eq!(acked.lock().unwrap().len(), 24, "the check-ins went on and all succeeded");

    let fresh = deployment().await;
    let out = healthcode(&fresh, &["restore", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = healthcode(&fresh, &["restore", file.to_str().unwrap()]);
    assert!(!out.status.success() && stderr(&out).contains("not empty"), "restore only into an empty store");

    let restored = healthcode_store_sqlite::SqliteStore::open(&fresh.db).await.unwrap();
    for id in before_backup {
        let visit = healthcode_store::VisitStore::visit(&restored, id.parse().unwrap()).await;
        assert!(visit.is_ok(), "check-in {id}, acknowledged before the backup, is in it");
    }
}
