//! Appeals: a resident contests their colour, the authority answers by the
//! deadline (overdue ones first), an upheld appeal reverses the contested
//! change with the appeal as evidence, and every step is audited.

use crate::harness::{TestApp, spawn_app};
use healthcode_domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn yellow_resident(app: &TestApp, phone: &str) -> crate::harness::Resident {
    let who = app.resident_signs_in(phone).await;
    let (s, b) = app.resident_declares(&who, 38.2, &["fever"]).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(app.colour_of(&who).await, "yellow");
    who
}

fn code(b: &Value) -> &str {
    b["error"]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn an_upheld_appeal_reverses_the_contested_change_and_is_audited() {
    let app = spawn_app().await; // Monday 2026-11-02 09:00
    let who = yellow_resident(&app, "+84912001001").await;
    let (s, b) = app.post_json("/api/v1/appeals", Some(&who.token), json!({"message": "short"})).await;
    assert_eq!((s, code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "APPEAL_MESSAGE_INVALID"));
    let (s, appeal) = app
        .post_json(
            "/api/v1/appeals",
            Some(&who.token),
            json!({"message": "The thermometer was broken; I had no fever."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{appeal}");
    assert_eq!((appeal["state"].as_str(), appeal["colour"].as_str()), (Some("pending"), Some("yellow")));
    assert!(appeal["due_at"].as_str().unwrap().starts_with("2026-11-05T15:59:59"), "Thursday end of day: {appeal}");
    let (s, b) =
        app.post_json("/api/v1/appeals", Some(&who.token), json!({"message": "And another thing entirely."})).await;
    assert_eq!((s, code(&b)), (StatusCode::CONFLICT, "APPEAL_ALREADY_PENDING"));

    let id = appeal["id"].as_str().unwrap();
    let resident_token = who.token.clone();
    let (s, _) = app
        .post_json(
            &format!("/api/v1/appeals/{id}/answer"),
            Some(&resident_token),
            json!({"outcome": "upheld", "answer": "ok"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a resident cannot answer");
    let officer = app.token(Role::Officer, "olga").await;
    let (s, _) = app.get_json("/api/v1/appeals", Some(&officer)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an officer does not read appeals");

    let authority = app.token(Role::Authority, "anh").await;
    let (s, inbox) = app.get_json("/api/v1/appeals", Some(&authority)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(inbox.as_array().unwrap().len(), 1, "{inbox}");
    let path = format!("/api/v1/appeals/{id}/answer");
    let (s, b) = app.post_json(&path, Some(&authority), json!({"outcome": "maybe", "answer": "We checked."})).await;
    assert_eq!((s, code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, "APPEAL_OUTCOME_INVALID"));
    assert_eq!(app.colour_of(&who).await, "yellow", "bad input changes nothing");
    let (s, b) = app
        .post_json(
            &path,
            Some(&authority),
            json!({"outcome": "upheld", "answer": "A second reading at the clinic was 36.6 °C."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "upheld");
    assert_eq!(app.colour_of(&who).await, "green", "the person gets back the colour from before the change");
    let (s, b) =
        app.post_json(&path, Some(&authority), json!({"outcome": "rejected", "answer": "Changed my mind."})).await;
    assert_eq!((s, code(&b)), (StatusCode::CONFLICT, "APPEAL_ALREADY_ANSWERED"));

    // The resident reads the answer, and the change in their history cites the appeal.
    let (_, mine) = app.get_json("/api/v1/me/appeals", Some(&who.token)).await;
    assert_eq!(mine[0]["answer"], "A second reading at the clinic was 36.6 °C.");
    let (_, status) = app.get_json("/api/v1/me/status", Some(&who.token)).await;
    let latest = &status["history"][0];
    assert_eq!(latest["event"], "appeal_upheld", "{status}");
    assert!(latest["evidence"][0].as_str().unwrap().contains("36.6"), "{latest}");

    let auditor = app.token(Role::Auditor, "kim").await;
    let (_, log) = app.get_json("/api/v1/audit", Some(&auditor)).await;
    let log = log.to_string();
    assert!(log.contains("appeal.filed") && log.contains("appeal.upheld"), "{log}");
    let (s, _) = app
        .post_json("/api/v1/appeals", Some(&who.token), json!({"message": "Now I am green, still appealing."}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a green code has nothing to appeal");
}

#[tokio::test]
async fn overdue_appeals_come_first_and_a_rejected_one_changes_nothing() {
    let app = spawn_app().await;
    let early = yellow_resident(&app, "+84912001011").await;
    let (s, first) = app
        .post_json("/api/v1/appeals", Some(&early.token), json!({"message": "I was abroad all month, see passport."}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    app.advance_days(5); // Saturday: the first appeal's Thursday deadline has passed
    let late = yellow_resident(&app, "+84912001012").await;
    let (s, second) = app
        .post_json("/api/v1/appeals", Some(&late.token), json!({"message": "My fever was from a vaccination."}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{second}");
    assert!(second["due_at"].as_str().unwrap().starts_with("2026-11-11"), "Saturday + 3 working days: {second}");

    let authority = app.token(Role::Authority, "anh").await;
    let (_, inbox) = app.get_json("/api/v1/appeals", Some(&authority)).await;
    assert_eq!(inbox[0]["id"], first["id"], "earliest deadline first");
    assert_eq!((inbox[0]["overdue"].as_bool(), inbox[1]["overdue"].as_bool()), (Some(true), Some(false)));

    let page = app.client.get(app.url("/authority/appeals")).bearer_auth(&authority).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("overdue") && html.contains("My fever was from a vaccination."), "{html}");

    let path = format!("/api/v1/appeals/{}/answer", second["id"].as_str().unwrap());
    let (s, b) = app
        .post_json(&path, Some(&authority), json!({"outcome": "rejected", "answer": "The fever was measured twice."}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(app.colour_of(&late).await, "yellow");

    // The resident's page shows the answer, in their language.
    let html = app
        .client
        .get(app.url("/me/appeal?lang=zh"))
        .bearer_auth(&late.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("申诉不成立") && html.contains("The fever was measured twice."), "{html}");
}
