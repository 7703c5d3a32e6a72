//! Forms keep what was typed and show every error beside its field; the
//! resident's pages say things plainly (no empty rule code, no policy jargon
//! on the code card, the right tense for automatic check-out).

use crate::check_in::{operator_token, venue_registered};
use crate::harness::{TestApp, spawn_app, urlencode};
use reqwest::StatusCode;
use reqwest::header::COOKIE;

async fn post_form(app: &TestApp, path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> reqwest::Response {
    let body: String = fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
    let mut req = app
        .client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(body);
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    req.send().await.unwrap()
}

async fn get_page(app: &TestApp, path: &str, cookie: &str) -> String {
    let resp = app.client.get(app.url(path)).header(COOKIE, cookie).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    resp.text().await.unwrap()
}

/// The error shown beside `field`, if any.
fn error_beside(html: &str, field: &str) -> Option<String> {
    let marker = format!(r#"<span class="field-error" id="e-{field}">"#);
    let start = html.find(&marker)? + marker.len();
    Some(html[start..start + html[start..].find("</span>")?].to_string())
}

#[tokio::test]
async fn the_declaration_shows_every_error_beside_its_field_and_keeps_what_was_typed() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000621").await;
    let cookie = format!("hc_session={}", li.token);
    let resp = post_form(
        &app,
        "/declare",
        Some(&cookie),
        &[
            ("name", "Li Wei"),
            ("document_type", "national_id"),
            ("document_number", "x"),
            ("district", ""),
            ("temperature_c", "hot"),
            ("symptoms", "cough"),
            ("visited_regions", "CN-ZJ, !!"),
            ("travel_plan", "visit my aunt"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    for field in ["document_number", "district", "temperature_c", "visited_regions"] {
        assert!(error_beside(&html, field).is_some(), "an error beside {field}: {html}");
        assert!(html.contains(&format!(r#"aria-describedby="e-{field}""#)), "{field} points at its error");
    }
    assert_eq!(error_beside(&html, "name"), None, "a good field has no error");
    assert!(error_beside(&html, "district").unwrap().contains("Fill in"));
    for kept in [r#"value="Li Wei""#, r#"value="x""#, r#"value="hot""#, r#"value="CN-ZJ, !!""#, "visit my aunt"] {
        assert!(html.contains(kept), "kept {kept}: {html}");
    }
    assert!(html.contains(r#"value="cough" checked"#), "the ticked symptom stays ticked");
    assert!(html.contains(r#"id="form-errors""#), "a summary says how many fields to fix");

    // In Chinese, the errors are Chinese.
    let zh = format!("{cookie}; hc_lang=zh");
    let resp = post_form(&app, "/declare", Some(&zh), &[("temperature_c", "50")]).await;
    let html = resp.text().await.unwrap();
    assert!(error_beside(&html, "temperature_c").unwrap().contains("体温应在"), "{html}");
    assert_eq!(app.get_json("/api/v1/me/status", Some(&li.token)).await.0, StatusCode::CONFLICT, "nothing declared");
}

#[tokio::test]
async fn clock_in_and_sign_in_keep_what_was_typed() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000622").await;
    app.resident_declares(&li, 36.6, &[]).await;
    let cookie = format!("hc_session={}", li.token);
    let resp = post_form(&app, "/clock-in", Some(&cookie), &[("temperature_c", "99"), ("symptoms", "fatigue")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(error_beside(&html, "temperature_c").is_some(), "{html}");
    assert!(html.contains(r#"value="99""#) && html.contains(r#"value="fatigue" checked"#), "{html}");

    let resp = post_form(&app, "/signin", None, &[("phone", "12345"), ("next", "/me/visits")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(error_beside(&html, "phone").is_some_and(|e| e.contains("country code")), "{html}");
    assert!(html.contains(r#"value="12345""#) && html.contains(r#"value="/me/visits""#), "{html}");

    let resp =
        post_form(&app, "/signin/visitor", None, &[("contact", "ann@"), ("name", "Ann Lee"), ("district", "")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    for field in ["contact", "document_number", "district"] {
        assert!(error_beside(&html, field).is_some(), "{field}: {html}");
    }
    assert!(html.contains(r#"value="ann@""#) && html.contains(r#"value="Ann Lee""#), "{html}");
}

#[tokio::test]
async fn the_check_in_confirmation_says_when_it_will_close_never_that_it_closed() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000623").await;
    app.resident_declares(&li, 36.6, &[]).await;
    let operator = operator_token(&app, "+84912000623").await;
    let venue = venue_registered(&app, &operator, "Phở 24").await;
    let path = format!("/c/{}", venue["qr_text"].as_str().unwrap().rsplit("/c/").next().unwrap());
    let cookie = format!("hc_session={}", li.token);
    let resp = post_form(&app, &path, Some(&cookie), &[]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains(r#"data-outcome="entered""#), "{html}");
    assert!(html.contains("will close automatically at"), "{html}");
    assert!(!html.contains("closed automatically") && !html.contains("Checked out automatically"), "{html}");
    // The venue large, a live clock (ticked by checkin.js) and, for a green code, no advice.
    assert!(html.contains(r#"<h1 class="venue-name">Phở 24</h1>"#), "{html}");
    // A Hanoi venue (VN-HN) on an Asia/Shanghai server shows Hanoi time (cp).
    assert!(html.contains(r#"id="live-clock" data-tz="Asia/Ho_Chi_Minh">08:00:00</time>"#), "{html}");
    assert!(html.contains(r#"<script src="/static/checkin.js" defer></script>"#));
    assert!(!html.contains("data-advice"), "{html}");
    let visits = get_page(&app, "/me/visits", &cookie).await;
    assert!(visits.contains("will close automatically at"), "{visits}");

    // Past the maximum stay (4 hours by default) the same visit reads in the past tense.
    app.clock.advance(jiff::SignedDuration::from_hours(5));
    let visits = get_page(&app, "/me/visits", &cookie).await;
    assert!(!visits.contains("will close automatically"), "{visits}");
    assert!(visits.contains("(automatically)"), "the recent list says how it ended: {visits}");
}

#[tokio::test]
async fn the_code_card_speaks_plainly_and_no_empty_rule_code_is_shown() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000624").await;
    app.resident_declares(&li, 36.6, &[]).await;
    let cookie = format!("hc_session={}", li.token);
    let code = get_page(&app, "/me/code", &cookie).await;
    assert!(code.contains("No risk found in your declaration"), "{code}");
    assert!(!code.contains("(- ·") && !code.contains("hangzhou"), "no rule code or policy version on the card: {code}");
    assert!(code.contains(r#"href="/me/history""#), "the details are one link away");
    let history = get_page(&app, "/me/history", &cookie).await;
    assert!(!history.contains("Rule -"), "no empty rule code: {history}");

    // A yellow code by rule names its rule in the history, not on the card.
    app.resident_declares(&li, 38.1, &["fever"]).await;
    let code = get_page(&app, "/me/code", &cookie).await;
    assert!(!code.contains("Y-FEVER"), "{code}");
    let history = get_page(&app, "/me/history", &cookie).await;
    assert!(history.contains("Rule Y-FEVER ·"), "{history}");
}

#[tokio::test]
async fn staff_and_operator_forms_name_every_bad_field_and_keep_the_rest() {
    let app = spawn_app().await;
    let operator = format!("hc_session={}", operator_token(&app, "+84912000625").await);
    let resp = post_form(
        &app,
        "/venue",
        Some(&operator),
        &[
            ("name", "Phở 24"),
            ("address", ""),
            ("province", "!"),
            ("district", "HN-HOAN-KIEM"),
            ("category", "restaurant"),
            ("capacity", "0"),
            ("max_stay_minutes", "5"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    for field in ["address", "province", "capacity", "max_stay_minutes"] {
        assert!(error_beside(&html, field).is_some(), "{field}: {html}");
    }
    assert_eq!(error_beside(&html, "name"), None);
    assert!(html.contains(r#"value="Phở 24""#) && html.contains(r#"value="restaurant" selected"#), "{html}");

    let anh = format!("hc_session={}", app.token(healthcode_domain::Role::Authority, "anh").await);
    let resp = post_form(
        &app,
        "/authority/cases",
        Some(&anh),
        &[("phone", "12"), ("kind", "suspected"), ("onset_date", "last week")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(error_beside(&html, "phone").is_some() && error_beside(&html, "onset_date").is_some(), "{html}");
    assert!(html.contains(r#"value="suspected" selected"#) && html.contains(r#"value="last week""#), "{html}");

    // An error only the service finds (nobody has this phone) lands beside its field too.
    let resp = post_form(
        &app,
        "/authority/overrides",
        Some(&anh),
        &[
            ("phone", "+8613800000999"),
            ("colour", "red"),
            ("reason_code", "LAB_RESULT"),
            ("basis", "positive PCR at lab 3"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let html = resp.text().await.unwrap();
    assert!(error_beside(&html, "phone").is_some_and(|e| e.contains("No resident")), "{html}");
    assert!(html.contains("positive PCR at lab 3") && html.contains(r#"value="red" selected"#), "{html}");
}

#[tokio::test]
async fn a_non_green_check_in_says_plainly_what_to_do() {
    let app = spawn_app().await;
    let operator = operator_token(&app, "+84912000626").await;
    let venue = venue_registered(&app, &operator, "Bún Chả 34").await;
    let path = format!("/c/{}", venue["qr_text"].as_str().unwrap().rsplit("/c/").next().unwrap());
    let li = app.resident_signs_in("+8613800000626").await;
    app.resident_declares(&li, 38.2, &["fever"]).await;
    let cookie = format!("hc_session={}; hc_lang=zh", li.token);
    let resp = post_form(&app, &path, Some(&cookie), &[]).await;
    // A yellow code at a venue: "do not enter", full screen, no visit (cp).
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let html = resp.text().await.unwrap();
    assert!(html.contains(r#"class="stop yellow""#) && html.contains(r#"data-outcome="refused""#), "{html}");
    assert!(html.contains("请勿进入") && html.contains("请勿在此停留"), "{html}");
    assert!(html.contains(r#"href="/me/appeal""#), "{html}");
    let (_, visits) = app.get_json("/api/v1/me/visits", Some(&li.token)).await;
    assert!(visits["recent"].as_array().unwrap().is_empty(), "{visits}");
    let (_, attempts) =
        app.get_json(&format!("/api/v1/venues/{}/attempts", venue["id"].as_str().unwrap()), Some(&operator)).await;
    assert_eq!(attempts.as_array().unwrap().len(), 1, "{attempts}");
    // The venue's page lists the attempt, in the venue's (Hanoi) time.
    let page =
        get_page(&app, &format!("/venue/{}", venue["id"].as_str().unwrap()), &format!("hc_session={operator}")).await;
    assert!(page.contains(r#"data-attempt="yellow""#) && page.contains("Asia/Ho_Chi_Minh"), "{page}");
}

#[tokio::test]
async fn an_overridden_code_says_who_decided_without_the_reason_code() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000627").await;
    app.resident_declares(&li, 36.6, &[]).await;
    let anh = app.token(healthcode_domain::Role::Authority, "anh").await;
    let sam = app.token(healthcode_domain::Role::Supervisor, "sam").await;
    let body = serde_json::json!({"phone": "+8613800000627", "colour": "yellow", "reason_code": "LAB_RESULT_POSITIVE",
        "basis": "positive antigen test at clinic 4"});
    let (s, o) = app.post_json("/api/v1/overrides", Some(&anh), body).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let (s, b) = app
        .post_json(
            &format!("/api/v1/overrides/{}/approve", o["id"].as_str().unwrap()),
            Some(&sam),
            serde_json::json!({}),
        )
        .await;
    assert!(s.is_success(), "{s} {b}");
    let code = get_page(&app, "/me/code", &format!("hc_session={}", li.token)).await;
    assert!(code.contains(r#"data-colour="yellow""#), "{code}");
    assert!(code.contains("Set by the health authority after two officials reviewed your case"), "{code}");
    assert!(!code.contains("LAB_RESULT_POSITIVE") && !code.contains("OVERRIDE:"), "{code}");
}

#[tokio::test]
async fn sign_in_codes_and_tokens_are_refused_beside_their_field() {
    let app = spawn_app().await;
    let resp = post_form(&app, "/signin", None, &[("phone", "+8613800000628")]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp =
        post_form(&app, "/signin/verify?lang=vi", None, &[("contact", "+8613800000628"), ("code", "000000")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(error_beside(&html, "code").is_some_and(|e| e.contains("Mã không đúng")), "{html}");
    assert!(html.contains(r#"value="+8613800000628""#), "the contact is kept");

    let resp = post_form(&app, "/venue/signin", None, &[("phone", "0912")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(error_beside(&html, "phone").is_some() && html.contains(r#"value="0912""#), "{html}");

    let resp = post_form(&app, "/staff/signin", None, &[("token", "not-a-token")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(error_beside(&html, "token").is_some(), "{html}");
    assert!(!html.contains("not-a-token"), "a secret is never echoed back: {html}");
}

#[tokio::test]
async fn the_employers_invite_keeps_a_bad_phone_beside_its_field() {
    let app = spawn_app().await;
    let token = operator_token(&app, "+84912000629").await;
    let body = serde_json::json!({"name": "Hanoi Textiles", "planned_headcount": 40, "measures": "masks and distancing",
        "sites": [{"name": "Main", "address": "1 Phố Huế", "district": "HN-HAI-BA-TRUNG"}]});
    let (s, e) = app.post_json("/api/v1/enterprises", Some(&token), body).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let path = format!("/employer/{}/invite", e["id"].as_str().unwrap());
    let resp = post_form(&app, &path, Some(&format!("hc_session={token}; hc_lang=zh")), &[("phone", "0912 abc")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(error_beside(&html, "phone").is_some_and(|m| m.contains("国家代码")), "{html}");
    assert!(html.contains(r#"value="0912 abc""#), "{html}");
}
