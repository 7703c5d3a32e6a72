//! The validated server configuration, built once by the CLI (from a config
//! file, the environment and flags) and passed down. No global config.

use healthcode_domain::ColourPolicy;
use healthcode_store_postgres::PgSettings;
use jiff::SignedDuration;
use jiff::tz::TimeZone;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Requests in flight per database connection before new ones wait: enough to
/// keep every connection busy while others parse, verify and serialise.
pub const IN_FLIGHT_PER_CONNECTION: usize = 8;

/// Requests in flight at least, whatever the pool: check-ins do not use the
/// pool but the store's one scan writer, which commits up to 256 a
/// transaction. With SQLite's 3 pooled connections the limit was 24, which
/// turned away 2-5 % of check-ins under wrk (64 connections) at a p99 of
/// 18 ms; at 128, none, with 25-50 % more check-ins a second and a p99 of
/// 15-20 ms (docs/BENCHMARKS.md, 2026-12-07, afternoon).
pub const MIN_IN_FLIGHT: usize = 128;

/// How one-time codes reach people.
// Built once at startup and read once: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderConfig {
    /// No gateway: messages go to the development outbox (`/dev/outbox`).
    /// Only for a loopback listen address ([`ServerConfig::listen`]).
    DevOutbox,
    /// Real gateways: text messages to phones, e-mail to addresses. A channel
    /// left out cannot be used to sign in.
    Gateways { sms: Option<SmsGatewayConfig>, email: Option<SmtpConfig> },
}

/// A secret read from the environment at startup: never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or network.
    None,
}

/// E-mail over SMTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// User name and password (the password read from the environment
    /// variable the config file names).
    pub credentials: Option<(String, Secret)>,
    /// The sender, e.g. `healthcode <no-reply@example.org>`.
    pub from: String,
    pub timeout: Duration,
}

/// How the SMS gateway's request body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// `{to}` and `{text}` are JSON-escaped (`application/json`).
    Json,
    /// `{to}` and `{text}` are form-encoded (`application/x-www-form-urlencoded`).
    Form,
    /// Inserted as they are (`text/plain`).
    Text,
}

/// Text messages through an HTTP gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsGatewayConfig {
    pub url: String,
    /// `POST` (default) or `PUT`.
    pub method: String,
    /// Header names and values, `${VAR}` references already resolved.
    pub headers: Vec<(String, Secret)>,
    /// The body with `{to}` and `{text}` placeholders.
    pub body: String,
    pub format: BodyFormat,
    /// Per attempt.
    pub timeout: Duration,
    /// Further attempts after a 5xx answer, a timeout or a refused connection.
    pub retries: u32,
    /// The wait before the first retry; doubled for each one after it.
    pub backoff: Duration,
}

