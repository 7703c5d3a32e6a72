//! False declarations under four eyes, like overrides: the health authority
//! records one with its evidence; it has no effect until a supervisor who is
//! not the requester approves. Approval is what makes the policy's
//! false-declaration rule fire (`R-FALSE-DECLARATION` in the default policy):
//! the colour rises by rule, with the id and version, the evidence and both
//! people in the change. The resident sees it in their history and can
//! appeal it like any other change. Every step is in the audit log.

use healthcode_domain::{Actor, Evidence, ResidentId, StandingFacts, apply_finding};
use healthcode_store::{AuditAction, AuditActor, FalseDeclaration, StoreError};

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::{audit, staff};
use crate::state::AppState;

const MAX_ATTEMPTS: usize = 5;

fn not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "FALSE_DECLARATION_NOT_FOUND", "no such false declaration")
}

fn decided() -> ApiError {
    ApiError::new(ErrorKind::Conflict, "FALSE_DECLARATION_DECIDED", "this false declaration was already decided")
}

/// Parses an id from a path; anything else is the same 404 as a missing one.
pub fn parse_id(id: &str) -> Result<uuid::Uuid, ApiError> {
    id.parse().map_err(|_| not_found())
}

/// The authority records a false declaration (pending). `requester_id` is
/// the stable id four eyes compare (see [`staff::same_requester`]).
pub async fn request(
    state: &AppState,
    requester: &str,
    requester_id: &str,
    resident: ResidentId,
    evidence: &str,
) -> Result<FalseDeclaration, ApiError> {
    let evidence = evidence.trim();
    if !(10..=1000).contains(&evidence.chars().count()) {
        return Err(ApiError::bad_input("EVIDENCE_REQUIRED", "state the evidence in 10 to 1000 characters"));
    }
    state.store.resident(resident).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::new(ErrorKind::NotFound, "RESIDENT_NOT_FOUND", "no such resident"),
        e => e.into(),
    })?;
    let now = state.clock.now();
    let f = FalseDeclaration {
        id: new_uuid_v7(now),
        resident,
        evidence: evidence.into(),
        requested_by: requester.into(),
        requested_by_id: Some(requester_id.into()),
        requested_at: now,
        state: "pending".into(),
        decided_by: None,
        decided_at: None,
    };
    state.store.create_false_declaration(&f).await?;
    audit::record(
        state,
        AuditActor::authority(requester),
        AuditAction::FalseDeclarationRequested,
        &f.id.to_string(),
        "pending",
    )
    .await?;
    Ok(f)
}

pub async fn find(state: &AppState, id: uuid::Uuid) -> Result<FalseDeclaration, ApiError> {
    state.store.false_declaration(id).await.map_err(|e| match e {
        StoreError::NotFound => not_found(),
        e => e.into(),
    })
}

/// A supervisor approves (the colour rises by rule) or rejects. The
/// requester never decides their own record: their account ids are compared,
/// as for overrides. Two deciding at once: one wins, the other gets
/// `FALSE_DECLARATION_DECIDED` (409).
pub async fn decide(
    state: &AppState,
    supervisor: &str,
    supervisor_id: &str,
    id: uuid::Uuid,
    approve: bool,
) -> Result<FalseDeclaration, ApiError> {
    let f = find(state, id).await?;
    if staff::same_requester(f.requested_by_id.as_deref(), &f.requested_by, supervisor_id, supervisor) {
        return Err(ApiError::new(
            ErrorKind::Forbidden,
            "FALSE_DECLARATION_SELF_APPROVAL",
            "a second person must decide a false declaration",
        ));
    }
    if f.state != "pending" {
        return Err(decided());
    }
    let now = state.clock.now();
    let (verdict, action) = if approve {
        ("approved", AuditAction::FalseDeclarationApproved)
    } else {
        ("rejected", AuditAction::FalseDeclarationRejected)
    };
    let entry = audit::entry(state, AuditActor::supervisor(supervisor), action, &id.to_string(), verdict);
    state.store.decide_false_declaration(id, verdict, supervisor, now, &entry).await.map_err(|e| match e {
        StoreError::Conflict(_) => decided(),
        e => e.into(),
    })?;
    if approve {
        apply(state, &f, supervisor).await?;
    }
    find(state, id).await
}

/// Applies the finding by rule, retrying lost races. A person already red
/// has their streak restarted; the rule and evidence are recorded either way.
async fn apply(state: &AppState, f: &FalseDeclaration, supervisor: &str) -> Result<(), ApiError> {
    let standing = StandingFacts { false_declaration: true, ..StandingFacts::default() };
    let evidence = vec![Evidence::FalseDeclaration {
        declaration_id: f.id.to_string(),
        evidence: f.evidence.clone(),
        requested_by: f.requested_by.clone(),
        approved_by: supervisor.to_string(),
    }];
    for _ in 0..MAX_ATTEMPTS {
        let now = state.clock.now();
        let current = state.store.status(f.resident).await?;
        let Some(t) = apply_finding(
            &state.config.policy,
            current.as_ref(),
            f.resident,
            &standing,
            now,
            &state.config.time_zone,
            evidence.clone(),
            Actor::Staff(supervisor.to_string()),
        ) else {
            // The policy has no false-declaration rule, or the person is worse off already.
            tracing::warn!(declaration = %f.id, "approved false declaration matched no rule that changes the status");
            return Ok(());
        };
        match state.store.commit_status(current.as_ref().map(|s| s.version), &t.status, &t.changes).await {
            Ok(_) => return Ok(()),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(ErrorKind::Conflict, "STATUS_CHANGED_CONCURRENTLY", "the status kept changing; retry"))
}

/// Findings waiting for a second officer.
pub async fn pending(state: &AppState) -> Result<Vec<FalseDeclaration>, ApiError> {
    Ok(state.store.pending_false_declarations().await?)
}

/// A person's findings, newest first.
pub async fn of_resident(
    state: &AppState,
    resident: healthcode_domain::ResidentId,
) -> Result<Vec<FalseDeclaration>, ApiError> {
    Ok(state.store.false_declarations_of(resident).await?)
}
