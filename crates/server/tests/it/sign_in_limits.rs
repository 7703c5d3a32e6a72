//! Sign-in limits (per client address, overall, behind a trusted proxy) and
//! session lifetimes: `session_days`, refresh, sliding cookie renewal.

use crate::harness::{TestApp, spawn_app_with, urlencode};
use healthcode_server::SignInLimits;
use jiff::SignedDuration;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, RETRY_AFTER, SET_COOKIE};
use serde_json::{Value, json};

async fn request_code(app: &TestApp, phone: &str, forwarded_for: Option<&str>) -> (StatusCode, Option<String>, Value) {
    let mut req = app.client.post(app.url("/api/v1/auth/otp/request")).json(&json!({ "contact": phone }));
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let retry = resp.headers().get(RETRY_AFTER).map(|v| v.to_str().unwrap().to_string());
    let body = serde_json::from_str(&resp.text().await.unwrap()).unwrap_or(Value::Null);
    (status, retry, body)
}

fn limited(result: &(StatusCode, Option<String>, Value)) -> bool {
    result.0 == StatusCode::TOO_MANY_REQUESTS && result.2["error"]["code"] == "RATE_LIMITED" && result.1.is_some()
}

#[tokio::test]
async fn one_address_is_limited_across_the_api_and_the_pages() {
    let app = spawn_app_with(|c| {
        c.sign_in_limits = SignInLimits { per_address_per_minute: 3, overall_per_minute: 1000 };
    })
    .await;
    for n in 0..2 {
        let r = request_code(&app, &format!("+86138000006{n:02}"), None).await;
        assert_eq!(r.0, StatusCode::ACCEPTED, "{r:?}");
    }
    // The third goes through a verify: both endpoints draw on one bucket.
    let (s, _) =
        app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": "+8613800000600", "code": "000000" })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "counted, and wrong");
    let r = request_code(&app, "+8613800000603", None).await;
    assert!(limited(&r), "{r:?}");
    assert_eq!(r.1.as_deref(), Some("20"), "a token comes back every 20 s at 3 a minute");
    let form = app
        .client
        .post(app.url("/signin"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("phone={}", urlencode("+8613800000604")))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::TOO_MANY_REQUESTS, "the form page too");
    assert!(form.headers().contains_key(RETRY_AFTER));

    app.clock.advance(SignedDuration::from_secs(20));
    let r = request_code(&app, "+8613800000605", None).await;
    assert_eq!(r.0, StatusCode::ACCEPTED, "refilled: {r:?}");
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_limited_and_everyone_together() {
    let app = spawn_app_with(|c| {
        c.sign_in_limits = SignInLimits { per_address_per_minute: 2, overall_per_minute: 3 };
        c.trusted_proxy = Some("127.0.0.1".parse().unwrap());
    })
    .await;
    for n in 0..2 {
        let r = request_code(&app, &format!("+86138000007{n:02}"), Some("198.51.100.1")).await;
        assert_eq!(r.0, StatusCode::ACCEPTED, "{r:?}");
    }
    assert!(limited(&request_code(&app, "+8613800000702", Some("198.51.100.1")).await), "per address");
    // A client-written entry before the proxy's own counts for nothing.
    let r = request_code(&app, "+8613800000703", Some("198.51.100.1, 198.51.100.2")).await;
    assert_eq!(r.0, StatusCode::ACCEPTED, "another address: {r:?}");
    let r = request_code(&app, "+8613800000704", Some("198.51.100.3")).await;
    assert!(limited(&r), "the overall limit of 3 a minute: {r:?}");
    assert_eq!(r.1.as_deref(), Some("20"));
}

#[tokio::test]
async fn without_a_trusted_proxy_forwarded_for_is_ignored() {
    let app = spawn_app_with(|c| {
        c.sign_in_limits = SignInLimits { per_address_per_minute: 1, overall_per_minute: 1000 };
    })
    .await;
    assert_eq!(request_code(&app, "+8613800000801", Some("198.51.100.1")).await.0, StatusCode::ACCEPTED);
    assert!(limited(&request_code(&app, "+8613800000802", Some("198.51.100.2")).await), "the socket peer counts");
}

#[tokio::test]
async fn sign_in_tokens_last_session_days_and_refresh_revokes_the_old_one() {
    let app = spawn_app_with(default_sessions).await;
    let phone = "+8613800000901";
    app.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    let code = app.otp_for(phone).await;
    let (s, b) = app.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["expires_in_seconds"], 7 * 24 * 3600);
    let old = b["token"].as_str().unwrap().to_string();

    app.advance_days(6);
    let (s, b) = app.post_json("/api/v1/auth/refresh", Some(&old), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let new = b["token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(b["expires_in_seconds"], 7 * 24 * 3600);
    assert!(b["resident_id"].is_string());
    app.clock.advance(SignedDuration::from_secs(5)); // past the server's hot-read cache
    assert_eq!(app.get_json("/api/v1/me/status", Some(&old)).await.0, StatusCode::UNAUTHORIZED, "revoked");
    assert_ne!(app.get_json("/api/v1/me/status", Some(&new)).await.0, StatusCode::UNAUTHORIZED);

    app.advance_days(6);
    assert_ne!(app.get_json("/api/v1/me/status", Some(&new)).await.0, StatusCode::UNAUTHORIZED, "day 12: alive");
    app.advance_days(2);
    assert_eq!(app.get_json("/api/v1/me/status", Some(&new)).await.0, StatusCode::UNAUTHORIZED, "7 days after refresh");
}

/// The default `session_days` (the harness lengthens it for the stories).
fn default_sessions(c: &mut healthcode_server::ServerConfig) {
    c.session_lifetime = healthcode_server::ServerConfig::with_defaults(".".into()).session_lifetime;
    assert_eq!(c.session_lifetime, SignedDuration::from_hours(7 * 24));
}

fn cookie_set(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hc_session="))
        .map(str::to_string)
}

async fn open(app: &TestApp, path: &str, cookie: &str) -> reqwest::Response {
    app.client.get(app.url(path)).header(COOKIE, cookie).send().await.unwrap()
}

#[tokio::test]
async fn a_cookie_session_is_renewed_on_use_past_half_its_life() {
    let app = spawn_app_with(default_sessions).await;
    let phone = "+8613800000902";
    let form = |path: &str, body: String| {
        app.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body(body).send()
    };
    form("/signin", format!("phone={}", urlencode(phone))).await.unwrap();
    let code = app.otp_for(phone).await;
    let resp = form("/signin/verify", format!("contact={}&code={code}", urlencode(phone))).await.unwrap();
    let set = cookie_set(&resp).expect("a session cookie");
    assert!(set.contains("Max-Age=604800"), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();

    app.advance_days(3);
    let resp = open(&app, "/me/history", &cookie).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(cookie_set(&resp), None, "more than half its life left: not renewed");

    app.advance_days(1);
    let resp = open(&app, "/me/history", &cookie).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let renewed = cookie_set(&resp).expect("renewed past half its life");
    assert!(renewed.starts_with(&cookie) && renewed.contains("Max-Age=604800"), "{renewed}");

    app.advance_days(6); // day 10: alive only because it was renewed on day 4
    let resp = open(&app, "/me/history", &cookie).await;
    assert_eq!(resp.status(), StatusCode::OK, "renewed sessions last");
    app.advance_days(8);
    let resp = open(&app, "/me/history", &cookie).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "unused for 7 days: signed out");
}
