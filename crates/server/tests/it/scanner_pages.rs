//! The camera scanner pages: who gets them, what they load, and the scripts
//! they need served as JavaScript. The scanning itself runs in a browser
//! (e2e/tests/scanner.test.js).

use crate::check_in::{operator_token, venue_registered};
use crate::harness::{TestApp, spawn_app};
use healthcode_domain::Role;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use serde_json::{Value, json};

async fn staff_token(app: &TestApp, role: Role, name: &str) -> String {
    app.token(role, name).await
}

async fn checkpoint_registered(app: &TestApp, name: &str) -> String {
    let authority = staff_token(app, Role::Authority, "anh").await;
    let body = json!({"name": name, "kind": "station", "district": "HN-DONG-DA", "location": "hall B"});
    let (s, c) = app.post_json("/api/v1/checkpoints", Some(&authority), body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c["id"].as_str().unwrap().to_string()
}

/// GET with the session cookie a browser would send: (status, Location, body).
async fn page(app: &TestApp, path: &str, session: Option<&str>) -> (StatusCode, String, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(token) = session {
        req = req.header(COOKIE, format!("hc_session={token}"));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let location = resp.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, resp.text().await.unwrap())
}

/// The JSON in the `data-config` attribute of `#scanner-config`.
pub fn scanner_config(html: &str) -> Value {
    let element = html.find(r#"id="scanner-config""#).expect("a scanner-config element");
    let marker = r#"data-config=""#;
    let start = element + html[element..].find(marker).expect("a data-config attribute") + marker.len();
    let len = html[start..].find('"').unwrap();
    let attribute = &html[start..start + len];
    let json = attribute
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"))
}

#[tokio::test]
async fn officers_get_the_checkpoint_list_and_scanner_everyone_else_is_sent_to_sign_in() {
    let app = spawn_app().await;
    let id = checkpoint_registered(&app, "Ga Hà Nội").await;
    let officer = staff_token(&app, Role::Officer, "olga").await;

    let (s, _, list) = page(&app, "/checkpoint", Some(&officer)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains(&format!(r#"href="/checkpoint/{id}""#)), "the list links to the scanner");
    assert!(list.contains("Ga Hà Nội") && list.contains("olga"));

    let (s, _, html) = page(&app, &format!("/checkpoint/{id}"), Some(&officer)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(r#"<script type="module" src="/static/scanner.js"></script>"#));
    assert!(html.contains(r#"id="verdict""#) && html.contains(r#"<video id="preview""#));
    assert!(html.contains(r#"id="manual-text""#), "manual entry, for when there is no camera");
    assert!(html.contains(r#"name="direction" value="out""#), "the in/out toggle");
    let config = scanner_config(&html);
    assert_eq!(config["mode"], "checkpoint");
    assert_eq!(config["scanUrl"], format!("/api/v1/checkpoints/{id}/scans"));
    assert_eq!(config["syncUrl"], format!("/api/v1/checkpoints/{id}/passages:sync"));
    assert_eq!(config["t"]["scan.allow"], "PASS");
    assert_eq!(config["t"]["reason.STATUS_LIST_RED"], "Holder is red now (status list)");

    let (s, _, zh) = page(&app, &format!("/checkpoint/{id}?lang=zh"), Some(&officer)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(zh.contains(r#"<html lang="zh-Hans">"#));
    assert_eq!(scanner_config(&zh)["t"]["scan.deny"], "禁止通行");

    let authority = staff_token(&app, Role::Authority, "anh").await;
    assert_eq!(page(&app, &format!("/checkpoint/{id}"), Some(&authority)).await.0, StatusCode::OK);

    // No session, a resident, a venue operator: to the staff sign-in.
    let resident = app.resident_signs_in("+8613800000701").await;
    let operator = operator_token(&app, "+84912000701").await;
    for who in [None, Some(resident.token.as_str()), Some(operator.as_str()), Some("hct_not-a-token")] {
        for path in ["/checkpoint".to_string(), format!("/checkpoint/{id}")] {
            let (s, to, _) = page(&app, &path, who).await;
            assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/staff/signin"), "{path} for {who:?}");
        }
    }
    // Staff who do not scan: forbidden, not a sign-in loop.
    let supervisor = staff_token(&app, Role::Supervisor, "sam").await;
    assert_eq!(page(&app, "/checkpoint", Some(&supervisor)).await.0, StatusCode::FORBIDDEN);

    for missing in ["/checkpoint/01234567-89ab-7def-8123-456789abcdef", "/checkpoint/nope"] {
        assert_eq!(page(&app, missing, Some(&officer)).await.0, StatusCode::NOT_FOUND, "{missing}");
    }
}

#[tokio::test]
async fn venue_staff_mode_is_for_the_venue_operator_only() {
    let app = spawn_app().await;
    let operator = operator_token(&app, "+84912000702").await;
    let venue = venue_registered(&app, &operator, "Phở Thìn").await;
    let path = format!("/venue/{}/scan", venue["id"].as_str().unwrap());

    let (s, _, html) = page(&app, &path, Some(&operator)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("/static/scanner.js") && html.contains("Phở Thìn"));
    assert!(!html.contains(r#"name="direction""#), "the server decides entry or exit");
    let config = scanner_config(&html);
    assert_eq!(config["mode"], "venue");
    assert_eq!(config["scanUrl"], format!("/api/v1/venues/{}/scans", venue["id"].as_str().unwrap()));

    let other = operator_token(&app, "+84912000703").await;
    assert_eq!(page(&app, &path, Some(&other)).await.0, StatusCode::NOT_FOUND, "not their venue");
    let officer = staff_token(&app, Role::Officer, "olga").await;
    for who in [None, Some(officer.as_str())] {
        let (s, to, _) = page(&app, &path, who).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/venue/signin"));
    }
}

#[tokio::test]
async fn the_scanner_scripts_are_served_as_javascript() {
    let app = spawn_app().await;
    for (path, needle) in [
        ("/static/scanner.js", "from '/static/hc-verify.js'"),
        ("/static/vendor/jsQR.js", "Apache License"),
        ("/static/hc-verify.js", "export async function verifyHealthCode"),
    ] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let kind = resp.headers()[CONTENT_TYPE].to_str().unwrap().to_string();
        assert!(kind.starts_with("text/javascript"), "{path}: {kind}");
        assert!(resp.text().await.unwrap().contains(needle), "{path} holds {needle}");
    }
    let script = app.client.get(app.url("/static/scanner.js")).send().await.unwrap().text().await.unwrap();
    assert!(script.contains("'/static/vendor/jsQR.js'"), "the fallback decoder is the vendored one");
}

#[tokio::test]
async fn the_authority_registers_a_checkpoint_from_the_page_and_an_officer_cannot() {
    let app = crate::harness::spawn_app().await;
    let authority = app.token(healthcode_domain::Role::Authority, "anh").await;
    let officer = app.token(healthcode_domain::Role::Officer, "olga").await;
    let body = "name=Ga+H%C3%A0+N%E1%BB%99i&kind=station&district=HN-HOAN-KIEM&location=Hall+A";
    let post = |token: &str| {
        app.client
            .post(app.url("/checkpoint"))
            .header("cookie", format!("hc_session={token}"))
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let resp = post(&authority).await.unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::SEE_OTHER);
    assert!(resp.headers()["location"].to_str().unwrap().starts_with("/checkpoint/"));
    let resp = post(&officer).await.unwrap();
    assert_eq!(resp.status(), reqwest::StatusCode::FORBIDDEN);
    let list = app.state.store.checkpoints().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "Ga Hà Nội");
}
