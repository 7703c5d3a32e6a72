//! Staff single sign-on: the account of an (issuer, subject) is made on
//! first sign-in and found after, roles follow the provider's claim (with
//! an audit entry when they change), the unmapped and the disabled are
//! refused, and two first sign-ins of one person at once both succeed on
//! one account. The ID token checks and the flow against a real provider
//! are in `auth::id_token`'s unit tests and `e2e/tests/oidc.test.js`.

use healthcode_domain::{Role, StaffState};
use healthcode_server::auth::id_token::IdClaims;
use healthcode_server::auth::oidc::OidcConfig;
use healthcode_server::config::Secret;
use healthcode_server::services::{single_sign_on, staff};
use healthcode_store::AuditActor;
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use std::collections::BTreeMap;

use crate::harness::{spawn_app, spawn_app_with};

const ISSUER: &str = "https://id.example";

fn config() -> OidcConfig {
    OidcConfig {
        issuer: ISSUER.into(),
        client_id: "healthcode".into(),
        client_secret: Secret("s3cret".into()),
        provider_name: "City IdP".into(),
        scopes: "openid profile".into(),
        roles_claim: "groups".into(),
        role_map: BTreeMap::from([
            ("hc-officer".to_string(), Role::Officer),
            ("hc-supervisor".to_string(), Role::Supervisor),
        ]),
        scope_claim: Some("hc_scope".into()),
    }
}

fn claims(sub: &str, groups: serde_json::Value) -> IdClaims {
    serde_json::from_value(serde_json::json!({
        "iss": ISSUER, "sub": sub, "aud": "healthcode", "exp": 2_000_000_000, "nonce": "n",
        "name": "Olga Officer", "groups": groups, "hc_scope": "district:330102",
    }))
    .unwrap()
}

#[tokio::test]
async fn first_sign_in_makes_the_account_and_roles_follow_the_provider() {
    let app = spawn_app().await;
    let config = config();
    // Two first sign-ins of the same person at once: both succeed, on one account.
    let c = claims("olga-7", serde_json::json!(["hc-officer", "unrelated"]));
    let (a, b) = tokio::join!(
        single_sign_on::sign_in(&app.state, &config, &c),
        single_sign_on::sign_in(&app.state, &config, &c)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.account.id, b.account.id);
    assert_ne!(a.token, b.token);
    assert_eq!(a.account.roles.to_string(), "officer");
    assert_eq!(a.account.login.as_str(), single_sign_on::login_of(ISSUER, "olga-7").as_str());
    assert_eq!(a.account.scope.districts, vec!["330102".to_string()]);
    assert_eq!(a.account.state, StaffState::Active);
    assert!(a.account.password_hash.is_none(), "no password: password sign-in never works for it");

    // The session is the usual staff session: the officer page answers.
    let page = app
        .client
        .get(app.url("/checkpoint"))
        .header("cookie", format!("hc_session={}", a.token))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);

    // Another subject, or the same subject at another issuer, is another account.
    let other =
        single_sign_on::sign_in(&app.state, &config, &claims("olga-8", serde_json::json!("hc-officer"))).await.unwrap();
    assert_ne!(other.account.id, a.account.id);
    assert_ne!(single_sign_on::login_of("https://other.example", "olga-7"), single_sign_on::login_of(ISSUER, "olga-7"));

    // Password guesses at the account (it has none) are refused and never lock it.
    for _ in 0..8 {
        let e = staff::sign_in(&app.state, a.account.login.as_str(), "a guessed password", "").await.unwrap_err();
        assert_eq!(e.code, "STAFF_SIGNIN_FAILED");
    }
    assert_eq!(staff::find(&app.state, a.account.login.as_str()).await.unwrap().state, StaffState::Active);

    // The provider makes her a supervisor: the account follows, audited.
    let promoted = single_sign_on::sign_in(&app.state, &config, &claims("olga-7", serde_json::json!("hc-supervisor")))
        .await
        .unwrap();
    assert_eq!(promoted.account.id, a.account.id);
    assert_eq!(promoted.account.roles.to_string(), "supervisor");

    // Groups that map to nothing: refused, audited.
    let e = single_sign_on::sign_in(&app.state, &config, &claims("olga-7", serde_json::json!(["hc-visitor"])))
        .await
        .unwrap_err();
    assert_eq!(e.code, "OIDC_NO_ROLE");
    assert_eq!(e.status(), StatusCode::FORBIDDEN);

    // Disabled by a supervisor: refused even though the provider still vouches for her.
    staff::disable(&app.state, &AuditActor::Operator, a.account.id, staff::Seen::Latest).await.unwrap();
    let e = single_sign_on::sign_in(&app.state, &config, &claims("olga-7", serde_json::json!("hc-officer")))
        .await
        .unwrap_err();
    assert_eq!(e.code, "STAFF_DISABLED");

    let entries = app.state.store.audit_after(0, 500).await.unwrap();
    let about =
        |action: &str| entries.iter().filter(|e| e.action == action && e.subject == a.account.id.to_string()).count();
    assert_eq!(about("staff.created"), 1, "made once although two sign-ins raced");
    assert_eq!(about("staff.signed_in"), 3);
    assert!(
        entries.iter().any(|e| e.action == "staff.roles_changed" && e.detail.contains("officer -> supervisor")),
        "the role change is audited"
    );
    let failures: Vec<&str> =
        entries.iter().filter(|e| e.action == "staff.sign_in_failed").map(|e| e.detail.as_str()).collect();
    assert!(failures.iter().any(|d| d.contains("no mapped role")), "{failures:?}");
    assert!(failures.iter().any(|d| d.contains("account disabled")), "{failures:?}");
}

