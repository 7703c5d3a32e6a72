//! Places by name (issue 22 item 2) and posters in the venue region's
//! language (item 3): forms take names in any language and store codes, pages
//! and posters show names, an unknown code still shows as itself, and the A6
//! table tent's QR code still reads.

use crate::check_in::operator_token;
use crate::harness::{TestApp, ZBAR_QR_ONLY, spawn_app, urlencode};
use reqwest::StatusCode;
use reqwest::header::COOKIE;
use serde_json::{Value, json};

async fn post_form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let body: String = fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
    let req = app
        .client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header(COOKIE, cookie)
        .body(body);
    req.send().await.unwrap()
}

async fn venue_in(app: &TestApp, operator: &str, name: &str, province: &str, district: &str, commune: &str) -> Value {
    let body = json!({"name": name, "address": "12 Hàng Bạc", "province": province, "district": district,
        "commune": commune, "category": "restaurant"});
    let (s, b) = app.post_json("/api/v1/venues", Some(operator), body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

/// The text of the SVG's `<text>` elements, in page order.
fn svg_lines(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .map(|t| {
            let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
            let mut out = String::new();
            let mut inside = false;
            for c in body.chars() {
                match c {
                    '<' => inside = true,
                    '>' => inside = false,
                    c if !inside => out.push(c),
                    _ => {}
                }
            }
            out
        })
        .collect()
}

#[tokio::test]
async fn a_hanoi_poster_speaks_vietnamese_first_and_names_the_place() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000301").await;
    let shop = venue_in(&app, &op, "Bánh mì Hàng Bạc", "VN-HN", "002", "00061").await;
    let svg = get(&app, &op, shop["poster"]["svg"].as_str().unwrap()).await.text().await.unwrap();
    let lines = svg_lines(&svg);
    let at = |text: &str| lines.iter().position(|l| l == text).unwrap_or_else(|| panic!("{text} in {lines:#?}"));
    assert!(at("Quét mã để vào") < at("Scan to check in"), "the Vietnamese headline first: {lines:#?}");
    assert!(at("Scan to check in") < at("Bánh mì Hàng Bạc"));
    let (vi, en, zh) = (
        at("Quét mã bằng camera điện thoại khi vào và khi ra"),
        at("Scan with your phone camera when you enter and when you leave"),
        at("进入和离开时请用手机相机扫码登记"),
    );
    assert!(at("Bánh mì Hàng Bạc") < vi && vi < en && en < zh, "instructions below, Vietnamese first: {lines:#?}");
    assert!(lines.contains(&"Phường Hàng Bạc, Quận Hoàn Kiếm, Thành phố Hà Nội".to_owned()), "{lines:#?}");
    assert!(lines.contains(&"Mã sức khỏe".to_owned()), "the deployment's name slot, in the venue's language");
    assert!(!svg.contains(">002<") && !svg.contains("00061") && !svg.contains("VN-HN"), "no raw codes printed");
    // The headline is the big line; the other languages' are smaller.
    let size = |text: &str| {
        let i = svg.find(&format!(">{text}<")).unwrap();
        let tag = &svg[svg[..i].rfind("<text ").unwrap()..i];
        let s = &tag[tag.find("font-size=\"").unwrap() + 11..];
        s[..s.find('"').unwrap()].parse::<f32>().unwrap()
    };
    assert!(size("Quét mã để vào") > 1.5 * size("Scan to check in"));

    // A Hangzhou venue: Chinese first.
    let body = json!({"name": "面馆", "address": "1", "province": "CN-ZJ", "district": "西湖区", "category": "shop"});
    let (status, refused) = app.post_json("/api/v1/venues", Some(&op), body).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("DISTRICT_INVALID")),
        "the API takes codes"
    );
    let noodles = venue_in(&app, &op, "面馆", "CN-ZJ", "330106", "").await;
    let lines = svg_lines(&get(&app, &op, noodles["poster"]["svg"].as_str().unwrap()).await.text().await.unwrap());
    assert_eq!(lines[1], "扫码登记", "{lines:#?}");
    assert!(
        lines.contains(&"西湖区, 杭州市, 浙江省".to_owned()) || lines.contains(&"西湖区, 浙江省".to_owned()),
        "{lines:#?}"
    );

    // A district no catalogue knows still prints, by its code, in the deployment's order.
    let elsewhere = venue_in(&app, &op, "Corner shop", "XX", "D9", "").await;
    let lines = svg_lines(&get(&app, &op, elsewhere["poster"]["svg"].as_str().unwrap()).await.text().await.unwrap());
    assert_eq!(lines[1], "Scan to check in");
    assert!(lines.contains(&"D9, XX".to_owned()), "{lines:#?}");
}