/// Requests to the sign-in endpoints (request code, verify code; API and
/// pages), each a token bucket refilled evenly over a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// From one client address (IPv6: one /64).
    pub per_address_per_minute: u32,
    /// From everyone together.
    pub overall_per_minute: u32,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The issuer id written into codes and the trust list (e.g. `CN-ZJ-HZ`).
    pub region_id: String,
    /// The zone in which days are counted.
    pub time_zone: TimeZone,
    /// The zone's name, for display.
    pub time_zone_name: String,
    /// Region code (a province like `VN-HN`, or a country like `VN`) -> IANA
    /// zone name, overriding the built-in rule of
    /// [`crate::services::time_zones::zone_of_region`] (`[region_time_zones]`
    /// in the config file). Keys are upper case; names are checked at load.
    pub region_time_zones: std::collections::BTreeMap<String, String>,
    /// How long a health code is valid (default 5 minutes).
    pub code_lifetime: SignedDuration,
    /// Sign-in sessions and tokens of residents and venue operators
    /// (`session_days`, default 7); cookies are renewed on use past half of it.
    pub session_lifetime: SignedDuration,
    /// The default lifetime of operator-minted tokens (`healthcode token`).
    pub api_token_lifetime: SignedDuration,
    /// A staff member's session after signing in: one shift (`staff_shift_hours`, default 12), never renewed.
    pub staff_shift: SignedDuration,
    /// Wrong passwords or codes in a row that lock a staff account (`staff_max_failures`, default 5).
    pub staff_max_failures: u32,
    /// How long an invitation link works (`staff_invite_hours`, default 24); it works once.
    pub staff_invite_lifetime: SignedDuration,
    pub otp_lifetime: SignedDuration,
    /// Public base URL (`https://…` makes cookies `Secure`).
    pub public_base_url: String,
    pub policy: ColourPolicy,
    pub sender: SenderConfig,
    pub sign_in_limits: SignInLimits,
    /// The reverse proxy in front of the server: for requests from it, the
    /// client address is the last `X-Forwarded-For` entry (the one it added).
    /// Unset: the socket peer, and `X-Forwarded-For` is ignored.
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// Pool size and timeouts when the store is PostgreSQL.
    pub postgres: PgSettings,
    /// Check-ins, declarations and passages older than this are deleted.
    pub retention: SignedDuration,
    /// How long today's live statistics are reused before counting again.
    pub stats_live_ttl: SignedDuration,
    /// The public statistics hide counts from 1 to this minus one.
    pub stats_min_count: u32,
    /// Manual status changes in an hour, across everyone, that raise the
    /// `MANUAL_CHANGES_BURST` alarm (default 10).
    pub alarm_manual_changes_per_hour: u32,
    /// Manual status changes in an hour by one approver that raise it, naming
    /// them (default 5).
    pub alarm_manual_changes_per_approver_per_hour: u32,
    /// Working days (Monday to Friday) the authority has to answer an appeal.
    pub appeal_working_days: u8,
    /// Requests handled at once (`/healthz` and `/metrics` aside); `None`
    /// derives it from the database pool (see [`ServerConfig::in_flight_limit`]).
    pub max_in_flight: Option<usize>,
    /// How long a request past the limit waits for a slot before it is shed
    /// with 503 `OVERLOADED`.
    pub queue_wait: Duration,
    /// Days of stays the trace index holds in memory (0: off, traces read
    /// the store); `None`: [`DEFAULT_TRACE_INDEX_DAYS`] on SQLite, off on
    /// PostgreSQL, where each server would hold a whole copy (set there,
    /// every server announces its visits and each index follows them all).
    pub trace_index_days: Option<u32>,
    /// Peer regions whose codes this deployment accepts, and how this one
    /// publishes its own signed trust list to them.
    pub federation: FederationConfig,
    /// EU DCC verification: DSC list source and acceptance rules (`[dcc]`).
    pub dcc: crate::services::dcc::DccConfig,
    /// The region catalogue pages name places from (`regions_file`, else
    /// the embedded Hangzhou and Hanoi divisions).
    pub regions: std::sync::Arc<crate::regions::Catalogue>,
    /// The deployment's name, printed at the top of venue posters
    /// (`deployment_name`; default: the app's name in each language).
    pub deployment_name: Option<String>,
    /// Single sign-on for staff through an OpenID Connect provider (`[oidc]`); none by default.
    pub oidc: Option<crate::auth::oidc::OidcConfig>,
    /// `POST /bench/no-op`, the ingest benchmark's reference (`serve
    /// --bench-no-op`): off unless asked for, never read from the config
    /// file, and refused on a listen address that is not loopback.
    pub bench_no_op: bool,
}

/// A peer region: its id, where it publishes, and its pinned root key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerConfig {
    /// The peer's region id (the `iss` of its codes).
    pub region: String,
    /// The peer's base URL; its list is at `{url}/api/v1/federation/trust-list`.
    pub url: String,
    /// The peer's root public key, pinned: only lists it signed are taken.
    pub root_key: healthcode_credential::PinnedRootKey,
}

/// Federation settings (`[[peers]]`, `federation_*` keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationConfig {
    pub peers: Vec<PeerConfig>,
    /// How often each peer's list is fetched (failures back off up to it).
    pub refresh: Duration,
    /// How long our published list stays valid for peers (its expiry).
    pub list_validity: SignedDuration,
    /// Whether our published list carries the status list (holders not green now).
    pub publish_status: bool,
}

impl Default for FederationConfig {
    fn default() -> Self {
        Self {
            peers: Vec::new(),
            refresh: Duration::from_secs(300),
            list_validity: SignedDuration::from_hours(24),
            publish_status: false,
        }
    }
}

