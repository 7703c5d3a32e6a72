//! Durability under load: the server is killed with SIGKILL in the middle of
//! a check-in run, restarted on the same data, and every check-in the load
//! generator saw acknowledged must be there, in a sound database.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::{BIN, deployment, healthcode, last_line, start_server};

/// Residents with more than one open visit (the schema forbids it).
const DOUBLE_OPEN: &str = "SELECT COUNT(*) FROM (SELECT resident_id FROM visits WHERE exited_at IS NULL GROUP BY resident_id HAVING COUNT(*) > 1) AS d";

#[tokio::test]
async fn no_acknowledged_check_in_is_lost_when_the_server_is_killed_mid_run() {
    let dep = deployment().await;
    let fixtures = dep.path().join("fixtures.json");
    let out = healthcode(
        &dep,
        &["loadgen", "setup", "--residents", "40", "--venues", "8", "--out", fixtures.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let server = start_server(&dep);
    let acked = dep.path().join("acked.txt");
    let load = Command::new(BIN)
        .args(["loadgen", "run", "--rate", "300", "--duration", "4s", "--concurrency", "16", "--flow", "check-in"])
        .args(["--url", &server.base, "--fixtures", fixtures.to_str().unwrap(), "--acked", acked.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // Let some check-ins be acknowledged, then kill the server mid-run.
    let mut seen = 0;
    for _ in 0..200 {
        seen = std::fs::read_to_string(&acked).map(|t| t.lines().count()).unwrap_or(0);
        if seen >= 60 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(seen >= 60, "the load generator got check-ins acknowledged before the kill ({seen})");
    drop(server); // SIGKILL: no graceful shutdown, no chance to flush anything

    let out = load.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: serde_json::Value = serde_json::from_str(&last_line(&out)).unwrap();
    let answers = summary["answers"].as_object().unwrap();
    assert!(answers.keys().any(|a| !a.starts_with('2')), "the kill happened mid-run: {summary}");

    let text = std::fs::read_to_string(&acked).unwrap();
    let ids: Vec<&str> = text.lines().collect();
    assert!(ids.len() >= 60);

    // Restart on the same data: it recovers and serves.
    let again = start_server(&dep);
    let health = reqwest::get(format!("{}/healthz", again.base)).await.unwrap();
    assert_eq!(health.status(), 200);

    let store = healthcode_server::open_store(&dep.db).await.unwrap();
    for id in &ids {
        let visit = store.visit(id.parse().unwrap()).await;
        assert!(visit.is_ok(), "acknowledged check-in {id} is missing after the crash: {visit:?}");
    }

    if crate::sqlite_only() {
        let sqlite = healthcode_store_sqlite::SqliteStore::open(&dep.db).await.unwrap();
        assert_eq!(sqlite.integrity_check().await.unwrap(), "ok");
        let pool = sqlx::SqlitePool::connect(&dep.db).await.unwrap();
        let doubles: i64 = sqlx::query_scalar(DOUBLE_OPEN).fetch_one(&pool).await.unwrap();
        assert_eq!(doubles, 0, "one open visit per person at most");
    } else {
        let pool = sqlx::PgPool::connect(&dep.db).await.unwrap();
        let doubles: i64 = sqlx::query_scalar(DOUBLE_OPEN).fetch_one(&pool).await.unwrap();
        assert_eq!(doubles, 0, "one open visit per person at most");
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM visits").fetch_one(&pool).await.unwrap();
        assert!(rows >= ids.iter().collect::<std::collections::HashSet<_>>().len() as i64, "every row readable");
    }
    drop(again);
}
