//! The entry code printed large on a venue's poster: one per QR generation,
//! typed at `/c` by a visitor whose camera cannot read the QR, leading to
//! the same check-in page the QR opens, and refused (beside the field) when
//! malformed, unknown, replaced or of a closed venue.

use crate::check_in::{operator_token, venue_registered};
use crate::harness::{TestApp, fresh_database, spawn_app};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

/// The entry code on the venue's poster (SVG), as printed (`7KQ2-M9XD`).
async fn printed_code(app: &TestApp, operator: &str, venue: &Value, size: &str) -> String {
    let path = format!("/api/v1/venues/{}/poster.svg?size={size}", venue["id"].as_str().unwrap());
    let resp = app.client.get(app.url(&path)).bearer_auth(operator).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let svg = resp.text().await.unwrap();
    assert!(svg.contains("/c và nhập mã"), "the poster says where to type it, in the venue's language: {svg}");
    let texts = svg.split("\">").filter_map(|s| s.split('<').next());
    let code = texts
        .filter(|t| t.len() == 9 && t.as_bytes()[4] == b'-')
        .find(|t| healthcode_domain::VenueEntryCode::parse(t).is_ok_and(|c| c.grouped() == *t))
        .unwrap_or_else(|| panic!("no entry code on the poster: {svg}"));
    code.to_string()
}

/// Sends the `/c` form: (status, where it leads, the page).
async fn types(app: &TestApp, code: &str) -> (StatusCode, String, String) {
    let resp = app
        .client
        .post(app.url("/c"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let location = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, location, resp.text().await.unwrap())
}

fn check_in_path(venue: &Value) -> String {
    let qr = venue["qr_text"].as_str().unwrap();
    qr[qr.find("/c/").unwrap()..].to_string()
}

#[tokio::test]
async fn the_code_on_the_poster_leads_to_the_venues_check_in_page() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000901").await;
    let venue = venue_registered(&app, &op, "Bánh mì Phượng").await;
    let code = printed_code(&app, &op, &venue, "a4").await;
    assert_eq!(printed_code(&app, &op, &venue, "a6").await, code, "one code per poster generation, at every size");

    let resp = app.client.get(app.url("/c")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("name=\"code\""));

    let typed = code.replace('-', " ").to_lowercase();
    let (s, to, _) = types(&app, &typed).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, check_in_path(&venue).as_str()), "as typed, any case");
    let landed = app.client.get(app.url(&check_in_path(&venue))).send().await.unwrap();
    assert_eq!(landed.status(), StatusCode::OK);
    assert!(landed.text().await.unwrap().contains("Bánh mì Phượng"), "the venue's check-in page");

    for (typed, says) in [("12", "8 letters and digits"), ("UUUU-UUUU", "8 letters and digits")] {
        let (s, _, html) = types(&app, typed).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{typed}: {html}");
        assert!(html.contains(says) && html.contains("aria-invalid=\"true\""), "{typed}: {html}");
        assert!(html.contains(&format!("value=\"{typed}\"")), "what was typed is kept: {html}");
    }
    let unknown = if code == "ZZZZ-ZZZZ" { "YYYY-YYYY" } else { "ZZZZ-ZZZZ" };
    let (s, _, html) = types(&app, unknown).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("No venue has this code"), "{html}");
}

#[tokio::test]
async fn a_rotated_poster_gets_a_new_code_and_the_old_one_ends_with_its_grace() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000902").await;
    let venue = venue_registered(&app, &op, "Cà phê Giảng").await;
    let old = printed_code(&app, &op, &venue, "a4").await;
    let id = venue["id"].as_str().unwrap();
    let (_, rotated) = app.post_json(&format!("/api/v1/venues/{id}/rotate-token"), Some(&op), json!({})).await;
    let rotated = json!({"id": id, "qr_text": rotated["qr_text"]});
    let new = printed_code(&app, &op, &rotated, "a5").await;
    assert_ne!(new, old, "the new poster has a new code");

    let (s, to, _) = types(&app, &old).await;
    assert_eq!((s, to), (StatusCode::SEE_OTHER, check_in_path(&rotated)), "the old code works during the grace");
    app.clock.advance(jiff::SignedDuration::from_hours(25));
    let (s, _, html) = types(&app, &old).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("This poster has been replaced"), "{html}");
    let (s, to, _) = types(&app, &new).await;
    assert_eq!((s, to), (StatusCode::SEE_OTHER, check_in_path(&rotated)));

    let (s, _) = app.post_json(&format!("/api/v1/venues/{id}/close"), Some(&op), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, html) = types(&app, &new).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("This venue is closed"), "{html}");
}

#[tokio::test]
async fn a_store_copy_keeps_the_codes_printed_on_posters() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000903").await;
    let venue = venue_registered(&app, &op, "Bún chả Hương Liên").await;
    let code = printed_code(&app, &op, &venue, "a4").await;
    let target_dir = tempfile::tempdir().unwrap();
    let (url, _guard) = fresh_database(target_dir.path()).await;
    let target = healthcode_server::open_store(&url).await.unwrap();
    healthcode_server::transfer::copy_store(app.state.store.as_ref(), target.as_ref(), 50, |_| {}).await.unwrap();
    let id: healthcode_domain::VenueId = venue["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(target.venue_of_entry_code(&code.replace('-', "")).await.unwrap(), (id, 0));
    healthcode_server::transfer::copy_store(app.state.store.as_ref(), target.as_ref(), 50, |_| {}).await.unwrap();
}

#[tokio::test]
async fn posters_first_drawn_at_once_print_one_code() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000909").await;
    let venue = venue_registered(&app, &op, "Phở Thìn").await;
    // Six first draws race to create the generation's code: every one answers, with the same code.
    let draw = |size| printed_code(&app, &op, &venue, size);
    let (a, b, c, d, e, f) = tokio::join!(draw("a4"), draw("a5"), draw("a6"), draw("a4"), draw("a5"), draw("a6"));
    let codes = [a, b, c, d, e, f];
    assert!(codes.iter().all(|c| *c == codes[0]), "one code per generation: {codes:?}");
    let (s, to, _) = types(&app, &codes[0]).await;
    assert_eq!((s, to), (StatusCode::SEE_OTHER, check_in_path(&venue)));
}
