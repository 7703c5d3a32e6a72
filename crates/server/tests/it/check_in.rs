//! Venues and check-in over the API: the check-in rules, the forgery corpus,
//! and who may see what.

use crate::harness::{Resident, TestApp, ZBAR_QR_ONLY, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub async fn operator_token(app: &TestApp, phone: &str) -> String {
    app.token(healthcode_domain::Role::Venue, phone).await
}

pub async fn venue_registered(app: &TestApp, operator: &str, name: &str) -> Value {
    let body = json!({"name": name, "address": "12 Hàng Bạc", "province": "VN-HN", "district": "HN-HOAN-KIEM",
        "commune": "Hàng Bạc", "category": "restaurant", "capacity": 40});
    let (s, b) = app.post_json("/api/v1/venues", Some(operator), body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b
}

async fn declared(app: &TestApp, phone: &str) -> Resident {
    let who = app.resident_signs_in(phone).await;
    let (s, _) = app.resident_declares(&who, 36.6, &[]).await;
    assert_eq!(s, StatusCode::CREATED);
    who
}

async fn scan(app: &TestApp, who: &Resident, qr: &str) -> (StatusCode, Value) {
    app.post_json("/api/v1/check-ins", Some(&who.token), json!({ "venue_qr": qr })).await
}

#[tokio::test]
async fn entry_repeat_exit_and_one_active_check_in() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000001").await;
    let cafe = venue_registered(&app, &op, "Cà phê Giảng").await;
    let shop = venue_registered(&app, &op, "Hiệu sách 书店").await;
    let (cafe_qr, shop_qr) = (cafe["qr_text"].as_str().unwrap(), shop["qr_text"].as_str().unwrap());
    assert!(cafe_qr.starts_with("http") && cafe_qr.contains("/c/"), "{cafe_qr}");
    let lan = declared(&app, "+84912000101").await;

    let (s, first) = scan(&app, &lan, cafe_qr).await;
    assert_eq!((s, first["outcome"].as_str()), (StatusCode::CREATED, Some("entered")), "{first}");
    assert_eq!(first["colour"], "green");
    assert_eq!(first["venue"]["name"], "Cà phê Giảng");
    app.clock.advance(jiff::SignedDuration::from_mins(2));
    let (s, again) = scan(&app, &lan, cafe_qr).await;
    assert_eq!((s, again["outcome"].as_str()), (StatusCode::OK, Some("duplicate")));
    assert_eq!(again["id"], first["id"], "a repeat does not duplicate");

    app.clock.advance(jiff::SignedDuration::from_mins(40));
    let (s, out) = scan(&app, &lan, cafe_qr).await;
    assert_eq!((s, out["outcome"].as_str()), (StatusCode::OK, Some("exited")));
    assert!(out["checked_out_at"].is_string());

    app.clock.advance(jiff::SignedDuration::from_mins(10));
    let (_, back) = scan(&app, &lan, cafe_qr).await;
    app.clock.advance(jiff::SignedDuration::from_mins(20));
    let (_, elsewhere) = scan(&app, &lan, shop_qr).await;
    assert_eq!(elsewhere["outcome"], "entered");
    let (_, mine) = app.get_json("/api/v1/me/visits", Some(&lan.token)).await;
    assert_eq!(mine["current"]["id"], elsewhere["id"], "{mine}");
    let previous = mine["recent"].as_array().unwrap().iter().find(|v| v["id"] == back["id"]).unwrap().clone();
    assert_eq!(previous["exit_kind"], "next_check_in", "a new check-in closed the previous one");

    let path = format!("/api/v1/check-ins/{}/check-out", elsewhere["id"].as_str().unwrap());
    let (s, closed) = app.post_json(&path, Some(&lan.token), json!({})).await;
    assert_eq!((s, closed["exit_kind"].as_str()), (StatusCode::OK, Some("button")), "{closed}");
    let (s, b) = app.post_json(&path, Some(&lan.token), json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("VISIT_ALREADY_CLOSED")));

    // Every session above was read on the request's own thread on SQLite:
    // none fell back to the pool (PostgreSQL has no such reader to count).
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let on_sqlite = app.state.store.backend() == "sqlite";
    assert_eq!(metrics.contains("\nhealthcode_session_read_fallbacks_total 0\n"), on_sqlite, "{metrics}");
}

