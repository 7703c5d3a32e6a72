//! Startup and the route table: every route and every middleware, in one
//! place, top to bottom.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{
    ALLOW, AUTHORIZATION, CONTENT_SECURITY_POLICY as CONTENT_SECURITY_POLICY_HEADER, CONTENT_TYPE, COOKIE, HOST,
    HeaderName, ORIGIN, REFERRER_POLICY, RETRY_AFTER, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use healthcode_store::{Store, StoreError};
use healthcode_store_postgres::{PgSettings, PostgresStore};
use healthcode_store_sqlite::SqliteStore;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_swagger_ui::SwaggerUi;

use crate::api;
use crate::assets;
use crate::clock::Clock;
use crate::config::{SenderConfig, ServerConfig};
use crate::error::{ApiError, ErrorKind};
use crate::keys::KeyService;
use crate::metrics::Metrics;
use crate::services::federation::Federation;
use crate::services::trace_index::TraceIndex;
use crate::state::AppState;
use crate::web;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database URL must start with sqlite:// or postgres:// (got '{0}')")]
    UnsupportedDatabase(String),
    #[error("opening the database: {0}")]
    Store(#[from] StoreError),
    #[error("loading signing keys: {0}")]
    Keys(#[from] healthcode_credential::KeyError),
    #[error("creating data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(
        "the development outbox publishes every sign-in code, so it is only served on a loopback address \
         (got {0}); configure an [sms] or [email] gateway instead (see README)"
    )]
    DevOutboxNotLoopback(std::net::SocketAddr),
    #[error(
        "the benchmark's no-op endpoint (--bench-no-op) is a development affordance, so it is only served on a \
         loopback address (got {0})"
    )]
    BenchNotLoopback(std::net::SocketAddr),
    #[error("message gateway: {0}")]
    Gateway(#[from] crate::auth::sender::SendError),
    #[error("listening: {0}")]
    Io(#[from] std::io::Error),
    #[error("EU DCC: {0}")]
    Dcc(String),
    #[error("the staff seal key: {0}")]
    SealKey(#[from] crate::auth::seal::SealKeyError),
    #[error("sealing staff second-factor seeds: {0}")]
    Seal(String),
    #[error("single sign-on ([oidc]): {0}")]
    Oidc(#[from] crate::auth::oidc::OidcError),
    #[error(
        "the database holds an unfinished bulk load ({what}, begun {started_at}): a seed was cut short and \
         its data is incomplete; delete the data directory (SQLite) or drop the database (PostgreSQL) and seed again"
    )]
    UnfinishedLoad { what: String, started_at: jiff::Timestamp },
}

/// Opens the store named by a URL with default pool settings.
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>, StartupError> {
    open_store_with(url, &PgSettings::default()).await
}

/// Opens the store named by a URL; the scheme picks the backend at run time
/// (both are always compiled in).
pub async fn open_store_with(url: &str, pg: &PgSettings) -> Result<Arc<dyn Store>, StartupError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(url, pg).await?))
    } else {
        // Never echo a URL that might hold a password.
        let scheme = url.split("://").next().unwrap_or("").to_string();
        Err(StartupError::UnsupportedDatabase(format!("{scheme}://…")))
    }
}

/// Creates the data directory owner-only (it holds personal data and keys);
/// an existing directory keeps its permissions.
fn create_private_dir(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if path.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(path)
}