#[tokio::test]
async fn a_password_account_is_never_taken_over() {
    let app = spawn_app().await;
    let config = config();
    // A supervisor made an account whose login happens to be the derived one.
    let login = single_sign_on::login_of(ISSUER, "mallory");
    let invited =
        staff::create(&app.state, &AuditActor::Operator, login.as_str(), "Someone", "officer", "").await.unwrap();
    staff::enrol(&app.state, &invited.invitation, "a long officer password", None, "").await.unwrap();
    let e = single_sign_on::sign_in(&app.state, &config, &claims("mallory", serde_json::json!("hc-supervisor")))
        .await
        .unwrap_err();
    assert_eq!(e.code, "OIDC_ACCOUNT_CONFLICT");
    let account = staff::find(&app.state, login.as_str()).await.unwrap();
    assert_eq!(account.roles.to_string(), "officer", "unchanged");
}

#[tokio::test]
async fn the_pages_offer_the_button_only_when_configured() {
    let plain = spawn_app().await;
    let page = plain.client.get(plain.url("/staff/signin")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("/staff/oidc/start"));
    let start = plain.client.get(plain.url("/staff/oidc/start")).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::NOT_FOUND);

    // A provider that cannot be reached (nothing listens on port 1).
    let app = spawn_app_with(|c| c.oidc = Some(OidcConfig { issuer: "http://127.0.0.1:1".into(), ..config() })).await;
    let page = app.client.get(app.url("/staff/signin")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/staff/oidc/start\"") && page.contains("City IdP"), "{page}");
    let start = app.client.get(app.url("/staff/oidc/start")).send().await.unwrap();
    assert_eq!(start.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(start.headers().get(LOCATION).is_none());
    assert!(start.text().await.unwrap().contains("<html"), "an HTML page");
    // A callback this browser did not start: refused before the provider is asked.
    let cb = app.client.get(app.url("/staff/oidc/callback?code=abc&state=xyz")).send().await.unwrap();
    assert_eq!(cb.status(), StatusCode::UNAUTHORIZED);
    assert!(cb.text().await.unwrap().contains("not started in this browser"));
}

#[test]
fn roles_are_read_from_a_list_a_string_or_a_dotted_path() {
    let config = OidcConfig { roles_claim: "realm_access.roles".into(), ..config() };
    let nested: IdClaims = serde_json::from_value(serde_json::json!({
        "iss": ISSUER, "sub": "k", "aud": "healthcode", "exp": 2_000_000_000,
        "realm_access": { "roles": ["offline_access", "hc-supervisor", "hc-officer"] },
    }))
    .unwrap();
    assert_eq!(single_sign_on::mapped_roles(&config, &nested).unwrap().to_string(), "officer,supervisor");
    let spaced = claims("s", serde_json::json!("hc-officer other"));
    assert_eq!(single_sign_on::mapped_roles(&self::config(), &spaced).unwrap().to_string(), "officer");
    assert!(single_sign_on::mapped_roles(&self::config(), &claims("s", serde_json::json!(42))).is_none());
    assert!(single_sign_on::mapped_roles(&config, &claims("s", serde_json::json!(["hc-officer"]))).is_none());
}
