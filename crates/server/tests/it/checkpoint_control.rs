//! Issue 18 items 2, 3 and 7 (area `cp`): checkpoint kinds and directions
//! with the holder's declared facts on the verdict; yellow and red holders
//! turned away at venues as attempted entries (never a visit), seen by
//! tracing and counted; venues and checkpoints in their region's time zone.

use crate::check_in::{operator_token, venue_registered};
use crate::checkpoints::code_of;
use crate::harness::{Resident, TestApp, spawn_app};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn authority(app: &TestApp) -> String {
    app.token(healthcode_domain::Role::Authority, "anh").await
}

async fn post(app: &TestApp, token: &str, kind: &str, province: Option<&str>) -> (StatusCode, Value) {
    let body = json!({"name": format!("{kind} post"), "kind": kind, "district": "HN-THANH-TRI", "province": province});
    app.post_json("/api/v1/checkpoints", Some(token), body).await
}

async fn scan_dir(app: &TestApp, officer: &str, cp: &str, qr: &str, dir: &str) -> Value {
    let path = format!("/api/v1/checkpoints/{cp}/scans");
    let (s, b) = app.post_json(&path, Some(officer), json!({"qr_text": qr, "direction": dir})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

/// Declares with the regions visited in the last 14 days.
async fn arrives_from(app: &TestApp, phone: &str, regions: &[&str], temperature: f64) -> Resident {
    let who = app.resident_signs_in(phone).await;
    let body = json!({
        "name": "Tran Van An", "document_type": "national_id", "document_number": "001099001234",
        "district": "HN-DONG-DA", "symptoms": [], "temperature_c": temperature,
        "visited_regions": regions, "contact_with_case": false, "travel_plan": "visit family"
    });
    let (s, b) = app.post_json("/api/v1/declarations", Some(&who.token), body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    who
}

async fn passages(app: &TestApp, officer: &str, cp: &str) -> Vec<Value> {
    let (s, b) = app.get_json(&format!("/api/v1/checkpoints/{cp}/passages"), Some(officer)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array().unwrap().clone()
}

#[tokio::test]
async fn checkpoint_kinds_are_told_apart_and_direction_is_required() {
    let app = spawn_app().await;
    let auth = authority(&app).await;
    for kind in ["national_highway", "provincial_border", "station", "airport", "other"] {
        let (s, c) = post(&app, &auth, kind, None).await;
        assert_eq!((s, c["kind"].as_str()), (StatusCode::CREATED, Some(kind)), "{c}");
        assert_eq!(c["time_zone"], "Asia/Shanghai", "no province: the deployment's zone");
    }
    let (s, c) = post(&app, &auth, "city_entry", None).await;
    assert_eq!((s, c["kind"].as_str()), (StatusCode::CREATED, Some("other")), "the old kind is taken as other");
    let (s, c) = post(&app, &auth, "ferry", None).await;
    assert_eq!((s, c["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("CHECKPOINT_KIND_INVALID")));
    let (s, hanoi) = post(&app, &auth, "provincial_border", Some("vn-hn")).await;
    assert_eq!(s, StatusCode::CREATED, "{hanoi}");
    assert_eq!((hanoi["province"].as_str(), hanoi["time_zone"].as_str()), (Some("VN-HN"), Some("Asia/Ho_Chi_Minh")));
    let (s, c) = post(&app, &auth, "station", Some("not a code!")).await;
    assert_eq!((s, c["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("REGION_INVALID")));

    let cp = hanoi["id"].as_str().unwrap();
    let officer = app.token(healthcode_domain::Role::Officer, "olga").await;
    let green = arrives_from(&app, "+84912300001", &[], 36.5).await;
    let qr = code_of(&app, &green.token).await;
    let path = format!("/api/v1/checkpoints/{cp}/scans");
    let (s, b) = app.post_json(&path, Some(&officer), json!({"qr_text": qr})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("DIRECTION_REQUIRED")));
    let (s, b) = app.post_json(&path, Some(&officer), json!({"qr_text": qr, "direction": "up"})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("DIRECTION_INVALID")));
    assert!(passages(&app, &officer, cp).await.is_empty(), "a refused scan records nothing");
    scan_dir(&app, &officer, cp, &qr, "out").await;
    let list = passages(&app, &officer, cp).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["direction"], "out");
}

#[tokio::test]
async fn the_verdict_shows_declared_origin_risk_area_and_today_and_nothing_more() {
    let app = spawn_app().await;
    let auth = authority(&app).await;
    let until = app.clock_now().checked_add(SignedDuration::from_hours(72)).unwrap();
    let body = json!({"code": "VN-BN", "until": until.to_string(), "reason": "industrial park cluster"});
    let (s, b) = app.post_json("/api/v1/risk-areas", Some(&auth), body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, cp) = post(&app, &auth, "national_highway", Some("VN-HN")).await;
    let cp = cp["id"].as_str().unwrap().to_string();
    let officer = app.token(healthcode_domain::Role::Officer, "olga").await;

    // From a risk area (a sub-region of it counts): yellow by rule, and the officer sees why.
    let from_risk = arrives_from(&app, "+84912300011", &["VN-BN-YP"], 36.5).await;
    let v = scan_dir(&app, &officer, &cp, &code_of(&app, &from_risk.token).await, "in").await;
    assert_eq!(v["verdict"], "deny", "{v}");
    assert_eq!(v["declared_origin"], json!(["VN-BN-YP"]));
    assert_eq!((v["origin_in_risk_area"].as_bool(), v["declared_today"].as_bool()), (Some(true), Some(true)));
    // No more personal data than that.
    let text = v.to_string();
    for secret in ["Tran", "001099001234", "visit family", "HN-DONG-DA", "temperature"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }

    // No region declared: the district of residence is the origin; not a risk area.
    let local = arrives_from(&app, "+84912300012", &[], 36.5).await;
    let v = scan_dir(&app, &officer, &cp, &code_of(&app, &local.token).await, "in").await;
    assert_eq!((v["verdict"].as_str(), v["declared_origin"].clone()), (Some("allow"), json!(["HN-DONG-DA"])));
    assert_eq!(v["origin_in_risk_area"], false);

    // The next day, before declaring again.
    app.advance_days(1);
    let v = scan_dir(&app, &officer, &cp, &code_of(&app, &local.token).await, "out").await;
    assert_eq!(v["declared_today"], false, "{v}");
    // An unreadable code has no holder, so no declared facts.
    let v = scan_dir(&app, &officer, &cp, "HCODE1:NOPE", "in").await;
    assert!(v["declared_origin"].is_null() && v["declared_today"].is_null(), "{v}");
}

async fn check_in(app: &TestApp, who: &Resident, qr: &str) -> (StatusCode, Value) {
    app.post_json("/api/v1/check-ins", Some(&who.token), json!({ "venue_qr": qr })).await
}

#[tokio::test]
async fn yellow_and_red_are_turned_away_at_venues_recorded_as_attempts_never_as_visits() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912300100").await;
    let venue = venue_registered(&app, &op, "Phở Thìn").await;
    let (id, qr) = (venue["id"].as_str().unwrap(), venue["qr_text"].as_str().unwrap());
    let yellow = arrives_from(&app, "+84912300101", &[], 38.4).await;
    assert_eq!(app.colour_of(&yellow).await, "yellow");
    let green = arrives_from(&app, "+84912300102", &[], 36.5).await;

    let (s, b) = check_in(&app, &yellow, qr).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("ENTRY_REFUSED")), "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("do not enter"), "{b}");
    let (_, mine) = app.get_json("/api/v1/me/visits", Some(&yellow.token)).await;
    assert!(mine["current"].is_null() && mine["recent"].as_array().unwrap().is_empty(), "no visit: {mine}");
    let (s, b) = check_in(&app, &green, qr).await;
    assert_eq!((s, b["outcome"].as_str()), (StatusCode::CREATED, Some("entered")), "{b}");

    // Staff scan a yellow holder (with a fever): deny, no visit, one more attempt.
    let later = arrives_from(&app, "+84912300103", &[], 38.9).await;
    app.clock.advance(SignedDuration::from_mins(10));
    let code = code_of(&app, &later.token).await;
    let (s, staff) = app.post_json(&format!("/api/v1/venues/{id}/scans"), Some(&op), json!({"qr_text": code})).await;
    assert_eq!(s, StatusCode::OK, "{staff}");
    assert_eq!((staff["verdict"].as_str(), staff["outcome"].as_str()), (Some("deny"), Some("refused")), "{staff}");
    assert_eq!(staff["reason"], "COLOUR_YELLOW");
    // Then they are a confirmed case, red: refused again, as red.
    let auth = authority(&app).await;
    let today = app.clock_now().to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
    let body = json!({"phone": "+84912300103", "kind": "confirmed", "onset_date": today.to_string()});
    let (s, case) = app.post_json("/api/v1/cases", Some(&auth), body).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    app.clock.advance(SignedDuration::from_mins(1));
    let (s, b) = check_in(&app, &later, qr).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("ENTRY_REFUSED")), "{b}");
    assert!(b["error"]["message"].as_str().unwrap().starts_with("red code"), "{b}");

    let (s, log) = app.get_json(&format!("/api/v1/venues/{id}/visits"), Some(&op)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(log.as_array().unwrap().len(), 1, "only the green visitor entered: {log}");
    let (s, attempts) = app.get_json(&format!("/api/v1/venues/{id}/attempts"), Some(&op)).await;
    assert_eq!(s, StatusCode::OK, "{attempts}");
    let attempts = attempts.as_array().unwrap();
    let seen: Vec<(&str, &str)> =
        attempts.iter().map(|a| (a["colour"].as_str().unwrap(), a["source"].as_str().unwrap())).collect();
    assert_eq!(seen, vec![("red", "self_scan"), ("yellow", "staff"), ("yellow", "self_scan")], "newest first");
    assert_eq!(staff["recorded_id"], attempts[1]["id"]);
    let other_op = operator_token(&app, "+84912300199").await;
    let (s, _) = app.get_json(&format!("/api/v1/venues/{id}/attempts"), Some(&other_op)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another operator's venue is not found");

    // Tracing sees the case's attempt in its window (the one before it was
    // recorded); nobody becomes a contact through it.
    let case_id = case["id"].as_str().unwrap();
    let (s, report) = app.post_json(&format!("/api/v1/cases/{case_id}/trace"), Some(&auth), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    let tried = report["case_attempted_entries"].as_array().unwrap();
    assert_eq!(tried.len(), 1, "{report}");
    assert_eq!((tried[0]["venue_id"].as_str(), tried[0]["colour"].as_str()), (Some(id), Some("yellow")));
    assert!(report["close_contacts"].as_array().unwrap().is_empty(), "{report}");

    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("healthcode_attempted_entries_total 3\n"), "{metrics}");
}

#[tokio::test]
async fn a_person_already_inside_who_turns_yellow_can_still_leave() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912300200").await;
    let venue = venue_registered(&app, &op, "Bia hơi").await;
    let qr = venue["qr_text"].as_str().unwrap();
    let who = arrives_from(&app, "+84912300201", &[], 36.5).await;
    let (s, _) = check_in(&app, &who, qr).await;
    assert_eq!(s, StatusCode::CREATED);
    app.clock.advance(SignedDuration::from_mins(30));
    app.resident_clocks_in(&who, 38.5).await;
    assert_eq!(app.colour_of(&who).await, "yellow");
    let (s, b) = check_in(&app, &who, qr).await;
    assert_eq!((s, b["outcome"].as_str()), (StatusCode::OK, Some("exited")), "{b}");
    let (s, b) = check_in(&app, &who, qr).await;
    assert_eq!((s, b["outcome"].as_str()), (StatusCode::OK, Some("duplicate")), "a repeat just after leaving: {b}");
    app.clock.advance(SignedDuration::from_mins(10));
    let (s, b) = check_in(&app, &who, qr).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("ENTRY_REFUSED")), "{b}");
}

#[tokio::test]
async fn concurrent_scans_with_a_red_holder_among_them_each_get_their_own_answer() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912300300").await;
    let venue = venue_registered(&app, &op, "Chợ Đồng Xuân").await;
    let (id, qr) = (venue["id"].as_str().unwrap().to_string(), venue["qr_text"].as_str().unwrap().to_string());
    let mut greens = Vec::new();
    for i in 0..8 {
        greens.push(arrives_from(&app, &format!("+8491230031{i}"), &[], 36.5).await);
    }
    let yellow = arrives_from(&app, "+84912300320", &[], 38.6).await;
    let url = app.url("/api/v1/check-ins");
    let mut tasks = Vec::new();
    let people = greens.iter().map(|g| g.token.clone()).chain(std::iter::repeat_n(yellow.token.clone(), 6));
    for token in people {
        let (client, url, qr) = (app.client.clone(), url.clone(), qr.clone());
        tasks.push(tokio::spawn(async move {
            let resp = client.post(url).bearer_auth(token).json(&json!({"venue_qr": qr})).send().await.unwrap();
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap())
        }));
    }
    let mut entered = 0;
    let mut refused = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::CREATED => entered += 1,
            StatusCode::FORBIDDEN => {
                assert_eq!(body["error"]["code"], "ENTRY_REFUSED");
                refused += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!((entered, refused), (8, 6));
    let (_, log) = app.get_json(&format!("/api/v1/venues/{id}/visits"), Some(&op)).await;
    assert_eq!(log.as_array().unwrap().len(), 8, "only green people entered: {log}");
    let (_, attempts) = app.get_json(&format!("/api/v1/venues/{id}/attempts"), Some(&op)).await;
    assert_eq!(attempts.as_array().unwrap().len(), 6, "every refused scan recorded once");
}
