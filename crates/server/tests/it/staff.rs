//! Staff accounts (issue 16): a supervisor invites an officer from the
//! page, the officer sets a password and a second factor, signs in, scans
//! at a checkpoint, is locked after repeated wrong passwords and refused
//! once disabled; every step is in the audit log.

use healthcode_server::Clock;
use healthcode_server::auth::staff_credentials::code_at;
use healthcode_server::auth::staff_credentials::totp_from_base32;
use healthcode_server::services::staff;
use healthcode_store::AuditActor;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::harness::{TestApp, spawn_app, urlencode};

/// A form POST as a browser sends it (same-origin), with an optional session cookie.
pub(crate) async fn form(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
    let mut req = app
        .client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(body.join("&"));
    if let Some(c) = cookie {
        req = req.header(COOKIE, format!("hc_session={c}"));
    }
    req.send().await.unwrap()
}

pub(crate) async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(c) = cookie {
        req = req.header(COOKIE, format!("hc_session={c}"));
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

pub(crate) fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers().get_all(SET_COOKIE).iter().find_map(|v| {
        v.to_str().ok()?.strip_prefix("hc_session=")?.split(';').next().filter(|t| !t.is_empty()).map(str::to_string)
    })
}

/// The text between `before` and the next `after` in `html`.
pub(crate) fn between<'a>(html: &'a str, before: &str, after: &str) -> &'a str {
    let start = html.find(before).unwrap_or_else(|| panic!("{before} not in {html}")) + before.len();
    &html[start..start + html[start..].find(after).unwrap()]
}

/// Signs in with login, password and the current code; the session cookie.
pub(crate) async fn signs_in(app: &TestApp, login: &str, password: &str, secret: &[u8]) -> reqwest::Response {
    let code = code_at(secret, app.clock.now()).unwrap();
    form(app, "/staff/signin", None, &[("login", login), ("password", password), ("code", &code)]).await
}

/// A supervisor made by the operator, enrolled with a second factor.
pub(crate) async fn supervisor(app: &TestApp, login: &str) -> (String, Vec<u8>) {
    let invited =
        staff::create(&app.state, &AuditActor::Operator, login, "Sam Supervisor", "supervisor", "").await.unwrap();
    let secret = b"supervisor-secret-20".to_vec();
    let code = code_at(&secret, app.clock.now()).unwrap();
    staff::enrol(&app.state, &invited.invitation, "a long supervisor password", Some(&secret), &code).await.unwrap();
    app.clock.advance(jiff::SignedDuration::from_secs(30));
    let resp = signs_in(app, login, "a long supervisor password", &secret).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    (session_cookie(&resp).unwrap(), secret)
}

