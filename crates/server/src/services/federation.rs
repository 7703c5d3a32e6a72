//! Federation with peer regions.
//!
//! Publishing: [`Federation::published`] signs this region's trust list (and,
//! when `federation_publish_status` is on, its status list) with the root key
//! in `<data>/keys`, as `GET /api/v1/federation/trust-list` serves it; one
//! signed document is reused for a tenth of its validity (at most a minute),
//! so peers polling with `If-None-Match` get 304 in between.
//!
//! Receiving: [`fetch_once`] fetches one configured peer's list (ETag),
//! verifies it against the pinned root key and region, refuses a lower
//! sequence (rollback) and a list already expired, keeps it in the store
//! (`PeerListStore`) and in memory. [`spawn`] runs it per peer on a schedule
//! with backoff; [`Federation::load_kept`] restores the last good copies at
//! start. [`Federation::judge_foreign`] verifies a code another region
//! issued, or says why not (`PEER_LIST_STALE` once the kept list expired).

use healthcode_credential::federation::StatusEntry;
use healthcode_credential::{
    FederationError, Freshness, PreparedTrustList, RegionList, SignedRegionList, SigningKey, VerifiedCode, VerifyError,
    check_sequence, decode_unverified, open_region_list_json, verify,
};
use healthcode_domain::{Colour, HolderId};
use healthcode_store::{PeerListRecord, Store, StoreError};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use crate::config::{FederationConfig, PeerConfig};
use crate::state::AppState;

/// Where a region publishes its signed list, under its base URL.
pub const LIST_PATH: &str = "/api/v1/federation/trust-list";

/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// A peer's list as this server holds it, verified.
#[derive(Debug)]
pub struct PeerCopy {
    pub list: RegionList,
    pub trust: Arc<PreparedTrustList>,
    pub statuses: HashMap<HolderId, Colour>,
    pub etag: Option<String>,
    pub document: String,
    pub fetched_at: Timestamp,
    pub checked_at: Timestamp,
}

/// The last failed fetch of a peer, for the status view and logs.
#[derive(Debug, Clone)]
pub struct FetchFailure {
    pub at: Timestamp,
    pub code: &'static str,
    pub message: String,
}

/// A signed list ready to serve, with its sequence (the ETag).
#[derive(Debug)]
pub struct Published {
    pub sequence: u64,
    pub issued_at: Timestamp,
    pub json: String,
}

/// What [`Federation::judge_foreign`] found about a code we could not verify
/// with our own keys.
#[derive(Debug)]
pub enum Foreign {
    /// Not a configured peer's code: the original refusal stands.
    NotAPeer,
    /// A peer's code, but no list of that peer was ever fetched.
    Missing { region: String },
    /// A peer's code, but the kept list expired at `expired_at`.
    Stale { region: String, expired_at: Timestamp },
    /// Refused by the peer's list.
    Refused { region: String, error: VerifyError },
    /// Verified: the code and the peer's status of its holder, if it shares one.
    Verified { region: String, code: VerifiedCode, current: Option<Colour> },
}

/// This region's root key, its published list, and the peers' kept lists.
pub struct Federation {
    config: FederationConfig,
    region: String,
    root: Option<SigningKey>,
    published: Mutex<Option<Arc<Published>>>,
    peers: RwLock<HashMap<String, Arc<PeerCopy>>>,
    failures: Mutex<HashMap<String, FetchFailure>>,
}

impl std::fmt::Debug for Federation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Federation").field("region", &self.region).finish_non_exhaustive()
    }
}

/// Why a fetch failed. [`code`](FetchError::code) is stable.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("request failed: {0}")]
    Http(String),
    #[error("the peer answered HTTP {0}")]
    Status(u16),
    #[error(transparent)]
    List(#[from] FederationError),
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

impl FetchError {
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::Http(_) => "PEER_UNREACHABLE",
            FetchError::Status(_) => "PEER_HTTP_ERROR",
            FetchError::List(e) => e.code(),
            FetchError::Store(StoreError::Conflict(_)) => "PEER_LIST_ROLLBACK",
            FetchError::Store(_) => "PEER_LIST_NOT_KEPT",
        }
    }
}

