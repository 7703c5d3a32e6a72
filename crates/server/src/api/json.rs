//! A JSON body extractor whose rejections use our error format.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Like `axum::Json`, but a malformed body answers
/// `{"error":{"code":"BAD_JSON",...}}` with status 422 (or 415 as `BAD_CONTENT_TYPE`).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(axum::extract::rejection::JsonRejection::MissingJsonContentType(_)) => Err(ApiError::bad_input(
                "BAD_CONTENT_TYPE",
                "send the body as JSON with Content-Type: application/json",
            )),
            Err(e) => Err(ApiError::bad_input("BAD_JSON", e.body_text())),
        }
    }
}
