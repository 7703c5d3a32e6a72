//! Declarations, clock-ins and the resident's own status.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use healthcode_domain::{
    ClockIn, Declaration, DistrictCode, DocumentNumber, DocumentType, Identity, PersonName, RegionCode, ReportChannel,
    SymptomSet, Temperature,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::dcc::AttachedDccView;
use crate::api::json::ApiJson;
use crate::api::status_view::{StatusResponse, status_response};
use crate::auth::extract::ResidentAuth;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::services::health::{self, ReportOutcome};
use crate::state::AppState;
use crate::web::i18n::Lang;

/// A health declaration. The identity fields are required the first time
/// and update the account when given again (all four together).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DeclarationRequest {
    pub name: Option<String>,
    /// `national_id`, `passport` or `foreign_id`.
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    /// District of residence (code).
    pub district: Option<String>,
    /// Any of `fever`, `cough`, `difficulty_breathing`, `fatigue`, `sore_throat`, `loss_of_taste_smell`.
    #[serde(default)]
    pub symptoms: Vec<String>,
    pub temperature_c: Option<f64>,
    /// Region codes visited in the last 14 days.
    #[serde(default)]
    pub visited_regions: Vec<String>,
    #[serde(default)]
    pub contact_with_case: bool,
    #[serde(default)]
    pub travel_plan: String,
    /// An EU Digital COVID Certificate (`HC1:…`) to attach: verified first
    /// (a refused one refuses the declaration with its `DCC_*` code), so the
    /// colour rules see it.
    #[serde(default)]
    pub dcc: Option<String>,
}

impl DeclarationRequest {
    /// Parses every field; the first invalid one is reported.
    pub fn parse(&self) -> Result<(Option<Identity>, Declaration), ApiError> {
        let given = [&self.name, &self.document_type, &self.document_number, &self.district];
        let identity = if given.iter().all(|f| f.as_deref().is_none_or(|s| s.trim().is_empty())) {
            None
        } else {
            let field = |f: &Option<String>, name: &str| {
                f.clone().filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                    ApiError::bad_input(
                        "IDENTITY_INCOMPLETE",
                        format!("{name} is required with the other identity fields"),
                    )
                })
            };
            Some(Identity {
                name: PersonName::parse(&field(&self.name, "name")?)?,
                document_type: DocumentType::parse(&field(&self.document_type, "document_type")?)?,
                document_number: DocumentNumber::parse(&field(&self.document_number, "document_number")?)?,
                district: DistrictCode::parse(&field(&self.district, "district")?)?,
            })
        };
        let declaration = Declaration {
            symptoms: SymptomSet::parse_all(&self.symptoms)?,
            temperature: self.temperature_c.map(Temperature::from_celsius).transpose()?,
            visited_regions: self
                .visited_regions
                .iter()
                .filter(|r| !r.trim().is_empty())
                .map(|r| RegionCode::parse(r))
                .collect::<Result<_, _>>()?,
            contact_with_case: self.contact_with_case,
            travel_plan: self.travel_plan.trim().to_string(),
        };
        declaration.validate()?;
        Ok((identity, declaration))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ClockInRequest {
    pub temperature_c: f64,
    #[serde(default)]
    pub symptoms: Vec<String>,
}

impl ClockInRequest {
    pub fn parse(&self) -> Result<ClockIn, ApiError> {
        Ok(ClockIn {
            temperature: Temperature::from_celsius(self.temperature_c)?,
            symptoms: SymptomSet::parse_all(&self.symptoms)?,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportResponse {
    pub report_id: String,
    /// Whether the report counted toward a quarantine streak.
    pub counted: bool,
    pub status: StatusResponse,
    /// The verdict on the EU DCC sent with the declaration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dcc: Option<AttachedDccView>,
}

fn report_response(state: &AppState, o: &ReportOutcome, lang: Lang) -> ReportResponse {
    let mut newest_first = o.changes.clone();
    newest_first.reverse();
    ReportResponse {
        report_id: o.report_id.to_string(),
        counted: o.counted,
        status: status_response(state, &o.status, &newest_first, lang),
        dcc: None,
    }
}

/// Files a health declaration; answers with the resulting status.
#[utoipa::path(post, path = "/api/v1/declarations", tag = "health", request_body = DeclarationRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ReportResponse), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody, description = "DCC_LIST_MISSING"), (status = 422, body = ErrorBody, description = "invalid field, or the attached EU DCC refused (`DCC_*`)")))]
pub async fn declare(
    State(state): State<AppState>,
    auth: ResidentAuth,
    lang: Lang,
    ApiJson(body): ApiJson<DeclarationRequest>,
) -> ApiResult<(StatusCode, Json<ReportResponse>)> {
    let (identity, declaration) = body.parse()?;
    let dcc = body.dcc.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let Some(dcc) = dcc else {
        let outcome = health::declare(&state, auth.resident, identity, declaration, ReportChannel::App).await?;
        return Ok((StatusCode::CREATED, Json(report_response(&state, &outcome, lang))));
    };
    let (outcome, attached) =
        health::declare_with_dcc(&state, auth.resident, identity, declaration, ReportChannel::App, dcc).await?;
    let mut response = report_response(&state, &outcome, lang);
    response.dcc = Some(AttachedDccView::from(&attached.attachment));
    Ok((StatusCode::CREATED, Json(response)))
}

/// Records the daily clock-in (temperature and symptoms).
#[utoipa::path(post, path = "/api/v1/clock-ins", tag = "health", request_body = ClockInRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ReportResponse), (status = 409, body = ErrorBody, description = "CLOCK_IN_ALREADY_TODAY or DECLARATION_REQUIRED"), (status = 422, body = ErrorBody)))]
pub async fn clock_in(
    State(state): State<AppState>,
    auth: ResidentAuth,
    lang: Lang,
    ApiJson(body): ApiJson<ClockInRequest>,
) -> ApiResult<(StatusCode, Json<ReportResponse>)> {
    let outcome = health::clock_in(&state, auth.resident, body.parse()?, ReportChannel::App).await?;
    Ok((StatusCode::CREATED, Json(report_response(&state, &outcome, lang))))
}

/// The caller's colour, the reason, quarantine progress and history.
#[utoipa::path(get, path = "/api/v1/me/status", tag = "health", security(("bearer" = [])),
    responses((status = 200, body = StatusResponse), (status = 409, body = ErrorBody, description = "DECLARATION_REQUIRED")))]
pub async fn my_status(
    State(state): State<AppState>,
    auth: ResidentAuth,
    lang: Lang,
) -> ApiResult<Json<StatusResponse>> {
    let status = crate::services::health::status_of(&state, auth.resident).await?.ok_or_else(|| {
        ApiError::new(ErrorKind::Conflict, "DECLARATION_REQUIRED", "no declaration yet: file one to get a status")
    })?;
    let history = crate::services::health::history_of(&state, auth.resident, 100).await?;
    Ok(Json(status_response(&state, &status, &history, lang)))
}
