//! The sign-in rate limit: token buckets per client address and for everyone
//! together, refilled evenly over a minute, in memory and bounded. A request
//! past either answers 429 `RATE_LIMITED` with `Retry-After`. Handlers take
//! [`SignInGate`] to be limited.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header::RETRY_AFTER};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;

use crate::config::SignInLimits;
use crate::error::{ApiError, ErrorKind};
use crate::state::AppState;

/// Addresses remembered at most; past it, idle ones are forgotten, and new
/// ones share one bucket until room is made.
pub const MAX_ADDRESSES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Timestamp,
}

impl Bucket {
    fn full(per_minute: u32, now: Timestamp) -> Self {
        Self { tokens: f64::from(per_minute), at: now }
    }

    fn refill(&mut self, now: Timestamp, per_minute: u32) {
        let rate = f64::from(per_minute) / 60.0;
        let elapsed = now.duration_since(self.at).as_secs_f64().max(0.0);
        self.tokens = (self.tokens + elapsed * rate).min(f64::from(per_minute));
        self.at = now;
    }

    /// Seconds until one token is back, if none is here now.
    fn wait(&mut self, now: Timestamp, per_minute: u32) -> Option<u64> {
        self.refill(now, per_minute);
        if self.tokens >= 1.0 {
            return None;
        }
        let rate = f64::from(per_minute.max(1)) / 60.0;
        Some((((1.0 - self.tokens) / rate).ceil() as u64).max(1))
    }
}

#[derive(Debug, Default)]
struct Buckets {
    overall: Option<Bucket>,
    by_address: HashMap<IpAddr, Bucket>,
}

/// The buckets of one server.
#[derive(Debug, Default)]
pub struct SignInLimiter {
    buckets: Mutex<Buckets>,
}

/// The key of an address: IPv4 as it is, IPv6 by its /64 (one household or
/// host holds a whole /64).
fn key(addr: Option<IpAddr>) -> IpAddr {
    match addr.map(|a| a.to_canonical()) {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        Some(v4) => v4,
        None => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

/// Where the overflow goes when the table is full of busy addresses.
const OVERFLOW: IpAddr = IpAddr::V6(Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1));

impl SignInLimiter {
    /// Takes a token from the address's bucket and the overall one, or
    /// returns the seconds to wait (nothing is taken then).
    pub fn check(&self, addr: Option<IpAddr>, now: Timestamp, limits: &SignInLimits) -> Result<(), u64> {
        let mut guard = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let buckets = &mut *guard;
        let mut k = key(addr);
        if !buckets.by_address.contains_key(&k) && buckets.by_address.len() >= MAX_ADDRESSES {
            let per = limits.per_address_per_minute;
            buckets.by_address.retain(|_, b| {
                b.refill(now, per);
                b.tokens < f64::from(per)
            });
            if buckets.by_address.len() >= MAX_ADDRESSES {
                k = OVERFLOW;
            }
        }
        let overall = buckets.overall.get_or_insert_with(|| Bucket::full(limits.overall_per_minute, now));
        let mine = buckets.by_address.entry(k).or_insert_with(|| Bucket::full(limits.per_address_per_minute, now));
        let wait_mine = mine.wait(now, limits.per_address_per_minute);
        let wait_all = overall.wait(now, limits.overall_per_minute);
        match wait_mine.max(wait_all) {
            Some(secs) => Err(secs),
            None => {
                mine.tokens -= 1.0;
                overall.tokens -= 1.0;
                Ok(())
            }
        }
    }

    /// Addresses remembered now.
    pub fn addresses(&self) -> usize {
        self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner).by_address.len()
    }
}

/// The client's address: the socket peer, or, for a request from the trusted
/// proxy, the last `X-Forwarded-For` entry (the one that proxy appended;
/// entries before it are whatever the client sent).
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted_proxy: Option<IpAddr>) -> Option<IpAddr> {
    let peer = peer.map(|p| p.to_canonical());
    if peer.is_none() || peer != trusted_proxy.map(|p| p.to_canonical()) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .rfind(|s| !s.is_empty());
    forwarded.and_then(|f| f.parse::<IpAddr>().ok()).or(peer)
}

