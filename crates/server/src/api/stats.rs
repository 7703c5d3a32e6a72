//! The city's daily statistics as JSON and CSV. Anyone may read the public
//! view (small counts hidden); the health authority, supervisors and
//! auditors read every figure, and each such export is audited.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use healthcode_domain::Role;
use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::json::ApiQuery;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::services::stats::{self, DailyStats, Range, View};
use crate::state::AppState;

/// Who is reading the statistics: staff who may see every figure, or anyone.
#[derive(Debug, Clone)]
pub enum StatsReader {
    Staff { role: Role, name: String },
    Public,
}

impl StatsReader {
    pub fn view(&self, state: &AppState) -> View {
        match self {
            StatsReader::Staff { .. } => View::Authority,
            StatsReader::Public => View::Public { min_count: state.config.stats_min_count },
        }
    }
}

impl FromRequestParts<AppState> for StatsReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let staff = crate::auth::staff::optional_staff(parts, state).await?;
        let reader = staff.and_then(|p| {
            let role = [Role::Authority, Role::Supervisor, Role::Auditor].into_iter().find(|r| p.roles.contains(*r))?;
            Some(StatsReader::Staff { role, name: p.name })
        });
        Ok(reader.unwrap_or(StatsReader::Public))
    }
}

/// A range of local days, both ends included.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// `YYYY-MM-DD`; default 27 days before `to`.
    pub from: Option<String>,
    /// `YYYY-MM-DD`; default today. Not after today.
    pub to: Option<String>,
    /// A district code (or `none` for people without one); default all.
    pub district: Option<String>,
}

fn day(s: &str, which: &str) -> Result<Date, ApiError> {
    s.trim().parse().map_err(|_| ApiError::bad_input("STATS_BAD_DATE", format!("'{which}' must be a date YYYY-MM-DD")))
}

/// Parses a query into a range, with the defaults (the last 28 days).
pub fn range_of(q: &StatsQuery, today: Date) -> Result<Range, ApiError> {
    let to = q.to.as_deref().filter(|s| !s.trim().is_empty()).map(|s| day(s, "to")).transpose()?.unwrap_or(today);
    let from = match q.from.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => day(s, "from")?,
        None => to.checked_sub(27.days()).unwrap_or(to),
    };
    let district = q.district.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
    Ok(Range { from, to, district })
}

async fn read(state: &AppState, reader: &StatsReader, q: &StatsQuery, format: &str) -> ApiResult<DailyStats> {
    let today = state.clock.now().to_zoned(state.config.time_zone.clone()).date();
    let range = range_of(q, today)?;
    let out = stats::daily(&state.stats_reader(), &range, reader.view(state)).await?;
    if let StatsReader::Staff { role, name } = reader {
        let detail = format!(
            "{format} {}..{} district={} rows={}",
            out.from,
            out.to,
            range.district.as_deref().unwrap_or("all"),
            out.rows.len()
        );
        let actor = healthcode_store::AuditActor::Staff { role: *role, name: name.clone() };
        crate::services::audit::record(state, actor, healthcode_store::AuditAction::StatsExported, "", &detail).await?;
    }
    Ok(out)
}

/// Daily statistics per day and district (JSON).
#[utoipa::path(get, path = "/api/v1/stats/daily", tag = "statistics", params(StatsQuery),
    responses((status = 200, body = DailyStats), (status = 422, body = ErrorBody)))]
pub async fn daily(
    State(state): State<AppState>,
    reader: StatsReader,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    let out = read(&state, &reader, &q, "json").await?;
    Ok(([(CACHE_CONTROL, "no-store")], Json(out)).into_response())
}

/// The same rows as CSV, one line per day and district, with a header.
#[utoipa::path(get, path = "/api/v1/stats/daily.csv", tag = "statistics", params(StatsQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 422, body = ErrorBody)))]
pub async fn daily_csv(
    State(state): State<AppState>,
    lang: crate::web::i18n::Lang,
    reader: StatsReader,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    let out = read(&state, &reader, &q, "csv").await?;
    let name = format!("attachment; filename=\"healthcode-stats-{}-{}.csv\"", out.from, out.to);
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (CONTENT_DISPOSITION, name),
            (CACHE_CONTROL, "no-store".into()),
        ],
        stats::to_csv(&out.rows, &|d| state.config.regions.name(d, lang).to_owned()),
    )
        .into_response())
}