#[tokio::test]
async fn open_visits_close_automatically_at_the_maximum_stay() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000002").await;
    let cafe = venue_registered(&app, &op, "Bún chả").await;
    let lan = declared(&app, "+84912000102").await;
    let (_, visit) = scan(&app, &lan, cafe["qr_text"].as_str().unwrap()).await;
    app.clock.advance(jiff::SignedDuration::from_mins(241));
    let closed = healthcode_server::services::check_in::close_expired_once(app.state.store.as_ref(), app.clock_now())
        .await
        .unwrap();
    assert_eq!(closed, 1);
    let (_, mine) = app.get_json("/api/v1/me/visits", Some(&lan.token)).await;
    assert!(mine["current"].is_null());
    assert_eq!(mine["recent"][0]["exit_kind"], "auto");
    assert_eq!(mine["recent"][0]["exited_at"], visit["auto_checkout_at"], "closed at the maximum stay, not later");
}

#[tokio::test]
async fn forged_foreign_closed_and_rotated_posters_are_refused_and_record_nothing() {
    let app = spawn_app().await;
    let other_city = spawn_app().await;
    let op = operator_token(&app, "+84912000003").await;
    let venue = venue_registered(&app, &op, "Chợ Đồng Xuân").await;
    let qr = venue["qr_text"].as_str().unwrap().to_string();
    let lan = declared(&app, "+84912000103").await;

    let mut altered: Vec<char> = qr.chars().collect();
    let i = altered.len() - 20;
    altered[i] = if altered[i] == 'A' { 'B' } else { 'A' };
    let altered: String = altered.into_iter().collect();
    let foreign_op = operator_token(&other_city, "+84912000003").await;
    let foreign = venue_registered(&other_city, &foreign_op, "Chợ Đồng Xuân").await;
    for (bad, code) in [
        (altered.as_str(), "VENUE_TOKEN_FORGED"),
        (foreign["qr_text"].as_str().unwrap(), "VENUE_TOKEN_FORGED"),
        ("https://example.org/c/hello", "VENUE_TOKEN_FORGED"),
    ] {
        let (s, b) = scan(&app, &lan, bad).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{bad}: {b}");
    }

    let path = format!("/api/v1/venues/{}/rotate-token", venue["id"].as_str().unwrap());
    let (_, rotated) = app.post_json(&path, Some(&op), json!({})).await;
    assert_ne!(rotated["qr_text"], venue["qr_text"]);
    app.clock.advance(jiff::SignedDuration::from_hours(25));
    let (s, b) = scan(&app, &lan, &qr).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("VENUE_TOKEN_ROTATED")));

    let path = format!("/api/v1/venues/{}/close", venue["id"].as_str().unwrap());
    let (s, closed) = app.post_json(&path, Some(&op), json!({})).await;
    assert_eq!((s, closed["state"].as_str()), (StatusCode::OK, Some("closed")), "{closed}");
    let (s, b) = scan(&app, &lan, rotated["qr_text"].as_str().unwrap()).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("VENUE_CLOSED")));

    let (_, mine) = app.get_json("/api/v1/me/visits", Some(&lan.token)).await;
    assert_eq!(mine["recent"].as_array().unwrap().len(), 0, "nothing was recorded: {mine}");
}