/// What one fetch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchOutcome {
    /// A newer list was verified and kept.
    Updated { sequence: u64 },
    /// The peer confirmed the kept list (304, or the same sequence).
    Unchanged,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Federation {
    pub fn new(config: FederationConfig, region: &str, root: SigningKey) -> Self {
        Self::with_root(config, region, Some(root))
    }

    /// Only judging peers' codes with kept lists, publishing nothing
    /// (`healthcode verify`).
    pub fn receiving_only(config: FederationConfig, region: &str) -> Self {
        Self::with_root(config, region, None)
    }

    fn with_root(config: FederationConfig, region: &str, root: Option<SigningKey>) -> Self {
        Self {
            config,
            region: region.to_owned(),
            root,
            published: Mutex::new(None),
            peers: RwLock::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        }
    }

    pub fn config(&self) -> &FederationConfig {
        &self.config
    }

    fn peer_config(&self, region: &str) -> Option<&PeerConfig> {
        self.config.peers.iter().find(|p| p.region == region)
    }

    /// The kept copy of a peer's list.
    pub fn peer(&self, region: &str) -> Option<Arc<PeerCopy>> {
        self.peers.read().unwrap_or_else(PoisonError::into_inner).get(region).cloned()
    }

    /// Every kept copy, by region.
    pub fn peers(&self) -> Vec<Arc<PeerCopy>> {
        let mut all: Vec<_> = self.peers.read().unwrap_or_else(PoisonError::into_inner).values().cloned().collect();
        all.sort_by(|a, b| a.list.region.cmp(&b.list.region));
        all
    }

    pub fn last_failure(&self, region: &str) -> Option<FetchFailure> {
        lock(&self.failures).get(region).cloned()
    }

    fn keep(&self, copy: PeerCopy) {
        let region = copy.list.region.clone();
        lock(&self.failures).remove(&region);
        self.peers.write().unwrap_or_else(PoisonError::into_inner).insert(region, Arc::new(copy));
    }

    /// The signed list to publish at `now`: the cached one while it is
    /// younger than a tenth of its validity (at most a minute), else a new one.
    pub async fn published(&self, state: &AppState, now: Timestamp) -> Result<Arc<Published>, crate::ApiError> {
        let reuse = (self.config.list_validity / 10).min(SignedDuration::from_mins(1));
        if let Some(p) = lock(&self.published).as_ref()
            && now >= p.issued_at
            && now.duration_since(p.issued_at) < reuse
        {
            return Ok(p.clone());
        }
        let trust = state.keys.trust_list(now);
        let status = if self.config.publish_status {
            let holders = state.store.non_green_holders().await?;
            Some(holders.iter().map(|(h, c)| StatusEntry { h: h.to_string(), c: c.as_str().into() }).collect())
        } else {
            None
        };
        let sequence = u64::try_from(now.as_millisecond()).unwrap_or(0);
        let list = RegionList {
            version: healthcode_credential::federation::REGION_LIST_VERSION,
            region: self.region.clone(),
            sequence,
            issued_at: now,
            expires_at: now.checked_add(self.config.list_validity).unwrap_or(Timestamp::MAX),
            keys: trust.keys,
            status,
        };
        let root = self.root.as_ref().ok_or_else(|| crate::ApiError::internal("no federation root key loaded"))?;
        let signed: SignedRegionList = list.sign(root).map_err(crate::ApiError::internal)?;
        let json = serde_json::to_string(&signed).map_err(crate::ApiError::internal)?;
        let published = Arc::new(Published { sequence, issued_at: now, json });
        let mut cache = lock(&self.published);
        // Never publish a lower sequence than one already served.
        if let Some(p) = cache.as_ref()
            && p.sequence >= published.sequence
        {
            return Ok(p.clone());
        }
        *cache = Some(published.clone());
        Ok(published)
    }

    /// Restores the kept lists of configured peers from the store, verifying
    /// each again (a list whose peer is no longer configured, or whose pin
    /// changed, is ignored).
    pub async fn load_kept(&self, store: &dyn Store) -> Result<usize, StoreError> {
        let mut loaded = 0;
        for record in store.peer_lists().await? {
            let Some(peer) = self.peer_config(&record.region) else { continue };
            match open_region_list_json(&record.document, &peer.root_key, &peer.region) {
                Ok((list, trust)) => {
                    let statuses = list.statuses().into_iter().collect();
                    self.keep(PeerCopy {
                        list,
                        trust: Arc::new(trust),
                        statuses,
                        etag: record.etag,
                        document: record.document,
                        fetched_at: record.fetched_at,
                        checked_at: record.checked_at,
                    });
                    loaded += 1;
                }
                Err(e) => {
                    tracing::warn!(region = %record.region, error = %e, "kept peer list no longer verifies; ignored")
                }
            }
        }
        Ok(loaded)
    }

    /// A code our own keys did not verify: if its (unverified) issuer is a
    /// configured peer, verify it with that peer's kept list.
    pub fn judge_foreign(&self, qr_text: &str, now: Timestamp) -> Foreign {
        let Ok((claims, _)) = decode_unverified(qr_text) else { return Foreign::NotAPeer };
        let Some(peer) = self.peer_config(&claims.issuer) else { return Foreign::NotAPeer };
        let region = peer.region.clone();
        let Some(copy) = self.peer(&region) else { return Foreign::Missing { region } };
        if copy.list.is_stale(now) {
            return Foreign::Stale { region, expired_at: copy.list.expires_at };
        }
        match verify(qr_text, &copy.trust, now) {
            Ok(code) => {
                let current = copy.statuses.get(&code.claims.holder).copied();
                let current = if copy.list.status.is_some() { Some(current.unwrap_or(Colour::Green)) } else { None };
                Foreign::Verified { region, code, current }
            }
            Err(error) => Foreign::Refused { region, error },
        }
    }
}