#[tokio::test]
async fn a_supervisor_invites_an_officer_who_enrols_scans_is_locked_and_disabled() {
    let app = spawn_app().await;
    let (sam, _) = supervisor(&app, "sam").await;

    // The supervisor invites an officer from the page.
    let resp = form(
        &app,
        "/staff/accounts",
        Some(&sam),
        &[("login", "Olga"), ("name", "Olga Officer"), ("role", "officer"), ("scope", "")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    let link = between(&html, "id=\"invitation-link\" href=\"", "\"").to_string();
    let invite_path = &link[link.find("/staff/invite/").unwrap()..];

    // The same login in other case is taken.
    let resp =
        form(&app, "/staff/accounts", Some(&sam), &[("login", "OLGA"), ("name", "Other"), ("role", "officer")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "logins ignore case");

    // The officer opens the link, sets a password and enrols the second factor.
    let (s, html) = page(&app, invite_path, None).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let key = between(&html, "name=\"totp_key\" value=\"", "\"").to_string();
    let secret = totp_from_base32(&key).unwrap();
    let resp = form(&app, invite_path, None, &[("password", "short"), ("totp_key", &key), ("code", "")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "a short password is refused");
    let code = code_at(&secret, app.clock.now()).unwrap();
    let resp =
        form(&app, invite_path, None, &[("password", "olga's long password"), ("totp_key", &key), ("code", &code)])
            .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // The link worked once.
    let (s, _) = page(&app, invite_path, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // She signs in (the code just used does not work twice) and scans.
    let resp = signs_in(&app, "olga", "olga's long password", &secret).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "a code works once");
    app.clock.advance(jiff::SignedDuration::from_secs(30));
    let resp = signs_in(&app, "OLGA", "olga's long password", &secret).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[LOCATION], "/checkpoint");
    let olga = session_cookie(&resp).unwrap();
    let (checkpoint, _) = crate::checkpoints::checkpoint(&app).await;
    let resident = app.resident_signs_in("+8613800000161").await;
    app.resident_declares(&resident, 36.6, &[]).await;
    let qr = crate::checkpoints::code_of(&app, &resident.token).await;
    let verdict = crate::checkpoints::scan(&app, &olga, &checkpoint, &qr).await;
    assert_eq!(verdict["verdict"], "allow", "{verdict}");
    // Officers may not use the supervisor's page.
    let (s, _) = page(&app, "/staff/accounts", Some(&olga)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Wrong passwords lock the account, concurrently counted, and end her session.
    app.clock.advance(jiff::SignedDuration::from_secs(30));
    let code = code_at(&secret, app.clock.now()).unwrap();
    let tries: Vec<_> = (0..6)
        .map(|_| {
            let (client, url, code) = (app.client.clone(), app.url("/staff/signin"), code.clone());
            tokio::spawn(async move {
                let body = format!("login=olga&password=wrong+password&code={code}");
                let req = client.post(url).header("content-type", "application/x-www-form-urlencoded").body(body);
                req.send().await.unwrap().status()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    assert!(statuses.iter().all(|s| matches!(*s, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)), "{statuses:?}");
    let account = staff::find(&app.state, "olga").await.unwrap();
    assert_eq!(account.state, healthcode_domain::StaffState::Locked);
    assert_eq!(account.failed_attempts, 5, "every failure counted once");
    app.clock.advance(jiff::SignedDuration::from_secs(30));
    let resp = signs_in(&app, "olga", "olga's long password", &secret).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "locked: even the right password is refused");
    assert!(resp.text().await.unwrap().contains("locked"));
    let (s, _) = app.post_json(&format!("/api/v1/checkpoints/{checkpoint}/scans"), None, json!({})).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = page(&app, "/checkpoint", Some(&olga)).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "her session ended with the lock");

    // The supervisor resets her (new link), she enrols again and signs in; then is disabled.
    let version = account.version.to_string();
    let resp = form(&app, &format!("/staff/accounts/{}/reset", account.id), Some(&sam), &[("version", &version)]).await;
    let html = resp.text().await.unwrap();
    let link = between(&html, "id=\"invitation-link\" href=\"", "\"").to_string();
    let invite_path = &link[link.find("/staff/invite/").unwrap()..];
    let code = code_at(&secret, app.clock.now()).unwrap();
    let resp =
        form(&app, invite_path, None, &[("password", "a brand new password"), ("totp_key", &key), ("code", &code)])
            .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    app.clock.advance(jiff::SignedDuration::from_secs(30));
    let resp = signs_in(&app, "olga", "a brand new password", &secret).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let olga = session_cookie(&resp).unwrap();
    let version = staff::find(&app.state, "olga").await.unwrap().version.to_string();
    let resp =
        form(&app, &format!("/staff/accounts/{}/disable", account.id), Some(&sam), &[("version", &version)]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let (s, _) = page(&app, "/checkpoint", Some(&olga)).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "disabled: the session is gone at once");
    app.clock.advance(jiff::SignedDuration::from_secs(30));
    let resp = signs_in(&app, "olga", "a brand new password", &secret).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.text().await.unwrap().contains("disabled"));

    // A staff session lasts one shift.
    let (s, _) = page(&app, "/staff/accounts", Some(&sam)).await;
    assert_eq!(s, StatusCode::OK);
    app.clock.advance(jiff::SignedDuration::from_hours(12));
    let (s, _) = page(&app, "/staff/accounts", Some(&sam)).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "after the shift the supervisor signs in again");

    // The audit log shows every step, naming accounts by id.
    let entries = app.state.store.audit_after(0, 500).await.unwrap();
    let about_olga: Vec<&str> =
        entries.iter().filter(|e| e.subject == account.id.to_string()).map(|e| e.action.as_str()).collect();
    for step in [
        "staff.created",
        "staff.enrolled",
        "staff.signed_in",
        "staff.sign_in_failed",
        "staff.locked",
        "staff.reset",
        "staff.disabled",
    ] {
        assert!(about_olga.contains(&step), "{step} missing from {about_olga:?}");
    }
    assert_eq!(about_olga.iter().filter(|a| **a == "staff.sign_in_failed").count(), 6, "{about_olga:?}");
    let created = entries.iter().find(|e| e.action == "staff.created" && e.subject == account.id.to_string()).unwrap();
    assert_eq!(created.actor, "supervisor:sam");
    let verified = healthcode_server::services::audit::verify_chain(app.state.store.as_ref()).await.unwrap();
    assert!(verified.is_ok());
}

#[tokio::test]
async fn four_eyes_compare_ids_not_names() {
    let app = spawn_app().await;
    let resident = app.resident_signs_in("+8613800000162").await;
    app.resident_declares(&resident, 36.6, &[]).await;
    // Two device tokens whose names differ only in case are one requester.
    let authority = app.token(healthcode_domain::Role::Authority, "Sam").await;
    let supervisor = app.token(healthcode_domain::Role::Supervisor, "sam").await;
    let body = json!({"phone": "+8613800000162", "colour": "yellow", "reason_code": "DATA_ERROR", "basis": "wrong district on file"});
    let (s, o) = app.post_json("/api/v1/overrides", Some(&authority), body).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let (s, b) = app
        .post_json(&format!("/api/v1/overrides/{}/approve", o["id"].as_str().unwrap()), Some(&supervisor), json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(b["error"]["code"], "OVERRIDE_SELF_APPROVAL");
    // Staff logins ignore case: a second `SAM` cannot be created.
    staff::create(&app.state, &AuditActor::Operator, "sam", "Sam", "supervisor", "").await.unwrap();
    let e = staff::create(&app.state, &AuditActor::Operator, "SAM", "Sam Two", "authority", "").await.unwrap_err();
    assert_eq!(e.code, "STAFF_LOGIN_TAKEN");
}

/// Stores an officer's device token `secret` with `scope`, good for 24 hours.
async fn device_token(app: &TestApp, secret: &str, scope: &str) {
    let now = app.clock.now();
    let token = healthcode_store::SessionRecord {
        token_hash: healthcode_server::auth::session::hash_token(secret),
        kind: healthcode_store::SessionKind::ApiToken,
        principal: healthcode_store::Principal {
            role: healthcode_domain::Role::Officer,
            subject: "gate-3".into(),
            resident: None,
        },
        created_at: now,
        expires_at: now.saturating_add(jiff::SignedDuration::from_hours(24)).unwrap(),
        scope: Some(scope.to_string()),
    };
    app.state.store.insert_session(&token).await.unwrap();
}

#[tokio::test]
async fn a_device_token_is_bound_to_its_scope() {
    let app = spawn_app().await;
    let (checkpoint, _) = crate::checkpoints::checkpoint(&app).await;
    for scope in ["{\"checkpoints\":[\"elsewhere\"]}".to_string(), format!("{{\"checkpoints\":[\"{checkpoint}\"]}}")] {
        device_token(&app, &format!("hct_scope_{scope}"), &scope).await;
    }
    let path = format!("/api/v1/checkpoints/{checkpoint}/scans");
    let body = json!({"qr_text": "HCODE1:nonsense", "direction": "in"});
    let (s, b) = app.post_json(&path, Some("hct_scope_{\"checkpoints\":[\"elsewhere\"]}"), body.clone()).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("OUT_OF_SCOPE")), "{b}");
    let here = format!("hct_scope_{{\"checkpoints\":[\"{checkpoint}\"]}}");
    let (s, b) = app.post_json(&path, Some(&here), body).await;
    assert_ne!(s, StatusCode::FORBIDDEN, "{b}");
}

/// A refresh changes a staff token's secret, never what it grants: a device
/// token keeps its scope and its expiry, a staff member's session the end of
/// the shift. Before, a token bound to one checkpoint came back from a
/// refresh good for any, for `session_days`.
#[tokio::test]
async fn a_refresh_keeps_a_staff_tokens_scope_and_end() {
    let app = spawn_app().await;
    let (checkpoint, _) = crate::checkpoints::checkpoint(&app).await;
    device_token(&app, "hct_gate_elsewhere", "{\"checkpoints\":[\"elsewhere\"]}").await;
    let (s, b) = app.post_json("/api/v1/auth/refresh", Some("hct_gate_elsewhere"), json!({})).await;
    assert_eq!((s, b["expires_in_seconds"].as_i64()), (StatusCode::OK, Some(24 * 3600)), "{b}");
    let path = format!("/api/v1/checkpoints/{checkpoint}/scans");
    let body = json!({"qr_text": "HCODE1:nonsense", "direction": "in"});
    let (s, b) = app.post_json(&path, b["token"].as_str(), body).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("OUT_OF_SCOPE")), "still bound: {b}");

    let invited = staff::create(&app.state, &AuditActor::Operator, "olga", "Olga", "officer", "").await.unwrap();
    staff::enrol(&app.state, &invited.invitation, "an officer's long password", None, "").await.unwrap();
    let signed = staff::sign_in(&app.state, "olga", "an officer's long password", "").await.unwrap();
    app.clock.advance(jiff::SignedDuration::from_hours(1));
    let (s, b) = app.post_json("/api/v1/auth/refresh", Some(&signed.token), json!({})).await;
    let left = app.state.config.staff_shift - jiff::SignedDuration::from_hours(1);
    assert_eq!(
        (s, b["expires_in_seconds"].as_i64()),
        (StatusCode::OK, Some(left.as_secs())),
        "the shift ends as before: {b}"
    );
}