/// Opens the data directory, store and keys.
pub async fn build_state(config: ServerConfig, clock: Arc<dyn Clock>) -> Result<AppState, StartupError> {
    if config.bench_no_op && !config.listen.ip().is_loopback() {
        return Err(StartupError::BenchNotLoopback(config.listen));
    }
    create_private_dir(&config.data_dir)
        .map_err(|source| StartupError::DataDir { path: config.data_dir.display().to_string(), source })?;
    let trace_index_days = config.trace_index_days_in_force();
    // Every server's trace index follows every server's visits: each
    // announces its own when the indexes are on.
    let pg = PgSettings { announce_visits: trace_index_days > 0, ..config.postgres.clone() };
    let store = open_store_with(&config.database_url, &pg).await?;
    if let Some(load) = store.unfinished_bulk_load().await? {
        return Err(StartupError::UnfinishedLoad { what: load.what, started_at: load.started_at });
    }
    let keys = KeyService::open(&config.keys_dir(), &config.region_id, config.max_credential_lifetime(), clock.now())?;
    if config.sender == SenderConfig::DevOutbox && !config.listen.ip().is_loopback() {
        return Err(StartupError::DevOutboxNotLoopback(config.listen));
    }
    let root = healthcode_credential::load_or_create_root_key(&config.keys_dir())?;
    let federation = Federation::new(config.federation.clone(), &config.region_id, root);
    let kept = federation.load_kept(store.as_ref()).await?;
    if kept > 0 {
        tracing::info!(peers = kept, "kept peer trust lists restored");
    }
    let dcc_trust = match &config.dcc.anchors {
        Some(sources) => Some(
            crate::services::dcc::load_trust(sources)
                .await
                .map_err(|e| StartupError::Dcc(format!("{}: {e}", e.code())))?,
        ),
        None => None,
    };
    let dcc = crate::services::dcc::DccService::open(config.dcc.clone(), &config.data_dir, dcc_trust, clock.now())
        .map_err(|e| StartupError::Dcc(format!("{}: {e}", e.code())))?;
    let sender = crate::auth::sender::build(&config.sender, store.clone())?;
    let totp_seal = crate::auth::seal::TotpSeal::open_or_create(&config.keys_dir())?;
    let oidc = match config.oidc.clone() {
        Some(c) => Some(Arc::new(crate::auth::oidc::OidcClient::new(c, &config.public_base_url)?)),
        None => None,
    };
    if !sender.is_dev_outbox() {
        // Codes from an earlier development run must not stay in clear.
        store.clear_outbox().await?;
    }
    let state = AppState::new(crate::state::Shared {
        store,
        keys: Arc::new(keys),
        config: Arc::new(config),
        clock,
        sender,
        totp_seal: Arc::new(totp_seal),
        sign_in_limiter: Arc::default(),
        metrics: Arc::new(Metrics::default()),
        fonts: Arc::new(healthcode_poster::Fonts::system()),
        live_stats: Arc::default(),
        sessions: Arc::default(),
        venues: Arc::default(),
        trace_index: Arc::new(TraceIndex::new(trace_index_days)),
        trace_cache: Arc::default(),
        federation: Arc::new(federation),
        dcc: Arc::new(dcc),
        jobs: Arc::default(),
        oidc,
    });
    let sealed = crate::services::staff::seal_clear_seeds(&state).await.map_err(|e| StartupError::Seal(e.message))?;
    if sealed > 0 {
        tracing::info!(accounts = sealed, "staff second-factor seeds stored in clear are now sealed");
    }
    Ok(state)
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    backend: &'static str,
    version: &'static str,
}

async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.store.backend();
    let version = env!("CARGO_PKG_VERSION");
    match state.store.ping().await {
        Ok(()) => axum::Json(Health { status: "ok", backend, version }).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(Health { status: "unavailable", backend, version }))
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    use crate::services::trace_index::IndexState;
    let mut body = state.metrics.render();
    let stays = match state.trace_index.state() {
        IndexState::Ready { stays } => stays as i64,
        IndexState::Unloaded => -1,
        IndexState::Off => -2,
    };
    body.push_str("# HELP healthcode_trace_index_stays Stays held by the trace index (-1 loading, -2 off).\n");
    body.push_str("# TYPE healthcode_trace_index_stays gauge\n");
    body.push_str(&format!("healthcode_trace_index_stays {stays}\n"));
    body.push_str(&state.jobs.render());
    body.push_str(&state.store.metrics());
    let now = state.clock.now();
    body.push_str(
        "# HELP healthcode_peer_list_age_seconds Age of each peer region's kept trust list (since last confirmed).\n",
    );
    body.push_str("# TYPE healthcode_peer_list_age_seconds gauge\n");
    body.push_str("# HELP healthcode_peer_list_stale Whether a peer region's kept trust list is past its expiry.\n");
    body.push_str("# TYPE healthcode_peer_list_stale gauge\n");
    for peer in state.federation.peers() {
        let region = &peer.list.region;
        let age = now.duration_since(peer.checked_at).as_secs();
        let stale = i32::from(peer.list.is_stale(now));
        body.push_str(&format!("healthcode_peer_list_age_seconds{{region=\"{region}\"}} {age}\n"));
        body.push_str(&format!("healthcode_peer_list_stale{{region=\"{region}\"}} {stale}\n"));
    }
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

/// The no-op body the ingest benchmark posts: a check-in's shape.
#[derive(serde::Deserialize)]
struct NoOpBody {
    #[serde(rename = "venue_qr")]
    _venue_qr: String,
}

#[derive(Serialize)]
struct NoOpAnswer {
    ok: bool,
}

