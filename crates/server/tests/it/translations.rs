//! Sentences with values read as one sentence in each language (issue 19
//! part 7): the values sit where each grammar wants them, English picks a
//! plural form, and Chinese and Vietnamese never show English pieces.

use crate::harness::spawn_app;
use reqwest::StatusCode;
use reqwest::header::COOKIE;

async fn page(app: &crate::harness::TestApp, path: &str, token: &str, lang: &str) -> String {
    let cookie = format!("hc_session={token}; hc_lang={lang}");
    let resp = app.client.get(app.url(path)).header(COOKIE, cookie).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path} in {lang}");
    let html = resp.text().await.unwrap();
    assert!(!html.contains("??") && !html.contains("{$"), "no missing key or unfilled placeholder: {html}");
    html
}

#[tokio::test]
async fn quarantine_progress_and_evidence_are_whole_sentences_in_each_language() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000071").await;
    let (s, b) = app.resident_declares(&li, 38.2, &["fever"]).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    for _ in 0..3 {
        app.advance_days(1);
        assert_eq!(app.resident_clocks_in(&li, 36.6).await.0, StatusCode::CREATED);
    }

    let en = page(&app, "/me/code", &li.token, "en").await;
    assert!(en.contains("Quarantine: day 3 of 7"), "{en}");
    assert!(en.contains(r#"Expires in <strong id="countdown">"#) && en.contains("</strong> s</span>"), "{en}");
    let zh = page(&app, "/me/code", &li.token, "zh").await;
    assert!(zh.contains("隔离打卡：第3天，共7天"), "the day count is not glued from pieces: {zh}");
    assert!(zh.contains("下次打卡：") && en.contains("Next clock-in: "), "Chinese takes a full-width colon");
    assert!(zh.contains(r#"<span><strong id="countdown">"#) && zh.contains("</strong> 秒后失效</span>"), "{zh}");
    let vi = page(&app, "/me/code", &li.token, "vi").await;
    assert!(vi.contains("Cách ly: ngày thứ 3 trong 7 ngày"), "{vi}");
    assert!(vi.contains("</strong> giây</span>"), "{vi}");

    for _ in 0..4 {
        app.advance_days(1);
        assert_eq!(app.resident_clocks_in(&li, 36.6).await.0, StatusCode::CREATED);
    }
    assert_eq!(app.colour_of(&li).await, "green");
    let en = page(&app, "/me/history", &li.token, "en").await;
    assert!(en.contains("7 consecutive normal clock-ins, "), "{en}");
    let zh = page(&app, "/me/history", &li.token, "zh").await;
    assert!(zh.contains("连续 7 天打卡正常"), "{zh}");
    assert!(!zh.contains("consecutive"), "no English evidence on a Chinese page: {zh}");
    let vi = page(&app, "/me/history", &li.token, "vi").await;
    assert!(vi.contains("điểm danh bình thường 7 ngày liên tiếp"), "{vi}");

    // The API speaks the asker's language too (the same catalogue message).
    let resp = app
        .client
        .get(app.url("/api/v1/me/status"))
        .bearer_auth(&li.token)
        .header("accept-language", "zh-CN")
        .send()
        .await
        .unwrap();
    let status: serde_json::Value = resp.json().await.unwrap();
    let evidence = status["history"][0]["evidence"].to_string();
    assert!(evidence.contains("连续 7 天打卡正常"), "{evidence}");
}

#[tokio::test]
async fn the_form_summary_counts_fields_with_the_right_plural() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000072").await;
    let post = |fields: &'static str, lang: &'static str| {
        app.client
            .post(app.url("/declare"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header(COOKIE, format!("hc_session={}; hc_lang={lang}", li.token))
            .body(fields)
            .send()
    };
    let one = post(
        "name=Li+Wei&document_type=national_id&document_number=330102199001011234&district=330102&temperature_c=50",
        "en",
    )
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    const MANY: &str =
        "name=Li+Wei&document_type=national_id&document_number=x&temperature_c=hot&visited_regions=CN-ZJ%2C+!!";
    let many = post(MANY, "en").await.unwrap().text().await.unwrap();
    let zh = post(MANY, "zh").await.unwrap().text().await.unwrap();
    assert!(one.contains("Please correct the field marked below"), "one field, singular: {one}");
    assert!(many.contains("Please correct the 4 fields marked below"), "{many}");
    assert!(zh.contains("请更正下方标出的 4 处内容"), "{zh}");
}
