//! Sign-in endpoints: request a one-time code, exchange it for a token.

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse};
use healthcode_domain::{Contact, DistrictCode, DocumentNumber, DocumentType, Identity, PersonName};
use healthcode_store::SessionKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::ApiJson;
use crate::auth::extract::Authenticated;
use crate::auth::rate_limit::SignInGate;
use crate::auth::{otp, session};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct OtpRequest {
    /// Phone number in international form (`+8613800000000`), or an e-mail
    /// address for visitors.
    pub contact: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VisitorDocument {
    pub name: String,
    /// `passport` or `foreign_id`.
    pub document_type: String,
    pub document_number: String,
    /// District of stay (code).
    pub district: String,
}

impl VisitorDocument {
    pub fn parse(&self) -> Result<Identity, ApiError> {
        let document_type = DocumentType::parse(&self.document_type)?;
        if document_type == DocumentType::NationalId {
            return Err(ApiError::bad_input(
                "VISITOR_DOCUMENT_INVALID",
                "visitors sign in with a passport or foreign ID",
            ));
        }
        Ok(Identity {
            name: PersonName::parse(&self.name)?,
            document_type,
            document_number: DocumentNumber::parse(&self.document_number)?,
            district: DistrictCode::parse(&self.district)?,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OtpVerifyRequest {
    pub contact: String,
    pub code: String,
    /// Visitors give their passport or foreign ID the first time.
    pub visitor: Option<VisitorDocument>,
    /// `resident` (default) or `venue` (a venue operator: the phone owns venues).
    pub role: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Absent for venue operators.
    pub resident_id: Option<String>,
    pub expires_in_seconds: i64,
}

/// Sends a 6-digit one-time code to a phone (SMS) or e-mail address.
#[utoipa::path(post, path = "/api/v1/auth/otp/request", tag = "auth", request_body = OtpRequest,
    responses((status = 202, description = "code sent"), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody),
        (status = 503, description = "OTP_DELIVERY_FAILED: the gateway did not take the message", body = ErrorBody)))]
pub async fn request_otp(
    _gate: SignInGate,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<OtpRequest>,
) -> ApiResult<StatusCode> {
    let contact = Contact::parse(&body.contact)?;
    otp::request(&state, &contact).await?;
    state.metrics.otp_sent.inc();
    Ok(StatusCode::ACCEPTED)
}

/// Exchanges a one-time code for an API token (the account is created on first sign-in).
#[utoipa::path(post, path = "/api/v1/auth/otp/verify", tag = "auth", request_body = OtpVerifyRequest,
    responses((status = 200, body = TokenResponse), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn verify_otp(
    _gate: SignInGate,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<OtpVerifyRequest>,
) -> ApiResult<axum::Json<TokenResponse>> {
    let expires_in_seconds = state.config.session_lifetime.as_secs();
    let role = healthcode_domain::Role::parse(body.role.as_deref().unwrap_or("resident"))?;
    let response = match role {
        healthcode_domain::Role::Resident => {
            let contact = Contact::parse(&body.contact)?;
            let visitor = body.visitor.as_ref().map(VisitorDocument::parse).transpose()?;
            let (resident, token) = otp::verify(&state, &contact, &body.code, visitor, SessionKind::ApiToken).await?;
            TokenResponse { token, resident_id: Some(resident.id.to_string()), expires_in_seconds }
        }
        healthcode_domain::Role::Venue => {
            let phone = healthcode_domain::PhoneNumber::parse(&body.contact)?;
            let token = otp::verify_venue_operator(&state, &phone, &body.code, SessionKind::ApiToken).await?;
            TokenResponse { token, resident_id: None, expires_in_seconds }
        }
        _ => {
            return Err(ApiError::bad_input(
                "ROLE_NOT_BY_CODE",
                "staff roles sign in with a password or an operator-issued token, not a one-time code",
            ));
        }
    };
    state.metrics.sign_ins.inc();
    Ok(axum::Json(response))
}

/// Ends the presented session or revokes the presented token.
#[utoipa::path(post, path = "/api/v1/auth/signout", tag = "auth",
    responses((status = 204, description = "signed out"), (status = 401, body = ErrorBody)))]
pub async fn sign_out(
    State(state): State<AppState>,
    Authenticated(session): Authenticated,
) -> ApiResult<impl IntoResponse> {
    session::end(&state, &session.token_hash).await?;
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(SET_COOKIE, session::clear_cookie())])))
}

/// Exchanges the presented token (or cookie session) for a new one; the
/// presented one is revoked at once, and only one request can exchange it.
/// A resident's or venue operator's sign-in then lasts `session_days` from
/// now; a staff session or device token keeps its expiry and scope.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth",
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "SESSION_ALREADY_REFRESHED")))]
pub async fn refresh(State(state): State<AppState>, Authenticated(old): Authenticated) -> ApiResult<impl IntoResponse> {
    let now = state.clock.now();
    let (token, expires_at) = session::exchange(&state, &old, now, state.config.session_lifetime).await?;
    let lifetime = expires_at.duration_since(now);
    let cookie = match old.kind {
        SessionKind::Cookie => session::session_cookie(&token, lifetime, state.config.secure_cookies()),
        SessionKind::ApiToken | SessionKind::Staff => String::new(),
    };
    let body = TokenResponse {
        token,
        resident_id: old.principal.resident.map(|r| r.to_string()),
        expires_in_seconds: lifetime.as_secs(),
    };
    let headers = AppendHeaders((!cookie.is_empty()).then_some((SET_COOKIE, cookie)));
    Ok((headers, axum::Json(body)))
}