/// `POST /bench/no-op` (only with `serve --bench-no-op`, only on loopback):
/// the same middleware, a JSON body read and a JSON answer, and nothing
/// else. The ingest benchmark measures check-ins against it in the same run
/// (docs/BENCHMARKS.md); it is not part of the API.
async fn bench_no_op(crate::api::json::ApiJson(_body): crate::api::json::ApiJson<NoOpBody>) -> axum::Json<NoOpAnswer> {
    axum::Json(NoOpAnswer { ok: true })
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn count_responses(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    state.metrics.count_status(response.status().as_u16());
    response
}

/// The concurrency limit: at most `slots` requests run at once; one more
/// waits up to `wait` for a slot, then is shed with 503 `OVERLOADED` and
/// `Retry-After: 1`. Past capacity, clients are told to come back at once
/// instead of every request queueing until it times out.
#[derive(Clone)]
struct InFlight {
    slots: Arc<Semaphore>,
    wait: Duration,
    metrics: Arc<Metrics>,
}

async fn shed_load(State(limit): State<InFlight>, req: Request, next: Next) -> Response {
    let permit = match limit.slots.clone().try_acquire_owned() {
        Ok(permit) => permit,
        Err(_) => match tokio::time::timeout(limit.wait, limit.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            // Timed out, or the semaphore closed (it never is).
            Ok(Err(_)) | Err(_) => {
                limit.metrics.shed.inc();
                return overloaded();
            }
        },
    };
    let response = next.run(req).await;
    drop(permit);
    response
}

fn overloaded() -> Response {
    let error = ApiError::new(ErrorKind::Unavailable, "OVERLOADED", "the server is at capacity; retry in a second");
    let mut response = error.into_response();
    response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Refuses cross-site requests that would change something on the strength of
/// the session cookie alone (CSRF). A state-changing request (anything but
/// GET, HEAD, OPTIONS, TRACE) that carries the session cookie and no
/// `Authorization` header must come from one of our own pages: its
/// `Sec-Fetch-Site` is `same-origin` or `none` (typed or bookmarked), or, from
/// browsers that do not send it, its `Origin` is ours. Browsers send at least
/// one of the two on such requests, so a cookie request with neither is
/// refused too. Bearer requests (scripts, the CLI) carry no ambient
/// credential and pass untouched, as do requests without the cookie.
/// Refused: 403 `CSRF_REFUSED`, as JSON under `/api/`, else as a page.
async fn refuse_cross_site(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method().is_safe() || !sent_with_session_cookie(req.headers()) {
        return next.run(req).await;
    }
    if comes_from_our_pages(req.headers(), &state.config.public_base_url) {
        return next.run(req).await;
    }
    state.metrics.cross_site_refused.inc();
    let path = req.uri().path();
    tracing::info!(path, method = %req.method(), "cross-site request refused");
    if path.starts_with("/api/") {
        return ApiError::new(
            ErrorKind::Forbidden,
            "CSRF_REFUSED",
            "a request that uses the session cookie must come from this site's own pages",
        )
        .into_response();
    }
    let chosen = req
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned()));
    let lang = web::i18n::Lang::negotiate(chosen.as_deref(), req.headers());
    web::cross_site_refused(lang, path)
}

/// The session cookie authenticates this request: it is present and no
/// `Authorization` header takes precedence over it.
fn sent_with_session_cookie(headers: &HeaderMap) -> bool {
    headers.get(AUTHORIZATION).is_none()
        && headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|h| crate::auth::session::cookie_value(h, crate::auth::session::SESSION_COOKIE).is_some())
}

