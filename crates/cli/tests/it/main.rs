//! The real `healthcode` binary: serve (and its refusals), token and tokens, verify (text and image, with
//! an independent decoder too), keys, migrate, demo, store copy, backup and
//! restore. Runs on SQLite, or on a fresh PostgreSQL schema when
//! `HEALTHCODE_TEST_PG` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod concurrency;
mod crash;
mod dcc_import;
mod federation;
mod lab_import;
mod loadgen;
mod paper_pass;
mod stats;
mod store;
mod tokens;
mod verify_image;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_healthcode");

/// A data directory and a database: SQLite inside it, or a fresh PostgreSQL schema.
pub struct Deployment {
    pub data: tempfile::TempDir,
    pub db: String,
    _schema: Option<healthcode_store_postgres::testing::SchemaGuard>,
}

impl Deployment {
    pub fn path(&self) -> &Path {
        self.data.path()
    }
}

pub async fn deployment() -> Deployment {
    let data = tempfile::tempdir().unwrap();
    let (db, schema) = match healthcode_store_postgres::testing::test_database_url() {
        Some(base) => {
            let (url, guard) = healthcode_store_postgres::testing::fresh_schema(&base).await.unwrap();
            (url, Some(guard))
        }
        None => (format!("sqlite://{}", data.path().join("healthcode.db").display()), None),
    };
    Deployment { data, db, _schema: schema }
}

pub fn healthcode(dep: &Deployment, args: &[&str]) -> Output {
    Command::new(BIN).args(args).arg("--data-dir").arg(dep.path()).arg("--db").arg(&dep.db).output().unwrap()
}

