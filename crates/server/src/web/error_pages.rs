//! Errors on page routes are pages: a title and an explanation in the
//! reader's language, the `lang` of the page, and a way back. Handlers render
//! one with [`error_page`]; whatever else a page route answers without HTML
//! (an extractor's JSON refusal, the router's bare 404 or 405, a form or path
//! rejection) is turned into one by [`errors_as_pages`]. `/api/` keeps JSON.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CONTENT_TYPE, HOST, REFERER, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::extract::optional_resident;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::view::Page;

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: Page,
    pub status: u16,
    pub heading: &'static str,
    pub explanation: &'static str,
    /// What exactly went wrong, when it says more than the heading.
    pub detail: Option<String>,
    /// Where a sign-in would help (401), else none.
    pub sign_in: Option<String>,
    /// The page the reader came from, when it is one of ours.
    pub back: Option<String>,
}

/// Codes whose message says no more than the status heading does.
const GENERIC_CODES: [&str; 6] =
    ["NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "INTERNAL", "METHOD_NOT_ALLOWED", "BAD_REQUEST"];

/// (heading, explanation) for a status, in the reader's language.
fn texts(lang: Lang, status: StatusCode) -> (&'static str, &'static str) {
    let key = match status.as_u16() {
        401 => "401",
        403 => "403",
        404 => "404",
        405 => "405",
        503 | 408 => "503",
        s if s >= 500 => "500",
        _ => "other",
    };
    (lang.t(&format!("error.{key}.title")), lang.t(&format!("error.{key}.text")))
}

/// The sign-in page that fits the path's audience.
fn sign_in_for(path: &str) -> String {
    if path.starts_with("/venue") || path.starts_with("/employer") {
        "/venue/signin".into()
    } else if path.starts_with("/authority") || path.starts_with("/checkpoint") {
        "/staff/signin".into()
    } else {
        let q: String = form_urlencoded::Serializer::new(String::new()).append_pair("next", path).finish();
        format!("/signin?{q}")
    }
}

/// The detail worth showing: a localized text for the code when the
/// catalogue has one (`apierr.CODE`), else the message; none for generic codes.
fn detail_of(lang: Lang, code: &str, message: &str) -> Option<String> {
    if GENERIC_CODES.contains(&code) || message.is_empty() {
        return None;
    }
    Some(lang.t_opt(&format!("apierr.{code}")).map_or_else(|| message.to_string(), str::to_string))
}

/// The path of a same-site `Referer`, if the reader came from one of our pages.
fn back_from(headers: &HeaderMap, here: &str) -> Option<String> {
    let referer = headers.get(REFERER)?.to_str().ok()?;
    let host = headers.get(HOST)?.to_str().ok()?;
    let rest = referer.strip_prefix("http://").or_else(|| referer.strip_prefix("https://"))?;
    let path = rest.strip_prefix(host)?;
    let path = if path.is_empty() { "/" } else { path };
    let safe = crate::web::pages::safe_next(path);
    let without_query = safe.split('?').next().unwrap_or("");
    (!safe.is_empty() && without_query != here).then_some(safe)
}

fn render(
    lang: Lang,
    path: &str,
    signed_in: bool,
    status: StatusCode,
    detail: Option<String>,
    back: Option<String>,
) -> Response {
    let (heading, explanation) = texts(lang, status);
    let body = ErrorPage {
        page: Page::new(lang, path, signed_in),
        status: status.as_u16(),
        heading,
        explanation,
        detail,
        sign_in: (status == StatusCode::UNAUTHORIZED).then(|| sign_in_for(path)),
        back,
    };
    (status, body).into_response()
}

/// A page-level error: the error page for the error's status, with its detail.
pub fn error_page(lang: Lang, path: &str, signed_in: bool, e: &ApiError) -> Response {
    render(lang, path, signed_in, e.status(), detail_of(lang, e.code, &e.message), None)
}

/// Paths that are not pages: JSON, assets, probes.
fn is_page_path(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path == "/api"
        || path.starts_with("/static/")
        || path == "/healthz"
        || path == "/metrics")
}

/// The most of a non-HTML error body read to find its code and message.
const MAX_ERROR_BODY: usize = 16 * 1024;

/// Turns an error a page route answered without HTML into the error page
/// (with the resident's menu when a resident is signed in).
pub async fn errors_as_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !is_page_path(&path) {
        return next.run(req).await;
    }
    let query = req
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned()));
    let lang = Lang::negotiate(query.as_deref(), req.headers());
    let back = back_from(req.headers(), &path);
    let headers = req.headers().clone();
    let response = next.run(req).await;
    let status = response.status();
    let html =
        response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    if html || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let json = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let detail = if json { api_error_detail(lang, body).await } else { None };
    let signed_in = optional_resident(&state, &headers).await.is_some();
    let mut answer = render(lang, &path, signed_in, status, detail, back);
    for name in [ALLOW, RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, v.clone());
        }
    }
    answer
}

async fn api_error_detail(lang: Lang, body: Body) -> Option<String> {
    let bytes = to_bytes(body, MAX_ERROR_BODY).await.ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let code = value["error"]["code"].as_str()?;
    let message = value["error"]["message"].as_str().unwrap_or("");
    detail_of(lang, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_goes_to_the_audiences_page() {
        assert_eq!(sign_in_for("/venue/x"), "/venue/signin");
        assert_eq!(sign_in_for("/authority/cases"), "/staff/signin");
        assert_eq!(sign_in_for("/me/code"), "/signin?next=%2Fme%2Fcode");
    }

    #[test]
    fn only_page_paths_become_pages() {
        assert!(is_page_path("/me/code"));
        assert!(is_page_path("/no-such-page"));
        assert!(!is_page_path("/api/v1/me/code"));
        assert!(!is_page_path("/static/base.css"));
        assert!(!is_page_path("/healthz"));
    }

    /// A 500 is a page too, and never shows the internal cause.
    #[tokio::test]
    async fn an_internal_error_is_a_localized_page_without_its_cause() {
        let response = error_page(Lang::Vi, "/me/code", true, &ApiError::internal("database on fire"));
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let content_type = response.headers()[CONTENT_TYPE].to_str().unwrap_or("").to_string();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap_or_default();
        let html = String::from_utf8_lossy(&bytes);
        assert!(html.contains(r#"<html lang="vi">"#), "{html}");
        assert!(html.contains("Máy chủ gặp sự cố") && html.contains(r#"href="/""#), "{html}");
        assert!(!html.contains("database on fire") && !html.contains("something went wrong on our side"), "{html}");
    }

    #[test]
    fn generic_codes_add_no_detail() {
        assert_eq!(detail_of(Lang::En, "NOT_FOUND", "no such resource"), None);
        assert_eq!(detail_of(Lang::En, "CSRF_REFUSED", "x").as_deref(), Some("x"));
    }
}
