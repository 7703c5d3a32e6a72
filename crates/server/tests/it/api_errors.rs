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
