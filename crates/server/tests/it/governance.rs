//! Four eyes: an override has no effect until a different supervisor approves it.

use crate::harness::spawn_app;
use healthcode_domain::Role;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_override_needs_a_second_person_and_then_shows_its_basis() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000801").await;
    app.resident_declares(&li, 38.4, &["fever"]).await;
    let authority = app.token(Role::Authority, "anh").await;
    let same_person = app.token(Role::Supervisor, "anh").await;
    let supervisor = app.token(Role::Supervisor, "sam").await;

    let (s, b) = app
        .post_json("/api/v1/overrides", Some(&authority),
            json!({"phone": "+8613800000801", "colour": "green", "reason_code": "LAB_RESULT_NEGATIVE", "basis": "short"}))
        .await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("BASIS_REQUIRED")));
    let (s, o) = app
        .post_json(
            "/api/v1/overrides",
            Some(&authority),
            json!({"phone": "+8613800000801", "colour": "green",
            "reason_code": "LAB_RESULT_NEGATIVE", "basis": "PCR test 2026-11-02 negative, lab ZJ-17, sample 4471"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    assert_eq!(o["state"], "pending");
    assert_eq!(app.colour_of(&li).await, "yellow", "an unapproved override changes nothing");

    let approve = format!("/api/v1/overrides/{}/approve", o["id"].as_str().unwrap());
    let (s, b) = app.post_json(&approve, Some(&same_person), json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("OVERRIDE_SELF_APPROVAL")));
    let (s, _) = app.post_json(&approve, Some(&authority), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only a supervisor decides");
    assert_eq!(app.colour_of(&li).await, "yellow");

    let (s, decided) = app.post_json(&approve, Some(&supervisor), json!({})).await;
    assert_eq!((s, decided["state"].as_str()), (StatusCode::OK, Some("approved")), "{decided}");
    let (_, status) = app.get_json("/api/v1/me/status", Some(&li.token)).await;
    assert_eq!(status["colour"], "green");
    assert_eq!(status["reason"]["rule_id"], "OVERRIDE:LAB_RESULT_NEGATIVE");
    assert_eq!(status["history"][0]["event"], "override");
    let evidence = status["history"][0]["evidence"][0].as_str().unwrap();
    assert!(evidence.contains("requested by anh") && evidence.contains("approved by sam"), "{evidence}");

    let (s, b) = app.post_json(&approve, Some(&supervisor), json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("OVERRIDE_DECIDED")));

    let auditor = app.token(Role::Auditor, "audrey").await;
    let (_, log) = app.get_json("/api/v1/audit", Some(&auditor)).await;
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["override.requested", "override.approved"]);
}

#[tokio::test]
async fn a_rejected_override_changes_nothing() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000802").await;
    app.resident_declares(&li, 36.6, &[]).await;
    let authority = app.token(Role::Authority, "anh").await;
    let supervisor = app.token(Role::Supervisor, "sam").await;
    let (_, o) = app
        .post_json(
            "/api/v1/overrides",
            Some(&authority),
            json!({"phone": "+8613800000802", "colour": "red",
            "reason_code": "PROTEST", "basis": "they were at the bank protest yesterday"}),
        )
        .await;
    let (s, decided) = app
        .post_json(&format!("/api/v1/overrides/{}/reject", o["id"].as_str().unwrap()), Some(&supervisor), json!({}))
        .await;
    assert_eq!((s, decided["state"].as_str()), (StatusCode::OK, Some("rejected")));
    assert_eq!(app.colour_of(&li).await, "green");
}
