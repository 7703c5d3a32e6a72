//! Session cookies and API tokens: a random secret handed out once, stored
//! only as its SHA-256.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use healthcode_domain::Role;
use healthcode_store::{Principal, SessionKind, SessionRecord, Store, StoreResult};
use jiff::{SignedDuration, Timestamp};
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{ApiError, ErrorKind};
use crate::state::AppState;

/// The cookie that carries a browser session.
pub const SESSION_COOKIE: &str = "hc_session";
/// Every secret we hand out starts with this, so leaked ones are easy to grep.
const TOKEN_PREFIX: &str = "hct_";

pub fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut out = [0u8; N];
    SystemRandom::new().fill(&mut out).map_err(|_| ApiError::internal("system random generator failed"))?;
    Ok(out)
}

pub fn hash_token(token: &str) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// A new session or token secret (`hct_…`).
pub fn new_secret() -> Result<String, ApiError> {
    Ok(format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()?)))
}

/// Creates a session (cookie) or API token for a principal and returns the
/// secret, which is shown once and never stored.
pub async fn issue(
    store: &dyn Store,
    principal: Principal,
    kind: SessionKind,
    now: Timestamp,
    lifetime: SignedDuration,
) -> Result<String, ApiError> {
    let token = new_secret()?;
    let record = SessionRecord {
        token_hash: hash_token(&token),
        kind,
        principal,
        created_at: now,
        expires_at: now.saturating_add(lifetime).unwrap_or(now),
        scope: None,
    };
    store.insert_session(&record).await?;
    Ok(token)
}

/// Exchanges `old` for a new session and returns its secret and expiry.
/// A resident's or venue operator's sign-in then lasts `lifetime` from
/// `now`; any other session (a staff shift, a device or script token) keeps
/// its expiry, and every session keeps its scope: a refresh changes the
/// secret, never what it grants or for how long a staff member holds it.
/// The old one ends in the same transaction, so it is exchanged once: a
/// second request that presents it gets `409 SESSION_ALREADY_REFRESHED` if
/// it read the session before the exchange (401 after), and no session (two
/// tabs refreshing at once, or a stolen token raced against its owner, never
/// leave two sessions behind one).
pub async fn exchange(
    state: &AppState,
    old: &SessionRecord,
    now: Timestamp,
    lifetime: SignedDuration,
) -> Result<(String, Timestamp), ApiError> {
    let signed_in = old.kind != SessionKind::Staff && matches!(old.principal.role, Role::Resident | Role::Venue);
    let token = new_secret()?;
    let record = SessionRecord {
        token_hash: hash_token(&token),
        kind: old.kind,
        principal: old.principal.clone(),
        created_at: now,
        expires_at: if signed_in { now.saturating_add(lifetime).unwrap_or(now) } else { old.expires_at },
        scope: old.scope.clone(),
    };
    let exchanged = state.store.replace_session(&old.token_hash, &record).await?;
    state.sessions.forget(&old.token_hash);
    if !exchanged {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "SESSION_ALREADY_REFRESHED",
            "this session was already exchanged for a new one: use the newest token, or sign in again",
        ));
    }
    Ok((token, record.expires_at))
}

/// The live session for a secret, reusing one read in the last moments
/// ([`crate::cache::HOT_READS_TTL`]; every API call presents one).
pub async fn find(state: &AppState, token: &str) -> StoreResult<Option<SessionRecord>> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 128 {
        return Ok(None);
    }
    let hash = hash_token(token);
    let now = state.clock.now();
    if let Some(s) = state.sessions.get(&hash, now) {
        return Ok((s.expires_at > now).then_some(s));
    }
    let found = state.store.session(&hash, now).await?;
    if let Some(s) = &found {
        state.sessions.put(hash, s.clone(), now);
    }
    Ok(found)
}

/// Ends a session (sign-out): deleted, and forgotten by this server at once.
pub async fn end(state: &AppState, token_hash: &[u8; 32]) -> StoreResult<()> {
    state.store.delete_session(token_hash).await?;
    state.sessions.forget(token_hash);
    Ok(())
}

/// A `Set-Cookie` value for a new session.
pub fn session_cookie(token: &str, lifetime: SignedDuration, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", lifetime.as_secs())
}

/// A `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// The value of one cookie from a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').filter_map(|kv| kv.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_values_are_found_among_others() {
        assert_eq!(cookie_value("a=1; hc_session=hct_x; b=2", SESSION_COOKIE), Some("hct_x"));
        assert_eq!(cookie_value("a=1", SESSION_COOKIE), None);
    }
}
