//! Errors on page routes are pages: localized HTML with the status, the
//! reader's `lang`, a way back and the CSP; under `/api/` they stay JSON.

use crate::harness::{TestApp, spawn_app};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, ALLOW, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, REFERER};

async fn get(app: &TestApp, path: &str, headers: &[(reqwest::header::HeaderName, &str)]) -> reqwest::Response {
    let mut req = app.client.get(app.url(path));
    for (k, v) in headers {
        req = req.header(k.clone(), *v);
    }
    req.send().await.unwrap()
}

/// Asserts an HTML error page and returns its body.
async fn html_page(resp: reqwest::Response, status: StatusCode, lang_tag: &str) -> String {
    assert_eq!(resp.status(), status);
    let headers = resp.headers().clone();
    assert!(headers[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{headers:?}");
    assert!(headers[CONTENT_SECURITY_POLICY].to_str().unwrap().contains("script-src 'self'"), "the page has the CSP");
    let html = resp.text().await.unwrap();
    assert!(html.contains(&format!(r#"<html lang="{lang_tag}">"#)), "{html}");
    assert!(html.contains(&format!(r#"data-status="{}""#, status.as_u16())), "{html}");
    assert!(html.contains(r#"<a class="button"#) && html.contains(r#"href="/""#), "a way back: {html}");
    assert!(!html.contains("??"), "every text is translated: {html}");
    assert!(!html.contains(r#"{"error""#), "no JSON in the page: {html}");
    html
}

#[tokio::test]
async fn an_unknown_page_is_a_404_page_in_the_readers_language() {
    let app = spawn_app().await;
    let resp = get(&app, "/no/such/page", &[(ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9")]).await;
    let html = html_page(resp, StatusCode::NOT_FOUND, "zh-Hans").await;
    assert!(html.contains("<title>找不到此页面"), "a localized title: {html}");
    assert!(html.contains("返回首页"));

    let resp = get(&app, "/no/such/page", &[(COOKIE, "hc_lang=vi")]).await;
    let html = html_page(resp, StatusCode::NOT_FOUND, "vi").await;
    assert!(html.contains("Không tìm thấy trang"), "{html}");

    // A malformed id on a real route, and one that names nothing, are the same page.
    let anh = app.token(healthcode_domain::Role::Authority, "anh").await;
    let cookie = format!("hc_session={anh}");
    for path in ["/authority/cases/not-an-id", "/authority/cases/0192f0c8-7b7e-7000-8000-000000000000"] {
        let resp = get(&app, path, &[(COOKIE, &cookie)]).await;
        html_page(resp, StatusCode::NOT_FOUND, "en").await;
    }
}

#[tokio::test]
async fn the_api_keeps_answering_json() {
    let app = spawn_app().await;
    let resp = get(&app, "/api/v1/no-such-thing", &[(ACCEPT_LANGUAGE, "zh-CN")]).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(resp.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("application/json"));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    let (s, b) = app.get_json("/api/v1/me/code", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(b["error"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_page_for_another_role_is_a_403_page_not_json() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000612").await;
    let cookie = format!("hc_session={}; hc_lang=vi", li.token);
    for path in ["/authority/cases", "/authority/overrides", "/authority/alarms"] {
        let resp = get(&app, path, &[(COOKIE, &cookie)]).await;
        let html = html_page(resp, StatusCode::FORBIDDEN, "vi").await;
        assert!(html.contains("Bạn không được mở trang này"), "{path}: {html}");
    }
    // The same with English, and a same-site Referer offers the way back to it.
    let cookie = format!("hc_session={}", li.token);
    let referer = app.url("/me/code");
    let resp = get(&app, "/authority/cases", &[(COOKIE, &cookie), (REFERER, &referer)]).await;
    let html = html_page(resp, StatusCode::FORBIDDEN, "en").await;
    assert!(html.contains("You may not open this page"), "{html}");
    assert!(html.contains(r#"<details class="menu">"#), "a resident keeps the menu: {html}");
    let back = r#"<a class="button" href="/me/code">"#;
    assert!(html.contains(back), "back to where the reader came from: {html}");
    // A Referer from another site is not offered.
    let resp = get(&app, "/authority/cases", &[(COOKIE, &cookie), (REFERER, "https://evil.example/me/code")]).await;
    let html = html_page(resp, StatusCode::FORBIDDEN, "en").await;
    assert!(!html.contains(back), "{html}");
}

#[tokio::test]
async fn a_wrong_method_and_an_unreadable_form_are_pages_too() {
    let app = spawn_app().await;
    let resp = get(&app, "/signout", &[]).await;
    assert!(resp.headers().get(ALLOW).is_some(), "405 keeps its Allow header");
    html_page(resp, StatusCode::METHOD_NOT_ALLOWED, "en").await;

    // A form post the extractor cannot read (axum's plain-text rejection underneath).
    let li = app.resident_signs_in("+8613800000613").await;
    let resp = app
        .client
        .post(app.url("/declare"))
        .header(COOKIE, format!("hc_session={}; hc_lang=zh", li.token))
        .header("sec-fetch-site", "same-origin")
        .header(CONTENT_TYPE, "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    let status = resp.status();
    assert!(status.is_client_error(), "{status}");
    html_page(resp, status, "zh-Hans").await;
}

#[tokio::test]
async fn a_staff_page_without_a_session_still_goes_to_sign_in() {
    let app = spawn_app().await;
    let resp = get(&app, "/authority/cases", &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/staff/signin");
}
