//! `spawn_app()` and helpers that read like the story.

use healthcode_server::{FixedClock, ServerConfig, build_state, serve};
use jiff::{SignedDuration, Timestamp};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use tempfile::TempDir;

/// `zbarimg` reading QR codes only, one line of raw text each: with every
/// symbology on, text or rules on a rendered poster are now and then read
/// as a one-dimensional barcode beside the QR.
pub const ZBAR_QR_ONLY: [&str; 4] = ["-q", "--raw", "-Sdisable", "-Sqrcode.enable"];

pub struct TestApp {
    pub base: String,
    pub clock: FixedClock,
    pub client: Client,
    pub data: TempDir,
    pub state: healthcode_server::AppState,
    /// Drops the PostgreSQL schema when the test ends.
    _schema: Option<healthcode_store_postgres::testing::SchemaGuard>,
}

/// The database for a fresh app: a new schema on `HEALTHCODE_TEST_PG` when
/// set (the PostgreSQL pass of CI), else a SQLite file in the data dir.
pub async fn fresh_database(
    data: &std::path::Path,
) -> (String, Option<healthcode_store_postgres::testing::SchemaGuard>) {
    match healthcode_store_postgres::testing::test_database_url() {
        Some(base) => {
            let (url, guard) = healthcode_store_postgres::testing::fresh_schema(&base).await.unwrap();
            (url, Some(guard))
        }
        None => (format!("sqlite://{}", data.join("healthcode.db").display()), None),
    }
}

/// 2026-11-02 09:00 in Asia/Shanghai.
pub fn start_time() -> Timestamp {
    jiff::civil::date(2026, 11, 2)
        .at(9, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// `spawn_app` with a configuration the test adjusts first.
pub async fn spawn_app_with(configure: impl FnOnce(&mut ServerConfig)) -> TestApp {
    spawn_app_on(configure, |fixed| Arc::new(fixed)).await
}

/// `spawn_app_with` on a clock built around the fixed one the test moves
/// (e.g. one whose readings jitter, as concurrent requests' do).
pub async fn spawn_app_on(
    configure: impl FnOnce(&mut ServerConfig),
    server_clock: impl FnOnce(FixedClock) -> Arc<dyn healthcode_server::Clock>,
) -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let mut config = ServerConfig::with_defaults(data.path().to_path_buf());
    config.listen = "127.0.0.1:0".parse().unwrap();
    // Every test signs in from 127.0.0.1 under a clock that stands still:
    // the sign-in limits are tested on their own (`sign_in_limits`).
    config.sign_in_limits =
        healthcode_server::SignInLimits { per_address_per_minute: 1_000_000, overall_per_minute: 1_000_000 };
    // Stories move the clock weeks ahead with residents signed in once; the
    // 7-day default is tested on its own (`sign_in_limits`).
    config.session_lifetime = SignedDuration::from_hours(24 * 365);
    configure(&mut config);
    let (url, schema) = fresh_database(data.path()).await;
    config.database_url = url;
    // The clock stands still in tests: count today afresh on every read.
    config.stats_live_ttl = SignedDuration::ZERO;
    let clock = FixedClock::new(start_time());
    let state = build_state(config, server_clock(clock.clone())).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(state.clone(), listener));
    let client = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestApp { base, clock, client, data, state, _schema: schema }
}

/// A second server on `first`'s database (PostgreSQL: several servers, one
/// city), with its own data directory holding a copy of `first`'s keys (the
/// servers of one city sign with one key set), its own clock, pool, jobs and
/// trace index.
pub async fn spawn_app_beside(first: &TestApp, configure: impl FnOnce(&mut ServerConfig)) -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let keys = data.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    for entry in std::fs::read_dir(first.state.config.keys_dir()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), keys.join(entry.file_name())).unwrap();
        }
    }
    let mut config = (*first.state.config).clone();
    config.data_dir = data.path().to_path_buf();
    configure(&mut config);
    config.database_url = first.state.config.database_url.clone();
    let clock = FixedClock::new(start_time());
    let state = build_state(config, Arc::new(clock.clone())).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(state.clone(), listener));
    let client = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    TestApp { base, clock, client, data, state, _schema: None }
}

/// A signed-in resident's bearer token.
pub struct Resident {
    pub token: String,
}

impl TestApp {
    /// The PostgreSQL schema this app's store lives in, when it runs on PostgreSQL.
    pub fn schema_name(&self) -> Option<&str> {
        self._schema.as_ref().map(|g| g.schema())
    }

    /// An API token for any role, as `healthcode token` would mint it.
    pub async fn token(&self, role: healthcode_domain::Role, subject: &str) -> String {
        use healthcode_server::Clock;
        let principal = healthcode_store::Principal { role, subject: subject.into(), resident: None };
        let lifetime = SignedDuration::from_hours(24 * 30);
        let kind = healthcode_store::SessionKind::ApiToken;
        healthcode_server::auth::session::issue(self.state.store.as_ref(), principal, kind, self.clock.now(), lifetime)
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn advance_days(&self, days: i64) {
        self.clock.advance(SignedDuration::from_hours(24 * days));
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut req = self.client.post(self.url(path)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// The newest one-time code the dev outbox holds for a contact.
    pub async fn otp_for(&self, contact: &str) -> String {
        let (status, body) = self.get_json(&format!("/api/v1/dev/outbox?recipient={}", urlencode(contact)), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["messages"][0]["code"].as_str().unwrap().to_string()
    }

    /// Phone + one-time code, through the API.
    pub async fn resident_signs_in(&self, phone: &str) -> Resident {
        let (s, b) = self.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        let code = self.otp_for(phone).await;
        let (s, b) = self.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": code })).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        Resident { token: b["token"].as_str().unwrap().to_string() }
    }

    pub async fn resident_declares(
        &self,
        who: &Resident,
        temperature_c: f64,
        symptoms: &[&str],
    ) -> (StatusCode, Value) {
        let body = json!({
            "name": "Li Wei", "document_type": "national_id", "document_number": "330102199001011234",
            "district": "330102", "symptoms": symptoms, "temperature_c": temperature_c,
            "visited_regions": [], "contact_with_case": false, "travel_plan": "stay home"
        });
        self.post_json("/api/v1/declarations", Some(&who.token), body).await
    }

    pub async fn resident_clocks_in(&self, who: &Resident, temperature_c: f64) -> (StatusCode, Value) {
        self.post_json("/api/v1/clock-ins", Some(&who.token), json!({ "temperature_c": temperature_c, "symptoms": [] }))
            .await
    }

    pub async fn colour_of(&self, who: &Resident) -> String {
        let (s, b) = self.get_json("/api/v1/me/status", Some(&who.token)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        b["colour"].as_str().unwrap().to_string()
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
