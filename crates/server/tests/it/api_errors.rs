//! Bad input gets a clear, stable code and changes nothing.

use crate::harness::spawn_app;
use reqwest::StatusCode;
use rstest::rstest;
use serde_json::{Value, json};

#[rstest]
#[case::unknown_symptom(json!({"symptoms": ["sneezing"], "temperature_c": 36.6}), "SYMPTOM_UNKNOWN")]
#[case::too_hot(json!({"symptoms": [], "temperature_c": 48.0}), "TEMPERATURE_OUT_OF_RANGE")]
#[case::bad_region(json!({"symptoms": [], "temperature_c": 36.6, "visited_regions": ["no spaces"]}), "REGION_INVALID")]
#[case::half_identity(json!({"name": "Li", "temperature_c": 36.6}), "IDENTITY_INCOMPLETE")]
#[case::no_identity_first_time(json!({"temperature_c": 36.6}), "IDENTITY_REQUIRED")]
#[case::bad_document(json!({"name": "Li Wei", "document_type": "national_id", "document_number": "x", "district": "330102", "temperature_c": 36.6}), "DOCUMENT_NUMBER_INVALID")]
#[case::wrong_type(json!({"temperature_c": "hot"}), "BAD_JSON")]
#[tokio::test]
async fn invalid_declarations_are_refused_with_stable_codes(#[case] body: Value, #[case] code: &str) {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000020").await;
    let (s, b) = app.post_json("/api/v1/declarations", Some(&li.token), body).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], code, "{b}");
    assert!(b["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    let (s, b) = app.get_json("/api/v1/me/status", Some(&li.token)).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("DECLARATION_REQUIRED")),
        "nothing was written"
    );
}

#[tokio::test]
async fn authentication_is_required_and_checked() {
    let app = spawn_app().await;
    for path in ["/api/v1/me/status", "/api/v1/me/code", "/api/v1/me/code.png"] {
        let (s, b) = app.get_json(path, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(b["error"]["code"], "UNAUTHENTICATED");
        let (s, _) = app.get_json(path, Some("hct_forged")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path} with a forged token");
    }
}

#[tokio::test]
async fn staff_tokens_cannot_act_as_residents() {
    use healthcode_store::{Principal, SessionKind};
    let app = spawn_app().await;
    let principal = Principal { role: healthcode_domain::Role::Auditor, subject: "audrey".into(), resident: None };
    let token = healthcode_server::auth::session::issue(
        app.state.store.as_ref(),
        principal,
        SessionKind::ApiToken,
        app.clock_now(),
        jiff::SignedDuration::from_hours(1),
    )
    .await
    .unwrap();
    let (s, b) = app.get_json("/api/v1/me/status", Some(&token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(b["error"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn code_before_declaration_and_clock_in_before_declaration_conflict() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000021").await;
    let (s, b) = app.get_json("/api/v1/me/code", Some(&li.token)).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("DECLARATION_REQUIRED")));
    let (s, b) = app.resident_clocks_in(&li, 36.6).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("DECLARATION_REQUIRED")));
}

#[tokio::test]
async fn unknown_routes_and_non_json_bodies_answer_in_the_error_format() {
    let app = spawn_app().await;
    let (s, b) = app.get_json("/api/v1/nope", None).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("NOT_FOUND")));
    let resp = app.client.post(app.url("/api/v1/auth/otp/request")).body("contact=1").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["error"]["code"], "BAD_CONTENT_TYPE");
    let (s, b) = app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": "12345" })).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("PHONE_INVALID")));
}