/// Fetches one peer's list and keeps it when it is newer and verifies.
pub async fn fetch_once(
    state: &AppState,
    peer: &PeerConfig,
    client: &reqwest::Client,
) -> Result<FetchOutcome, FetchError> {
    let federation = &state.federation;
    let kept = federation.peer(&peer.region);
    let url = format!("{}{LIST_PATH}", peer.url.trim_end_matches('/'));
    let mut request = client.get(&url).timeout(FETCH_TIMEOUT);
    if let Some(etag) = kept.as_ref().and_then(|k| k.etag.as_deref()) {
        request = request.header(reqwest::header::IF_NONE_MATCH, etag);
    }
    let response = request.send().await.map_err(|e| FetchError::Http(e.without_url().to_string()))?;
    let now = state.clock.now();
    if response.status() == reqwest::StatusCode::NOT_MODIFIED
        && let Some(kept) = kept.as_ref()
    {
        confirm(state, kept, now).await?;
        return Ok(FetchOutcome::Unchanged);
    }
    if !response.status().is_success() {
        return Err(FetchError::Status(response.status().as_u16()));
    }
    let etag = response.headers().get(reqwest::header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned);
    if response
        .content_length()
        .is_some_and(|n| n > 2 * healthcode_credential::federation::MAX_REGION_LIST_BYTES as u64)
    {
        return Err(FederationError::Malformed("document is too large".into()).into());
    }
    let document = response.text().await.map_err(|e| FetchError::Http(e.without_url().to_string()))?;
    let (list, trust) = open_region_list_json(&document, &peer.root_key, &peer.region)?;
    match check_sequence(kept.as_ref().map(|k| k.list.sequence), list.sequence)? {
        Freshness::Same => {
            if let Some(kept) = kept.as_ref() {
                confirm(state, kept, now).await?;
            }
            return Ok(FetchOutcome::Unchanged);
        }
        Freshness::Newer => {}
    }
    if list.is_stale(now) {
        return Err(FederationError::Expired(list.expires_at).into());
    }
    let sequence = list.sequence;
    let record = PeerListRecord {
        region: peer.region.clone(),
        sequence: i64::try_from(sequence).map_err(|_| FederationError::Malformed("sequence out of range".into()))?,
        document: document.clone(),
        etag: etag.clone(),
        fetched_at: now,
        checked_at: now,
    };
    state.store.put_peer_list(&record).await?;
    let statuses = list.statuses().into_iter().collect();
    federation.keep(PeerCopy {
        list,
        trust: Arc::new(trust),
        statuses,
        etag,
        document,
        fetched_at: now,
        checked_at: now,
    });
    Ok(FetchOutcome::Updated { sequence })
}

