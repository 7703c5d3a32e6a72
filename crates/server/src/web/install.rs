//! The web app manifest that makes a scanner page installable: the
//! checkpoint scanner (`/checkpoint/{id}`) and a venue's staff scanner
//! (`/venue/{id}/scan`) each install as their own app starting on that page.
//! The service worker (`/sw.js`, [`crate::assets::service_worker`]) keeps
//! them working offline.

use axum::extract::Query;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::web::i18n::Lang;

#[derive(Debug, Deserialize)]
pub struct ManifestQuery {
    /// The scanner page the installed app opens.
    start: String,
}

/// A path the service worker keeps: `/checkpoint/{id}` or `/venue/{id}/scan`.
pub fn is_scanner_path(path: &str) -> bool {
    let id_ok = |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if let Some(id) = path.strip_prefix("/checkpoint/") {
        return id_ok(id);
    }
    path.strip_prefix("/venue/").and_then(|rest| rest.strip_suffix("/scan")).is_some_and(id_ok)
}

/// `GET /scanner.webmanifest?start=/checkpoint/{id}`: the manifest, in the
/// page's language; another `start` is 404.
pub async fn scanner_manifest(lang: Lang, Query(q): Query<ManifestQuery>) -> Response {
    if !is_scanner_path(&q.start) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let title = if q.start.starts_with("/checkpoint/") { "scan.checkpoints" } else { "scan.staff_title" };
    let manifest = serde_json::json!({
        "name": format!("{} · {}", lang.t("app.name"), lang.t(title)),
        "short_name": lang.t("app.name"),
        "lang": lang.tag(),
        "start_url": format!("{}?lang={}", q.start, lang.key()),
        "scope": q.start,
        "id": q.start,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b6e4f",
        "icons": [{ "src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any" }],
    });
    ([(CONTENT_TYPE, "application/manifest+json"), (CACHE_CONTROL, "public, max-age=300")], manifest.to_string())
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_scanner_pages_are_installable() {
        assert!(is_scanner_path("/checkpoint/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"));
        assert!(is_scanner_path("/venue/abc-1/scan"));
        for bad in [
            "/checkpoint/",
            "/checkpoint",
            "/venue/x",
            "/venue//scan",
            "/me/code",
            "/checkpoint/a/b",
            "https://x/checkpoint/a",
        ] {
            assert!(!is_scanner_path(bad), "{bad}");
        }
    }
}
