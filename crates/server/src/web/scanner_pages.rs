//! The camera scanner pages: the officer's checkpoint list, the checkpoint
//! scanner (allow/deny, works offline with a queue), and a venue's staff mode.
//! The pages are shells: `static/scanner.js` reads the camera and calls the
//! JSON API with the session cookie.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::{CheckpointId, CheckpointKind, VenueId, VenueState};
use serde_json::{Map, Value, json};

use crate::auth::extract::PageVenue;
use crate::error::{ApiError, ErrorKind};
use crate::services::{checkpoints, venues};
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::pages::error_page;
use crate::web::view::{CheckpointShown, CheckpointsPage, Page, ScannerPage, Submitted};

/// Where staff without a session are sent.
const STAFF_SIGNIN: &str = "/staff/signin";

/// A signed-in officer or authority, for pages: no staff session redirects to
/// the staff sign-in; staff who may not scan (supervisor, auditor) get 403.
#[derive(Debug, Clone)]
pub struct PageScanner {
    pub name: String,
    /// The health authority may also register checkpoints.
    pub authority: bool,
    /// Every role the member holds (the console's navigation).
    pub roles: healthcode_domain::StaffRoles,
}

impl FromRequestParts<AppState> for PageScanner {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        use crate::auth::staff::{OfficerAuth, StaffSession, staff_session};
        match staff_session(parts, state).await {
            Ok(StaffSession::Staff(p)) => match OfficerAuth::admit(p) {
                Some(who) => Ok(PageScanner {
                    authority: who.is_authority(),
                    name: who.name.clone(),
                    roles: who.staff.roles.clone(),
                }),
                None => Err(ApiError::forbidden().into_response()),
            },
            // A resident or venue operator at a shared phone: the staff sign-in.
            Ok(_) => Err(Redirect::to(STAFF_SIGNIN).into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Page text scanner.js shows, by key.
const SCRIPT_TEXTS: &[&str] = &[
    "scan.allow",
    "scan.deny",
    "scan.ready",
    "scan.camera_starting",
    "scan.camera_insecure",
    "scan.camera_missing",
    "scan.camera_denied",
    "scan.decoder_failed",
    "scan.online",
    "scan.offline",
    "scan.queued",
    "scan.trust_list",
    "scan.status_list",
    "scan.age_now",
    "scan.age_min",
    "scan.age_hours",
    "scan.age_never",
    "scan.checked_offline",
    "scan.online_only",
    "scan.signin_again",
    "scan.failed",
    "colour.green",
    "colour.yellow",
    "colour.red",
    "checkin.entered",
    "checkin.exited",
    "checkin.duplicate",
    "reason.CODE_VALID",
    "reason.COLOUR_YELLOW",
    "reason.COLOUR_RED",
    "reason.STATUS_CHANGED",
    "reason.STATUS_LIST_YELLOW",
    "reason.STATUS_LIST_RED",
    "reason.CODE_EXPIRED",
    "reason.CODE_NOT_YET_VALID",
    "reason.CODE_SIGNATURE_INVALID",
    "reason.CODE_KEY_UNKNOWN",
    "reason.CODE_KEY_NOT_VALID",
    "reason.CODE_ISSUER_UNKNOWN",
    "reason.CODE_PREFIX_INVALID",
    "reason.PEER_LIST_STALE",
    "reason.PEER_LIST_MISSING",
    "scan.issued_by",
    "reason.invalid",
    "reason.OFFLINE_UNVERIFIABLE",
    "reason.PASS_VALID",
    "reason.PASS_FORGED",
    "reason.PASS_INVALID",
    "reason.PASS_UNKNOWN",
    "reason.PASS_NEEDS_NETWORK",
    "reason.PASS_EXPIRED",
    "reason.PASS_NOT_YET_VALID",
    "reason.PASS_REVOKED",
    "reason.PASS_OUTDATED",
    "reason.PASS_VALID_OFFLINE",
    "reason.PASS_KEY_UNKNOWN",
    "reason.CLEAR",
    "reason.FEVER",
    // dcc
    "scan.dcc",
    "dcc.kind.v",
    "dcc.kind.t",
    "dcc.kind.r",
    "reason.DCC_ACCEPTED",
    "reason.DCC_RULE_NOT_MET",
    "reason.DCC_MALFORMED",
    "reason.DCC_ALGORITHM_UNSUPPORTED",
    "reason.DCC_KEY_UNKNOWN",
    "reason.DCC_SIGNATURE_INVALID",
    "reason.DCC_SCHEMA_INVALID",
    "reason.DCC_EXPIRED",
    "reason.DCC_NOT_YET_VALID",
    "reason.DCC_DSC_NOT_VALID",
    "reason.DCC_WRONG_USAGE",
    // checkpoint control (cp): what the holder declared; a venue's refusal
    "scan.origin",
    "scan.origin_none",
    "scan.origin_risk",
    "scan.declared_today_yes",
    "scan.declared_today_no",
    "checkin.refused",
];

/// JSON for the page's `data-config` attribute (askama escapes it there); no
/// `<` survives either (it can only occur inside JSON strings, where `\u003c`
/// means the same), so the text is inert wherever it lands.
fn script_json(v: &Value) -> String {
    v.to_string().replace('<', "\\u003c")
}

pub(crate) fn scanner_config(lang: Lang, settings: Value) -> String {
    let texts: Map<String, Value> = SCRIPT_TEXTS.iter().map(|k| ((*k).to_string(), Value::from(lang.t(k)))).collect();
    let mut config = settings;
    if let Some(obj) = config.as_object_mut() {
        obj.insert("lang".into(), Value::from(lang.tag()));
        obj.insert("t".into(), Value::Object(texts));
    }
    script_json(&config)
}

/// `GET /checkpoint`: the checkpoints an officer can scan at.
/// `POST /checkpoint`: the authority registers a checkpoint.
pub async fn register_checkpoint(
    State(state): State<AppState>,
    lang: Lang,
    who: PageScanner,
    axum::Form(mut f): axum::Form<crate::web::pages::Fields>,
) -> Response {
    use crate::web::pages::field;
    state.config.regions.codes_in_form(&mut f, &["district"]);
    if !who.authority {
        return error_page(lang, "/checkpoint", false, &ApiError::forbidden());
    }
    let fields = crate::web::form_checks::checkpoint(lang, &f);
    if !fields.is_empty() {
        return checkpoints_page(&state, lang, who, Submitted::new(fields, &f)).await;
    }
    let result = crate::services::checkpoints::register(
        &state,
        field(&f, "name"),
        field(&f, "kind"),
        field(&f, "district"),
        field(&f, "location"),
        Some(field(&f, "province")),
    )
    .await;
    match result {
        Ok(c) => Redirect::to(&format!("/checkpoint/{}", c.id)).into_response(),
        Err(e) => {
            let submitted = Submitted { error: Some(e.message), ..Submitted::new(Default::default(), &f) };
            checkpoints_page(&state, lang, who, submitted).await
        }
    }
}

pub async fn checkpoints(State(state): State<AppState>, lang: Lang, who: PageScanner) -> Response {
    checkpoints_page(&state, lang, who, Submitted::default()).await
}

async fn checkpoints_page(state: &AppState, lang: Lang, who: PageScanner, submitted: Submitted) -> Response {
    let status = submitted.status();
    match crate::services::checkpoints::list(state).await {
        Ok(list) => (
            status,
            CheckpointsPage {
                page: Page::staff(lang, "/checkpoint", &who.roles)
                    .with_regions(&state.config.regions)
                    .with_submitted(submitted),
                authority: who.authority,
                kinds: CheckpointKind::ALL
                    .iter()
                    .map(|k| (k.as_str(), lang.t(&format!("scan.kind.{}", k.as_str()))))
                    .collect(),
                staff_name: who.name,
                checkpoints: list
                    .iter()
                    .map(|c| CheckpointShown {
                        id: c.id.to_string(),
                        name: c.name.clone(),
                        kind: lang.t(&format!("scan.kind.{}", c.kind.as_str())).to_string(),
                        district: state.config.regions.name(c.district.as_str(), lang).to_string(),
                        location: c.location.clone(),
                    })
                    .collect(),
            },
        )
            .into_response(),
        Err(e) => error_page(lang, "/checkpoint", false, &e),
    }
}

/// `GET /checkpoint/{id}`: the officer's scanner at one checkpoint.
pub async fn checkpoint_scanner(
    State(state): State<AppState>,
    lang: Lang,
    who: PageScanner,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/checkpoint/{id}");
    let result = async {
        let id: CheckpointId =
            id.parse().map_err(|_| ApiError::new(ErrorKind::NotFound, "CHECKPOINT_NOT_FOUND", "no such checkpoint"))?;
        checkpoints::find(&state, id).await
    }
    .await;
    match result {
        Ok(c) => {
            let settings = json!({
                "mode": "checkpoint",
                "id": c.id.to_string(),
                "scanUrl": format!("/api/v1/checkpoints/{}/scans", c.id),
                "syncUrl": format!("/api/v1/checkpoints/{}/passages:sync", c.id),
                "trustListUrl": "/api/v1/trust-list",
                "statusListUrl": "/api/v1/status-list",
                "peerListsUrl": "/api/v1/federation/peers",
                "dccListUrl": "/api/v1/dcc/dsc-list",
                "region": state.config.region_id,
                "signInUrl": STAFF_SIGNIN,
            });
            let kind = lang.t(&format!("scan.kind.{}", c.kind.as_str()));
            let zone = crate::services::time_zones::zone_of_checkpoint(&state.config, &c);
            let subtitle = if c.location.is_empty() {
                format!("{kind} · {} · {}", state.config.regions.name(c.district.as_str(), lang), zone.name)
            } else {
                format!(
                    "{kind} · {} · {} · {}",
                    state.config.regions.name(c.district.as_str(), lang),
                    c.location,
                    zone.name
                )
            };
            ScannerPage {
                page: Page::new(lang, &path, false),
                title: c.name.clone(),
                subtitle,
                checkpoint: true,
                gate: false,
                staff_name: who.name,
                closed: false,
                config_json: scanner_config(lang, settings),
            }
            .respond()
        }
        Err(e) => error_page(lang, &path, false, &e),
    }
}

/// `GET /venue/{id}/scan`: staff mode, the venue's operator scans visitors' codes.
pub async fn venue_scanner(
    State(state): State<AppState>,
    lang: Lang,
    who: PageVenue,
    Path(id): Path<String>,
) -> Response {
    let path = format!("/venue/{id}/scan");
    let result = async {
        let id: VenueId = id.parse().map_err(|_| ApiError::not_found())?;
        venues::owned(&state, &who.owner, id).await
    }
    .await;
    match result {
        Ok(v) => {
            let settings = json!({
                "mode": "venue",
                "id": v.id.to_string(),
                "scanUrl": format!("/api/v1/venues/{}/scans", v.id),
                "signInUrl": "/venue/signin",
            });
            ScannerPage {
                page: Page::operator(lang, &path),
                title: v.profile.name.clone(),
                subtitle: lang.t("scan.staff_title").to_string(),
                checkpoint: false,
                gate: false,
                staff_name: String::new(),
                closed: v.state == VenueState::Closed,
                config_json: scanner_config(lang, settings),
            }
            .respond()
        }
        Err(e) => error_page(lang, "/venue", false, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::messages;

    #[test]
    fn every_script_text_is_in_the_catalogue() {
        for key in SCRIPT_TEXTS {
            assert!(messages().any(|(k, _)| k == key), "{key} is not in the catalogue");
        }
    }

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let s = script_json(&json!({"x": "</script><!--"}));
        assert!(!s.contains('<'), "{s}");
        assert_eq!(serde_json::from_str::<Value>(&s).ok(), Some(json!({"x": "</script><!--"})));
    }
}
