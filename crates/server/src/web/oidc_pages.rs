//! Staff single sign-on pages (`[oidc]`): `/staff/oidc/start` sends the
//! browser to the provider with a fresh [`Pending`] kept in a short-lived
//! cookie; `/staff/oidc/callback` checks the returned `state` against it,
//! exchanges the code (PKCE), checks the ID token and starts the usual
//! staff session. The cookie is removed on every callback, so a callback
//! replayed, forged or from another browser is refused. Without `[oidc]`
//! both answer 404.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};

use crate::auth::oidc::Pending;
use crate::error::{ApiError, ErrorKind};
use crate::services::single_sign_on;
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::pages::{Fields, error_page, field};
use crate::web::staff_pages::{landing, signed_in};

const PATH: &str = "/staff/signin";

pub async fn start(State(state): State<AppState>, lang: Lang) -> Response {
    let Some(client) = state.oidc.clone() else {
        return error_page(lang, PATH, false, &ApiError::not_found());
    };
    let pending = match Pending::new() {
        Ok(p) => p,
        Err(e) => return error_page(lang, PATH, false, &e),
    };
    match client.authorization_url(&pending).await {
        Ok(url) => (AppendHeaders([(SET_COOKIE, pending.cookie(state.config.secure_cookies()))]), Redirect::to(&url))
            .into_response(),
        Err(e) => error_page(lang, PATH, false, &e.into()),
    }
}

fn refused(code: &'static str, message: &str) -> ApiError {
    ApiError::new(ErrorKind::Unauthenticated, code, message)
}

pub async fn callback(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Query(q): Query<Fields>,
) -> Response {
    let Some(client) = state.oidc.clone() else {
        return error_page(lang, PATH, false, &ApiError::not_found());
    };
    let clear = AppendHeaders([(SET_COOKIE, Pending::clear_cookie())]);
    let result = finish(&state, &client, &headers, &q).await;
    match result {
        Ok(s) => {
            let mut response = signed_in(&state, &s.token, state.config.staff_shift, landing(s.account.roles.first()));
            if let Ok(v) = Pending::clear_cookie().parse() {
                response.headers_mut().append(SET_COOKIE, v);
            }
            response
        }
        Err(e) => (clear, error_page(lang, PATH, false, &e)).into_response(),
    }
}

async fn finish(
    state: &AppState,
    client: &crate::auth::oidc::OidcClient,
    headers: &HeaderMap,
    q: &Fields,
) -> Result<crate::services::staff::SignedIn, ApiError> {
    let cookies = headers.get(COOKIE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let pending = Pending::from_cookie_header(cookies);
    let given_state = field(q, "state");
    let Some(pending) = pending.filter(|p| !given_state.is_empty() && p.state == given_state) else {
        single_sign_on::record_failure(state, "callback without the state this browser started with").await?;
        return Err(refused(
            "OIDC_STATE_MISMATCH",
            "this sign-in was not started in this browser, or was already used; start again",
        ));
    };
    if !field(q, "error").is_empty() {
        let why = format!("the provider answered {}", field(q, "error"));
        single_sign_on::record_failure(state, &why).await?;
        return Err(refused("OIDC_DENIED", "the identity provider did not sign you in"));
    }
    let code = field(q, "code");
    if code.is_empty() || code.len() > 2048 {
        return Err(ApiError::bad_input("OIDC_CODE_MISSING", "the identity provider sent no code"));
    }
    let claims = match client.finish(code, &pending, state.clock.now()).await {
        Ok(c) => c,
        Err(e) => {
            let e = ApiError::from(e);
            if e.kind != ErrorKind::Unavailable {
                single_sign_on::record_failure(state, e.code).await?;
            }
            return Err(e);
        }
    };
    single_sign_on::sign_in(state, client.config(), &claims).await
}
