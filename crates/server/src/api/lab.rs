//! Laboratory test results: recorded by the health authority (a lab uses an
//! authority token the operator mints for it), one by one or as CSV; read by
//! the resident they belong to.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use healthcode_domain::{LabName, TestKind, TestOutcome, TestResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::ApiJson;
use crate::auth::extract::ResidentAuth;
use crate::auth::staff::AuthorityAuth;
use crate::error::{ApiResult, ErrorBody, ErrorDetail};
use crate::services::lab::{self, Channel, NewResult};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct TestResultRequest {
    /// The person, by phone.
    pub phone: String,
    /// `pcr` or `antigen`.
    pub kind: String,
    /// `positive` or `negative`.
    pub outcome: String,
    /// When the sample was taken: RFC 3339, or `YYYY-MM-DD HH:MM` in the deployment's zone.
    pub sampled_at: String,
    /// The laboratory (1 to 80 characters).
    pub lab: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestResultView {
    pub id: String,
    /// `pcr` or `antigen`.
    pub kind: String,
    /// `positive` or `negative`.
    pub outcome: String,
    pub sampled_at: String,
    pub lab: String,
    /// The case this result opened, if any (a positive result of someone without a case).
    pub case_id: Option<String>,
}

pub fn view(r: &TestResult) -> TestResultView {
    TestResultView {
        id: r.id.to_string(),
        kind: r.kind.as_str().into(),
        outcome: r.outcome.as_str().into(),
        sampled_at: r.sampled_at.to_string(),
        lab: r.lab.as_str().into(),
        case_id: r.case.map(|c| c.to_string()),
    }
}

/// Records a test result (health authority, or a lab with an authority token). A positive result opens a
/// case (red by rule) unless the person has one; the same sample twice is `TEST_RESULT_DUPLICATE`.
#[utoipa::path(post, path = "/api/v1/test-results", tag = "tests", request_body = TestResultRequest, security(("bearer" = [])),
    responses((status = 201, body = TestResultView), (status = 404, body = ErrorBody, description = "RESIDENT_NOT_FOUND"),
        (status = 409, body = ErrorBody, description = "TEST_RESULT_DUPLICATE"),
        (status = 422, body = ErrorBody, description = "TEST_KIND_INVALID, TEST_OUTCOME_INVALID, SAMPLE_TIME_INVALID, SAMPLE_TIME_IN_FUTURE, SAMPLE_TIME_TOO_OLD, LAB_INVALID, PHONE_INVALID")))]
pub async fn record(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiJson(b): ApiJson<TestResultRequest>,
) -> ApiResult<(StatusCode, Json<TestResultView>)> {
    let new = NewResult {
        kind: TestKind::parse(&b.kind)?,
        outcome: TestOutcome::parse(&b.outcome)?,
        sampled_at: lab::parse_sample_time(&state, &b.sampled_at)?,
        lab: LabName::parse(&b.lab)?,
        resident: lab::resident_by(&state, &b.phone).await?,
    };
    let recorded = lab::record(&state, &auth.name, new, Channel::Api).await?;
    Ok((StatusCode::CREATED, Json(view(&recorded.result))))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ImportRequest {
    /// The CSV text: a header naming `phone,kind,outcome,sampled_at,lab` (any order), then one result a line.
    pub csv: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    pub rows: usize,
    pub recorded: usize,
    /// Samples already recorded (before, or earlier in the file): skipped.
    pub duplicates: usize,
    pub cases_opened: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorView {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub code: String,
    pub message: String,
}

/// A refused file: `TEST_IMPORT_INVALID`, and every refused row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRefused {
    pub error: ErrorDetail,
    pub rows: Vec<RowErrorView>,
}

/// Imports test results from CSV. Every row is checked first: one bad row refuses the whole file (422
/// `TEST_IMPORT_INVALID`, listing each bad row by line) and nothing is recorded. Importing a file again
/// records nothing twice and opens no second case.
#[utoipa::path(post, path = "/api/v1/test-results/import", tag = "tests", request_body = ImportRequest, security(("bearer" = [])),
    responses((status = 200, body = ImportView), (status = 422, body = ImportRefused)))]
pub async fn import(
    State(state): State<AppState>,
    auth: AuthorityAuth,
    ApiJson(b): ApiJson<ImportRequest>,
) -> ApiResult<Response> {
    Ok(match lab::import_csv(&state, &auth.name, &b.csv).await? {
        Ok(r) => Json(ImportView {
            rows: r.rows,
            recorded: r.recorded,
            duplicates: r.duplicates,
            cases_opened: r.cases_opened,
        })
        .into_response(),
        Err(rows) => {
            let refused = ImportRefused {
                error: ErrorDetail {
                    code: "TEST_IMPORT_INVALID".into(),
                    message: format!("{} rows refused; nothing was imported", rows.len()),
                },
                rows: rows
                    .into_iter()
                    .map(|r| RowErrorView { line: r.line, code: r.code.into(), message: r.message })
                    .collect(),
            };
            (StatusCode::UNPROCESSABLE_ENTITY, Json(refused)).into_response()
        }
    })
}

/// The caller's own test results, latest sample first.
#[utoipa::path(get, path = "/api/v1/me/test-results", tag = "tests", security(("bearer" = [])),
    responses((status = 200, body = [TestResultView])))]
pub async fn mine(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<Vec<TestResultView>>> {
    Ok(Json(crate::services::lab::results_of(&state, auth.resident, 100).await?.iter().map(view).collect()))
}
