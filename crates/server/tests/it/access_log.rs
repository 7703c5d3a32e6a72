//! Residents see who looked at their records: by role, never by name, and
//! only the people a report or a venue log actually showed.

use crate::check_in::{operator_token, venue_registered};
use crate::harness::{Resident, TestApp, spawn_app};
use healthcode_domain::Role;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn person(app: &TestApp, phone: &str) -> Resident {
    let who = app.resident_signs_in(phone).await;
    let (s, b) = app.resident_declares(&who, 36.6, &[]).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    who
}

async fn accesses(app: &TestApp, who: &Resident) -> Value {
    let (s, b) = app.get_json("/api/v1/me/access", Some(&who.token)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

#[tokio::test]
async fn a_trace_report_and_a_venue_log_show_up_in_the_records_of_the_people_they_named() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000900").await;
    let cafe = venue_registered(&app, &op, "Cà phê").await;
    let qr = cafe["qr_text"].as_str().unwrap();
    let (case, contact, stranger) =
        (person(&app, "+84912000901").await, person(&app, "+84912000902").await, person(&app, "+84912000903").await);
    for who in [&case, &contact] {
        let (s, b) = app.post_json("/api/v1/check-ins", Some(&who.token), json!({ "venue_qr": qr })).await;
        assert!(s.is_success(), "{b}");
    }
    app.clock.advance(SignedDuration::from_mins(40));
    assert_eq!(accesses(&app, &contact).await, json!([]), "nobody has looked yet");

    let authority = app.token(Role::Authority, "anh.nguyen").await;
    let today = jiff::Zoned::new(app.clock_now(), jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
    let (s, b) = app
        .post_json(
            "/api/v1/cases",
            Some(&authority),
            json!({"phone": "+84912000901", "kind": "confirmed", "onset_date": today.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap();
    let (s, b) = app.post_json(&format!("/api/v1/cases/{id}/trace"), Some(&authority), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["close_contacts"].as_array().unwrap().len(), 1, "{b}");

    for who in [&case, &contact] {
        let log = accesses(&app, who).await;
        assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
        assert_eq!(log[0]["role"], "authority");
        assert_eq!(log[0]["purpose"], "trace_report");
        assert_eq!(log[0]["reference"], id);
        assert!(!log.to_string().contains("anh"), "the reader's name is not shown: {log}");
    }
    assert_eq!(accesses(&app, &stranger).await, json!([]), "a report that does not name you is not about you");

    // The venue's own log shows both visits: both people see the venue read it.
    let (s, b) = app.get_json(&format!("/api/v1/venues/{}/visits", cafe["id"].as_str().unwrap()), Some(&op)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let log = accesses(&app, &contact).await;
    assert_eq!(log.as_array().unwrap().len(), 2, "{log}");
    assert_eq!((log[0]["role"].as_str(), log[0]["purpose"].as_str()), (Some("venue"), Some("venue_log")));

    // The history page lists it, in the person's language.
    let page = app
        .client
        .get(app.url("/me/history?lang=vi"))
        .bearer_auth(&contact.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Ai đã xem hồ sơ của bạn") && page.contains("Cơ quan y tế"), "{page}");

    // Staff cannot read a resident's access log as their own.
    let (s, _) = app.get_json("/api/v1/me/access", Some(&authority)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

async fn report_page(app: &TestApp, path: &str, token: &str) -> StatusCode {
    let resp = app.client.get(app.url(path)).header("cookie", format!("hc_session={token}")).send().await.unwrap();
    resp.status()
}

#[tokio::test]
async fn repeated_views_of_a_report_add_one_entry_per_reader_a_day_even_at_once() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000910").await;
    let cafe = venue_registered(&app, &op, "Cà phê Hà").await;
    let qr = cafe["qr_text"].as_str().unwrap();
    let (case, contact) = (person(&app, "+84912000911").await, person(&app, "+84912000912").await);
    for who in [&case, &contact] {
        let (s, b) = app.post_json("/api/v1/check-ins", Some(&who.token), json!({ "venue_qr": qr })).await;
        assert!(s.is_success(), "{b}");
    }
    app.clock.advance(SignedDuration::from_mins(40));
    let (anh, binh) = (app.token(Role::Authority, "anh").await, app.token(Role::Authority, "binh").await);
    let today = jiff::Zoned::new(app.clock_now(), jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
    let (s, b) = app
        .post_json(
            "/api/v1/cases",
            Some(&anh),
            json!({"phone": "+84912000911", "kind": "confirmed", "onset_date": today.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    let report = format!("/authority/cases/{id}");

    // One reader, many looks the same day (page, paging, drill-down, CSV,
    // confirmation, the API): one entry each for the case and the contact.
    for path in [
        report.clone(),
        format!("{report}?sort=minutes"),
        format!("{report}?venue={}", cafe["id"].as_str().unwrap()),
        format!("{report}/report.csv"),
        format!("{report}/apply"),
        report.clone(),
    ] {
        assert_eq!(report_page(&app, &path, &anh).await, StatusCode::OK, "{path}");
    }
    let (s, b) = app.post_json(&format!("/api/v1/cases/{id}/trace"), Some(&anh), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    for who in [&case, &contact] {
        let log = accesses(&app, who).await;
        assert_eq!(log.as_array().unwrap().len(), 1, "one reader, one day: {log}");
    }

    // Another reader adds their own; many looks at once by both fail none.
    let mut looks = tokio::task::JoinSet::new();
    for n in 0..12 {
        let (client, url) = (app.client.clone(), app.url(&report));
        let token = if n % 2 == 0 { binh.clone() } else { anh.clone() };
        looks.spawn(async move {
            client.get(url).header("cookie", format!("hc_session={token}")).send().await.unwrap().status()
        });
    }
    while let Some(status) = looks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::OK);
    }
    for who in [&case, &contact] {
        let log = accesses(&app, who).await;
        assert_eq!(log.as_array().unwrap().len(), 2, "a second reader: {log}");
        assert!(!log.to_string().contains("binh") && !log.to_string().contains("anh"), "no names: {log}");
    }

    // The next day, a look is logged again.
    app.clock.advance(SignedDuration::from_hours(24));
    assert_eq!(report_page(&app, &report, &anh).await, StatusCode::OK);
    let log = accesses(&app, &contact).await;
    assert_eq!(log.as_array().unwrap().len(), 3, "a new day: {log}");
}
