//! Checkpoint scans: verify the code, check the holder's current status,
//! decide allow or deny, record the passage.

use healthcode_credential::{PaperPassError, VerifiedCode, VerifyError, is_paper_pass, verify, verify_paper_pass};
use healthcode_domain::{
    Checkpoint, CheckpointId, CheckpointKind, Colour, Direction, DistrictCode, HolderId, Passage, RegionCode, Report,
    ResidentId, Verdict, verdict_for,
};
use healthcode_store::StoreError;
use jiff::Timestamp;

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::federation::Foreign;
use crate::state::AppState;

/// How far ahead of the server's clock a scanning device's clock may run.
pub const DEVICE_CLOCK_AHEAD: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// A passage synced from a device's offline queue is taken only if it was
/// scanned within the retention period and not more than
/// [`DEVICE_CLOCK_AHEAD`] in the future: older ones would be purged at once
/// (and skew statistics already rolled up), later ones come from a wrong clock.
pub fn check_passage_time(
    scanned_at: Timestamp,
    now: Timestamp,
    retention: jiff::SignedDuration,
) -> Result<(), ApiError> {
    let earliest = now.checked_sub(retention).unwrap_or(Timestamp::MIN);
    let latest = now.checked_add(DEVICE_CLOCK_AHEAD).unwrap_or(Timestamp::MAX);
    if scanned_at < earliest || scanned_at > latest {
        return Err(ApiError::bad_input(
            "PASSAGE_TIME_OUT_OF_RANGE",
            format!(
                "scanned_at {scanned_at} is outside [{earliest}, {latest}]: older than the retention period or ahead of the server's clock"
            ),
        ));
    }
    Ok(())
}

/// What an officer sees after a scan.
#[derive(Debug, Clone)]
pub struct ScanVerdict {
    pub verdict: Verdict,
    /// Stable: `CODE_VALID`, a `CODE_*` verification failure, `COLOUR_YELLOW`, `COLOUR_RED`, `STATUS_CHANGED`,
    /// `PEER_LIST_STALE` / `PEER_LIST_MISSING` (a peer region's code without a usable list).
    pub reason: String,
    pub message: String,
    pub colour: Option<Colour>,
    pub holder: Option<HolderId>,
    /// Initials and last four characters of the document, for an eye-check.
    pub holder_hint: Option<String>,
    pub expires_at: Option<Timestamp>,
    /// The region that issued the code (ours or a peer's), once verified.
    pub region: Option<String>,
    /// lab: whether the holder has a negative test sampled in the last 72 h
    /// (`None` when the holder is not one of ours); never the result itself.
    pub negative_test_72h: Option<bool>,
    /// For an EU DCC (`HC1:`): its type, the rule applied and the outcome.
    pub dcc: Option<crate::services::dcc::DccVerdict>,
    /// What the holder declared, for a checkpoint officer (filled by [`scan`]
    /// for this region's holders only; `None` elsewhere).
    pub declared: Option<DeclaredFacts>,
}

/// The few declared facts a checkpoint officer sees besides colour and
/// reason (Hanoi 2021: control people coming from epidemic and risk areas),
/// and nothing more personal: no name, no symptoms, no travel plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredFacts {
    /// Where the holder declared coming from: the regions visited in their
    /// latest full declaration, else their district of residence; empty when
    /// they declared neither.
    pub origin: Vec<String>,
    /// Whether any of them lies in a risk area marked now.
    pub origin_in_risk_area: bool,
    /// Whether they filed a declaration or clock-in today (local day).
    pub declared_today: bool,
}

