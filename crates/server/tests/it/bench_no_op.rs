//! `POST /bench/no-op`, the ingest benchmark's reference: absent unless the
//! server is started with it, and never on an address beyond loopback.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{spawn_app, spawn_app_with};

#[tokio::test]
async fn the_no_op_endpoint_exists_only_when_asked_for() {
    let app = spawn_app().await;
    let (status, body) = app.post_json("/bench/no-op", None, json!({"venue_qr": "x"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    let app = spawn_app_with(|config| config.bench_no_op = true).await;
    let (status, body) = app.post_json("/bench/no-op", None, json!({"venue_qr": "x"})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"ok": true})));
    // It reads its body as a check-in's is read: a malformed one is refused
    // (422; outside `/api` the error is the HTML error page, not JSON).
    let (status, body) = app.post_json("/bench/no-op", None, json!({"other": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn the_no_op_endpoint_is_refused_beyond_loopback() {
    let data = tempfile::tempdir().unwrap();
    let mut config = healthcode_server::ServerConfig::with_defaults(data.path().to_path_buf());
    config.listen = "0.0.0.0:0".parse().unwrap();
    config.bench_no_op = true;
    let clock = healthcode_server::FixedClock::new(crate::harness::start_time());
    let err = healthcode_server::build_state(config, std::sync::Arc::new(clock)).await.err().expect("refused");
    let message = err.to_string();
    assert!(message.contains("--bench-no-op") && message.contains("loopback"), "{message}");
}
