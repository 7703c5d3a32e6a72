//! What the server does for browsers: cross-site requests that ride on the
//! session cookie are refused (CSRF), and every page carries a
//! Content-Security-Policy that its templates can live with (no inline
//! script or style anywhere).

use crate::harness::{TestApp, spawn_app, spawn_app_with, urlencode};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use serde_json::{Value, json};

const EVIL: &str = "http://evil.example";

/// A form post as a browser would send it, with the given fetch metadata.
async fn form_post(app: &TestApp, path: &str, cookie: Option<&str>, headers: &[(&str, &str)]) -> reqwest::Response {
    let fields = [
        ("name", "Li Wei"),
        ("document_type", "national_id"),
        ("document_number", "330102199001011234"),
        ("district", "330102"),
        ("temperature_c", "36.6"),
    ];
    let body: String = fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
    let mut req = app.client.post(app.url(path)).header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(body);
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

/// Whether the resident has declared yet (read with the bearer token).
async fn has_declared(app: &TestApp, token: &str) -> bool {
    let (s, b) = app.get_json("/api/v1/me/status", Some(token)).await;
    match s {
        StatusCode::OK => true,
        StatusCode::CONFLICT => {
            assert_eq!(b["error"]["code"], "DECLARATION_REQUIRED", "{b}");
            false
        }
        other => panic!("unexpected {other}: {b}"),
    }
}

#[tokio::test]
async fn a_form_posted_from_our_own_page_goes_through() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000901").await;
    let cookie = format!("hc_session={}", li.token);
    let resp = form_post(&app, "/declare", Some(&cookie), &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{:?}", resp.text().await);
    assert!(has_declared(&app, &li.token).await);
}

#[tokio::test]
async fn without_fetch_metadata_the_origin_must_be_ours() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000902").await;
    let cookie = format!("hc_session={}", li.token);
    let resp = form_post(&app, "/declare", Some(&cookie), &[("origin", EVIL)]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = form_post(&app, "/declare", Some(&cookie), &[("origin", "null")]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "an opaque origin is not ours");
    assert!(!has_declared(&app, &li.token).await);
    let resp = form_post(&app, "/declare", Some(&cookie), &[("origin", &app.base)]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "the origin the browser sent the request to");
    assert!(has_declared(&app, &li.token).await);
}

#[tokio::test]
async fn the_configured_public_origin_is_ours_too() {
    let app = spawn_app_with(|c| c.public_base_url = "https://health.example/app/".into()).await;
    let li = app.resident_signs_in("+8613800000903").await;
    let cookie = format!("hc_session={}", li.token);
    let resp = form_post(&app, "/declare", Some(&cookie), &[("origin", "https://health.example")]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = form_post(&app, "/declare", Some(&cookie), &[("origin", "https://health.example.evil.example")]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_cross_site_form_post_gets_an_explaining_page_in_the_readers_language() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000904").await;
    let cookie = format!("hc_session={}; hc_lang=zh", li.token);
    for site in ["cross-site", "same-site"] {
        let resp = form_post(&app, "/declare", Some(&cookie), &[("sec-fetch-site", site), ("origin", EVIL)]).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{site}");
        assert!(resp.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        let html = resp.text().await.unwrap();
        assert!(html.contains("此表单是从其他网站提交的"), "{html}");
        assert!(html.contains(r#"<html lang="zh-Hans">"#));
    }
    let resp =
        form_post(&app, "/declare?lang=vi", Some(&cookie), &[("sec-fetch-site", "cross-site"), ("origin", EVIL)]).await;
    assert!(resp.text().await.unwrap().contains("trang web khác"));
    assert!(!has_declared(&app, &li.token).await, "nothing was done");
    let (_, metrics) = app.get_json("/metrics", None).await;
    assert!(metrics.as_str().unwrap().contains("healthcode_cross_site_refused_total 3"), "{metrics}");
}

#[tokio::test]
async fn a_cookie_request_with_neither_header_is_refused_but_one_without_the_cookie_is_not() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000905").await;
    let resp = form_post(&app, "/declare", Some(&format!("hc_session={}", li.token)), &[]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // No session cookie (a language cookie is no credential): signing in works as before.
    let resp = app
        .client
        .post(app.url("/signin"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(COOKIE, "hc_lang=vi")
        .body("phone=%2B8613800000906")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(resp.headers()[LOCATION].to_str().unwrap().starts_with("/signin/verify"));
}

#[tokio::test]
async fn a_cross_site_json_request_with_the_cookie_is_refused_as_json() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000907").await;
    let body = json!({"name": "Li Wei", "document_type": "national_id", "document_number": "330102199001011234",
        "district": "330102", "symptoms": [], "temperature_c": 36.6});
    let resp = app
        .client
        .post(app.url("/api/v1/declarations"))
        .header(COOKIE, format!("hc_session={}", li.token))
        .header("sec-fetch-site", "cross-site")
        .header("origin", EVIL)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["error"]["code"], "CSRF_REFUSED", "{b}");
    assert!(!has_declared(&app, &li.token).await);
    // The same from the scanner page's script (same-origin fetch) is taken.
    let resp = app
        .client
        .post(app.url("/api/v1/declarations"))
        .header(COOKIE, format!("hc_session={}", li.token))
        .header("sec-fetch-site", "same-origin")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED, "{:?}", resp.text().await);
}

#[tokio::test]
async fn bearer_requests_are_not_checked_for_their_origin() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000908").await;
    let body = json!({"name": "Li Wei", "document_type": "national_id", "document_number": "330102199001011234",
        "district": "330102", "symptoms": [], "temperature_c": 36.6});
    let resp = app
        .client
        .post(app.url("/api/v1/declarations"))
        .bearer_auth(&li.token)
        // Even with a (stale) cookie and cross-site metadata: the header, not the cookie, authenticates.
        .header(COOKIE, format!("hc_session={}", li.token))
        .header("sec-fetch-site", "cross-site")
        .header("origin", EVIL)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED, "{:?}", resp.text().await);
}

#[tokio::test]
async fn safe_methods_are_never_refused() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000909").await;
    let resp = app
        .client
        .get(app.url("/me/history"))
        .header(COOKIE, format!("hc_session={}", li.token))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "a link from another site still opens the page");
}

/// Every page route (pattern as in `web::routes`) and a path that reaches it.
const PAGE_ROUTES: &[(&str, &str, Who)] = &[
    ("/", "/", Who::Nobody),
    ("/stats", "/stats", Who::Nobody),
    ("/me/appeal", "/me/appeal", Who::Resident),
    ("/authority/appeals", "/authority/appeals", Who::Authority),
    ("/signin", "/signin", Who::Nobody),
    ("/signin/visitor", "/signin/visitor", Who::Nobody),
    ("/c", "/c", Who::Nobody),
    ("/signin/verify", "/signin/verify?contact=%2B8613800000910", Who::Nobody),
    ("/declare", "/declare", Who::Resident),
    ("/clock-in", "/clock-in", Who::Resident),
    ("/me/code", "/me/code", Who::Resident),
    ("/me/history", "/me/history", Who::Resident),
    ("/me/pass", "/me/pass", Who::Resident),
    ("/dev/outbox", "/dev/outbox", Who::Nobody),
    ("/c/{token}", "/c/{venue_token}", Who::Resident),
    ("/me/visits", "/me/visits", Who::Resident),
    ("/venue/signin", "/venue/signin", Who::Nobody),
    ("/venue", "/venue", Who::Operator),
    ("/venue/{id}", "/venue/{venue}", Who::Operator),
    ("/authority/cases", "/authority/cases", Who::Authority),
    ("/authority/cases/{id}", "/authority/cases/00000000-0000-7000-8000-000000000000", Who::Authority),
    ("/authority/cases/{id}/apply", "/authority/cases/00000000-0000-7000-8000-000000000000/apply", Who::Authority),
    (
        "/authority/cases/{id}/report.csv",
        "/authority/cases/00000000-0000-7000-8000-000000000000/report.csv",
        Who::Authority,
    ),
    ("/me/notices", "/me/notices", Who::Resident),
    ("/exposure-sites", "/exposure-sites", Who::Nobody),
    ("/staff/signin", "/staff/signin", Who::Nobody),
    ("/staff/oidc/start", "/staff/oidc/start", Who::Nobody),
    ("/staff/oidc/callback", "/staff/oidc/callback", Who::Nobody),
    ("/staff/invite/{secret}", "/staff/invite/{invitation}", Who::Nobody),
    ("/staff/accounts", "/staff/accounts", Who::Supervisor),
    ("/staff/enrol", "/staff/enrol", Who::Authority),
    ("/signin/link/{secret}", "/signin/link/hcl_unknown", Who::Nobody),
    ("/checkpoint", "/checkpoint", Who::Authority),
    ("/checkpoint/{id}", "/checkpoint/{checkpoint}", Who::Authority),
    ("/venue/{id}/scan", "/venue/{venue}/scan", Who::Operator),
    ("/employer", "/employer", Who::Operator),
    ("/employer/{id}", "/employer/00000000-0000-7000-8000-000000000000", Who::Operator),
    ("/employer/{id}/scan", "/employer/00000000-0000-7000-8000-000000000000/scan", Who::Operator),
    ("/me/employers", "/me/employers", Who::Resident),
    ("/authority/enterprises", "/authority/enterprises", Who::Authority),
    ("/authority/employers", "/authority/employers", Who::Authority),
    ("/staff/passages", "/staff/passages", Who::Authority),
    ("/authority/overrides", "/authority/overrides", Who::Authority),
    ("/authority/alarms", "/authority/alarms", Who::Authority),
    ("/authority/tests", "/authority/tests", Who::Authority),
    ("/authority/false-declarations", "/authority/false-declarations", Who::Authority),
    ("/me/tests", "/me/tests", Who::Resident),
];

#[derive(Debug, Clone, Copy)]
enum Who {
    Nobody,
    Resident,
    Operator,
    Authority,
    Supervisor,
}

/// The GET page routes `web::routes` declares, read from its source.
fn declared_page_routes() -> Vec<String> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/mod.rs")).unwrap();
    source
        .lines()
        .filter_map(|l| l.trim().strip_prefix(".route(\""))
        .filter(|rest| rest.contains("get("))
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_page_carries_the_content_security_policy_and_the_browser_headers() {
    let declared = declared_page_routes();
    assert!(declared.len() >= 30, "{declared:?}");
    for route in &declared {
        assert!(PAGE_ROUTES.iter().any(|(r, _, _)| r == route), "page route {route} is not in PAGE_ROUTES");
    }

    let app = spawn_app().await;
    let resident = app.resident_signs_in("+8613800000911").await;
    app.resident_declares(&resident, 36.6, &[]).await;
    let operator = crate::check_in::operator_token(&app, "+84912000911").await;
    let venue = crate::check_in::venue_registered(&app, &operator, "Bún Chả 34").await;
    let venue_qr = venue["qr_text"].as_str().unwrap();
    let venue_token = &venue_qr[venue_qr.find("/c/").unwrap() + 3..];
    let authority = app.token(healthcode_domain::Role::Authority, "anh").await;
    let (checkpoint, _) = crate::checkpoints::checkpoint(&app).await;
    let supervisor = app.token(healthcode_domain::Role::Supervisor, "sam").await;
    let actor = healthcode_store::AuditActor::Operator;
    let invited =
        healthcode_server::services::staff::create(&app.state, &actor, "olga", "Olga", "officer", "").await.unwrap();

    let mut wasm_pages = 0;
    for (route, path, who) in PAGE_ROUTES {
        let path = path
            .replace("{venue_token}", venue_token)
            .replace("{venue}", venue["id"].as_str().unwrap())
            .replace("{checkpoint}", &checkpoint)
            .replace("{invitation}", &invited.invitation);
        let token = match who {
            Who::Nobody => None,
            Who::Resident => Some(resident.token.as_str()),
            Who::Operator => Some(operator.as_str()),
            Who::Authority => Some(authority.as_str()),
            Who::Supervisor => Some(supervisor.as_str()),
        };
        let mut req = app.client.get(app.url(&path));
        if let Some(t) = token {
            req = req.header(COOKIE, format!("hc_session={t}"));
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let kind = headers.get(CONTENT_TYPE).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(kind.starts_with("text/html"), "{route} ({path}) answered {status} with {kind:?}");
        let csp = headers.get("content-security-policy").map(|v| v.to_str().unwrap()).unwrap_or_default();
        // The camera scanner pages alone may compile WebAssembly (the zxing-wasm decoder).
        let scanner = path.starts_with("/checkpoint/") || path.ends_with("/scan");
        let script_src =
            if scanner && status.is_success() { "script-src 'self' 'wasm-unsafe-eval';" } else { "script-src 'self';" };
        assert!(csp.contains(script_src), "{route} ({path}, {status}): {script_src} missing from {csp:?}");
        wasm_pages += usize::from(csp.contains("'wasm-unsafe-eval'"));
        for directive in [
            "default-src 'self'",
            "style-src 'self';",
            "img-src 'self' data: blob:",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(directive), "{route}: {directive} missing from {csp:?}");
        }
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"), "{route}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{route}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{route}");
        assert!(headers.get("strict-transport-security").is_none(), "{route}: no HSTS on plain HTTP");
    }
    assert!(wasm_pages >= 2, "the checkpoint and venue scanners allow WebAssembly ({wasm_pages} pages did)");
}

#[tokio::test]
async fn only_the_vendored_api_docs_may_use_inline_styles() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let csp = resp.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("style-src 'self' 'unsafe-inline'") && csp.contains("script-src 'self';"), "{csp}");
    let resp = app.client.get(app.url("/signin")).send().await.unwrap();
    assert!(!resp.headers()["content-security-policy"].to_str().unwrap().contains("unsafe-inline"));
}

