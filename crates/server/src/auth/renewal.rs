//! Sliding renewal of browser sessions: a cookie session used when less than
//! half of its life is left is extended to a full `session_days` again, and
//! the response carries the cookie with the new lifetime. Bearer tokens are
//! renewed only by `POST /api/v1/auth/refresh`.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::middleware::Next;
use axum::response::Response;
use healthcode_store::SessionKind;
use jiff::Timestamp;

use crate::auth::session::{self, SESSION_COOKIE};
use crate::state::AppState;

/// Extends the session behind a cookie when past half its life; returns the
/// `Set-Cookie` value to send, if it was extended.
pub async fn renew(state: &AppState, token: &str, now: Timestamp) -> Option<String> {
    let found = match session::find(state, token).await {
        Ok(found) => found?,
        Err(e) => {
            tracing::warn!(error = %e, "reading a session to renew it failed");
            return None;
        }
    };
    let lifetime = state.config.session_lifetime;
    let left = found.expires_at.duration_since(now);
    if found.kind != SessionKind::Cookie || left * 2 >= lifetime {
        return None;
    }
    let expires_at = now.saturating_add(lifetime).ok()?;
    if let Err(e) = state.store.extend_session(&found.token_hash, expires_at).await {
        tracing::warn!(error = %e, "renewing a session failed");
        return None;
    }
    state.sessions.forget(&found.token_hash);
    Some(session::session_cookie(token, lifetime, state.config.secure_cookies()))
}

/// Middleware for the pages: renews the presented cookie session.
pub async fn renew_cookie(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| session::cookie_value(h, SESSION_COOKIE).map(str::to_string));
    let renewed = match token {
        Some(token) => renew(&state, &token, state.clock.now()).await,
        None => None,
    };
    let mut response = next.run(req).await;
    if let Some(cookie) = renewed {
        // A response that sets the cookie itself (sign-in, sign-out) wins.
        let prefix = format!("{SESSION_COOKIE}=");
        let sets_own =
            response.headers().get_all(SET_COOKIE).iter().any(|v| v.to_str().is_ok_and(|v| v.starts_with(&prefix)));
        if !sets_own && let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, v);
        }
    }
    response
}
