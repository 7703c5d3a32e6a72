//! The OpenAPI document is served, covers the public contract, lists exactly
//! the routes the API router answers, and the committed copy in
//! docs/openapi.json is fresh (HEALTHCODE_BLESS=1 rewrites it).

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{HeaderName, Method, Request, StatusCode as HttpStatus};
use reqwest::StatusCode;
use tower::ServiceExt;

use crate::harness::spawn_app;
use crate::role_matrix::concrete;

/// A (method, path) pair, the path as declared (`/api/v1/venues/{id}`).
pub(crate) type RouteKey = (String, String);

/// Every (method, path) the document lists.
pub(crate) fn documented(doc: &utoipa::openapi::OpenApi) -> BTreeSet<RouteKey> {
    let mut out = BTreeSet::new();
    for (path, item) in &doc.paths.paths {
        let operations = [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
            ("HEAD", &item.head),
            ("OPTIONS", &item.options),
            ("TRACE", &item.trace),
        ];
        for (method, op) in operations {
            if op.is_some() {
                out.insert((method.to_string(), path.clone()));
            }
        }
    }
    out
}

/// The paths a router holds. axum has no API that lists them; its `Debug`
/// prints each as `RouteId(n): "/path"`, which is what is read here. Should
/// that format change, this finds nothing and the caller's count check fails.
fn router_paths<S>(router: &axum::Router<S>) -> BTreeSet<String> {
    let text = format!("{router:?}");
    let mut out = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("RouteId(") {
        rest = &rest[at + "RouteId(".len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if let Some(quoted) = rest[digits..].strip_prefix("): \"") {
            let end = quoted.find('"').unwrap();
            let path = &quoted[..end];
            if !path.contains("__private__axum") {
                out.insert(path.to_string());
            }
        }
    }
    out
}

const UNROUTED: HeaderName = HeaderName::from_static("x-test-unrouted");

/// Every (method, path) the API router really answers: each path it holds,
/// and each path the document names, is called with every method; a call
/// that reaches neither a handler (but the router's own "no such path" or
/// "no such method" fallback, marked here) does not count.
async fn routed(
    app: &crate::harness::TestApp,
    router: axum::Router<healthcode_server::AppState>,
    doc_paths: &BTreeSet<String>,
) -> BTreeSet<RouteKey> {
    let paths = router_paths(&router);
    assert!(paths.len() > 50, "the router's paths were not read (axum's Debug output changed?): {paths:?}");
    let probe = router
        .fallback(|| async { (HttpStatus::NOT_FOUND, [(UNROUTED, "path")]) })
        .method_not_allowed_fallback(|| async { (HttpStatus::METHOD_NOT_ALLOWED, [(UNROUTED, "method")]) })
        .with_state(app.state.clone());
    let mut out = BTreeSet::new();
    for path in paths.iter().chain(doc_paths) {
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let request = Request::builder().method(method.clone()).uri(concrete(path)).body(Body::empty()).unwrap();
            let response = probe.clone().oneshot(request).await.unwrap();
            if !response.headers().contains_key(&UNROUTED) {
                out.insert((method.to_string(), path.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_the_api_router_answers() {
    let app = spawn_app().await;
    let (router, doc) = healthcode_server::api::routes();
    let documented = documented(&doc);
    let doc_paths: BTreeSet<String> = documented.iter().map(|(_, p)| p.clone()).collect();
    let routed = routed(&app, router, &doc_paths).await;
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty() && unrouted.is_empty(),
        "the API router and its OpenAPI document disagree (register handlers with `routes!` in api/mod.rs):\n\
         routed but not documented: {undocumented:#?}\ndocumented but not routed: {unrouted:#?}"
    );
    assert!(documented.len() > 80, "{documented:?}");
}

#[tokio::test]
async fn openapi_document_is_served_complete_and_fresh() {
    let app = spawn_app().await;
    let (s, doc) = app.get_json("/api/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    for path in
        ["/api/v1/declarations", "/api/v1/me/status", "/api/v1/me/code", "/api/v1/clock-ins", "/api/v1/trust-list"]
    {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let committed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("HEALTHCODE_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&committed, &pretty).unwrap();
    }
    let on_disk = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        on_disk == pretty,
        "docs/openapi.json is stale: run HEALTHCODE_BLESS=1 cargo test -p healthcode-server openapi"
    );

    let resp = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "Swagger UI is served from the binary");
}
