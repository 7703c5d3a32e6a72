//! Past the concurrency limit the server sheds load with 503 `OVERLOADED`
//! and `Retry-After`, while `/healthz` keeps answering. Deterministic: the
//! limit is one request, held open by a body that has not finished arriving.

use std::io::Write;
use std::time::Duration;

use reqwest::StatusCode;

use crate::harness::spawn_app_with;

#[tokio::test]
async fn past_the_limit_requests_are_shed_and_healthz_still_answers() {
    let app = spawn_app_with(|config| {
        config.max_in_flight = Some(1);
        config.queue_wait = Duration::from_millis(50);
    })
    .await;
    // The one slot: a JSON request whose body stops half-way, so its handler
    // waits for the rest while holding the slot.
    let mut held = std::net::TcpStream::connect(app.base.trim_start_matches("http://")).unwrap();
    held.write_all(
        b"POST /api/v1/auth/otp/request HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n\
          content-length: 64\r\n\r\n{\"contact\":",
    )
    .unwrap();

    // The held request reaches the server at some point; from then on every
    // other request waits 50 ms and is turned away.
    let mut shed = None;
    for _ in 0..200 {
        let resp = app.client.get(app.url("/api/v1/trust-list")).send().await.unwrap();
        if resp.status() == StatusCode::SERVICE_UNAVAILABLE {
            shed = Some(resp);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let shed = shed.expect("a request past the limit is shed");
    assert_eq!(shed.headers().get("retry-after").unwrap(), "1");
    let body: serde_json::Value = shed.json().await.unwrap();
    assert_eq!(body["error"]["code"], "OVERLOADED", "{body}");

    // Still saturated: the probes answer, other requests are shed.
    let (status, body) = app.get_json("/healthz", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ok");
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let metrics = metrics.text().await.unwrap();
    assert!(!metrics.contains("healthcode_requests_shed_total 0\n"), "shed requests are counted: {metrics}");
    let (status, body) =
        app.post_json("/api/v1/auth/otp/request", None, serde_json::json!({"contact": "+8613800000001"})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("OVERLOADED")));

    // The slot comes back when the held request ends.
    drop(held);
    let mut freed = false;
    for _ in 0..200 {
        let resp = app.client.get(app.url("/api/v1/trust-list")).send().await.unwrap();
        if resp.status() == StatusCode::OK {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(freed, "requests are served again once the slot is free");
}