/// A 429 `RATE_LIMITED` with `Retry-After`.
pub fn rate_limited(retry_after_secs: u64) -> Response {
    let error = ApiError::new(ErrorKind::TooMany, "RATE_LIMITED", "too many sign-in requests; wait and try again");
    let mut response = error.into_response();
    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, v);
    }
    response
}

/// Takes the tokens from the buckets every server shares (PostgreSQL: a
/// table, so N servers behind a load balancer allow what one would), else
/// from this server's (SQLite: one process owns the file, and memory is the
/// fast path). A shared bucket the store cannot reach falls back to memory.
async fn check_shared_or_here(state: &AppState, addr: Option<IpAddr>) -> Result<(), u64> {
    let (now, limits) = (state.clock.now(), &state.config.sign_in_limits);
    let shared = [
        healthcode_store::SharedBucket {
            key: format!("sign-in {}", key(addr)),
            per_minute: limits.per_address_per_minute,
        },
        healthcode_store::SharedBucket { key: "sign-in *".into(), per_minute: limits.overall_per_minute },
    ];
    match state.store.take_shared_tokens(&shared, now).await {
        Ok(Some(taken)) => taken,
        Ok(None) => state.sign_in_limiter.check(addr, now, limits),
        Err(e) => {
            tracing::warn!(error = %e, "shared sign-in buckets unreachable; using this server's");
            state.sign_in_limiter.check(addr, now, limits)
        }
    }
}

/// Taken by every sign-in handler: present only when the request is within
/// the limits.
#[derive(Debug, Clone, Copy)]
pub struct SignInGate;

impl FromRequestParts<AppState> for SignInGate {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        let addr = client_address(peer, &parts.headers, state.config.trusted_proxy);
        match check_shared_or_here(state, addr).await {
            Ok(()) => Ok(SignInGate),
            Err(secs) => {
                tracing::info!(client = ?addr, retry_after = secs, "sign-in request rate limited");
                Err(rate_limited(secs))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_address: u32, overall: u32) -> SignInLimits {
        SignInLimits { per_address_per_minute: per_address, overall_per_minute: overall }
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_address_gets_its_minute_then_waits_then_refills() {
        let l = SignInLimiter::default();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        for _ in 0..3 {
            assert_eq!(l.check(ip("10.0.0.1"), now, &limits(3, 100)), Ok(()));
        }
        assert_eq!(l.check(ip("10.0.0.1"), now, &limits(3, 100)), Err(20));
        assert_eq!(l.check(ip("10.0.0.2"), now, &limits(3, 100)), Ok(()), "another address has its own");
        let later = now.saturating_add(jiff::SignedDuration::from_secs(20)).unwrap();
        assert_eq!(l.check(ip("10.0.0.1"), later, &limits(3, 100)), Ok(()));
    }

    #[test]
    fn ipv6_addresses_share_their_64() {
        let l = SignInLimiter::default();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        assert_eq!(l.check(ip("2001:db8:1:2::1"), now, &limits(1, 100)), Ok(()));
        assert!(l.check(ip("2001:db8:1:2::ffff"), now, &limits(1, 100)).is_err());
        assert_eq!(l.check(ip("2001:db8:1:3::1"), now, &limits(1, 100)), Ok(()));
    }

    #[test]
    fn the_overall_bucket_limits_everyone() {
        let l = SignInLimiter::default();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        assert_eq!(l.check(ip("10.0.0.1"), now, &limits(10, 2)), Ok(()));
        assert_eq!(l.check(ip("10.0.0.2"), now, &limits(10, 2)), Ok(()));
        assert_eq!(l.check(ip("10.0.0.3"), now, &limits(10, 2)), Err(30));
    }

    #[test]
    fn forwarded_for_counts_only_from_the_trusted_proxy() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.9"));
        let proxy = ip("10.0.0.5");
        assert_eq!(client_address(proxy, &h, proxy), ip("203.0.113.9"));
        assert_eq!(client_address(ip("10.0.0.7"), &h, proxy), ip("10.0.0.7"), "not from the proxy");
        assert_eq!(client_address(proxy, &h, None), proxy, "no proxy configured");
        assert_eq!(client_address(proxy, &HeaderMap::new(), proxy), proxy);
    }
}
