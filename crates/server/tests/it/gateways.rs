//! Real message gateways: an SMTP server (Python's aiosmtpd as a sink) and a
//! local HTTP SMS gateway receive the sign-in codes; the outbox stays empty
//! and answers 404.

use crate::harness::{TestApp, spawn_app_with};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use healthcode_server::{BodyFormat, Secret, SenderConfig, SmsGatewayConfig, SmtpConfig, SmtpSecurity};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the HTTP gateway received, and the statuses it answers in turn (the
/// last one repeats).
#[derive(Clone, Default)]
struct SmsGateway {
    received: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    answers: Arc<Mutex<Vec<u16>>>,
}

impl SmsGateway {
    async fn start(answers: &[u16]) -> (Self, String) {
        let gateway = SmsGateway { answers: Arc::new(Mutex::new(answers.to_vec())), ..Default::default() };
        let state = gateway.clone();
        let app = axum::Router::new().route(
            "/send",
            axum::routing::post(|headers: HeaderMap, body: String| async move {
                state.received.lock().unwrap().push((headers, body));
                let mut answers = state.answers.lock().unwrap();
                let status = if answers.len() > 1 { answers.remove(0) } else { answers[0] };
                AxumStatus::from_u16(status).unwrap()
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/send", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (gateway, url)
    }

    fn bodies(&self) -> Vec<Value> {
        self.received.lock().unwrap().iter().map(|(_, b)| serde_json::from_str(b).unwrap()).collect()
    }
}

fn sms_config(url: &str) -> SmsGatewayConfig {
    SmsGatewayConfig {
        url: url.into(),
        method: "POST".into(),
        headers: vec![("authorization".into(), Secret("Bearer t0ken".into()))],
        body: r#"{"to":"{to}","message":"{text}"}"#.into(),
        format: BodyFormat::Json,
        timeout: Duration::from_secs(2),
        retries: 2,
        backoff: Duration::from_millis(10),
    }
}

/// The six-digit code in a message.
fn code_in(text: &str) -> String {
    let digits: Vec<char> = text.chars().collect();
    for w in digits.windows(6) {
        if w.iter().all(char::is_ascii_digit) {
            return w.iter().collect();
        }
    }
    panic!("no code in {text:?}");
}

async fn the_outbox_is_closed(app: &TestApp) {
    let (s, _) = app.get_json("/api/v1/dev/outbox", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let resp = app.client.get(app.url("/dev/outbox")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(app.state.store.outbox(None, 50).await.unwrap().is_empty(), "nothing written to the outbox table");
}

#[tokio::test]
async fn a_code_sent_by_the_sms_gateway_signs_in_once() {
    let (gateway, url) = SmsGateway::start(&[200]).await;
    let app = spawn_app_with(|c| c.sender = SenderConfig::Gateways { sms: Some(sms_config(&url)), email: None }).await;
    let phone = "+8613800000501";
    let (s, b) = app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let received = gateway.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let (headers, _) = &received[0];
    assert_eq!(headers["authorization"], "Bearer t0ken");
    assert_eq!(headers["content-type"], "application/json");
    let body = &gateway.bodies()[0];
    assert_eq!(body["to"], phone);
    let code = code_in(body["message"].as_str().unwrap());

    let (s, b) = app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": code })).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("OTP_NOT_REQUESTED")));
    the_outbox_is_closed(&app).await;

    // No e-mail gateway: an address cannot get a code, and says so.
    let (s, b) = app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": "anna@example.org" })).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("OTP_CHANNEL_UNAVAILABLE")));
}

#[tokio::test]
async fn the_sms_gateway_is_retried_after_a_503() {
    let (gateway, url) = SmsGateway::start(&[503, 200]).await;
    let app = spawn_app_with(|c| c.sender = SenderConfig::Gateways { sms: Some(sms_config(&url)), email: None }).await;
    let phone = "+8613800000502";
    let (s, b) = app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let bodies = gateway.bodies();
    assert_eq!(bodies.len(), 2, "one failure, one retry");
    assert_eq!(bodies[0], bodies[1], "the same message again");
    let code = code_in(bodies[1]["message"].as_str().unwrap());
    let (s, b) = app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

/// Collects what the server logs on this thread.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

// One thread: the server's tasks log through this test's subscriber.
#[tokio::test(flavor = "current_thread")]
async fn a_gateway_that_keeps_failing_gives_a_clear_error_and_leaks_no_code() {
    let logs = LogBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .without_time() // no clock digits to mistake for a code
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let (gateway, url) = SmsGateway::start(&[503]).await;
    let app = spawn_app_with(|c| c.sender = SenderConfig::Gateways { sms: Some(sms_config(&url)), email: None }).await;
    let phone = "+8613800000503";
    let resp = app.client.post(app.url("/api/v1/auth/otp/request")).json(&json!({ "contact": phone })).send().await;
    let resp = resp.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{text}");
    let b: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(b["error"]["code"], "OTP_DELIVERY_FAILED");
    let bodies = gateway.bodies();
    assert_eq!(bodies.len(), 3, "the first try and two retries");
    let message = bodies[0]["message"].as_str().unwrap().to_string();
    let code = code_in(&message);
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("OTP_DELIVERY_FAILED") || logs.contains("not delivered"), "the failure is logged: {logs}");
    for secret in [code.as_str(), message.as_str(), "t0ken"] {
        assert!(!text.contains(secret), "the response holds {secret}");
        assert!(!logs.contains(secret), "the logs hold {secret}: {logs}");
    }
}

/// An SMTP sink: Python's aiosmtpd writing each message as a JSON line.
struct SmtpSink {
    child: Child,
    port: u16,
    file: std::path::PathBuf,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const SINK: &str = r#"
import json, sys, time
from aiosmtpd.controller import Controller
class Sink:
    async def handle_DATA(self, server, session, envelope):
        with open(sys.argv[2], "a") as f:
            f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                "data": envelope.content.decode("utf-8", "replace")}) + "\n")
        return "250 OK"
controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"#;

impl SmtpSink {
    /// The sink, or `None` (with a message) when aiosmtpd is missing and
    /// `HEALTHCODE_REQUIRE_TOOLS` is unset; with it set, a missing tool fails.
    fn start(dir: &std::path::Path) -> Option<Self> {
        let present = Command::new("python3").args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
        if !present {
            assert!(
                std::env::var_os("HEALTHCODE_REQUIRE_TOOLS").is_none(),
                "python3 with aiosmtpd is required (scripts/install-deps installs it)"
            );
            eprintln!("SKIPPED: python3 with aiosmtpd is missing (run scripts/install-deps)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let file = dir.join("mail.jsonl");
        let mut child = Command::new("python3")
            .args(["-c", SINK, &port.to_string(), file.to_str().unwrap()])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready");
        Some(SmtpSink { child, port, file })
    }

    async fn messages(&self) -> Vec<Value> {
        for _ in 0..100 {
            if let Ok(text) = std::fs::read_to_string(&self.file) {
                return text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Vec::new()
    }
}

#[tokio::test]
async fn a_code_sent_by_email_over_smtp_signs_a_visitor_in_once() {
    let dir = tempfile::tempdir().unwrap();
    let Some(sink) = SmtpSink::start(dir.path()) else { return };
    let email = SmtpConfig {
        host: "127.0.0.1".into(),
        port: sink.port,
        security: SmtpSecurity::None,
        credentials: None,
        from: "healthcode <no-reply@example.org>".into(),
        timeout: Duration::from_secs(5),
    };
    let app = spawn_app_with(|c| c.sender = SenderConfig::Gateways { sms: None, email: Some(email) }).await;
    let address = "anna@example.org";
    let (s, b) = app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": address })).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let mail = sink.messages().await;
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0]["to"], json!([address]));
    assert_eq!(mail[0]["from"], "no-reply@example.org");
    let data = mail[0]["data"].as_str().unwrap();
    assert!(data.contains("Subject: healthcode"), "{data}");
    let code = code_in(data.split("\r\n\r\n").nth(1).unwrap_or(data));

    let visitor = json!({ "name": "Anna Schmidt", "document_type": "passport", "document_number": "C01X00T47", "district": "330106" });
    let verify = json!({ "contact": address, "code": code, "visitor": visitor });
    let (s, b) = app.post_json("/api/v1/auth/otp/verify", None, verify.clone()).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.post_json("/api/v1/auth/otp/verify", None, verify).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("OTP_NOT_REQUESTED")));
    the_outbox_is_closed(&app).await;

    // No SMS gateway here: a phone cannot get a code.
    let (s, b) = app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": "+8613800000504" })).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("OTP_CHANNEL_UNAVAILABLE")));
}
