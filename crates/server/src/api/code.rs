//! The resident's signed health code, as text, PNG or SVG.

use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use healthcode_credential::{render_png, render_svg};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::extract::ResidentAuth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::services::code::issue_code;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeResponse {
    /// The QR content: `HCODE1:` + base45(zlib(COSE_Sign1(CWT))).
    pub qr_text: String,
    pub colour: String,
    pub issued_at: String,
    pub expires_at: String,
    /// Seconds until expiry; refresh before it reaches zero.
    pub expires_in_seconds: i64,
    /// The QR as an SVG document, for pages that refresh in place.
    pub qr_svg: String,
}

/// A fresh signed code (valid for minutes: screenshots expire).
#[utoipa::path(get, path = "/api/v1/me/code", tag = "code", security(("bearer" = [])),
    responses((status = 200, body = CodeResponse), (status = 409, body = ErrorBody, description = "DECLARATION_REQUIRED")))]
pub async fn my_code(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<impl IntoResponse> {
    let code = issue_code(&state, auth.resident).await?;
    let qr_svg = render_svg(&code.qr_text).map_err(ApiError::internal)?;
    let body = CodeResponse {
        colour: code.colour.as_str().to_string(),
        issued_at: code.issued_at.to_string(),
        expires_at: code.expires_at.to_string(),
        expires_in_seconds: code.expires_at.as_second() - code.issued_at.as_second(),
        qr_text: code.qr_text,
        qr_svg,
    };
    Ok(([(CACHE_CONTROL, "no-store")], Json(body)))
}

/// The code as a PNG image (8 pixels per module).
#[utoipa::path(get, path = "/api/v1/me/code.png", tag = "code", security(("bearer" = [])),
    responses((status = 200, content_type = "image/png", description = "QR image")))]
pub async fn my_code_png(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<impl IntoResponse> {
    let code = issue_code(&state, auth.resident).await?;
    let png = render_png(&code.qr_text, 8).map_err(ApiError::internal)?;
    Ok(([(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "no-store")], png))
}

/// The code as an SVG image.
#[utoipa::path(get, path = "/api/v1/me/code.svg", tag = "code", security(("bearer" = [])),
    responses((status = 200, content_type = "image/svg+xml", description = "QR image")))]
pub async fn my_code_svg(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<impl IntoResponse> {
    let code = issue_code(&state, auth.resident).await?;
    let svg = render_svg(&code.qr_text).map_err(ApiError::internal)?;
    Ok(([(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "no-store")], svg))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PassResponse {
    /// `HPASS1:…`: identity only; scanners look up the current colour.
    pub qr_text: String,
    pub name: String,
    /// The document's last four characters, for the eye-check.
    pub document_hint: String,
    pub issued_at: String,
}

/// A printable paper pass for people without a smartphone (print it, or let staff scan it).
#[utoipa::path(get, path = "/api/v1/me/pass", tag = "code", security(("bearer" = [])),
    responses((status = 200, body = PassResponse), (status = 409, body = ErrorBody, description = "DECLARATION_REQUIRED")))]
pub async fn my_pass(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<PassResponse>> {
    let pass = crate::services::code::issue_pass(&state, auth.resident).await?;
    let identity = pass.resident.identity.as_ref().ok_or_else(|| ApiError::internal("pass without identity"))?;
    Ok(Json(PassResponse {
        qr_text: pass.qr_text.clone(),
        name: identity.name.as_str().into(),
        document_hint: format!("****{}", identity.document_number.last4()),
        issued_at: pass.issued_at.to_string(),
    }))
}

/// The paper pass QR as PNG.
#[utoipa::path(get, path = "/api/v1/me/pass.png", tag = "code", security(("bearer" = [])),
    responses((status = 200, content_type = "image/png", description = "paper pass QR")))]
pub async fn my_pass_png(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<impl IntoResponse> {
    let pass = crate::services::code::issue_pass(&state, auth.resident).await?;
    let png = render_png(&pass.qr_text, 8).map_err(ApiError::internal)?;
    Ok(([(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "no-store")], png))
}
