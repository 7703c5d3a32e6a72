//! What every response carries whatever the route: a request id (for the logs
//! and for a user reporting a problem), and gzip for large text when asked.

use crate::harness::spawn_app;
use flate2::read::GzDecoder;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
use std::io::Read;

#[tokio::test]
async fn every_response_names_its_request_and_a_proxys_id_is_kept() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for path in ["/healthz", "/api/v1/no-such-route", "/", "/static/scanner.js"] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        let id = resp.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_owned());
        ids.push(id.unwrap_or_else(|| panic!("{path}: no x-request-id")));
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids repeat: {ids:?}");

    let resp = app.client.get(app.url("/healthz")).header("x-request-id", "proxy-7f3a").send().await.unwrap();
    assert_eq!(resp.headers()["x-request-id"], "proxy-7f3a");
}

#[tokio::test]
async fn large_text_is_gzipped_when_asked_and_small_or_unasked_is_not() {
    let app = spawn_app().await;
    let plain = app.client.get(app.url("/static/scanner.js")).send().await.unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none(), "compressed without Accept-Encoding");
    let plain = plain.bytes().await.unwrap();
    assert!(plain.len() > 1024);

    let gz = app.client.get(app.url("/static/scanner.js")).header(ACCEPT_ENCODING, "gzip").send().await.unwrap();
    assert_eq!(gz.headers().get(CONTENT_ENCODING).map(|v| v.to_str().unwrap()), Some("gzip"));
    let gz = gz.bytes().await.unwrap();
    assert!(gz.len() < plain.len() / 2, "gzip {} of {} bytes", gz.len(), plain.len());
    let mut unpacked = Vec::new();
    GzDecoder::new(&gz[..]).read_to_end(&mut unpacked).unwrap();
    assert_eq!(unpacked, plain);

    let small = app.client.get(app.url("/healthz")).header(ACCEPT_ENCODING, "gzip").send().await.unwrap();
    assert!(small.headers().get(CONTENT_ENCODING).is_none(), "a tiny body was compressed");
}