pub async fn register(
    state: &AppState,
    name: &str,
    kind: &str,
    district: &str,
    location: &str,
    province: Option<&str>,
) -> Result<Checkpoint, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(ApiError::bad_input("CHECKPOINT_NAME_INVALID", "name must be 1 to 120 characters"));
    }
    let location = location.trim();
    if location.chars().count() > 200 {
        return Err(ApiError::bad_input("LOCATION_INVALID", "location is limited to 200 characters"));
    }
    let now = state.clock.now();
    let province = province.map(str::trim).filter(|p| !p.is_empty()).map(RegionCode::parse).transpose()?;
    let checkpoint = Checkpoint {
        id: CheckpointId::from_uuid(new_uuid_v7(now)),
        name: name.to_string(),
        kind: CheckpointKind::parse(kind)?,
        district: DistrictCode::parse(district)?,
        location: location.to_string(),
        created_at: now,
        province,
    };
    state.store.create_checkpoint(&checkpoint).await?;
    crate::services::audit::record(
        state,
        healthcode_store::AuditActor::Authority,
        healthcode_store::AuditAction::CheckpointRegistered,
        &checkpoint.id.to_string(),
        name,
    )
    .await?;
    Ok(checkpoint)
}

pub async fn find(state: &AppState, id: CheckpointId) -> Result<Checkpoint, ApiError> {
    match state.store.checkpoint(id).await {
        Ok(c) => Ok(c),
        Err(StoreError::NotFound) => {
            Err(ApiError::new(ErrorKind::NotFound, "CHECKPOINT_NOT_FOUND", "no such checkpoint"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Verifies a scanned code and decides, using the holder's current status
/// when it is known (a code is minutes old; the status may have changed).
pub async fn judge(state: &AppState, qr_text: &str) -> Result<ScanVerdict, ApiError> {
    if is_paper_pass(qr_text) {
        return judge_pass(state, qr_text).await;
    }
    if healthcode_credential::is_dcc(qr_text) {
        return Ok(judge_dcc(state, qr_text));
    }
    let now = state.clock.now();
    let trust = state.keys.prepared_trust_list(now).map_err(ApiError::internal)?;
    // A code our keys do not know may be a peer region's: judged with its
    // kept list and, when it shares one, its status list.
    let mut peer: Option<(String, Option<Colour>)> = None;
    let verified = match verify(qr_text, &trust, now) {
        Err(e @ (VerifyError::KeyUnknown(_) | VerifyError::IssuerUnknown(_))) => {
            match state.federation.judge_foreign(qr_text, now) {
                Foreign::NotAPeer => Err(e),
                Foreign::Missing { region } => {
                    return Ok(peer_deny(
                        "PEER_LIST_MISSING",
                        format!("issued by peer region {region}, whose trust list this server has not fetched yet"),
                        region,
                    ));
                }
                Foreign::Stale { region, expired_at } => {
                    return Ok(peer_deny(
                        "PEER_LIST_STALE",
                        format!(
                            "issued by peer region {region}, whose trust list expired at {expired_at}: it could not be refreshed"
                        ),
                        region,
                    ));
                }
                Foreign::Refused { region, error } => {
                    return Ok(peer_deny(error.code(), error.to_string(), region));
                }
                Foreign::Verified { region, code, current } => {
                    peer = Some((region, current));
                    Ok(code)
                }
            }
        }
        other => other,
    };
    let code: VerifiedCode = match verified {
        Ok(v) => v,
        Err(e) => {
            return Ok(ScanVerdict {
                verdict: Verdict::Deny,
                reason: e.code().into(),
                message: e.to_string(),
                colour: None,
                holder: None,
                holder_hint: None,
                expires_at: None,
                region: None,
                dcc: None,
                declared: None,
                negative_test_72h: None,
            });
        }
    };
    let mut negative_test_72h = None;
    let (region, current) = match peer {
        Some(peer) => peer,
        None => {
            let current = match state.store.resident_by_holder(code.claims.holder).await {
                Ok(r) => {
                    negative_test_72h = Some(crate::services::lab::negative_within_72h(state, r.id).await?);
                    state.store.status(r.id).await?.map(|s| s.colour)
                }
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            };
            (state.config.region_id.clone(), current)
        }
    };
    let claims = &code.claims;
    let colour = current.map_or(claims.colour, |c| c.max(claims.colour));
    let (reason, message) = match (colour, current) {
        (Colour::Green, _) => ("CODE_VALID", "green code: may pass"),
        (c, Some(now_colour)) if now_colour > claims.colour && c == now_colour => {
            ("STATUS_CHANGED", "the code was issued before the holder's status changed")
        }
        (Colour::Yellow, _) => ("COLOUR_YELLOW", "yellow code: quarantine, may not pass"),
        (Colour::Red, _) => ("COLOUR_RED", "red code: may not pass"),
    };
    Ok(ScanVerdict {
        verdict: verdict_for(colour),
        reason: reason.into(),
        message: message.into(),
        colour: Some(colour),
        holder: Some(claims.holder),
        holder_hint: Some(format!("{} ****{}", claims.initials, claims.document_last4)),
        expires_at: Some(claims.expires_at),
        region: Some(region),
        dcc: None,
        declared: None,
        negative_test_72h,
    })
}

fn peer_deny(reason: &str, message: String, region: String) -> ScanVerdict {
    ScanVerdict { message, region: Some(region), ..deny(reason, "") }
}

/// A scan at a checkpoint: judge, then record the passage.
pub async fn scan(
    state: &AppState,
    checkpoint: CheckpointId,
    officer: &str,
    qr_text: &str,
    direction: Direction,
    client_id: Option<uuid::Uuid>,
) -> Result<(ScanVerdict, Passage), ApiError> {
    let checkpoint = find(state, checkpoint).await?;
    let mut verdict = judge(state, qr_text).await?;
    let ours = verdict.region.as_deref() == Some(state.config.region_id.as_str());
    if let Some(holder) = verdict.holder.filter(|_| ours) {
        match state.store.resident_by_holder(holder).await {
            Ok(r) => verdict.declared = Some(declared_facts(state, r.id).await?),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let now = state.clock.now();
    let passage = Passage {
        id: client_id.unwrap_or_else(|| new_uuid_v7(now)),
        checkpoint: checkpoint.id,
        holder: verdict.holder,
        colour: verdict.colour,
        verdict: verdict.verdict,
        reason: verdict.reason.clone(),
        direction,
        scanned_at: now,
        officer: officer.to_string(),
        offline: false,
    };
    state.store.record_passages(std::slice::from_ref(&passage)).await?;
    Ok((verdict, passage))
}

fn deny(reason: &str, message: &str) -> ScanVerdict {
    ScanVerdict {
        verdict: Verdict::Deny,
        reason: reason.into(),
        message: message.into(),
        colour: None,
        holder: None,
        holder_hint: None,
        expires_at: None,
        region: None,
        dcc: None,
        declared: None,
        negative_test_72h: None,
    }
}

/// A visitor's EU DCC: no colour and no holder of ours; the verdict is the
/// certificate's checks and the acceptance rule for its type.
fn judge_dcc(state: &AppState, qr_text: &str) -> ScanVerdict {
    let dcc = state.dcc.judge(qr_text, state.clock.now());
    ScanVerdict {
        verdict: if dcc.accepted { Verdict::Allow } else { Verdict::Deny },
        reason: dcc.reason.into(),
        message: dcc.message.clone(),
        colour: None,
        holder: None,
        holder_hint: dcc.holder.clone(),
        expires_at: dcc.expires_at,
        region: dcc.country.clone(),
        dcc: Some(dcc),
        declared: None,
        negative_test_72h: None,
    }
}

/// A paper pass names a holder and no colour: once its signature and
/// window are checked and it is the holder's current print, the verdict is
/// the holder's current status.
async fn judge_pass(state: &AppState, qr_text: &str) -> Result<ScanVerdict, ApiError> {
    let now = state.clock.now();
    let pass = match verify_paper_pass(qr_text, &state.keys.all_keys(), now) {
        Ok(p) => p,
        Err(e) => return Ok(deny(e.code(), &e.to_string())),
    };
    let resident = match state.store.resident_by_holder(pass.claims.holder).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Ok(deny("PASS_UNKNOWN", "this pass belongs to no one registered here")),
        Err(e) => return Err(e.into()),
    };
    // Only the current print is honoured: a reprint revokes the earlier ones
    // (and a number the store never gave out, e.g. after `store copy`, too).
    let current = state.store.paper_pass(resident.id).await?.map(|p| p.print);
    if current != Some(pass.claims.print) {
        let e = PaperPassError::Revoked;
        return Ok(deny(e.code(), &e.to_string()));
    }
    let Some(status) = state.store.status(resident.id).await? else {
        return Ok(deny("DECLARATION_REQUIRED", "the holder has not declared yet"));
    };
    let hint = resident.identity.as_ref().map(|i| format!("{} ****{}", i.name.initials(), i.document_number.last4()));
    let (reason, message) = match status.colour {
        Colour::Green => ("PASS_VALID", "paper pass, green status: may pass"),
        Colour::Yellow => ("COLOUR_YELLOW", "paper pass, yellow status: quarantine, may not pass"),
        Colour::Red => ("COLOUR_RED", "paper pass, red status: may not pass"),
    };
    Ok(ScanVerdict {
        verdict: verdict_for(status.colour),
        reason: reason.into(),
        message: message.into(),
        colour: Some(status.colour),
        holder: Some(pass.claims.holder),
        holder_hint: hint,
        expires_at: Some(pass.claims.valid_until),
        region: Some(state.config.region_id.clone()),
        dcc: None,
        declared: None,
        negative_test_72h: Some(crate::services::lab::negative_within_72h(state, resident.id).await?),
    })
}

/// How many of a person's latest reports are searched for their latest full
/// declaration (a quarantine's daily clock-ins come after it).
const REPORTS_SEARCHED: u32 = 40;

/// The declared facts a checkpoint officer sees (see [`DeclaredFacts`]).
pub async fn declared_facts(state: &AppState, resident: ResidentId) -> Result<DeclaredFacts, ApiError> {
    let now = state.clock.now();
    let today = healthcode_domain::local_date(now, &state.config.time_zone);
    let reports = state.store.reports(resident, REPORTS_SEARCHED).await?;
    let declared_today = reports.first().is_some_and(|r| r.local_date >= today);
    let visited = reports.iter().find_map(|r| match &r.report {
        Report::Declaration(d) => Some(d.visited_regions.clone()),
        Report::ClockIn(_) => None,
    });
    let origin: Vec<RegionCode> = match visited.filter(|v| !v.is_empty()) {
        Some(regions) => regions,
        None => match state.store.resident(resident).await?.identity {
            Some(identity) => RegionCode::parse(identity.district.as_str()).into_iter().collect(),
            None => Vec::new(),
        },
    };
    let areas = state.store.risk_areas_at(now).await?;
    let origin_in_risk_area =
        origin.iter().any(|place| areas.iter().any(|a| healthcode_domain::basis::within(place, &a.code)));
    Ok(DeclaredFacts { origin: origin.iter().map(ToString::to_string).collect(), origin_in_risk_area, declared_today })
}

/// Every checkpoint.
pub async fn list(state: &AppState) -> Result<Vec<healthcode_domain::Checkpoint>, ApiError> {
    Ok(state.store.checkpoints().await?)
}

/// Records synced passages (ids already recorded are skipped); the number new.
pub async fn record_passages(state: &AppState, passages: &[healthcode_domain::Passage]) -> Result<u64, ApiError> {
    if passages.is_empty() {
        return Ok(0);
    }
    Ok(state.store.record_passages(passages).await?)
}

/// The holders an offline scanner treats as not green, and recent reprints.
#[derive(Debug, Clone)]
pub struct StatusList {
    pub holders: Vec<(healthcode_domain::HolderId, healthcode_domain::Colour)>,
    pub reprinted: Vec<(healthcode_domain::HolderId, u32)>,
}

/// What an offline scanner caches: every holder not green now with their
/// colour, and the paper passes reprinted within a pass's validity (holder,
/// print number).
pub async fn status_list(state: &AppState, now: Timestamp) -> Result<StatusList, ApiError> {
    let holders = state.store.non_green_holders().await?;
    let reprinted = state.store.reprinted_paper_passes(now - crate::services::code::PASS_VALIDITY).await?;
    Ok(StatusList { holders, reprinted })
}

/// A checkpoint's passages in `[from, to)`.
pub async fn passages(
    state: &AppState,
    checkpoint: healthcode_domain::CheckpointId,
    from: Timestamp,
    to: Timestamp,
    limit: u32,
) -> Result<Vec<healthcode_domain::Passage>, ApiError> {
    Ok(state.store.passages(checkpoint, from, to, limit).await?)
}