/// The peer confirmed the kept list: note when, in the store and in memory.
async fn confirm(state: &AppState, kept: &PeerCopy, now: Timestamp) -> Result<(), FetchError> {
    let record = PeerListRecord {
        region: kept.list.region.clone(),
        sequence: i64::try_from(kept.list.sequence).unwrap_or(i64::MAX),
        document: kept.document.clone(),
        etag: kept.etag.clone(),
        fetched_at: kept.fetched_at,
        checked_at: now,
    };
    state.store.put_peer_list(&record).await?;
    state.federation.keep(PeerCopy {
        list: kept.list.clone(),
        trust: kept.trust.clone(),
        statuses: kept.statuses.clone(),
        etag: kept.etag.clone(),
        document: kept.document.clone(),
        fetched_at: kept.fetched_at,
        checked_at: now,
    });
    Ok(())
}

/// The wait before the next fetch: the refresh interval after a success;
/// after failures, from a few seconds doubling up to the refresh interval.
pub fn next_delay(refresh: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return refresh;
    }
    let first = refresh.min(Duration::from_secs(5));
    first.saturating_mul(1u32 << failures.saturating_sub(1).min(16)).min(refresh)
}

/// Starts one fetch loop per configured peer.
pub fn spawn(state: AppState) {
    let client = match reqwest::Client::builder().user_agent(concat!("healthcode/", env!("CARGO_PKG_VERSION"))).build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client for federation; peer lists will not be fetched");
            return;
        }
    };
    for peer in state.federation.config().peers.clone() {
        let (state, client) = (state.clone(), client.clone());
        tokio::spawn(async move {
            let refresh = state.federation.config().refresh;
            let mut failures = 0u32;
            let job = format!("{}:{}", crate::services::jobs::PEER_LIST, peer.region);
            loop {
                if !crate::services::jobs::leads(&state, &job).await {
                    // Another server fetches this peer: take its kept copy from the store.
                    if let Err(e) = state.federation.load_kept(state.store.as_ref()).await {
                        tracing::warn!(region = %peer.region, error = %e, "reading the kept peer lists failed");
                    }
                    tokio::time::sleep(refresh).await;
                    continue;
                }
                match fetch_once(&state, &peer, &client).await {
                    Ok(FetchOutcome::Updated { sequence }) => {
                        failures = 0;
                        tracing::info!(region = %peer.region, sequence, "peer trust list updated");
                    }
                    Ok(FetchOutcome::Unchanged) => failures = 0,
                    Err(e) => {
                        failures = failures.saturating_add(1);
                        let failure = FetchFailure { at: state.clock.now(), code: e.code(), message: e.to_string() };
                        tracing::warn!(region = %peer.region, code = failure.code, error = %e, failures,
                            "fetching a peer trust list failed; keeping the last good copy");
                        lock(&state.federation.failures).insert(peer.region.clone(), failure);
                    }
                }
                tokio::time::sleep(next_delay(refresh, failures)).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_back_off_up_to_the_refresh_interval() {
        let refresh = Duration::from_secs(300);
        let delays: Vec<u64> = (0..8).map(|n| next_delay(refresh, n).as_secs()).collect();
        assert_eq!(delays, vec![300, 5, 10, 20, 40, 80, 160, 300]);
        assert_eq!(next_delay(Duration::from_secs(1), 3), Duration::from_secs(1));
    }
}
