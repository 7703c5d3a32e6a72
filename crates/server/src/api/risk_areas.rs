//! Risk areas: the authority marks districts, wards or regions for a
//! period; declarations of arrivals from them turn yellow by rule. The list
//! in force is public.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use healthcode_domain::RegionCode;
use healthcode_store::RiskArea;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::ApiJson;
use crate::auth::staff::AuthorityAuth;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::services::accounts::new_uuid_v7;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct RiskAreaRequest {
    /// Region or district code; sub-regions (`CODE-…`) are included.
    pub code: String,
    /// RFC 3339; default now.
    pub from: Option<String>,
    /// RFC 3339, exclusive.
    pub until: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskAreaView {
    pub code: String,
    pub from: String,
    pub until: String,
    pub reason: String,
}

fn view(a: &RiskArea) -> RiskAreaView {
    RiskAreaView {
        code: a.code.to_string(),
        from: a.from.to_string(),
        until: a.until.to_string(),
        reason: a.reason.clone(),
    }
}

/// Marks a risk area (health authority).
#[utoipa::path(post, path = "/api/v1/risk-areas", tag = "cases", request_body = RiskAreaRequest, security(("bearer" = [])),
    responses((status = 201, body = RiskAreaView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mark(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiJson(b): ApiJson<RiskAreaRequest>,
) -> ApiResult<(StatusCode, Json<RiskAreaView>)> {
    let now = state.clock.now();
    let time = |s: &str| s.parse().map_err(|_| ApiError::bad_input("TIME_INVALID", "times are RFC 3339"));
    let from = b.from.as_deref().map(time).transpose()?.unwrap_or(now);
    let until = time(&b.until)?;
    if until <= from {
        return Err(ApiError::bad_input("PERIOD_INVALID", "until must be after from"));
    }
    let reason = b.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(ApiError::bad_input("REASON_INVALID", "give a reason of 1 to 200 characters"));
    }
    let area = RiskArea {
        id: new_uuid_v7(now),
        code: RegionCode::parse(&b.code)?,
        from,
        until,
        marked_by: auth.name.clone(),
        reason: reason.to_string(),
    };
    crate::services::risk_areas::mark(&state, &area, &auth.name).await?;
    Ok((StatusCode::CREATED, Json(view(&area))))
}

/// Public: the risk areas in force now.
#[utoipa::path(get, path = "/api/v1/risk-areas", tag = "cases", responses((status = 200, body = [RiskAreaView])))]
pub async fn in_force(State(state): State<AppState>) -> ApiResult<Json<Vec<RiskAreaView>>> {
    Ok(Json(crate::services::risk_areas::in_force(&state).await?.iter().map(view).collect()))
}
