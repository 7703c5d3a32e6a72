//! Two server processes on one database: concurrent reports for one person
//! through both lose no status change (constraints and transactions, not
//! in-process locks).

use crate::{deployment, healthcode, last_line, start_server};
use serde_json::{Value, json};

#[tokio::test]
async fn two_servers_on_one_database_lose_no_status_change() {
    let dep = deployment().await;
    let (a, b) = (start_server(&dep), start_server(&dep));
    let token = last_line(&healthcode(&dep, &["token", "--role", "resident", "--subject", "+8613800000500"]));
    let client = reqwest::Client::new();
    let first = client
        .post(format!("{}/api/v1/declarations", a.base))
        .bearer_auth(&token)
        .json(&json!({"name": "Zhou Lan", "document_type": "national_id", "document_number": "330102199202021111",
            "district": "330103", "symptoms": ["cough"], "temperature_c": 37.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 201);

    // Twenty abnormal clock-ins at once, half through each server: each one
    // that is acknowledged must leave exactly one streak restart behind.
    let sends = (0..20).map(|i| {
        let base = if i % 2 == 0 { a.base.clone() } else { b.base.clone() };
        let (client, token) = (client.clone(), token.clone());
        tokio::spawn(async move {
            let resp = client
                .post(format!("{base}/api/v1/clock-ins"))
                .bearer_auth(&token)
                .json(&json!({"temperature_c": 38.0, "symptoms": []}))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.unwrap();
            (status, body)
        })
    });
    let mut accepted = 0;
    for send in sends {
        let (status, body) = send.await.unwrap();
        match status {
            201 => accepted += 1,
            409 => assert_eq!(body["error"]["code"], "STATUS_CHANGED_CONCURRENTLY", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(accepted >= 1);
    let status: Value = client
        .get(format!("{}/api/v1/me/status", b.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let restarts = status["history"].as_array().unwrap().iter().filter(|h| h["event"] == "streak_restarted").count();
    assert_eq!(restarts, accepted, "every acknowledged report left its change, and only those did");
    // Each commit is based on the version it read: none was overwritten.
    assert_eq!(status["version"].as_i64().unwrap(), 1 + accepted as i64, "{status}");
}
