//! The API error: a stable code, a message, an HTTP status. Exactly one
//! `match` maps each kind of failure to a status; internal causes are logged,
//! never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use healthcode_domain::{ParseError, ReportRejected};
use healthcode_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// What kind of failure, which decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadInput,
    /// The request is not one the server reads: a body, URI or headers past
    /// the limits, or a method the resource does not take.
    TooLarge,
    UriTooLong,
    HeadersTooLarge,
    MethodNotAllowed,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    TooMany,
    Unavailable,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self { kind, code, message: message.into() }
    }

    pub fn bad_input(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadInput, code, message)
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorKind::Unauthenticated, "UNAUTHENTICATED", "sign in first, or send a valid bearer token")
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorKind::Forbidden, "FORBIDDEN", "your role may not do this")
    }

    pub fn not_found() -> Self {
        Self::new(ErrorKind::NotFound, "NOT_FOUND", "no such resource")
    }

    pub fn payload_too_large() -> Self {
        Self::new(ErrorKind::TooLarge, "PAYLOAD_TOO_LARGE", "the request body is larger than this server accepts")
    }

    /// The error for a status some layer below the handlers answered with
    /// (routing, body limit, timeout), so `/api` answers in one format.
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => {
                Self::new(ErrorKind::MethodNotAllowed, "METHOD_NOT_ALLOWED", "this resource does not take that method")
            }
            StatusCode::PAYLOAD_TOO_LARGE => Self::payload_too_large(),
            StatusCode::URI_TOO_LONG => Self::uri_too_long(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Self::headers_too_large(),
            StatusCode::REQUEST_TIMEOUT => {
                Self::new(ErrorKind::Unavailable, "TIMEOUT", "the request took too long and was stopped; retry")
            }
            StatusCode::UNAUTHORIZED => Self::unauthenticated(),
            StatusCode::FORBIDDEN => Self::forbidden(),
            s if s.is_server_error() => Self::internal(format!("a layer answered {s} without a body")),
            _ => Self::bad_input("BAD_REQUEST", "the request could not be read"),
        }
    }

    pub fn uri_too_long() -> Self {
        Self::new(ErrorKind::UriTooLong, "URI_TOO_LONG", "the request URI is longer than this server accepts")
    }

    pub fn headers_too_large() -> Self {
        Self::new(
            ErrorKind::HeadersTooLarge,
            "HEADERS_TOO_LARGE",
            "the request headers are larger than this server accepts",
        )
    }

    /// Logs the cause and returns a generic error for the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(ErrorKind::Internal, "INTERNAL", "something went wrong on our side; it has been logged")
    }

    pub fn status(&self) -> StatusCode {
        match self.kind {
            ErrorKind::BadInput => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::UriTooLong => StatusCode::URI_TOO_LONG,
            ErrorKind::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::TooMany => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<ParseError> for ApiError {
    fn from(e: ParseError) -> Self {
        Self::bad_input(e.code, e.message)
    }
}

impl From<ReportRejected> for ApiError {
    fn from(e: ReportRejected) -> Self {
        Self::new(ErrorKind::Conflict, e.code(), e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(),
            StoreError::Conflict(cause) => {
                tracing::info!(%cause, "store conflict");
                Self::new(
                    ErrorKind::Conflict,
                    "CONFLICT",
                    "someone else changed this at the same moment, or it already exists; reload it and try again",
                )
            }
            StoreError::Other(cause) => Self::internal(cause),
        }
    }
}

/// The error body: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, upper-snake-case; scripts branch on it.
    pub code: String,
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code.to_string(), message: self.message.clone() } };
        (self.status(), Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
