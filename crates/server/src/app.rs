//! Startup and the route table: every route and every middleware, in one
//! place, top to bottom.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_TYPE, HeaderName, REFERRER_POLICY, RETRY_AFTER, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use healthcode_store::{Store, StoreError};
use healthcode_store_postgres::{PgSettings, PostgresStore};
use healthcode_store_sqlite::SqliteStore;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::{self, ApiDoc};
use crate::clock::Clock;
use crate::config::{SenderConfig, ServerConfig};
use crate::error::{ApiError, ErrorKind};
use crate::keys::KeyService;
use crate::metrics::Metrics;
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
    #[error("message gateway: {0}")]
    Gateway(#[from] crate::auth::sender::SendError),
    #[error("listening: {0}")]
    Io(#[from] std::io::Error),
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
    create_private_dir(&config.data_dir)
        .map_err(|source| StartupError::DataDir { path: config.data_dir.display().to_string(), source })?;
    let store = open_store_with(&config.database_url, &config.postgres).await?;
    let trace_index_days = config.trace_index_days_in_force();
    let keys = KeyService::open(&config.keys_dir(), &config.region_id, config.max_credential_lifetime(), clock.now())?;
    if config.sender == SenderConfig::DevOutbox && !config.listen.ip().is_loopback() {
        return Err(StartupError::DevOutboxNotLoopback(config.listen));
    }
    let sender = crate::auth::sender::build(&config.sender, store.clone())?;
    if !sender.is_dev_outbox() {
        // Codes from an earlier development run must not stay in clear.
        store.clear_outbox().await?;
    }
    Ok(AppState {
        store,
        keys: Arc::new(keys),
        config: Arc::new(config),
        clock,
        sender,
        sign_in_limiter: Arc::default(),
        metrics: Arc::new(Metrics::default()),
        fonts: Arc::new(healthcode_poster::Fonts::system()),
        live_stats: Arc::default(),
        sessions: Arc::default(),
        venues: Arc::default(),
        trace_index: Arc::new(TraceIndex::new(trace_index_days)),
    })
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
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

/// The offline verifier for checkpoint pages (mirrors crates/credential; tested against the shared vectors).
const HC_VERIFY_JS: &str = include_str!("../static/hc-verify.js");

async fn verifier_js() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/javascript; charset=utf-8"), (axum::http::header::CACHE_CONTROL, "public, max-age=300")],
        HC_VERIFY_JS,
    )
}

/// The camera scanner page's script and the QR decoder it falls back on (no native BarcodeDetector).
const SCANNER_JS: &str = include_str!("../static/scanner.js");
const JSQR_JS: &str = include_str!("../static/vendor/jsQR.js");
const STATS_JS: &str = include_str!("../static/stats.js");
const UPLOT_JS: &str = include_str!("../static/vendor/uPlot.js");
const UPLOT_CSS: &str = include_str!("../static/vendor/uPlot.css");

/// A static asset with its type and how long browsers may keep it.
fn asset(content_type: &'static str, max_age: &'static str, body: &'static str) -> Response {
    ([(CONTENT_TYPE, content_type), (axum::http::header::CACHE_CONTROL, max_age)], body).into_response()
}

async fn scanner_js() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/javascript; charset=utf-8"), (axum::http::header::CACHE_CONTROL, "public, max-age=300")],
        SCANNER_JS,
    )
}

async fn jsqr_js() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        JSQR_JS,
    )
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

fn header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
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
    Router::new()
        .merge(
            web::routes()
                .layer(middleware::from_fn(web::remember_language))
                .layer(middleware::from_fn_with_state(state.clone(), crate::auth::renewal::renew_cookie)),
        )
        .nest("/api/v1", api::routes())
        .route("/static/hc-verify.js", get(verifier_js))
        .route("/static/scanner.js", get(scanner_js))
        .route("/static/vendor/jsQR.js", get(jsqr_js))
        .route(
            "/static/stats.js",
            get(|| async { asset("text/javascript; charset=utf-8", "public, max-age=300", STATS_JS) }),
        )
        .route(
            "/static/vendor/uPlot.js",
            get(|| async { asset("text/javascript; charset=utf-8", "public, max-age=86400", UPLOT_JS) }),
        )
        .route(
            "/static/vendor/uPlot.css",
            get(|| async { asset("text/css; charset=utf-8", "public, max-age=86400", UPLOT_CSS) }),
        )
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", ApiDoc::openapi()))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(in_flight, shed_load))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(header(X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(X_FRAME_OPTIONS, "DENY"))
        .layer(header(REFERRER_POLICY, "no-referrer"))
        .layer(RequestBodyLimitLayer::new(64 * 1024))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(middleware::from_fn_with_state(state.clone(), count_responses))
        .layer(TraceLayer::new_for_http())
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
            match crate::services::check_in::close_expired_once(jobs.store.as_ref(), jobs.clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(closed = n, "visits past their maximum stay checked out"),
                Err(e) => tracing::error!(error = %e, "auto check-out failed; will retry"),
            }
        }
    });
    crate::services::stats::spawn_rollups(state.clone());
    crate::services::trace_index::spawn(state.clone());
    let keeper = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
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