/// Files a healthy declaration for a resident token, through the API.
pub async fn declare_healthy(base: &str, token: &str, name: &str, document_type: &str, document: &str) {
    let resp = reqwest::Client::new()
        .post(format!("{base}/api/v1/declarations"))
        .bearer_auth(token)
        .json(&serde_json::json!({"name": name, "document_type": document_type, "document_number": document,
            "district": "330102", "symptoms": [], "temperature_c": 36.6}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
}

pub fn sqlite_only() -> bool {
    healthcode_store_postgres::testing::test_database_url().is_none()
}

pub struct Server {
    pub base: String,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_server(dep: &Deployment) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--dev-outbox", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dep.path())
        .arg("--db")
        .arg(&dep.db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line.trim().strip_prefix("healthcode listening on ").expect("the listening line").to_string();
    Server { child, base }
}

pub fn last_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or_default().to_string()
}

fn zbarimg_available() -> bool {
    Command::new("zbarimg").arg("--version").output().is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn a_code_from_a_running_server_verifies_offline_and_a_tampered_copy_does_not() {
    let dir = deployment().await;
    let server = start_server(&dir);
    let out = healthcode(&dir, &["token", "--role", "resident", "--subject", "+86 138 0000 0099"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = last_line(&out);
    assert!(token.starts_with("hct_"));

    let client = reqwest::Client::new();
    declare_healthy(&server.base, &token, "Wang Fang", "passport", "E12345678").await;
    let code: serde_json::Value = client
        .get(format!("{}/api/v1/me/code", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = code["qr_text"].as_str().unwrap().to_string();

    let out = healthcode(&dir, &["verify", &text]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let verdict: serde_json::Value = serde_json::from_str(&last_line(&out)).unwrap();
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["colour"], "green");
    assert_eq!(verdict["holder_hint"], "WF ****5678");

    // Any changed character is rejected, with a reason code.
    let mut tampered: Vec<char> = text.chars().collect();
    let i = tampered.len() - 10;
    tampered[i] = if tampered[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let out = healthcode(&dir, &["verify", &tampered]);
    assert!(!out.status.success());
    let verdict: serde_json::Value = serde_json::from_str(&last_line(&out)).unwrap();
    assert_eq!(verdict["valid"], false);
    assert!(verdict["code"].as_str().unwrap().starts_with("CODE_"));

    // The PNG the server renders: our decoder, and an independent one (zbarimg).
    let png = client
        .get(format!("{}/api/v1/me/code.png", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let png_path = dir.path().join("code.png");
    std::fs::write(&png_path, &png).unwrap();
    let out = healthcode(&dir, &["verify", png_path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));

    if !zbarimg_available() {
        assert!(std::env::var("HEALTHCODE_REQUIRE_TOOLS").is_err(), "zbarimg is required (apt-get install zbar-tools)");
        eprintln!("skipping the zbarimg check: zbar-tools not installed");
        return;
    }
    let zbar = Command::new("zbarimg").args(["-q", "--raw"]).arg(&png_path).output().unwrap();
    assert!(zbar.status.success(), "zbarimg could not read the code");
    let read = String::from_utf8(zbar.stdout).unwrap();
    let read = read.trim();
    assert!(read.starts_with("HCODE1:"));
    let out = healthcode(&dir, &["verify", read]);
    assert!(out.status.success(), "the text zbarimg read verifies: {}", String::from_utf8_lossy(&out.stdout));
    drop(server);
}

#[tokio::test]
async fn verify_with_an_exported_trust_list_and_clear_errors() {
    let dir = deployment().await;
    let out = healthcode(&dir, &["verify", "HCODE1:ABC"]);
    assert!(!out.status.success());
    let verdict: serde_json::Value = serde_json::from_str(&last_line(&out)).unwrap();
    assert_eq!(verdict["code"], "TRUST_LIST_MISSING");
    assert!(verdict["reason"].as_str().unwrap().contains("no keys in"), "explains the missing keys: {verdict}");

    let out = healthcode(&dir, &["keys", "show"]);
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("active"));
    let json_start = shown.find('{').unwrap();
    let trust_path = dir.path().join("trust.json");
    std::fs::write(&trust_path, &shown[json_start..]).unwrap();

    // An EU certificate is judged as one: without an imported DSC list, a JSON verdict saying so.
    let out = healthcode(&dir, &["verify", "HC1:6BFOXN", "--trust-list", trust_path.to_str().unwrap()]);
    assert!(!out.status.success());
    let verdict: serde_json::Value = serde_json::from_str(&last_line(&out)).unwrap();
    assert_eq!(verdict["code"], "DCC_LIST_MISSING");
    let out = healthcode(&dir, &["verify", "HCX1:6BFOXN", "--trust-list", trust_path.to_str().unwrap()]);
    assert!(!out.status.success());
    let verdict: serde_json::Value = serde_json::from_str(&last_line(&out)).unwrap();
    assert_eq!(verdict["code"], "CODE_PREFIX_INVALID");

    // Without keys to check against, still one JSON verdict a script can read.
    let empty = tempfile::tempdir().unwrap();
    for (input, kind) in [("HCODE1:abc", "health_code"), ("https://x.example/c/abc", "venue")] {
        let out = Command::new(BIN).args(["verify", input, "--data-dir"]).arg(empty.path()).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let verdict: serde_json::Value = serde_json::from_str(&last_line(&out)).unwrap();
        assert_eq!((verdict["code"].as_str(), verdict["kind"].as_str()), (Some("TRUST_LIST_MISSING"), Some(kind)));
        assert!(verdict["reason"].as_str().unwrap().contains("no keys in"), "{verdict}");
    }
    let out = healthcode(&dir, &["verify", "HCODE1:abc", "--trust-list", "/nonexistent/trust.json"]);
    let verdict: serde_json::Value = serde_json::from_str(&last_line(&out)).unwrap();
    assert_eq!(verdict["code"], "TRUST_LIST_MISSING");

    let out = healthcode(&dir, &["keys", "rotate"]);
    assert!(out.status.success());
    let out = healthcode(&dir, &["keys", "show"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("retired"));
}

#[tokio::test]
async fn token_and_migrate_explain_their_errors() {
    let dir = deployment().await;
    let out = healthcode(&dir, &["token", "--role", "mayor", "--subject", "x"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("role must be one of"));
    let out = healthcode(&dir, &["token", "--role", "auditor", "--subject", "audrey"]);
    assert!(out.status.success());
    assert!(last_line(&out).starts_with("hct_"));
    let out = healthcode(&dir, &["migrate"]);
    assert!(out.status.success());
    let out = Command::new(BIN).args(["migrate", "--db", "mysql://u:secret@h/db"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("sqlite://") && !err.contains("secret"), "{err}");
}

#[tokio::test]
async fn demo_seeds_a_deterministic_city_once() {
    let dir = deployment().await;
    let out = healthcode(&dir, &["demo", "--residents", "300", "--no-serve", "--seed", "7"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("seeded 300 residents"));
    let out = healthcode(&dir, &["demo", "--residents", "300", "--no-serve"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already"));
}

#[tokio::test]
async fn venue_qr_codes_verify_offline_as_text_and_image() {
    let dir = deployment().await;
    let server = start_server(&dir);
    let op = last_line(&healthcode(&dir, &["token", "--role", "venue", "--subject", "+84912000777"]));
    let client = reqwest::Client::new();
    let venue: serde_json::Value = client
        .post(format!("{}/api/v1/venues", server.base))
        .bearer_auth(&op)
        .json(&serde_json::json!({"name": "Quán Bia", "address": "1 Tạ Hiện", "province": "VN-HN",
            "district": "HN-HOAN-KIEM", "category": "restaurant"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let qr = venue["qr_text"].as_str().unwrap();
    // Listening on port 0, the default public URL names the port the server took, not 0.
    assert!(qr.starts_with(&format!("{}/c/", server.base)), "the QR opens this server: {qr}");
    let out = healthcode(&dir, &["verify", qr]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let verdict: serde_json::Value = serde_json::from_str(&last_line(&out)).unwrap();
    assert_eq!((verdict["kind"].as_str(), verdict["venue_id"].as_str()), (Some("venue"), venue["id"].as_str()));

    let png = client
        .get(format!("{}/api/v1/venues/{}/qr.png", server.base, venue["id"].as_str().unwrap()))
        .bearer_auth(&op)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let path = dir.path().join("venue.png");
    std::fs::write(&path, &png).unwrap();
    let out = healthcode(&dir, &["verify", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));

    let forged = format!("{}A", &qr[..qr.len() - 1]);
    let forged = if forged == qr { format!("{}B", &qr[..qr.len() - 1]) } else { forged };
    let out = healthcode(&dir, &["verify", &forged]);
    assert!(!out.status.success());
    let verdict: serde_json::Value = serde_json::from_str(&last_line(&out)).unwrap();
    assert_eq!(verdict["code"], "VENUE_TOKEN_FORGED");
}
