//! Extractors that turn a request into a verified principal. A handler that
//! takes [`ResidentAuth`] can only run for a signed-in resident: the type is
//! the authorization.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::{ResidentId, Role};
use healthcode_store::SessionRecord;

use crate::auth::session::{self, SESSION_COOKIE};
use crate::error::ApiError;
use crate::state::AppState;

/// The secret a request presents: a bearer token, else the session cookie.
pub fn presented_token(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return v.strip_prefix("Bearer ").map(|t| t.trim().to_string());
    }
    let cookies = headers.get_all(COOKIE);
    cookies
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| session::cookie_value(h, SESSION_COOKIE).map(str::to_string))
}

/// The live session a request presents, if any.
pub(crate) async fn session_of(parts: &Parts, state: &AppState) -> Result<Option<SessionRecord>, ApiError> {
    let Some(token) = presented_token(&parts.headers) else {
        return Ok(None);
    };
    Ok(session::find(state, &token).await?)
}

/// Any signed-in principal.
#[derive(Debug, Clone)]
pub struct Authenticated(pub SessionRecord);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        session_of(parts, state).await?.map(Authenticated).ok_or_else(ApiError::unauthenticated)
    }
}

/// A signed-in resident or visitor (API: 401/403 as JSON).
#[derive(Debug, Clone, Copy)]
pub struct ResidentAuth {
    pub resident: ResidentId,
}

fn resident_of(s: &SessionRecord) -> Option<ResidentId> {
    (s.principal.role == Role::Resident).then_some(s.principal.resident).flatten()
}

impl FromRequestParts<AppState> for ResidentAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let s = session_of(parts, state).await?.ok_or_else(ApiError::unauthenticated)?;
        resident_of(&s).map(|resident| ResidentAuth { resident }).ok_or_else(ApiError::forbidden)
    }
}

/// A signed-in resident for pages: anyone else is sent to the sign-in page.
#[derive(Debug, Clone, Copy)]
pub struct PageResident {
    pub resident: ResidentId,
}

pub struct ToSignIn;

impl IntoResponse for ToSignIn {
    fn into_response(self) -> Response {
        Redirect::to("/signin").into_response()
    }
}

impl FromRequestParts<AppState> for PageResident {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match session_of(parts, state).await {
            Ok(Some(s)) => {
                resident_of(&s).map(|resident| PageResident { resident }).ok_or_else(|| ToSignIn.into_response())
            }
            Ok(None) => Err(ToSignIn.into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The resident signed in on this request, if any (for pages that work either way).
pub async fn optional_resident(state: &AppState, headers: &HeaderMap) -> Option<ResidentId> {
    let token = presented_token(headers)?;
    let s = session::find(state, &token).await.ok().flatten()?;
    resident_of(&s)
}

/// A signed-in venue operator: the phone that registered venues.
#[derive(Debug, Clone)]
pub struct VenueAuth {
    pub owner: healthcode_domain::PhoneNumber,
}

fn operator_of(s: &SessionRecord) -> Option<healthcode_domain::PhoneNumber> {
    (s.principal.role == Role::Venue)
        .then(|| healthcode_domain::PhoneNumber::parse(&s.principal.subject).ok())
        .flatten()
}

impl FromRequestParts<AppState> for VenueAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let s = session_of(parts, state).await?.ok_or_else(ApiError::unauthenticated)?;
        operator_of(&s).map(|owner| VenueAuth { owner }).ok_or_else(ApiError::forbidden)
    }
}

/// A signed-in venue operator for pages: anyone else goes to the operator sign-in.
#[derive(Debug, Clone)]
pub struct PageVenue {
    pub owner: healthcode_domain::PhoneNumber,
}

impl FromRequestParts<AppState> for PageVenue {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match session_of(parts, state).await {
            Ok(Some(s)) => operator_of(&s)
                .map(|owner| PageVenue { owner })
                .ok_or_else(|| Redirect::to("/venue/signin").into_response()),
            Ok(None) => Err(Redirect::to("/venue/signin").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The staff extractors live in [`crate::auth::staff`]; `StaffAuth` is re-exported
/// here for handlers written before them.
pub use crate::auth::staff::StaffAuth;
