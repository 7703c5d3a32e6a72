//! The foundation story: sign in -> declare fever -> yellow -> seven local
//! days of normal clock-ins -> green.

use crate::harness::spawn_app;
use healthcode_credential::verify;
use reqwest::StatusCode;

#[tokio::test]
async fn fever_turns_yellow_and_seven_clean_days_turn_green() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000001").await;

    let (s, b) = app.resident_declares(&li, 38.1, &["fever"]).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"]["colour"], "yellow");
    assert_eq!(b["status"]["reason"]["rule_id"], "Y-FEVER");
    assert_eq!(b["status"]["reason"]["policy_version"], "hangzhou-2020.1");
    assert_eq!(b["status"]["quarantine"]["required_days"], 7);

    // The signed code carries the colour and verifies offline against the published trust list.
    let (s, code) = app.get_json("/api/v1/me/code", Some(&li.token)).await;
    assert_eq!(s, StatusCode::OK, "{code}");
    assert_eq!(code["colour"], "yellow");
    let (_, trust) = app.get_json("/api/v1/trust-list", None).await;
    let trust = healthcode_credential::PreparedTrustList::from_json(&trust.to_string()).unwrap();
    let verified = verify(code["qr_text"].as_str().unwrap(), &trust, app.clock_now()).unwrap();
    assert_eq!(verified.claims.colour, healthcode_domain::Colour::Yellow);
    assert_eq!(verified.claims.initials, "LW");
    assert_eq!(verified.claims.document_last4, "1234");

    for day in 1..=6 {
        app.advance_days(1);
        let (s, b) = app.resident_clocks_in(&li, 36.6).await;
        assert_eq!(s, StatusCode::CREATED, "day {day}: {b}");
        assert_eq!(b["status"]["quarantine"]["streak"], day);
        assert_eq!(app.colour_of(&li).await, "yellow");
    }
    app.advance_days(1);
    let (s, b) = app.resident_clocks_in(&li, 36.5).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"]["colour"], "green");
    assert_eq!(b["status"]["reason"]["rule_id"], "Q-COMPLETE");

    let (_, status) = app.get_json("/api/v1/me/status", Some(&li.token)).await;
    let events: Vec<&str> =
        status["history"].as_array().unwrap().iter().map(|h| h["event"].as_str().unwrap()).collect();
    assert_eq!(events, vec!["quarantine_completed", "initial"]);

    // The code after quarantine is green, and expires after five minutes.
    let (_, code) = app.get_json("/api/v1/me/code", Some(&li.token)).await;
    assert_eq!(code["colour"], "green");
    assert_eq!(code["expires_in_seconds"], 300);
    let text = code["qr_text"].as_str().unwrap().to_string();
    app.clock.advance(jiff::SignedDuration::from_mins(6));
    let err = verify(&text, &trust, app.clock_now()).unwrap_err();
    assert_eq!(err.code(), "CODE_EXPIRED");
}

#[tokio::test]
async fn a_missed_day_restarts_the_streak_over_the_api() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000002").await;
    app.resident_declares(&li, 37.9, &[]).await;
    app.advance_days(1);
    app.resident_clocks_in(&li, 36.6).await;
    app.advance_days(2);
    let (s, b) = app.resident_clocks_in(&li, 36.6).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(b["status"]["quarantine"]["streak"], 1);
    assert_eq!(b["status"]["history"][0]["event"], "streak_restarted");
    assert_eq!(b["status"]["history"][0]["reason"]["rule_id"], "Q-MISSED-DAY");
}

#[tokio::test]
async fn a_second_clock_in_the_same_day_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000003").await;
    app.resident_declares(&li, 37.9, &[]).await;
    app.advance_days(1);
    app.resident_clocks_in(&li, 36.6).await;
    let (_, before) = app.get_json("/api/v1/me/status", Some(&li.token)).await;
    let (s, b) = app.resident_clocks_in(&li, 36.6).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(b["error"]["code"], "CLOCK_IN_ALREADY_TODAY");
    let (_, after) = app.get_json("/api/v1/me/status", Some(&li.token)).await;
    assert_eq!(before, after);
}

impl crate::harness::TestApp {
    pub fn clock_now(&self) -> jiff::Timestamp {
        use healthcode_server::Clock;
        self.clock.now()
    }
}
