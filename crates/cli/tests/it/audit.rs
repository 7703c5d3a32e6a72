//! The audit log: actions are chained, `audit verify` passes, tampering with
//! any row makes it fail at that row, and an auditor reads but never writes.

use crate::{deployment, healthcode, last_line, sqlite_only, start_server};
use serde_json::{Value, json};

#[tokio::test]
async fn actions_are_chained_verified_and_tampering_is_found() {
    let dep = deployment().await;
    let server = start_server(&dep);
    let client = reqwest::Client::new();
    let authority = last_line(&healthcode(&dep, &["token", "--role", "authority", "--subject", "anh"]));
    let auditor = last_line(&healthcode(&dep, &["token", "--role", "auditor", "--subject", "audrey"]));
    let resident = last_line(&healthcode(&dep, &["token", "--role", "resident", "--subject", "+8613800000990"]));
    crate::declare_healthy(&server.base, &resident, "Li Na", "national_id", "330102199404041111").await;
    let case: Value = client
        .post(format!("{}/api/v1/cases", server.base))
        .bearer_auth(&authority)
        .json(&json!({"phone": "+8613800000990", "kind": "confirmed", "onset_date": "2026-11-01"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = case["id"].as_str().unwrap();
    for step in ["trace", "apply"] {
        let resp = client
            .post(format!("{}/api/v1/cases/{id}/{step}", server.base))
            .bearer_auth(&authority)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{step}");
    }
    assert!(healthcode(&dep, &["keys", "rotate"]).status.success());

    let log: Value = client
        .get(format!("{}/api/v1/audit", server.base))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let all: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    // Minting the tokens is audited too (`token.issued`, actor `operator`).
    let minted = all.iter().filter(|a| **a == "token.issued").count();
    assert!(minted >= 2, "{log}");
    let actions: Vec<&str> = all.into_iter().filter(|a| *a != "token.issued").collect();
    assert_eq!(actions, vec!["case.recorded", "trace.viewed", "case.applied", "keys.rotated"], "{log}");
    let resp = client
        .post(format!("{}/api/v1/cases", server.base))
        .bearer_auth(&auditor)
        .json(&json!({"phone": "+8613800000990", "kind": "suspected", "onset_date": "2026-11-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "an auditor changes nothing");

    let out = healthcode(&dep, &["audit", "verify"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let intact = format!("intact: {} entries", 4 + minted);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&intact), "{}", String::from_utf8_lossy(&out.stdout));

    if !sqlite_only() {
        return; // tampering is shown on the SQLite file; the chain logic is the same
    }
    let pool = sqlx::SqlitePool::connect(&dep.db).await.unwrap();
    sqlx::query("UPDATE audit_log SET detail = 'close=9 secondary=0 changed=0' WHERE seq = 3")
        .execute(&pool)
        .await
        .unwrap();
    let out = healthcode(&dep, &["audit", "verify"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("BROKEN at entry 3"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(&pool).await.unwrap();
    let out = healthcode(&dep, &["audit", "verify"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("BROKEN at entry 2"), "a removed row is found too");
}

#[tokio::test]
async fn purge_counts_in_a_dry_run_then_deletes_and_the_audit_log_keeps_the_fact() {
    let dep = deployment().await;
    assert!(healthcode(&dep, &["demo", "--residents", "200", "--no-serve", "--seed", "3"]).status.success());
    let dry = healthcode(&dep, &["purge", "--dry-run", "--days", "7"]);
    let dry_text = String::from_utf8_lossy(&dry.stdout).to_string();
    assert!(dry.status.success() && dry_text.starts_with("would delete"), "{dry_text}");
    let again = healthcode(&dep, &["purge", "--dry-run", "--days", "7"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout), dry_text, "a dry run deletes nothing");
    let real = healthcode(&dep, &["purge", "--days", "7"]);
    let real_text = String::from_utf8_lossy(&real.stdout).to_string();
    assert_eq!(real_text.replacen("deleted", "would delete", 1), dry_text, "deletes what the dry run counted");
    // Nothing older than what was purged is left. (One day more than the
    // purge: the clock moves between the two commands, and a visit made
    // 7 days before that second may just have come of age.)
    let after = healthcode(&dep, &["purge", "--dry-run", "--days", "8"]);
    let after_text = String::from_utf8_lossy(&after.stdout).to_string();
    assert!(after_text.starts_with("would delete 0 visits, 0 declarations"), "first: {real_text}\nthen: {after_text}");
    let verify = healthcode(&dep, &["audit", "verify"]);
    // The demo's approved false declaration, then the purge.
    assert!(verify.status.success() && String::from_utf8_lossy(&verify.stdout).contains("intact: 2 entries"));
    assert!(!healthcode(&dep, &["purge", "--days", "0"]).status.success(), "a zero period is refused");
}
