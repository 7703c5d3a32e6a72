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

/// How one-time codes reach people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderConfig {
    /// No gateway: messages go to the development outbox (`/dev/outbox`).
    DevOutbox,
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
    /// How long a health code is valid (default 5 minutes).
    pub code_lifetime: SignedDuration,
    pub session_lifetime: SignedDuration,
    pub api_token_lifetime: SignedDuration,
    pub otp_lifetime: SignedDuration,
    /// Public base URL (`https://…` makes cookies `Secure`).
    pub public_base_url: String,
    pub policy: ColourPolicy,
    pub sender: SenderConfig,
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
    /// PostgreSQL, where other servers may write visits this one never sees.
    pub trace_index_days: Option<u32>,
}

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
            code_lifetime: SignedDuration::from_mins(5),
            session_lifetime: SignedDuration::from_hours(24 * 30),
            api_token_lifetime: SignedDuration::from_hours(24 * 365),
            otp_lifetime: SignedDuration::from_mins(5),
            public_base_url: "http://127.0.0.1:8080".into(),
            policy: ColourPolicy::default_policy(),
            sender: SenderConfig::DevOutbox,
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
    /// [`IN_FLIGHT_PER_CONNECTION`] per pooled database connection.
    pub fn in_flight_limit(&self) -> usize {
        self.max_in_flight.unwrap_or_else(|| IN_FLIGHT_PER_CONNECTION * self.db_pool_size())
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