/// `Sec-Fetch-Site` says same-origin (or a user-typed navigation), else
/// `Origin` is this server's: the origin of `public_base_url`, or the scheme
/// and `Host` the request was sent to (the browser sets `Host`; a page on
/// another site cannot).
fn comes_from_our_pages(headers: &HeaderMap, public_base_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if origin.eq_ignore_ascii_case(origin_of(public_base_url)) {
        return true;
    }
    let Some(host) = headers.get(HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    ["http://", "https://"]
        .iter()
        .any(|scheme| origin.strip_prefix(scheme).is_some_and(|rest| rest.eq_ignore_ascii_case(host)))
}

/// `scheme://host[:port]` of a URL (`https://a.example/x/` -> `https://a.example`).
fn origin_of(url: &str) -> &str {
    let Some(at) = url.find("://") else {
        return url;
    };
    let authority_start = at + 3;
    match url[authority_start..].find('/') {
        Some(slash) => &url[..authority_start + slash],
        None => url,
    }
}

/// Every HTML page may load only our own scripts, styles and images, may not
/// be framed, and posts forms only to us.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; media-src 'self' blob:; \
    worker-src 'self'; manifest-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
    form-action 'self'";

/// The camera scanner pages (checkpoint, venue staff mode, gate): the same
/// policy with WebAssembly compilation allowed for the vendored zxing-wasm
/// decoder (`'wasm-unsafe-eval'` permits `WebAssembly.instantiate` only, not
/// `eval` or `new Function`). Set by [`crate::web::view::ScannerPage::respond`].
pub(crate) const SCANNER_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
    img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; media-src 'self' blob:; \
    worker-src 'self'; manifest-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; \
    form-action 'self'";

/// The vendored Swagger UI at `/api/docs` (not our page) injects `<style>`
/// elements from its bundle: the same policy with inline styles allowed
/// there, and only there. Its scripts are still only its own files.
const API_DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The browser-facing headers that depend on the response or the deployment:
/// the CSP on HTML, and HSTS when the public URL is HTTPS (a plain-HTTP
/// deployment must not pin browsers to HTTPS it does not serve).
async fn browser_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let policy = if req.uri().path().starts_with("/api/docs") { API_DOCS_POLICY } else { CONTENT_SECURITY_POLICY };
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    let html = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    if html && !headers.contains_key(CONTENT_SECURITY_POLICY_HEADER) {
        headers.insert(CONTENT_SECURITY_POLICY_HEADER, HeaderValue::from_static(policy));
    }
    if state.config.public_base_url.starts_with("https://") {
        headers.insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    response
}

/// The longest request URI (path and query) the server reads. Past it: 414
/// `URI_TOO_LONG`. (hyper answers 414 itself, with no body, past 64 KiB.)
const MAX_URI_BYTES: usize = 8 * 1024;
/// The most request header bytes (names and values) the server reads. Past
/// it: 431 `HEADERS_TOO_LARGE`. (hyper answers 431 itself, with no body,
/// before any of this runs, for more than 100 headers or a head its 400 KiB
/// read buffer cannot finish: somewhere between 400 and 800 KiB.)
const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Every error under `/api/` answers in the one JSON format with a stable
/// code, including those no handler produced: an unknown route (404), a
/// method the route does not take (405), a body over the limit (413), a
/// timeout (408). Oversized URIs and headers are refused here too.
async fn api_errors_as_json(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let uri_bytes = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    let header_bytes: usize = req.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    let refused = if uri_bytes > MAX_URI_BYTES {
        Some(ApiError::uri_too_long())
    } else if header_bytes > MAX_HEADER_BYTES {
        Some(ApiError::headers_too_large())
    } else {
        None
    };
    if let Some(e) = refused {
        return if api { e.into_response() } else { (e.status(), e.message).into_response() };
    }
    let response = next.run(req).await;
    let status = response.status();
    let failed = status.is_client_error() || status.is_server_error();
    let json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !api || !failed || json {
        return response;
    }
    let mut answer = ApiError::for_status(status).into_response();
    *answer.status_mut() = status;
    for name in [ALLOW, RETRY_AFTER] {
        if let Some(v) = response.headers().get(&name) {
            answer.headers_mut().insert(name, v.clone());
        }
    }
    answer
}

fn header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Request ids: a random per-process prefix and a counter (`3f9a0c1e-1a2b`),
/// unique across servers without reading the clock. A request that arrives
/// with an `x-request-id` (from a proxy) keeps it.
#[derive(Clone)]
struct RequestIds {
    prefix: u32,
    next: Arc<AtomicU64>,
}

impl RequestIds {
    fn new() -> Self {
        let prefix = crate::auth::session::random_bytes::<4>().map(u32::from_be_bytes).unwrap_or(0);
        Self { prefix, next: Arc::new(AtomicU64::new(1)) }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n:x}", self.prefix)).ok().map(RequestId::new)
    }
}

/// Each request's log span: method, path (never the query, which may carry
/// a `next` or a code) and request id, so every log line a request causes,
/// an internal error included, names the id the client was given.
fn request_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), id = %id)
}

/// Responses worth compressing: 1 KiB or more (pages, scripts, styles, reports,
/// CSV), and not images or PDFs, which are compressed already.
fn worth_compressing() -> impl Predicate {
    SizeAbove::new(1024)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::SSE)
}

