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
use crate::services::code::{IssuedPass, PassRequest, issue_code, issue_pass};
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
    /// `HPASS2:…`: identity only, signed, valid from `valid_from` to `valid_until`; scanners look up
    /// the current colour.
    pub qr_text: String,
    pub name: String,
    /// The document's last four characters, for the eye-check.
    pub document_hint: String,
    /// The holder's print number: a reprint revokes every pass with a lower one.
    pub print: u32,
    pub valid_from: String,
    pub valid_until: String,
    pub printed_at: String,
}

fn pass_response(pass: &IssuedPass) -> ApiResult<Json<PassResponse>> {
    let identity = pass.resident.identity.as_ref().ok_or_else(|| ApiError::internal("pass without identity"))?;
    Ok(Json(PassResponse {
        qr_text: pass.qr_text.clone(),
        name: identity.name.as_str().into(),
        document_hint: format!("****{}", identity.document_number.last4()),
        print: pass.print.print,
        valid_from: pass.print.valid_from.to_string(),
        valid_until: pass.print.valid_until.to_string(),
        printed_at: pass.print.printed_at.to_string(),
    }))
}

/// The current printable paper pass for people without a smartphone (print it, or let staff
/// scan it); the first call, or one when the current pass ends within a day, prints a new one.
#[utoipa::path(get, path = "/api/v1/me/pass", tag = "code", security(("bearer" = [])),
    responses((status = 200, body = PassResponse), (status = 409, body = ErrorBody, description = "DECLARATION_REQUIRED")))]
pub async fn my_pass(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<PassResponse>> {
    pass_response(&issue_pass(&state, auth.resident, PassRequest::Current).await?)
}

/// Prints a new paper pass, revoking every earlier one (a lost or stolen pass).
#[utoipa::path(post, path = "/api/v1/me/pass/reprint", tag = "code", security(("bearer" = [])),
    responses((status = 200, body = PassResponse), (status = 409, body = ErrorBody, description = "DECLARATION_REQUIRED")))]
pub async fn reprint_pass(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<PassResponse>> {
    pass_response(&issue_pass(&state, auth.resident, PassRequest::Reprint).await?)
}

/// The paper pass QR as PNG.
#[utoipa::path(get, path = "/api/v1/me/pass.png", tag = "code", security(("bearer" = [])),
    responses((status = 200, content_type = "image/png", description = "paper pass QR")))]
pub async fn my_pass_png(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<impl IntoResponse> {
    let pass = issue_pass(&state, auth.resident, PassRequest::Current).await?;
    let png = render_png(&pass.qr_text, 8).map_err(ApiError::internal)?;
    Ok(([(CONTENT_TYPE, "image/png"), (CACHE_CONTROL, "no-store")], png))
}