#[tokio::test]
async fn a_rotated_poster_works_during_the_grace_period() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000004").await;
    let venue = venue_registered(&app, &op, "Nhà hát").await;
    let lan = declared(&app, "+84912000104").await;
    app.post_json(&format!("/api/v1/venues/{}/rotate-token", venue["id"].as_str().unwrap()), Some(&op), json!({}))
        .await;
    let (s, b) = scan(&app, &lan, venue["qr_text"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

#[tokio::test]
async fn operators_see_only_their_own_venues_and_roles_are_kept_apart() {
    let app = spawn_app().await;
    let (a, b) = (operator_token(&app, "+84912000005").await, operator_token(&app, "+84912000006").await);
    let venue = venue_registered(&app, &a, "Phở Thìn").await;
    let lan = declared(&app, "+84912000105").await;
    scan(&app, &lan, venue["qr_text"].as_str().unwrap()).await;

    let log = format!("/api/v1/venues/{}/visits", venue["id"].as_str().unwrap());
    let (s, visits) = app.get_json(&log, Some(&a)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(visits.as_array().unwrap().len(), 1);
    assert_eq!(visits[0]["colour_at_entry"], "green");
    let (s_other, not_yours) = app.get_json(&log, Some(&b)).await;
    let missing = format!("/api/v1/venues/{}/visits", uuid_like());
    let (s_missing, missing) = app.get_json(&missing, Some(&b)).await;
    assert_eq!((s_other, s_missing), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(not_yours, missing, "'not yours' and 'missing' answer the same");

    let (s, _) = app.get_json("/api/v1/venues", Some(&lan.token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a resident is not a venue operator");
    let (s, _) = app.post_json("/api/v1/check-ins", Some(&a), json!({"venue_qr": venue["qr_text"]})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an operator token cannot check in");
}

fn uuid_like() -> &'static str {
    "01234567-89ab-7def-8123-456789abcdef"
}

#[tokio::test]
async fn checking_in_needs_a_declaration_and_valid_venue_fields() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000007").await;
    let (s, b) = app
        .post_json(
            "/api/v1/venues",
            Some(&op),
            json!({"name": "", "address": "x", "province": "VN-HN",
            "district": "D1", "category": "shop"}),
        )
        .await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("VENUE_NAME_INVALID")));
    let venue = venue_registered(&app, &op, "Tạp hoá").await;
    let newcomer = app.resident_signs_in("+84912000106").await;
    let (s, b) = scan(&app, &newcomer, venue["qr_text"].as_str().unwrap()).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("DECLARATION_REQUIRED")));
}

fn tool(name: &str) -> bool {
    std::process::Command::new(name).arg("-v").output().is_ok()
}

#[tokio::test]
async fn posters_carry_exactly_the_venue_qr_in_png_and_pdf() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000008").await;
    let venue = venue_registered(&app, &op, "Phở Hà Nội 河内粉店").await;
    let qr = venue["qr_text"].as_str().unwrap();
    let get = |path: String| {
        let req = app.client.get(app.url(&path)).bearer_auth(&op);
        async move { req.send().await.unwrap() }
    };
    let png = get(venue["poster"]["png"].as_str().unwrap().to_string()).await;
    assert_eq!(png.status(), StatusCode::OK);
    let png = png.bytes().await.unwrap();
    assert_eq!(healthcode_credential::decode_image(&png).unwrap(), vec![qr.to_string()]);
    let pdf = get(venue["poster"]["pdf"].as_str().unwrap().to_string()).await.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let svg = get(venue["poster"]["svg"].as_str().unwrap().to_string()).await.text().await.unwrap();
    assert!(svg.contains("河内粉店") && svg.contains("210mm"));

    let other = operator_token(&app, "+84912000009").await;
    let resp =
        app.client.get(app.url(venue["poster"]["pdf"].as_str().unwrap())).bearer_auth(&other).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND, "another operator's poster is not found");

    if !(tool("pdftoppm") && tool("zbarimg")) {
        assert!(std::env::var("HEALTHCODE_REQUIRE_TOOLS").is_err(), "pdftoppm and zbarimg are required");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("poster.pdf"), &pdf).unwrap();
    std::fs::write(dir.path().join("poster.png"), &png).unwrap();
    let raster = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(dir.path().join("poster.pdf"))
        .arg(dir.path().join("from-pdf"))
        .status()
        .unwrap();
    assert!(raster.success());
    for file in ["from-pdf.png", "poster.png"] {
        let out = std::process::Command::new("zbarimg").args(ZBAR_QR_ONLY).arg(dir.path().join(file)).output().unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), qr, "zbarimg reads {file}");
    }
}
