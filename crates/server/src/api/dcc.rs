//! EU DCC: the imported DSC list and the acceptance rules, published for the
//! offline scanner page (DSCs are public certificates), and the certificates
//! visitors attach to their account.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use healthcode_credential::dcc::PublishedDsc;
use healthcode_store::DccAttachment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::json::ApiJson;
use crate::auth::extract::ResidentAuth;
use crate::error::{ApiResult, ErrorBody};
use crate::services::dcc_attachments;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct DccRulesView {
    pub version: String,
    /// `DCC_V_FULL_COURSE`: a full course, from `min_days` to `max_days` after the last dose.
    pub vaccination: DccRuleView,
    /// `DCC_T_NEGATIVE_RECENT`: a negative NAAT within `naat_max_hours`, RAT within `rat_max_hours`.
    pub test: DccRuleView,
    /// `DCC_R_RECOVERED`: within the certificate's validity, at most `max_days` after the first positive.
    pub recovery: DccRuleView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DccRuleView {
    pub id: String,
    pub accept: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub naat_max_hours: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rat_max_hours: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DscListView {
    /// When the list in force was imported by this server's job (absent: from the file or CLI).
    pub imported_at: Option<String>,
    pub rules: DccRulesView,
    /// Each DSC: kid (base64), country, kty (`EC`/`RSA`), crv, spki (base64 DER), not_before, not_after, usages (`v`/`t`/`r`).
    #[schema(value_type = Vec<Object>)]
    pub dscs: Vec<PublishedDsc>,
}

fn rule(id: &str, accept: bool) -> DccRuleView {
    DccRuleView { id: id.into(), accept, min_days: None, max_days: None, naat_max_hours: None, rat_max_hours: None }
}

/// The DSCs that verify EU DCCs here, and the acceptance rules in force.
#[utoipa::path(get, path = "/api/v1/dcc/dsc-list", tag = "trust",
    responses((status = 200, body = DscListView)))]
pub async fn dsc_list(State(state): State<AppState>) -> impl IntoResponse {
    use healthcode_domain::dcc_rules::{RULE_RECOVERY, RULE_TEST, RULE_VACCINATION};
    let r = &state.dcc.config().rules;
    let view = DscListView {
        imported_at: state.dcc.imported_at().map(|t| t.to_string()),
        rules: DccRulesView {
            version: r.version.clone(),
            vaccination: DccRuleView {
                min_days: Some(r.vaccination.min_days),
                max_days: Some(r.vaccination.max_days),
                ..rule(RULE_VACCINATION, r.vaccination.accept)
            },
            test: DccRuleView {
                naat_max_hours: Some(r.test.naat_max_hours),
                rat_max_hours: Some(r.test.rat_max_hours),
                ..rule(RULE_TEST, r.test.accept)
            },
            recovery: DccRuleView { max_days: Some(r.recovery.max_days), ..rule(RULE_RECOVERY, r.recovery.accept) },
        },
        dscs: state.dcc.list().dscs().iter().map(|d| d.published()).collect(),
    };
    ([(CACHE_CONTROL, "public, max-age=300")], Json(view))
}

/// An EU DCC the caller attached: the verdict kept, not the certificate.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachedDccView {
    /// `v` (vaccination), `t` (test) or `r` (recovery).
    pub kind: String,
    /// Member state of the vaccination, test or recovery.
    pub country: String,
    /// The acceptance rule applied (`DCC_V_FULL_COURSE`, `DCC_T_NEGATIVE_RECENT`, `DCC_R_RECOVERED`).
    pub rule_id: String,
    pub rule_version: String,
    /// Whether the rule held when it was attached.
    pub accepted: bool,
    /// Why the rule did not hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<String>,
    /// When the rule accepts the certificate, `[valid_from, valid_until)`; absent when it never does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    pub expires_at: String,
    pub attached_at: String,
}

impl From<&DccAttachment> for AttachedDccView {
    fn from(a: &DccAttachment) -> Self {
        AttachedDccView {
            kind: a.kind.code().into(),
            country: a.country.clone(),
            rule_id: a.rule_id.clone(),
            rule_version: a.rule_version.clone(),
            accepted: a.accepted,
            refusal: a.refusal.clone(),
            valid_from: a.valid_from.map(|t| t.to_string()),
            valid_until: a.valid_until.map(|t| t.to_string()),
            expires_at: a.expires_at.to_string(),
            attached_at: a.attached_at.to_string(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachDccRequest {
    /// The certificate's QR text, `HC1:…`.
    pub certificate: String,
}

/// Attaches an EU DCC to the caller's account: verified against the imported
/// DSC list and judged by the acceptance rule; the verdict is kept and counts
/// in the caller's next declarations (see the policy's exemptions).
#[utoipa::path(post, path = "/api/v1/me/dcc", tag = "health", request_body = AttachDccRequest,
    security(("bearer" = [])),
    responses((status = 201, body = AttachedDccView, description = "attached"),
        (status = 200, body = AttachedDccView, description = "attached before: the kept verdict"),
        (status = 409, body = ErrorBody, description = "DCC_LIST_MISSING"),
        (status = 422, body = ErrorBody, description = "DCC_MALFORMED, DCC_KEY_UNKNOWN, DCC_SIGNATURE_INVALID, DCC_EXPIRED, DCC_NOT_YET_VALID, DCC_DSC_NOT_VALID, DCC_WRONG_USAGE, DCC_SCHEMA_INVALID, DCC_ALGORITHM_UNSUPPORTED")))]
pub async fn attach(
    State(state): State<AppState>,
    auth: ResidentAuth,
    ApiJson(body): ApiJson<AttachDccRequest>,
) -> ApiResult<(StatusCode, Json<AttachedDccView>)> {
    let attached = dcc_attachments::attach(&state, auth.resident, &body.certificate, state.clock.now()).await?;
    let status = if attached.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(AttachedDccView::from(&attached.attachment))))
}

/// The caller's attached EU DCCs, newest first.
#[utoipa::path(get, path = "/api/v1/me/dcc", tag = "health", security(("bearer" = [])),
    responses((status = 200, body = Vec<AttachedDccView>)))]
pub async fn mine(State(state): State<AppState>, auth: ResidentAuth) -> ApiResult<Json<Vec<AttachedDccView>>> {
    let list = crate::services::dcc_attachments::of_resident(&state, auth.resident).await?;
    Ok(Json(list.iter().map(AttachedDccView::from).collect()))
}