#[tokio::test]
async fn a6_and_a5_posters_are_smaller_pages_whose_qr_still_reads() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000302").await;
    let shop = venue_in(&app, &op, "Phở 河内粉店", "VN-HN", "002", "").await;
    let qr = shop["qr_text"].as_str().unwrap();
    let pdf_path = shop["poster"]["pdf"].as_str().unwrap();
    for (size, mm) in [("a5", "148mm"), ("A6", "105mm")] {
        let svg_path = format!("{}?size={size}", shop["poster"]["svg"].as_str().unwrap());
        let svg = get(&app, &op, &svg_path).await.text().await.unwrap();
        assert!(svg.contains(&format!("width=\"{mm}\"")), "{size}: {}", &svg[..300]);
    }
    let png = get(&app, &op, &format!("{}?size=a6", shop["poster"]["png"].as_str().unwrap())).await;
    assert_eq!(png.status(), StatusCode::OK);
    let png = png.bytes().await.unwrap();
    let dim = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((dim(16), dim(20)), (620, 874), "A6 at 150 dpi (the PNG header)");
    assert_eq!(healthcode_credential::decode_image(&png).unwrap(), vec![qr.to_string()], "the A6 QR reads");
    let pdf = get(&app, &op, &format!("{pdf_path}?size=a6")).await.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    let (status, body) = {
        let resp = get(&app, &op, &format!("{pdf_path}?size=a3")).await;
        (resp.status(), resp.json::<Value>().await.unwrap())
    };
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("POSTER_SIZE_INVALID"))
    );

    // An independent decoder reads the A6 PDF printed at 150 dpi.
    let tools = ["pdftoppm", "zbarimg"].iter().all(|t| std::process::Command::new(t).arg("-v").output().is_ok());
    if !tools {
        assert!(std::env::var("HEALTHCODE_REQUIRE_TOOLS").is_err(), "pdftoppm and zbarimg are required");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a6.pdf"), &pdf).unwrap();
    let raster = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(dir.path().join("a6.pdf"))
        .arg(dir.path().join("a6"))
        .status()
        .unwrap();
    assert!(raster.success());
    let out = std::process::Command::new("zbarimg").args(ZBAR_QR_ONLY).arg(dir.path().join("a6.png")).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), qr, "zbarimg reads the A6 PDF");
}

#[tokio::test]
async fn forms_take_names_in_any_language_store_codes_and_pages_show_names() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000303").await;
    let cookie = format!("hc_session={op}");
    // The picker lists every district with its names in the other languages.
    let resp = app.client.get(app.url("/venue?lang=zh")).header(COOKIE, &cookie).send().await.unwrap();
    let html = resp.text().await.unwrap();
    assert!(html.contains(r#"list="hc-districts""#), "the district field has a picker");
    assert!(
        html.contains(r#"<option value="还剑郡 (002)" label="Hoan Kiem District · Quận Hoàn Kiếm · 002">"#),
        "{html}"
    );

    let resp = post_form(
        &app,
        "/venue",
        &cookie,
        &[
            ("name", "Bánh mì 25"),
            ("address", "25 Hàng Cá"),
            ("province", "Thành phố Hà Nội"),
            ("district", "还剑郡 (002)"),
            ("commune", "phường hàng bạc"),
            ("category", "restaurant"),
            ("max_stay_minutes", "240"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{}", resp.text().await.unwrap());
    let (_, list) = app.get_json("/api/v1/venues", Some(&op)).await;
    let venue = &list.as_array().unwrap()[0];
    assert_eq!(
        (venue["province"].as_str(), venue["district"].as_str(), venue["commune"].as_str()),
        (Some("VN-HN"), Some("002"), Some("00061"))
    );
    let page = app
        .client
        .get(app.url(&format!("/venue/{}?lang=vi", venue["id"].as_str().unwrap())))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Phường Hàng Bạc, Quận Hoàn Kiếm, Thành phố Hà Nội"), "{page}");

    // A name nobody has is refused as a code, and what was typed stays.
    let resp = post_form(
        &app,
        "/venue",
        &cookie,
        &[("name", "X"), ("address", "Y"), ("province", "VN-HN"), ("district", "Quận Không Có"), ("category", "shop")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains(r#"id="e-district""#), "{html}");
    assert!(html.contains(r#"value="Quận Không Có""#));
}