#[tokio::test]
async fn hsts_only_when_the_public_url_is_https() {
    let app = spawn_app_with(|c| c.public_base_url = "https://health.example".into()).await;
    let resp = app.client.get(app.url("/signin")).send().await.unwrap();
    assert_eq!(resp.headers()["strict-transport-security"], "max-age=31536000");
}

#[tokio::test]
async fn static_assets_are_served_from_the_binary() {
    let app = spawn_app().await;
    // Every file under static/ (licences aside) is embedded and served with its type.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    let mut files = Vec::new();
    for sub in ["", "vendor"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            // sw.js is served from the root (`/sw.js`, its version written in), not under /static/.
            if path.is_file() && !name.ends_with(".LICENSE") && name != "sw.js" {
                files.push(if sub.is_empty() { name } else { format!("{sub}/{name}") });
            }
        }
    }
    let mut embedded: Vec<&str> = healthcode_server::assets::paths().collect();
    embedded.sort_unstable();
    files.sort();
    assert_eq!(embedded, files, "every static file is embedded");
    for file in &files {
        let kind = if file.ends_with(".css") {
            "text/css"
        } else if file.ends_with(".wasm") {
            "application/wasm"
        } else if file.ends_with(".svg") {
            "image/svg+xml"
        } else {
            "text/javascript"
        };
        let resp = app.client.get(app.url(&format!("/static/{file}"))).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{file}");
        assert!(resp.headers()[CONTENT_TYPE].to_str().unwrap().starts_with(kind), "{file}");
    }
    let resp = app.client.get(app.url("/sw.js")).send().await.unwrap();
    assert!(resp.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
    let worker = resp.text().await.unwrap();
    let version = healthcode_server::assets::version();
    assert!(
        worker.contains(&format!("const VERSION = '{version}';")) && version.len() == 16,
        "the cache version is written in"
    );
    let resp = app.client.get(app.url("/static/../Cargo.toml")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = app.client.get(app.url("/static/nope.js")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

/// What the CSP would block, as it appears in a template: an inline script
/// (a `<script>` without `src`), a `<style>` element, a `style="…"`
/// attribute, an `on…="…"` handler attribute, a `javascript:` URL.
fn inline_code(template: &str) -> Vec<String> {
    let lower = template.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("<script") {
        let start = from + at;
        let end = lower[start..].find('>').map_or(lower.len(), |e| start + e);
        if !lower[start..end].contains(" src=") {
            found.push(template[start..=end.min(template.len() - 1)].to_string());
        }
        from = end;
    }
    if lower.contains("<style") {
        found.push("<style".into());
    }
    if lower.contains(" style=\"") || lower.contains(" style='") {
        found.push(" style=".into());
    }
    if lower.contains("javascript:") {
        found.push("javascript:".into());
    }
    let bytes = lower.as_bytes();
    for (i, w) in bytes.windows(3).enumerate() {
        if w == b" on" {
            let name_len = bytes[i + 3..].iter().take_while(|b| b.is_ascii_lowercase()).count();
            let after = i + 3 + name_len;
            if name_len > 0 && bytes.get(after) == Some(&b'=') && matches!(bytes.get(after + 1), Some(b'"' | b'\'')) {
                found.push(lower[i..after + 1].to_string());
            }
        }
    }
    found
}

#[test]
fn the_inline_code_finder_finds_what_it_looks_for() {
    assert_eq!(inline_code(r#"<script src="/static/a.js"></script><p class="x">"#), Vec::<String>::new());
    assert_eq!(inline_code("<script>alert(1)</script>").len(), 1);
    assert_eq!(inline_code(r#"<script type="module">x()</script>"#).len(), 1);
    assert_eq!(inline_code("<style>p{}</style>").len(), 1);
    assert_eq!(inline_code(r#"<p style="color:red">"#).len(), 1);
    assert_eq!(inline_code(r#"<button onclick="go()">"#).len(), 1);
    assert_eq!(inline_code(r#"<a href="javascript:history.back()">"#).len(), 1);
    assert_eq!(inline_code(r#"<p data-on="x" class="online">"#), Vec::<String>::new());
}

#[test]
fn no_template_carries_inline_script_or_style() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            let found = inline_code(&std::fs::read_to_string(&path).unwrap());
            assert!(found.is_empty(), "{}: {found:?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} templates found");
}
