//! The tracing story on a real server: a case, the right contacts with the
//! right minutes, colours applied with the case as the reason, notices, and
//! public exposure sites with no personal data.

use crate::check_in::{operator_token, venue_registered};
use crate::harness::{Resident, TestApp, spawn_app};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn person(app: &TestApp, phone: &str) -> Resident {
    let who = app.resident_signs_in(phone).await;
    let (s, _) = app.resident_declares(&who, 36.6, &[]).await;
    assert_eq!(s, StatusCode::CREATED);
    who
}

async fn scan(app: &TestApp, who: &Resident, qr: &str) -> Value {
    let (s, b) = app.post_json("/api/v1/check-ins", Some(&who.token), json!({ "venue_qr": qr })).await;
    assert!(s.is_success(), "{b}");
    b
}

fn minutes(app: &TestApp, m: i64) {
    app.clock.advance(SignedDuration::from_mins(m));
}

#[tokio::test]
async fn a_case_is_traced_applied_and_published() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000700").await;
    let cafe = venue_registered(&app, &op, "Cà phê Lâm").await;
    let shop = venue_registered(&app, &op, "Tiệm sách").await;
    let (cafe_qr, shop_qr) = (cafe["qr_text"].as_str().unwrap(), shop["qr_text"].as_str().unwrap());
    let case = person(&app, "+84912000701").await;
    let a = person(&app, "+84912000702").await; // shares the café with the case for 30 minutes
    let b = person(&app, "+84912000703").await; // comes to the café after the buffer
    let d = person(&app, "+84912000704").await; // meets A later at the bookshop

    scan(&app, &case, cafe_qr).await; // t=0
    minutes(&app, 20);
    scan(&app, &a, cafe_qr).await; // t=20
    minutes(&app, 30);
    assert_eq!(scan(&app, &a, cafe_qr).await["outcome"], "exited"); // t=50
    minutes(&app, 10);
    assert_eq!(scan(&app, &case, cafe_qr).await["outcome"], "exited"); // t=60
    minutes(&app, 60);
    scan(&app, &b, cafe_qr).await; // t=120, past the 30-minute buffer
    minutes(&app, 30);
    scan(&app, &b, cafe_qr).await; // t=150
    minutes(&app, 50);
    scan(&app, &a, shop_qr).await; // t=200
    scan(&app, &d, shop_qr).await;
    minutes(&app, 60);
    scan(&app, &a, shop_qr).await; // t=260
    scan(&app, &d, shop_qr).await;

    let authority = app.token(healthcode_domain::Role::Authority, "anh").await;
    let today = jiff::Zoned::new(app.clock_now(), jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
    let (s, recorded) = app
        .post_json(
            "/api/v1/cases",
            Some(&authority),
            json!({"phone": "+84912000701", "kind": "confirmed", "onset_date": today.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{recorded}");
    assert_eq!(app.colour_of(&case).await, "red", "the case turns red by rule at once");
    let case_id = recorded["id"].as_str().unwrap();

    let (s, report) = app.post_json(&format!("/api/v1/cases/{case_id}/trace"), Some(&authority), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    let close = report["close_contacts"].as_array().unwrap();
    assert_eq!(close.len(), 1, "{report}");
    assert_eq!(close[0]["total_minutes"], 30);
    assert_eq!(close[0]["evidence"][0]["venue_id"], cafe["id"]);
    let secondary = report["secondary_contacts"].as_array().unwrap();
    assert_eq!(secondary.len(), 1, "{report}");
    assert_eq!(secondary[0]["total_minutes"], 60);
    assert_eq!(secondary[0]["evidence"][0]["venue_id"], shop["id"]);
    assert_eq!((report["close_total"].as_u64(), report["secondary_total"].as_u64()), (Some(1), Some(1)));
    assert_eq!(report["offset"], 0);

    // The lists are paged (the totals stay), and a page out of bounds is a 422 that names it.
    let trace = |query: &str| format!("/api/v1/cases/{case_id}/trace{query}");
    let (s, past) = app.post_json(&trace("?limit=1&offset=1"), Some(&authority), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{past}");
    assert_eq!(past["close_contacts"].as_array().map(Vec::len), Some(0), "{past}");
    assert_eq!(past["secondary_contacts"].as_array().map(Vec::len), Some(0), "{past}");
    assert_eq!((past["close_total"].as_u64(), past["offset"].as_u64()), (Some(1), Some(1)));
    let (_, first) = app.post_json(&trace("?limit=1"), Some(&authority), json!({})).await;
    assert_eq!(first["close_contacts"], report["close_contacts"]);
    for (query, code) in
        [("?limit=0", "LIST_PARAM_INVALID"), ("?limit=10001", "LIST_PARAM_INVALID"), ("?offset=-1", "INVALID_QUERY")]
    {
        let (s, b) = app.post_json(&trace(query), Some(&authority), json!({})).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{query}: {b}");
    }

    let (s, applied) = app.post_json(&format!("/api/v1/cases/{case_id}/apply"), Some(&authority), json!({})).await;
    assert_eq!((s, applied["statuses_changed"].as_u64()), (StatusCode::OK, Some(2)), "{applied}");
    assert_eq!(app.colour_of(&a).await, "red");
    assert_eq!(app.colour_of(&d).await, "yellow");
    assert_eq!(app.colour_of(&b).await, "green", "after the buffer: not a contact");
    let (_, a_status) = app.get_json("/api/v1/me/status", Some(&a.token)).await;
    assert_eq!(a_status["reason"]["rule_id"], "R-CLOSE-CONTACT");
    let evidence = a_status["history"][0]["evidence"][0].as_str().unwrap();
    assert!(evidence.contains("30 minutes") && !evidence.contains("+84912000701"), "{evidence}");

    let (_, notices) = app.get_json("/api/v1/me/notices", Some(&a.token)).await;
    assert_eq!(notices[0]["kind"], "close");
    let (_, notices) = app.get_json("/api/v1/me/notices", Some(&b.token)).await;
    assert_eq!(notices.as_array().unwrap().len(), 0);

    let (s, sites) = app.get_json("/api/v1/exposure-sites", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sites.as_array().unwrap().len(), 1, "{sites}");
    assert_eq!(sites[0]["venue_name"], "Cà phê Lâm");
    let text = sites.to_string();
    assert!(!text.contains("resident") && !text.contains("+849"), "no personal data: {text}");

    // Only the authority traces.
    let officer = app.token(healthcode_domain::Role::Officer, "olga").await;
    let (s, _) = app.post_json(&format!("/api/v1/cases/{case_id}/trace"), Some(&officer), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_recorded_case_is_not_released_by_clock_ins() {
    let app = spawn_app().await;
    let sick = person(&app, "+84912000710").await;
    let authority = app.token(healthcode_domain::Role::Authority, "anh").await;
    let (s, _) = app
        .post_json(
            "/api/v1/cases",
            Some(&authority),
            json!({"phone": "+84912000710", "kind": "suspected", "onset_date": "2026-11-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    for _ in 0..15 {
        app.advance_days(1);
        app.resident_clocks_in(&sick, 36.6).await;
    }
    assert_eq!(app.colour_of(&sick).await, "red", "a case is released by the authority, not by a streak");
}

#[tokio::test]
async fn the_authority_works_a_case_in_the_browser_and_residents_read_their_notices() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000720").await;
    let cafe = venue_registered(&app, &op, "Quán Cơm").await;
    let qr = cafe["qr_text"].as_str().unwrap();
    let case = person(&app, "+84912000721").await;
    let near = person(&app, "+84912000722").await;
    scan(&app, &case, qr).await;
    scan(&app, &near, qr).await;
    minutes(&app, 40);
    scan(&app, &case, qr).await;
    scan(&app, &near, qr).await;

    let authority = app.token(healthcode_domain::Role::Authority, "anh").await;
    let cookie = format!("hc_session={authority}");
    let today = jiff::Zoned::new(app.clock_now(), jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
    let form = format!("phone=%2B84912000721&kind=confirmed&onset_date={today}&isolated_on=");
    let resp = app
        .client
        .post(app.url("/authority/cases"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let case_page = resp.headers()["location"].to_str().unwrap().to_string();
    let html =
        app.client.get(app.url(&case_page)).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Quán Cơm") && html.contains("<strong>1</strong>Close contacts"), "{html}");
    let resp = app
        .client
        .post(app.url(&format!("{case_page}/apply")))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.colour_of(&near).await, "red");

    let (_, notices) = app.get_json("/api/v1/me/notices", Some(&near.token)).await;
    assert_eq!(notices.as_array().unwrap().len(), 1);
    let public = app.client.get(app.url("/exposure-sites?lang=zh")).send().await.unwrap().text().await.unwrap();
    assert!(public.contains("Quán Cơm") && public.contains("风险场所"));
    let resident_cookie = format!("hc_session={}", case.token);
    let resp = app.client.get(app.url("/authority/cases")).header("cookie", resident_cookie).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "a resident is not the authority");
}

#[tokio::test]
async fn arrivals_from_a_marked_risk_area_turn_yellow_by_rule() {
    let app = spawn_app().await;
    let authority = app.token(healthcode_domain::Role::Authority, "anh").await;
    let traveller = app.resident_signs_in("+84912000730").await;
    let body = json!({"name": "Pham Minh", "document_type": "national_id", "document_number": "001090012345",
        "district": "HN-BA-DINH", "symptoms": [], "temperature_c": 36.6, "visited_regions": ["VN-HN-DONG-DA-W3"]});
    let (_, before) = app.post_json("/api/v1/declarations", Some(&traveller.token), body.clone()).await;
    assert_eq!(before["status"]["colour"], "green", "not a risk area yet");

    let until = app.clock_now().checked_add(SignedDuration::from_hours(24 * 7)).unwrap().to_string();
    let (s, area) = app
        .post_json(
            "/api/v1/risk-areas",
            Some(&authority),
            json!({"code": "VN-HN-DONG-DA", "until": until, "reason": "market cluster"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{area}");
    let (_, public) = app.get_json("/api/v1/risk-areas", None).await;
    assert_eq!(public[0]["code"], "VN-HN-DONG-DA");

    app.advance_days(1);
    let (_, after) = app.post_json("/api/v1/declarations", Some(&traveller.token), body).await;
    assert_eq!(after["status"]["colour"], "yellow");
    assert_eq!(after["status"]["reason"]["rule_id"], "Y-RISK-REGION");

    let officer = app.token(healthcode_domain::Role::Officer, "olga").await;
    let (s, _) =
        app.post_json("/api/v1/risk-areas", Some(&officer), json!({"code": "X", "until": until, "reason": "r"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
