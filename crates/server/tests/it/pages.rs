//! The pages, driven like a browser without JavaScript: forms, redirects,
//! cookies and languages.

use crate::harness::{TestApp, spawn_app, urlencode};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hc_session="))
        .map(|v| v.split(';').next().unwrap().to_string())
}

async fn form(app: &TestApp, path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> reqwest::Response {
    let body: String = fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
    let mut req = app.client.post(app.url(path)).header("content-type", "application/x-www-form-urlencoded").body(body);
    if let Some(c) = cookie {
        // A browser posting from our own page says so (CSRF check).
        req = req.header(COOKIE, c).header("sec-fetch-site", "same-origin");
    }
    req.send().await.unwrap()
}

async fn page(app: &TestApp, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    let resp = req.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn signs_in_with_forms(app: &TestApp, phone: &str) -> String {
    let resp = form(app, "/signin", None, &[("phone", phone)]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = resp.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(to.starts_with("/signin/verify?contact="), "{to}");
    let code = app.otp_for(phone).await;
    let resp = form(app, "/signin/verify", None, &[("contact", phone), ("code", &code)]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[LOCATION], "/declare", "a first sign-in goes to the declaration");
    session_cookie(&resp).expect("a session cookie")
}

#[tokio::test]
async fn sign_in_declare_and_see_the_code_page_in_chinese() {
    let app = spawn_app().await;
    let cookie = signs_in_with_forms(&app, "+8613800000030").await;
    let resp = form(
        &app,
        "/declare",
        Some(&cookie),
        &[
            ("name", "李伟"),
            ("document_type", "national_id"),
            ("document_number", "330102199001011234"),
            ("district", "330102"),
            ("temperature_c", "38.1"),
            ("symptoms", "fever"),
            ("symptoms", "cough"),
            ("visited_regions", ""),
            ("travel_plan", ""),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[LOCATION], "/me/code");

    let zh = format!("{cookie}; hc_lang=zh");
    let (s, html) = page(&app, "/me/code", Some(&zh)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(r#"<html lang="zh-Hans">"#));
    assert!(html.contains(r#"data-colour="yellow""#));
    assert!(html.contains("黄码"));
    assert!(html.contains("体温达到或超过37.3°C"), "the reason in Chinese");
    assert!(html.contains("<svg"), "the QR is inline");
    assert!(html.contains("李 · ****1234"), "the holder hint");

    let (_, html) = page(&app, "/me/history?lang=vi", Some(&cookie)).await;
    assert!(html.contains(r#"<html lang="vi">"#));
    assert!(html.contains("Trạng thái đầu tiên"));
}

#[tokio::test]
async fn a_bad_form_is_shown_again_with_the_message_and_the_values() {
    let app = spawn_app().await;
    let cookie = signs_in_with_forms(&app, "+8613800000031").await;
    let resp = form(
        &app,
        "/declare",
        Some(&cookie),
        &[
            ("name", "Li Wei"),
            ("document_type", "national_id"),
            ("document_number", "33"),
            ("district", "330102"),
            ("temperature_c", "36.6"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains(r#"role="alert""#));
    assert!(
        html.contains(
            r#"<span class="field-error" id="e-document_number">A document number has 5 to 20 letters or digits."#
        ),
        "the error sits beside its field: {html}"
    );
    assert!(html.contains(r#"value="Li Wei""#), "the form keeps what was typed");
}

#[tokio::test]
async fn pages_need_a_session_and_language_choice_is_remembered() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/me/code")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[LOCATION], "/signin");

    let resp = app.client.get(app.url("/signin?lang=vi")).send().await.unwrap();
    let lang_cookie = resp.headers().get_all(SET_COOKIE).iter().any(|v| v.to_str().unwrap().starts_with("hc_lang=vi"));
    assert!(lang_cookie);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Đăng nhập"));

    let resp = app.client.get(app.url("/signin")).header("accept-language", "zh-CN,zh;q=0.9").send().await.unwrap();
    assert!(resp.text().await.unwrap().contains("发送验证码"));
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let cookie = signs_in_with_forms(&app, "+8613800000032").await;
    let (s, _) = page(&app, "/declare", Some(&cookie)).await;
    assert_eq!(s, StatusCode::OK);
    let resp = form(&app, "/signout", Some(&cookie), &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = app.client.get(app.url("/declare")).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "the old cookie no longer works");
}

#[tokio::test]
async fn the_sign_in_page_snapshot() {
    let app = spawn_app().await;
    let (_, html) = page(&app, "/signin?lang=en", None).await;
    let body = &html[html.find("<main>").unwrap()..];
    insta::assert_snapshot!("signin_en", body);
}

#[tokio::test]
async fn a_phone_camera_opens_the_venue_link_signs_in_and_checks_in() {
    let app = spawn_app().await;
    let op = crate::check_in::operator_token(&app, "+84912000201").await;
    let venue = crate::check_in::venue_registered(&app, &op, "Phở Gia Truyền").await;
    let qr = venue["qr_text"].as_str().unwrap();
    let path = &qr[qr.find("/c/").unwrap()..];

    let (s, html) = page(&app, path, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Phở Gia Truyền"));
    assert!(html.contains(&format!("/signin?next={path}")), "not signed in: a link to sign in and come back");

    let cookie = signs_in_with_forms(&app, "+84912000202").await;
    form(
        &app,
        "/declare",
        Some(&cookie),
        &[
            ("name", "Trần An"),
            ("document_type", "national_id"),
            ("document_number", "001200012345"),
            ("district", "HN-HOAN-KIEM"),
            ("temperature_c", "36.5"),
        ],
    )
    .await;
    let (_, html) = page(&app, path, Some(&cookie)).await;
    assert!(html.contains(&format!(r#"action="{path}""#)), "one button");
    let resp = form(&app, path, Some(&cookie), &[]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains(r#"data-outcome="entered""#) && html.contains(r#"data-colour="green""#), "{html}");

    let (_, html) = page(&app, "/me/visits", Some(&cookie)).await;
    assert!(html.contains("Phở Gia Truyền") && html.contains("/check-out"), "current check-in with a check-out button");

    let (s, html) = page(&app, "/c/forged-token", Some(&cookie)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("not a venue QR code of this deployment"), "{html}");
}

#[tokio::test]
async fn a_venue_operator_registers_a_place_with_forms_and_sees_its_qr() {
    let app = spawn_app().await;
    let resp = form(&app, "/venue/signin", None, &[("phone", "+84912000301")]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let code = app.otp_for("+84912000301").await;
    let resp = form(&app, "/venue/signin/verify", None, &[("phone", "+84912000301"), ("code", &code)]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(&resp).unwrap();
    let resp = form(
        &app,
        "/venue",
        Some(&cookie),
        &[
            ("name", "Hiệu thuốc 药房"),
            ("address", "5 Lý Quốc Sư"),
            ("province", "VN-HN"),
            ("district", "HN-HOAN-KIEM"),
            ("commune", "Hàng Trống"),
            ("category", "shop"),
            ("capacity", ""),
            ("max_stay_minutes", "120"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = resp.headers()[LOCATION].to_str().unwrap().to_string();
    let (s, html) = page(&app, &to, Some(&cookie)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Hiệu thuốc 药房") && html.contains("<svg") && html.contains("/c/"));
    let (s, _) = page(&app, "/venue", None).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "operator pages need an operator session");
}

#[tokio::test]
async fn the_paper_pass_page_prints_the_name_and_a_pass_qr() {
    let app = spawn_app().await;
    let cookie = signs_in_with_forms(&app, "+8613800000033").await;
    let (s, _) = page(&app, "/me/pass", Some(&cookie)).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "no declaration yet: declare first");
    form(
        &app,
        "/declare",
        Some(&cookie),
        &[
            ("name", "Wang Fang"),
            ("document_type", "passport"),
            ("document_number", "E12345678"),
            ("district", "330102"),
            ("temperature_c", "36.5"),
        ],
    )
    .await;
    let (s, html) = page(&app, "/me/pass", Some(&cookie)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Wang Fang") && html.contains("****5678") && html.contains("<svg"));
    assert!(html.contains("Print no. 1") && html.contains("action=\"/me/pass/reprint\""), "{html}");
    let resp = form(&app, "/me/pass/reprint", Some(&cookie), &[]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Print no. 2"), "the reprint shows the new print");
    assert!(html.contains(r#"id="print-pass""#) && html.contains(r#"<script src="/static/pass.js" defer>"#));
}