/// The whole application: routes, then middleware (outermost last).
/// Everything above the concurrency limit is shed past capacity; the probes
/// below it (`/healthz`, `/metrics`) always answer.
pub fn router(state: AppState) -> Router {
    let in_flight = InFlight {
        slots: Arc::new(Semaphore::new(state.config.in_flight_limit())),
        wait: state.config.queue_wait,
        metrics: state.metrics.clone(),
    };
    let (api, api_doc) = api::routes();
    let mut routes = Router::new()
        .merge(
            web::routes()
                .layer(middleware::from_fn(web::remember_language))
                .layer(middleware::from_fn_with_state(state.clone(), crate::auth::renewal::renew_cookie)),
        )
        .merge(api);
    if state.config.bench_no_op {
        // Behind the same layers as the check-ins it is the reference for.
        routes = routes.route("/bench/no-op", axum::routing::post(bench_no_op));
    }
    routes
        .route("/static/{*path}", get(assets::serve))
        .route("/sw.js", get(assets::service_worker))
        .route("/scanner.webmanifest", get(web::scanner_manifest))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", api_doc))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), refuse_cross_site))
        .layer(middleware::from_fn_with_state(in_flight, shed_load))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(RequestBodyLimitLayer::new(64 * 1024))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(middleware::from_fn(api_errors_as_json))
        .layer(middleware::from_fn_with_state(state.clone(), web::errors_as_pages))
        .layer(middleware::from_fn_with_state(state.clone(), browser_headers))
        .layer(header(X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(X_FRAME_OPTIONS, "DENY"))
        .layer(header(REFERRER_POLICY, "same-origin"))
        .layer(CompressionLayer::new().compress_when(worth_compressing()))
        .layer(middleware::from_fn_with_state(state.clone(), count_responses))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(RequestIds::new()))
        .with_state(state)
}

/// Serves until Ctrl-C / SIGTERM. Prints the bound address on stdout as
/// `healthcode listening on http://ADDR` (scripts and tests read it).
pub async fn serve(state: AppState, listener: TcpListener) -> Result<(), StartupError> {
    let addr = listener.local_addr()?;
    let keys = state.keys.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            if let Err(e) = keys.reload_if_changed() {
                tracing::error!(error = %e, "reloading signing keys failed; keeping the loaded ones");
            }
        }
    });
    let jobs = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if !crate::services::jobs::leads(&jobs, crate::services::jobs::AUTO_CHECK_OUT).await {
                continue;
            }
            match crate::services::check_in::close_expired_once(jobs.store.as_ref(), jobs.clock.now()).await {
                Ok(0) => {}
                Ok(n) => {
                    jobs.trace_cache.changed();
                    tracing::info!(closed = n, "visits past their maximum stay checked out")
                }
                Err(e) => tracing::error!(error = %e, "auto check-out failed; will retry"),
            }
            // Shared sign-in buckets untouched for a minute are full again.
            let idle = jobs.clock.now() - jiff::SignedDuration::from_mins(1);
            if let Err(e) = jobs.store.forget_idle_buckets(idle).await {
                tracing::warn!(error = %e, "forgetting idle rate-limit buckets failed; will retry");
            }
        }
    });
    crate::services::stats::spawn_rollups(state.clone());
    crate::services::federation::spawn(state.clone());
    crate::services::dcc::spawn(state.clone());
    crate::services::trace_index::spawn(state.clone());
    let keeper = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if !crate::services::jobs::leads(&keeper, crate::services::jobs::RETENTION).await {
                continue;
            }
            let now = keeper.clock.now();
            // Count the days about to lose their raw rows first.
            if let Err(e) =
                crate::services::stats::roll_closed_days(keeper.store.as_ref(), now, &keeper.config.time_zone).await
            {
                tracing::error!(error = %e, "statistics rollup before retention failed; skipping this pass");
                continue;
            }
            let mode = healthcode_store::PurgeMode::Delete;
            match crate::services::retention::purge_once(keeper.store.as_ref(), now, keeper.config.retention, mode)
                .await
            {
                Ok(c) => {
                    keeper.trace_cache.changed();
                    tracing::info!(visits = c.visits, reports = c.reports, passages = c.passages, "retention pass")
                }
                Err(e) => tracing::error!(error = %e, "retention pass failed; will retry"),
            }
        }
    });
    tracing::info!(%addr, backend = state.store.backend(), max_in_flight = state.config.in_flight_limit(), "serving");
    println!("healthcode listening on http://{addr}");
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
