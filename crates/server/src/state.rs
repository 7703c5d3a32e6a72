//! The shared application state handed to every handler.

use healthcode_domain::VenueId;
use healthcode_store::{SessionRecord, Store, Venue};
use std::sync::Arc;

use crate::auth::sender::OtpSender;
use crate::cache::Recent;
use crate::clock::Clock;
use crate::config::ServerConfig;
use crate::keys::KeyService;
use crate::metrics::Metrics;

/// The application state: one pointer to [`Shared`], so the clone every
/// request's layers and handler make is one reference count, not one per
/// field (19 counts, cloned and dropped several times a request, were 8 % of
/// the server's CPU under check-in load: docs/BENCHMARKS.md, 2026-12-07).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }

    /// A state like this one with `change` made (tests swap a service).
    pub fn with(&self, change: impl FnOnce(&mut Shared)) -> Self {
        let mut shared = (*self.0).clone();
        change(&mut shared);
        Self::new(shared)
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every handler shares: the store, the keys, the configuration and
/// the caches.
#[derive(Clone)]
pub struct Shared {
    pub store: Arc<dyn Store>,
    pub keys: Arc<KeyService>,
    pub config: Arc<ServerConfig>,
    pub clock: Arc<dyn Clock>,
    pub sender: Arc<dyn OtpSender>,
    /// Seals and opens staff TOTP seeds (its key is in the data directory).
    pub totp_seal: Arc<crate::auth::seal::TotpSeal>,
    /// The sign-in rate limit's buckets.
    pub sign_in_limiter: Arc<crate::auth::rate_limit::SignInLimiter>,
    pub metrics: Arc<Metrics>,
    /// Installed fonts for posters, found once at startup.
    pub fonts: Arc<healthcode_poster::Fonts>,
    /// Today's live statistics, reused for `stats_live_ttl`.
    pub live_stats: Arc<crate::services::stats::LiveCache>,
    /// Sessions read in the last moments, by token hash (every API call reads one).
    pub sessions: Arc<Recent<[u8; 32], SessionRecord>>,
    /// Venues read in the last moments (every check-in reads its venue).
    pub venues: Arc<Recent<VenueId, Venue>>,
    /// The stays traces read, when this server may hold them (see
    /// [`crate::services::trace_index`]).
    pub trace_index: Arc<crate::services::trace_index::TraceIndex>,
    /// Trace reports the staff pages computed moments ago, and the data
    /// version they hold to (see [`crate::services::trace_cache`]).
    pub trace_cache: Arc<crate::services::trace_cache::TraceCache>,
    /// Our root key and published list, and the peer regions' kept lists.
    pub federation: Arc<crate::services::federation::Federation>,
    /// EU DCC: the imported DSC list and the acceptance rules.
    pub dcc: Arc<crate::services::dcc::DccService>,
    /// Which periodic jobs this server leads among the servers on its database.
    pub jobs: Arc<crate::services::jobs::Jobs>,
    /// Single sign-on for staff, when `[oidc]` is configured.
    pub oidc: Option<Arc<crate::auth::oidc::OidcClient>>,
}

impl Shared {
    /// What a statistics read needs.
    pub fn stats_reader(&self) -> crate::services::stats::Reader<'_> {
        crate::services::stats::Reader {
            store: self.store.as_ref(),
            cache: &self.live_stats,
            now: self.clock.now(),
            tz: &self.config.time_zone,
            live_ttl: self.config.stats_live_ttl,
        }
    }
}
