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
    assert_eq!(first.status(), 201, "a yellow start: every abnormal clock-in then restarts the streak");

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

#[tokio::test]
async fn concurrent_scans_of_one_venue_through_two_servers_make_one_visit() {
    let dep = deployment().await;
    let (a, b) = (start_server(&dep), start_server(&dep));
    let op = last_line(&healthcode(&dep, &["token", "--role", "venue", "--subject", "+84900000888"]));
    let token = last_line(&healthcode(&dep, &["token", "--role", "resident", "--subject", "+8613800000888"]));
    let client = reqwest::Client::new();
    let venue: Value = client
        .post(format!("{}/api/v1/venues", a.base))
        .bearer_auth(&op)
        .json(&json!({"name": "Ga", "address": "1", "province": "VN-HN", "district": "D1", "category": "transport"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    crate::declare_healthy(&a.base, &token, "Ho Lan", "national_id", "330102199303031111").await;
    let scans = (0..16).map(|i| {
        let base = if i % 2 == 0 { a.base.clone() } else { b.base.clone() };
        let (client, token, qr) = (client.clone(), token.clone(), venue["qr_text"].as_str().unwrap().to_string());
        tokio::spawn(async move {
            let resp = client
                .post(format!("{base}/api/v1/check-ins"))
                .bearer_auth(&token)
                .json(&json!({ "venue_qr": qr }))
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap())
        })
    });
    let mut entered = 0;
    for scan in scans {
        let (status, body) = scan.await.unwrap();
        assert!(status == 200 || status == 201 || status == 409, "{status}: {body}");
        if body["outcome"] == "entered" {
            entered += 1;
        }
    }
    assert_eq!(entered, 1, "one entry, the rest repeats");
    let mine: Value = client
        .get(format!("{}/api/v1/me/visits", b.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["recent"].as_array().unwrap().len(), 1, "{mine}");
}
