//! The static files pages load (styles, scripts, the vendored chart and QR
//! libraries), embedded in the binary and served under `/static/`. Pages
//! carry no inline script or style: the Content-Security-Policy allows only
//! these files.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// One embedded file: its path under `/static/`, type and cache lifetime.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    cache_control: &'static str,
    body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
/// Our own files change with releases: browsers check again after five minutes.
const OURS: &str = "public, max-age=300";
/// Vendored libraries change rarely.
const VENDORED: &str = "public, max-age=86400";

const ASSETS: &[Asset] = &[
    Asset { path: "base.css", content_type: CSS, cache_control: OURS, body: include_bytes!("../static/base.css") },
    Asset { path: "code.js", content_type: JS, cache_control: OURS, body: include_bytes!("../static/code.js") },
    // The check-in confirmation's live clock (a screenshot shows a frozen one).
    Asset { path: "checkin.js", content_type: JS, cache_control: OURS, body: include_bytes!("../static/checkin.js") },
    Asset { path: "pass.css", content_type: CSS, cache_control: OURS, body: include_bytes!("../static/pass.css") },
    Asset { path: "pass.js", content_type: JS, cache_control: OURS, body: include_bytes!("../static/pass.js") },
    Asset {
        path: "scanner.css",
        content_type: CSS,
        cache_control: OURS,
        body: include_bytes!("../static/scanner.css"),
    },
    Asset { path: "stats.css", content_type: CSS, cache_control: OURS, body: include_bytes!("../static/stats.css") },
    // The offline verifier for checkpoint pages (mirrors crates/credential; tested against the shared vectors).
    Asset {
        path: "hc-verify.js",
        content_type: JS,
        cache_control: OURS,
        body: include_bytes!("../static/hc-verify.js"),
    },
    Asset {
        path: "dcc-verify.js",
        content_type: JS,
        cache_control: OURS,
        body: include_bytes!("../static/dcc-verify.js"),
    },
    // Paper passes checked offline on checkpoint pages (mirrors crates/credential/src/paper_pass.rs).
    Asset { path: "hc-pass.js", content_type: JS, cache_control: OURS, body: include_bytes!("../static/hc-pass.js") },
    // The camera scanner page's script and the QR decoder it falls back on (no native BarcodeDetector).
    Asset { path: "scanner.js", content_type: JS, cache_control: OURS, body: include_bytes!("../static/scanner.js") },
    // The decoder the scanner prefers when the browser has no native one: zxing-wasm 3.1.8
    // (ZXing-C++ in WebAssembly; the reader's IIFE bundle, 38,775 bytes, and its module,
    // 946,307 bytes), loaded by scanner.js with `locateFile` pointed here. jsQR stays as the
    // fallback for a browser that cannot compile the module.
    Asset {
        path: "vendor/zxing-reader.js",
        content_type: JS,
        cache_control: VENDORED,
        body: include_bytes!("../static/vendor/zxing-reader.js"),
    },
    Asset {
        path: "vendor/zxing_reader.wasm",
        content_type: "application/wasm",
        cache_control: VENDORED,
        body: include_bytes!("../static/vendor/zxing_reader.wasm"),
    },
    Asset {
        path: "vendor/jsQR.js",
        content_type: JS,
        cache_control: VENDORED,
        body: include_bytes!("../static/vendor/jsQR.js"),
    },
    Asset { path: "stats.js", content_type: JS, cache_control: OURS, body: include_bytes!("../static/stats.js") },
    // The installed scanner's icon (the web app manifest names it).
    Asset {
        path: "icon.svg",
        content_type: "image/svg+xml",
        cache_control: OURS,
        body: include_bytes!("../static/icon.svg"),
    },
    Asset {
        path: "vendor/uPlot.js",
        content_type: JS,
        cache_control: VENDORED,
        body: include_bytes!("../static/vendor/uPlot.js"),
    },
    Asset {
        path: "vendor/uPlot.css",
        content_type: CSS,
        cache_control: VENDORED,
        body: include_bytes!("../static/vendor/uPlot.css"),
    },
];

/// The service worker's source; [`service_worker`] writes [`version`] into it.
const SERVICE_WORKER: &str = include_str!("../static/sw.js");

/// A hash of every embedded file (and the service worker's own source), in
/// hex: the offline scanners' cache version. Any change to a file is a new
/// version, hence new worker bytes, so browsers install it and drop the old
/// cache. FNV-1a: a change detector, not a security measure.
pub fn version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let parts = ASSETS.iter().flat_map(|a| [a.path.as_bytes(), a.body]).chain([SERVICE_WORKER.as_bytes()]);
        for part in parts {
            for &byte in part.iter().chain(&[0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    })
}

/// `GET /sw.js`: the offline scanners' service worker, served from the root so
/// its scope covers `/checkpoint/{id}` and `/venue/{id}/scan`. Browsers check
/// it for updates on each visit (`no-cache`).
pub async fn service_worker() -> Response {
    let body = SERVICE_WORKER.replace("__VERSION__", version());
    ([(CONTENT_TYPE, JS), (CACHE_CONTROL, "no-cache")], body).into_response()
}

/// The paths of every embedded file, for tests that check each is served.
pub fn paths() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|a| a.path)
}

/// `GET /static/{*path}`: an embedded file, or 404.
pub async fn serve(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(a) => ([(CONTENT_TYPE, a.content_type), (CACHE_CONTROL, a.cache_control)], a.body).into_response(),
        None => ApiError::not_found().into_response(),
    }
}