/// `(status, code)` of an `/api` answer that must be in the error format.
async fn error_of(resp: reqwest::Response) -> (StatusCode, String) {
    let status = resp.status();
    let kind = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let text = resp.text().await.unwrap();
    assert!(kind.starts_with("application/json"), "{status} answered {kind:?}: {text}");
    let b: Value = serde_json::from_str(&text).unwrap();
    assert!(b["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{b}");
    (status, b["error"]["code"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn every_api_rejection_answers_in_the_error_format_with_a_stable_code() {
    let app = spawn_app().await;
    let authority = app.token(healthcode_domain::Role::Authority, "anh").await;
    let c = &app.client;

    // A query that does not fit the handler's parameters.
    let resp = c.get(app.url("/api/v1/audit?after=many")).bearer_auth(&authority).send().await.unwrap();
    assert_eq!(error_of(resp).await, (StatusCode::UNPROCESSABLE_ENTITY, "INVALID_QUERY".into()));
    // A path parameter that is not valid UTF-8 once decoded.
    let resp = c.post(app.url("/api/v1/cases/%FF/trace")).bearer_auth(&authority).send().await.unwrap();
    assert_eq!(error_of(resp).await, (StatusCode::UNPROCESSABLE_ENTITY, "INVALID_PATH".into()));
    // A body that is not JSON at all, and one of the wrong shape.
    let resp = c
        .post(app.url("/api/v1/auth/otp/request"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(resp).await, (StatusCode::UNPROCESSABLE_ENTITY, "BAD_JSON".into()));
    let (s, b) = app.post_json("/api/v1/auth/otp/request", None, json!({"contact": 12})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("BAD_JSON")));
    // Unknown route, and a known route with a method it does not take (Allow kept).
    let resp = c.delete(app.url("/api/v1/nope/deeper")).send().await.unwrap();
    assert_eq!(error_of(resp).await, (StatusCode::NOT_FOUND, "NOT_FOUND".into()));
    let resp = c.delete(app.url("/api/v1/trust-list")).send().await.unwrap();
    assert!(resp.headers().get("allow").is_some_and(|v| v.to_str().unwrap().contains("GET")), "{resp:?}");
    assert_eq!(error_of(resp).await, (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED".into()));
    // A body over the 64 KiB limit, announced or streamed.
    let big = format!(r#"{{"contact": "{}"}}"#, "1".repeat(70 * 1024));
    let resp = c
        .post(app.url("/api/v1/auth/otp/request"))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(resp).await, (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE".into()));
    let (status, body) = chunked_post(&app, "/api/v1/auth/otp/request", &big).await;
    assert!(status.starts_with("HTTP/1.1 413"), "{status}");
    assert!(body.contains(r#""code":"PAYLOAD_TOO_LARGE""#), "{body}");
    // A URI past 8 KiB.
    let resp = c.get(app.url(&format!("/api/v1/trust-list?pad={}", "a".repeat(9 * 1024)))).send().await.unwrap();
    assert_eq!(error_of(resp).await, (StatusCode::URI_TOO_LONG, "URI_TOO_LONG".into()));
    // Headers past 16 KiB (still inside what hyper reads).
    let resp = c.get(app.url("/api/v1/trust-list")).header("x-pad", "a".repeat(20 * 1024)).send().await.unwrap();
    assert_eq!(error_of(resp).await, (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "HEADERS_TOO_LARGE".into()));
}

/// Past hyper's own limits the connection layer answers before the
/// application sees a request: a bare status, no body to shape. hyper stops
/// once its read buffer holds 400 KiB of an unfinished head; the read that
/// crosses the line may finish the head, so only a head past twice that is
/// refused by hyper every time.
#[tokio::test]
async fn past_hypers_own_limits_the_answer_is_a_bare_status() {
    let app = spawn_app().await;
    let addr = app.base.trim_start_matches("http://");
    let pad = "a".repeat(1024 * 1024);
    let head = format!("GET /api/v1/trust-list HTTP/1.1\r\nHost: {addr}\r\nX-Pad: {pad}\r\nConnection: close\r\n\r\n");
    let (status, body) = raw_exchange(addr, head).await;
    assert!(status.starts_with("HTTP/1.1 431"), "{status}");
    assert_eq!(body, "", "hyper's own answer has no body");
}

/// A JSON body sent in chunks, without a Content-Length the body limit could
/// refuse up front: (status line, body).
async fn chunked_post(app: &crate::harness::TestApp, path: &str, body: &str) -> (String, String) {
    let addr = app.base.trim_start_matches("http://");
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    for chunk in body.as_bytes().chunks(16 * 1024) {
        request.push_str(&format!("{:x}\r\n{}\r\n", chunk.len(), std::str::from_utf8(chunk).unwrap()));
    }
    request.push_str("0\r\n\r\n");
    raw_exchange(addr, request).await
}

/// Writes a raw HTTP/1.1 request and reads the answer until the server
/// closes: (status line, body).
async fn raw_exchange(addr: &str, request: String) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    // The server may answer and close before it has read everything.
    let _ = tcp.write_all(request.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer.lines().next().unwrap_or_default().to_string();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
    (status, body)
}
