//! Manual overrides under four eyes: the health authority requests (reason
//! code + basis), a supervisor who is not the requester approves; only then
//! does the colour change, citing the override, both people and the basis.
//! Every step is in the audit log.

use healthcode_domain::{
    Actor, Basis, ChangeEvent, Colour, Evidence, HealthStatus, Quarantine, ResidentId, StatusChange, local_date,
};
use healthcode_store::{AuditAction, AuditActor, Override, StoreError};

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::{alarms, audit, staff};
use crate::state::AppState;

fn reason_code_ok(code: &str) -> bool {
    (2..=40).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

pub async fn request(
    state: &AppState,
    requester: &str,
    requester_id: &str,
    resident: ResidentId,
    colour: Colour,
    reason_code: &str,
    basis: &str,
) -> Result<Override, ApiError> {
    if !reason_code_ok(reason_code) {
        return Err(ApiError::bad_input("REASON_CODE_INVALID", "reason code: 2 to 40 of A-Z, 0-9 and _"));
    }
    let basis = basis.trim();
    if basis.chars().count() < 10 || basis.chars().count() > 1000 {
        return Err(ApiError::bad_input("BASIS_REQUIRED", "state the basis in 10 to 1000 characters"));
    }
    state.store.resident(resident).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::new(ErrorKind::NotFound, "RESIDENT_NOT_FOUND", "no such resident"),
        e => e.into(),
    })?;
    let now = state.clock.now();
    let o = Override {
        id: new_uuid_v7(now),
        resident,
        colour,
        reason_code: reason_code.into(),
        basis: basis.into(),
        requested_by: requester.into(),
        requested_by_id: Some(requester_id.into()),
        requested_at: now,
        state: "pending".into(),
        decided_by: None,
        decided_at: None,
    };
    state.store.create_override(&o).await?;
    let detail = format!("{} {} (pending)", colour, reason_code);
    audit::record(state, AuditActor::authority(requester), AuditAction::OverrideRequested, &o.id.to_string(), &detail)
        .await?;
    Ok(o)
}

async fn find(state: &AppState, id: uuid::Uuid) -> Result<Override, ApiError> {
    match state.store.get_override(id).await {
        Ok(o) => Ok(o),
        Err(StoreError::NotFound) => Err(ApiError::new(ErrorKind::NotFound, "OVERRIDE_NOT_FOUND", "no such override")),
        Err(e) => Err(e.into()),
    }
}

/// A supervisor approves (`approve`) or rejects. The requester never decides
/// their own request: the stable ids are compared (an account id, or a
/// token's name without case), and for overrides requested before ids were
/// kept, the names without case.
pub async fn decide(
    state: &AppState,
    supervisor: &str,
    supervisor_id: &str,
    id: uuid::Uuid,
    approve: bool,
) -> Result<Override, ApiError> {
    let o = find(state, id).await?;
    if staff::same_requester(o.requested_by_id.as_deref(), &o.requested_by, supervisor_id, supervisor) {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "OVERRIDE_SELF_APPROVAL",
            "a second person must decide an override",
        ));
    }
    if o.state != "pending" {
        return Err(ApiError::new(ErrorKind::Conflict, "OVERRIDE_DECIDED", "this override was already decided"));
    }
    let now = state.clock.now();
    let (verdict, action) =
        if approve { ("approved", AuditAction::OverrideApproved) } else { ("rejected", AuditAction::OverrideRejected) };
    let entry = audit::entry(state, AuditActor::supervisor(supervisor), action, &id.to_string(), &o.reason_code);
    // The decision and its audit entry commit together, or neither does.
    state.store.decide_override(id, verdict, supervisor, now, &entry).await.map_err(|e| match e {
        StoreError::Conflict(_) => {
            ApiError::new(ErrorKind::Conflict, "OVERRIDE_DECIDED", "this override was already decided")
        }
        e => e.into(),
    })?;
    if approve {
        let change = apply(state, &o, supervisor).await?;
        // The change stands whatever the check finds; a failing check is logged.
        if let Err(e) = alarms::check_after_manual_change(state, &change).await {
            tracing::error!(code = e.code, message = %e.message, "alarm check after an override failed");
        }
    }
    find(state, id).await
}

/// What a manual colour change sets: the colour, why (a reason code), the
/// event and its evidence, and the staff member who made it.
pub(crate) struct ManualChange {
    pub colour: Colour,
    pub reason_code: String,
    pub event: ChangeEvent,
    pub evidence: Vec<Evidence>,
    pub by: String,
}

/// The status and change record of a manual change (an approved override, an
/// upheld appeal) on top of `current`: basis `Override`, and for yellow or
/// red a quarantine streak starting today.
pub(crate) fn manual_status(
    state: &AppState,
    resident: ResidentId,
    current: Option<&HealthStatus>,
    m: &ManualChange,
) -> (HealthStatus, StatusChange) {
    let now = state.clock.now();
    let basis =
        Basis::Override { reason_code: m.reason_code.clone(), policy_version: state.config.policy.version.clone() };
    let today = local_date(now, &state.config.time_zone);
    let days = match m.colour {
        Colour::Green => None,
        Colour::Yellow => Some(state.config.policy.quarantine.yellow_days),
        Colour::Red => Some(state.config.policy.quarantine.red_days),
    };
    let status = HealthStatus {
        resident,
        colour: m.colour,
        since: now,
        basis: basis.clone(),
        quarantine: days.map(|d| Quarantine::new(d, today)),
        last_report_on: current.and_then(|c| c.last_report_on),
        version: current.map_or(0, |c| c.version),
    };
    let change = StatusChange {
        resident,
        at: now,
        event: m.event,
        from: current.map(|c| c.colour),
        to: m.colour,
        basis,
        evidence: m.evidence.clone(),
        actor: Actor::Staff(m.by.clone()),
    };
    (status, change)
}

async fn apply(state: &AppState, o: &Override, supervisor: &str) -> Result<StatusChange, ApiError> {
    let manual = ManualChange {
        colour: o.colour,
        reason_code: o.reason_code.clone(),
        event: ChangeEvent::Override,
        evidence: vec![Evidence::Override {
            override_id: o.id.to_string(),
            basis: o.basis.clone(),
            requested_by: o.requested_by.clone(),
            approved_by: supervisor.to_string(),
        }],
        by: supervisor.to_string(),
    };
    for _ in 0..5 {
        let current = state.store.status(o.resident).await?;
        let (status, change) = manual_status(state, o.resident, current.as_ref(), &manual);
        match state
            .store
            .commit_status(current.as_ref().map(|c| c.version), &status, std::slice::from_ref(&change))
            .await
        {
            Ok(_) => return Ok(change),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(ErrorKind::Conflict, "STATUS_CHANGED_CONCURRENTLY", "the status kept changing; approve again"))
}

/// Overrides waiting for a second officer.
pub async fn pending(state: &AppState) -> Result<Vec<healthcode_store::Override>, ApiError> {
    Ok(state.store.pending_overrides().await?)
}