/// Days a sign-in session or token lasts by default (`session_days`).
pub const DEFAULT_SESSION_DAYS: i64 = 7;

/// Days of stays the trace index holds by default: a 14-day window, a day
/// before it (a visit lasts at most a day) for the case's and the close
/// contacts' stays, and the hours since midnight.
pub const DEFAULT_TRACE_INDEX_DAYS: u32 = 17;

impl ServerConfig {
    /// Defaults for a data directory: SQLite file inside it, Hangzhou policy,
    /// Asia/Shanghai days, 5-minute codes.
    pub fn with_defaults(data_dir: PathBuf) -> Self {
        let database_url = format!("sqlite://{}", data_dir.join("healthcode.db").display());
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir,
            database_url,
            region_id: "CN-ZJ-HZ".into(),
            time_zone: TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::UTC),
            time_zone_name: "Asia/Shanghai".into(),
            region_time_zones: std::collections::BTreeMap::new(),
            code_lifetime: SignedDuration::from_mins(5),
            session_lifetime: SignedDuration::from_hours(24 * DEFAULT_SESSION_DAYS),
            api_token_lifetime: SignedDuration::from_hours(24 * 365),
            otp_lifetime: SignedDuration::from_mins(5),
            public_base_url: "http://127.0.0.1:8080".into(),
            staff_shift: SignedDuration::from_hours(12),
            staff_max_failures: 5,
            staff_invite_lifetime: SignedDuration::from_hours(24),
            policy: ColourPolicy::default_policy(),
            sender: SenderConfig::DevOutbox,
            sign_in_limits: SignInLimits { per_address_per_minute: 30, overall_per_minute: 3000 },
            trusted_proxy: None,
            postgres: PgSettings::default(),
            retention: crate::services::retention::DEFAULT_RETENTION,
            stats_live_ttl: SignedDuration::from_secs(60),
            stats_min_count: 5,
            alarm_manual_changes_per_hour: 10,
            alarm_manual_changes_per_approver_per_hour: 5,
            appeal_working_days: 3,
            max_in_flight: None,
            queue_wait: Duration::from_millis(10),
            trace_index_days: None,
            federation: FederationConfig::default(),
            dcc: crate::services::dcc::DccConfig::default(),
            regions: std::sync::Arc::new(crate::regions::Catalogue::embedded()),
            deployment_name: None,
            oidc: None,
            bench_no_op: false,
        }
    }

    /// Connections in the database pool the URL selects.
    pub fn db_pool_size(&self) -> usize {
        if self.database_url.starts_with("sqlite:") {
            healthcode_store_sqlite::POOL_SIZE as usize
        } else {
            self.postgres.max_connections as usize
        }
    }

    /// The concurrency limit in force: the configured one, else
    /// [`IN_FLIGHT_PER_CONNECTION`] per pooled database connection, and at
    /// least [`MIN_IN_FLIGHT`].
    pub fn in_flight_limit(&self) -> usize {
        self.max_in_flight.unwrap_or_else(|| (IN_FLIGHT_PER_CONNECTION * self.db_pool_size()).max(MIN_IN_FLIGHT))
    }

    /// The trace index's days in force (0: off).
    pub fn trace_index_days_in_force(&self) -> u32 {
        match self.trace_index_days {
            Some(days) => days,
            None if self.database_url.starts_with("sqlite:") => DEFAULT_TRACE_INDEX_DAYS,
            None => 0,
        }
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_base_url.starts_with("https://")
    }

    /// How long a retired key stays in the trust list: the longest lifetime
    /// of anything it signed.
    pub fn max_credential_lifetime(&self) -> SignedDuration {
        self.code_lifetime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_in_flight_limit_follows_the_pool_above_its_floor() {
        let mut config = ServerConfig::with_defaults(PathBuf::from("data"));
        assert_eq!(config.in_flight_limit(), MIN_IN_FLIGHT, "SQLite's 3 connections give 24, under the floor");
        config.database_url = "postgres://db/healthcode".into();
        config.postgres.max_connections = 40;
        assert_eq!(config.in_flight_limit(), 320);
        config.max_in_flight = Some(10);
        assert_eq!(config.in_flight_limit(), 10, "a configured limit wins, floor or not");
    }
}
