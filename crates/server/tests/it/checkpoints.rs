//! Checkpoints: verdicts, passages, offline sync, the status list, and venue staff scans.

use crate::check_in::{operator_token, venue_registered};
use crate::harness::{TestApp, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn staff_token(app: &TestApp, role: healthcode_domain::Role, name: &str) -> String {
    app.token(role, name).await
}

pub async fn checkpoint(app: &TestApp) -> (String, String) {
    let authority = staff_token(app, healthcode_domain::Role::Authority, "anh").await;
    let body =
        json!({"name": "QL1A km 12", "kind": "city_entry", "district": "HN-THANH-TRI", "location": "southbound"});
    let (s, c) = app.post_json("/api/v1/checkpoints", Some(&authority), body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let officer = staff_token(app, healthcode_domain::Role::Officer, "olga").await;
    (c["id"].as_str().unwrap().to_string(), officer)
}

pub async fn code_of(app: &TestApp, token: &str) -> String {
    let (_, code) = app.get_json("/api/v1/me/code", Some(token)).await;
    code["qr_text"].as_str().unwrap().to_string()
}

pub async fn scan(app: &TestApp, officer: &str, checkpoint: &str, qr: &str) -> Value {
    let (s, b) = app
        .post_json(
            &format!("/api/v1/checkpoints/{checkpoint}/scans"),
            Some(officer),
            json!({"qr_text": qr, "direction": "in"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

#[tokio::test]
async fn green_passes_yellow_and_forged_are_turned_back_and_every_scan_is_logged() {
    let app = spawn_app().await;
    let (cp, officer) = checkpoint(&app).await;
    let green = app.resident_signs_in("+8613800000601").await;
    app.resident_declares(&green, 36.6, &[]).await;
    let yellow = app.resident_signs_in("+8613800000602").await;
    app.resident_declares(&yellow, 38.2, &["fever"]).await;

    let ok = scan(&app, &officer, &cp, &code_of(&app, &green.token).await).await;
    assert_eq!((ok["verdict"].as_str(), ok["reason"].as_str()), (Some("allow"), Some("CODE_VALID")));
    assert_eq!(ok["holder_hint"], "LW ****1234");
    let no = scan(&app, &officer, &cp, &code_of(&app, &yellow.token).await).await;
    assert_eq!((no["verdict"].as_str(), no["reason"].as_str()), (Some("deny"), Some("COLOUR_YELLOW")));
    let forged = scan(&app, &officer, &cp, "HCODE1:NOT-A-CODE").await;
    assert_eq!(forged["verdict"], "deny");
    assert!(forged["reason"].as_str().unwrap().starts_with("CODE_"));

    // A code issued while green, shown after the status turned yellow, is turned back.
    let old = code_of(&app, &green.token).await;
    app.resident_declares(&green, 37.9, &[]).await;
    let changed = scan(&app, &officer, &cp, &old).await;
    assert_eq!((changed["verdict"].as_str(), changed["reason"].as_str()), (Some("deny"), Some("STATUS_CHANGED")));

    app.clock.advance(jiff::SignedDuration::from_mins(6));
    let expired = scan(&app, &officer, &cp, &old).await;
    assert_eq!(expired["reason"], "CODE_EXPIRED");

    let id: healthcode_domain::CheckpointId = cp.parse().unwrap();
    let now = app.clock_now();
    let log = app
        .state
        .store
        .passages(
            id,
            now.checked_sub(jiff::SignedDuration::from_hours(1)).unwrap(),
            now.checked_add(jiff::SignedDuration::from_secs(1)).unwrap(),
            100,
        )
        .await
        .unwrap();
    assert_eq!(log.len(), 5, "every scan, allowed or not, is a passage");
}

#[tokio::test]
async fn offline_passages_sync_once_and_the_status_list_names_non_green_holders() {
    let app = spawn_app().await;
    let (cp, officer) = checkpoint(&app).await;
    let yellow = app.resident_signs_in("+8613800000603").await;
    app.resident_declares(&yellow, 38.2, &[]).await;
    let (s, list) = app.get_json("/api/v1/status-list", Some(&officer)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["holders"].as_array().unwrap().len(), 1);
    assert_eq!(list["holders"][0]["c"], "yellow");

    let queued = json!({"passages": [
        {"client_id": "018f3c1e-0000-7000-8000-000000000001", "holder_id": list["holders"][0]["h"], "colour": "yellow",
         "verdict": "deny", "reason": "COLOUR_YELLOW", "direction": "in", "scanned_at": "2026-11-02T01:00:00Z"},
        {"client_id": "018f3c1e-0000-7000-8000-000000000002", "holder_id": null, "colour": null,
         "verdict": "deny", "reason": "CODE_EXPIRED", "direction": "out", "scanned_at": "2026-11-02T01:01:00Z"}
    ]});
    let path = format!("/api/v1/checkpoints/{cp}/passages:sync");
    let (s, first) = app.post_json(&path, Some(&officer), queued.clone()).await;
    assert_eq!((s, first["recorded"].as_u64()), (StatusCode::OK, Some(2)), "{first}");
    let (_, again) = app.post_json(&path, Some(&officer), queued).await;
    assert_eq!(again["recorded"], 0, "the same queue synced twice records nothing new");
    let (s, bad) = app
        .post_json(
            &path,
            Some(&officer),
            json!({"passages": [{"client_id": "018f3c1e-0000-7000-8000-000000000003",
            "verdict": "maybe", "reason": "x", "direction": "in", "scanned_at": "2026-11-02T01:00:00Z"}]}),
        )
        .await;
    assert_eq!((s, bad["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("VERDICT_INVALID")));
}

#[tokio::test]
async fn only_the_authority_registers_checkpoints_and_only_staff_scan() {
    let app = spawn_app().await;
    let (cp, officer) = checkpoint(&app).await;
    let body = json!({"name": "x", "kind": "station", "district": "D1"});
    let (s, _) = app.post_json("/api/v1/checkpoints", Some(&officer), body).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an officer cannot register checkpoints");
    let resident = app.resident_signs_in("+8613800000604").await;
    let (s, _) = app
        .post_json(&format!("/api/v1/checkpoints/{cp}/scans"), Some(&resident.token), json!({"qr_text": "HCODE1:X"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a resident cannot scan at a checkpoint");
    let auditor = staff_token(&app, healthcode_domain::Role::Auditor, "audrey").await;
    let (s, _) = app.get_json("/api/v1/status-list", Some(&auditor)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn venue_staff_scan_a_visitors_code_and_the_visit_is_recorded_for_that_person() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000401").await;
    let venue = venue_registered(&app, &op, "Nhà văn hoá").await;
    let elder = app.resident_signs_in("+84912000402").await;
    app.resident_declares(&elder, 36.5, &[]).await;
    let path = format!("/api/v1/venues/{}/scans", venue["id"].as_str().unwrap());
    let (s, b) = app.post_json(&path, Some(&op), json!({"qr_text": code_of(&app, &elder.token).await})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["verdict"].as_str(), b["outcome"].as_str()), (Some("allow"), Some("entered")));
    let (_, mine) = app.get_json("/api/v1/me/visits", Some(&elder.token)).await;
    assert_eq!(mine["current"]["source"], "staff");
    let (_, bad) = app.post_json(&path, Some(&op), json!({"qr_text": "HCODE1:garbage"})).await;
    assert_eq!((bad["verdict"].as_str(), bad["outcome"].as_null()), (Some("deny"), Some(())), "{bad}");
}

#[tokio::test]
async fn a_paper_pass_is_judged_by_the_holders_current_status() {
    let app = spawn_app().await;
    let (cp, officer) = checkpoint(&app).await;
    let elder = app.resident_signs_in("+8613800000605").await;
    let (s, b) = app.get_json("/api/v1/me/pass", Some(&elder.token)).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("DECLARATION_REQUIRED")));
    app.resident_declares(&elder, 36.6, &[]).await;
    let (_, pass) = app.get_json("/api/v1/me/pass", Some(&elder.token)).await;
    let text = pass["qr_text"].as_str().unwrap().to_string();
    assert!(text.starts_with("HPASS2:"));
    assert_eq!((pass["document_hint"].as_str(), pass["print"].as_u64()), (Some("****1234"), Some(1)));
    // Viewing again keeps the same print (and window).
    let (_, again) = app.get_json("/api/v1/me/pass", Some(&elder.token)).await;
    assert_eq!((again["print"].as_u64(), &again["valid_until"]), (Some(1), &pass["valid_until"]));

    let ok = scan(&app, &officer, &cp, &text).await;
    assert_eq!((ok["verdict"].as_str(), ok["reason"].as_str()), (Some("allow"), Some("PASS_VALID")));
    assert_eq!(ok["holder_hint"], "LW ****1234");
    // Weeks later the same printed pass still works, and follows the status.
    app.advance_days(20);
    app.resident_declares(&elder, 38.0, &["fever"]).await;
    let no = scan(&app, &officer, &cp, &text).await;
    assert_eq!((no["verdict"].as_str(), no["reason"].as_str()), (Some("deny"), Some("COLOUR_YELLOW")));

    let mut forged: Vec<char> = text.chars().collect();
    let i = forged.len() - 5;
    forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
    let bad = scan(&app, &officer, &cp, &forged.into_iter().collect::<String>()).await;
    assert_eq!((bad["verdict"].as_str(), bad["reason"].as_str()), (Some("deny"), Some("PASS_FORGED")), "{bad}");

    // Past its printed window it is refused; viewing the page then prints the next one.
    app.advance_days(11);
    let officer = staff_token(&app, healthcode_domain::Role::Officer, "olga").await;
    let late = scan(&app, &officer, &cp, &text).await;
    assert_eq!((late["verdict"].as_str(), late["reason"].as_str()), (Some("deny"), Some("PASS_EXPIRED")), "{late}");
    let (_, next) = app.get_json("/api/v1/me/pass", Some(&elder.token)).await;
    assert_eq!(next["print"].as_u64(), Some(2));

    let png = app.client.get(app.url("/api/v1/me/pass.png")).bearer_auth(&elder.token).send().await.unwrap();
    let decoded = healthcode_credential::decode_image(&png.bytes().await.unwrap()).unwrap();
    assert!(decoded[0].starts_with("HPASS2:"));
}

#[tokio::test]
async fn reprinting_a_paper_pass_revokes_the_earlier_ones_online_and_in_the_status_list() {
    let app = spawn_app().await;
    let (cp, officer) = checkpoint(&app).await;
    let elder = app.resident_signs_in("+8613800000606").await;
    app.resident_declares(&elder, 36.6, &[]).await;
    let (_, first) = app.get_json("/api/v1/me/pass", Some(&elder.token)).await;
    let first = first["qr_text"].as_str().unwrap().to_string();
    let (_, list) = app.get_json("/api/v1/status-list", Some(&officer)).await;
    assert_eq!(list["passes"], json!([]), "a first print revokes nothing");

    // Concurrent reprints (a lost pass, two tabs): each succeeds with its own number.
    let reprint = || app.post_json("/api/v1/me/pass/reprint", Some(&elder.token), json!({}));
    let (a, b, c) = tokio::join!(reprint(), reprint(), reprint());
    let mut numbers: Vec<u64> = [a, b, c]
        .iter()
        .map(|(s, body)| {
            assert_eq!(*s, StatusCode::OK, "{body}");
            body["print"].as_u64().unwrap()
        })
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, vec![2, 3, 4]);
    let (_, current) = app.get_json("/api/v1/me/pass", Some(&elder.token)).await;
    assert_eq!(current["print"].as_u64(), Some(4));
    let current = current["qr_text"].as_str().unwrap().to_string();

    let old = scan(&app, &officer, &cp, &first).await;
    assert_eq!((old["verdict"].as_str(), old["reason"].as_str()), (Some("deny"), Some("PASS_REVOKED")), "{old}");
    let new = scan(&app, &officer, &cp, &current).await;
    assert_eq!((new["verdict"].as_str(), new["reason"].as_str()), (Some("allow"), Some("PASS_VALID")), "{new}");

    let (_, list) = app.get_json("/api/v1/status-list", Some(&officer)).await;
    assert_eq!(list["passes"].as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list["passes"][0]["n"], 4);

    // Residents only: an officer token cannot reprint anyone's pass.
    let (s, _) = app.post_json("/api/v1/me/pass/reprint", Some(&officer), json!({})).await;
    assert!(s == StatusCode::FORBIDDEN || s == StatusCode::UNAUTHORIZED, "{s}");
    // The first format never expires and cannot be revoked: refused outright.
    let v1 = scan(&app, &officer, &cp, "HPASS1:AQAAAAAAAAAAAwMDAwMDAwMDAwMDAwMDAwAAAABrSd0A").await;
    assert_eq!(v1["reason"], "PASS_OUTDATED");
}

#[tokio::test]
async fn a_synced_passage_scanned_outside_the_retention_window_is_refused_alone() {
    let app = spawn_app().await;
    let (cp, officer) = checkpoint(&app).await;
    let now = app.clock_now();
    let at = |minutes: i64| now.checked_add(jiff::SignedDuration::from_mins(minutes)).unwrap().to_string();
    let passage = |n: u32, scanned_at: String| {
        json!({"client_id": format!("018f3c1e-0000-7000-8000-0000000001{n:02}"), "holder_id": null, "colour": null,
               "verdict": "deny", "reason": "CODE_EXPIRED", "direction": "in", "scanned_at": scanned_at})
    };
    let retention_minutes = 28 * 24 * 60;
    let batch = json!({"passages": [
        passage(1, at(-10)),
        passage(2, at(-retention_minutes - 1)),
        passage(3, at(-retention_minutes + 1)),
        passage(4, at(5)),
        passage(5, at(6)),
        passage(6, "2020-01-01T00:00:00Z".into()),
    ]});
    let path = format!("/api/v1/checkpoints/{cp}/passages:sync");
    let (s, b) = app.post_json(&path, Some(&officer), batch).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!((b["received"].as_u64(), b["recorded"].as_u64()), (Some(6), Some(3)), "{b}");
    let refused: Vec<(&str, &str)> = b["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["client_id"].as_str().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        refused,
        [
            ("018f3c1e-0000-7000-8000-000000000102", "PASSAGE_TIME_OUT_OF_RANGE"),
            ("018f3c1e-0000-7000-8000-000000000105", "PASSAGE_TIME_OUT_OF_RANGE"),
            ("018f3c1e-0000-7000-8000-000000000106", "PASSAGE_TIME_OUT_OF_RANGE"),
        ]
    );
    let stored = app
        .state
        .store
        .passages(
            cp.parse().unwrap(),
            now.checked_sub(jiff::SignedDuration::from_hours(24 * 60)).unwrap(),
            now.checked_add(jiff::SignedDuration::from_hours(1)).unwrap(),
            100,
        )
        .await
        .unwrap();
    let mut ids: Vec<String> = stored.iter().map(|p| p.id.to_string()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "018f3c1e-0000-7000-8000-000000000101",
            "018f3c1e-0000-7000-8000-000000000103",
            "018f3c1e-0000-7000-8000-000000000104"
        ]
    );
    let (_, metrics) = app.get_json("/metrics", None).await;
    assert!(metrics.as_str().unwrap().contains("healthcode_passages_out_of_range_total 3"), "{metrics}");
}
