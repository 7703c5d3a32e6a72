//! EU DCC: the imported DSC list and the acceptance rules, published for the
//! offline scanner page (DSCs are public certificates).

use axum::Json;
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use healthcode_credential::dcc::PublishedDsc;
use serde::Serialize;
use utoipa::ToSchema;

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
