//! Appeals: a resident contests their colour with a message; the health
//! authority answers by a deadline (`appeal_working_days` working days,
//! default 3). An upheld appeal reverses the contested change — the person
//! gets back the colour they had before it, with the appeal and the answer as
//! evidence — and every step is in the audit log. Overdue appeals come first
//! in the authority's inbox.

use healthcode_domain::{ChangeEvent, Colour, Evidence, ResidentId};
use healthcode_store::{Appeal, AuditAction, AuditActor, StoreError};

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::audit;
use crate::services::overrides::{ManualChange, manual_status};
use crate::state::AppState;

/// The authority's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The appeal is right: the contested change is reversed.
    Upheld,
    /// The colour stands.
    Rejected,
}

impl Outcome {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        match s.trim() {
            "upheld" => Ok(Outcome::Upheld),
            "rejected" => Ok(Outcome::Rejected),
            _ => Err(ApiError::bad_input("APPEAL_OUTCOME_INVALID", "the outcome is 'upheld' or 'rejected'")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Upheld => "upheld",
            Outcome::Rejected => "rejected",
        }
    }
}

fn text_between(s: &str, min: usize, max: usize, code: &'static str, what: &str) -> Result<String, ApiError> {
    let s = s.trim();
    let n = s.chars().count();
    if n < min || n > max {
        return Err(ApiError::bad_input(code, format!("{what}: {min} to {max} characters")));
    }
    Ok(s.to_string())
}

/// Files an appeal against the person's current colour.
pub async fn file(state: &AppState, resident: ResidentId, message: &str) -> Result<Appeal, ApiError> {
    let message = text_between(message, 10, 2000, "APPEAL_MESSAGE_INVALID", "say why, in")?;
    let status = state.store.status(resident).await?;
    let Some(status) = status.filter(|s| s.colour != Colour::Green) else {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "APPEAL_NOTHING_TO_CONTEST",
            "your code is green (or you have not declared yet): there is nothing to appeal",
        ));
    };
    if state.store.appeals_of(resident, 20).await?.iter().any(|a| a.state == "pending") {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "APPEAL_ALREADY_PENDING",
            "you have an appeal waiting for an answer; the health authority answers it before another",
        ));
    }
    let now = state.clock.now();
    let due_at =
        healthcode_domain::enterprise::working_deadline(now, state.config.appeal_working_days, &state.config.time_zone);
    let appeal = Appeal {
        id: new_uuid_v7(now),
        resident,
        colour: status.colour,
        message,
        submitted_at: now,
        due_at,
        state: "pending".into(),
        answered_at: None,
        answered_by: None,
        answer: None,
    };
    state.store.create_appeal(&appeal).await?;
    let detail = format!("{} due {due_at}", status.colour);
    audit::record(state, AuditActor::Resident(resident), AuditAction::AppealFiled, &appeal.id.to_string(), &detail)
        .await?;
    Ok(appeal)
}

pub async fn find(state: &AppState, id: uuid::Uuid) -> Result<Appeal, ApiError> {
    match state.store.appeal(id).await {
        Ok(a) => Ok(a),
        Err(StoreError::NotFound) => Err(ApiError::new(ErrorKind::NotFound, "APPEAL_NOT_FOUND", "no such appeal")),
        Err(e) => Err(e.into()),
    }
}

/// The authority answers. Upheld: the contested change is reversed.
pub async fn answer(
    state: &AppState,
    by: &str,
    id: uuid::Uuid,
    outcome: Outcome,
    answer: &str,
) -> Result<Appeal, ApiError> {
    let answer = text_between(answer, 5, 2000, "APPEAL_ANSWER_INVALID", "the answer to the resident, in")?;
    let appeal = find(state, id).await?;
    let decided = || ApiError::new(ErrorKind::Conflict, "APPEAL_ALREADY_ANSWERED", "this appeal was already answered");
    if appeal.state != "pending" {
        return Err(decided());
    }
    let now = state.clock.now();
    let overdue = if now > appeal.due_at { " (overdue)" } else { "" };
    let action = match outcome {
        Outcome::Upheld => AuditAction::AppealUpheld,
        Outcome::Rejected => AuditAction::AppealRejected,
    };
    let entry = audit::entry(state, AuditActor::authority(by), action, &id.to_string(), &format!("answered{overdue}"));
    state.store.answer_appeal(id, outcome.as_str(), by, &answer, now, &entry).await.map_err(|e| match e {
        StoreError::Conflict(_) => decided(),
        e => e.into(),
    })?;
    if outcome == Outcome::Upheld {
        reverse(state, &appeal, by, &answer).await?;
    }
    find(state, id).await
}

/// Gives the person back the colour they had before the contested change.
async fn reverse(state: &AppState, appeal: &Appeal, by: &str, answer: &str) -> Result<(), ApiError> {
    for _ in 0..5 {
        let Some(current) = state.store.status(appeal.resident).await? else {
            return Ok(());
        };
        // The latest change that brought the contested colour is the one reversed.
        let history = state.store.status_history(appeal.resident, 50).await?;
        let contested = history.iter().find(|c| c.to == appeal.colour && c.from != Some(appeal.colour));
        let back_to = contested.and_then(|c| c.from).unwrap_or(Colour::Green);
        if current.colour == back_to {
            return Ok(());
        }
        let manual = ManualChange {
            colour: back_to,
            reason_code: "APPEAL_UPHELD".into(),
            event: ChangeEvent::AppealUpheld,
            evidence: vec![Evidence::Appeal {
                appeal_id: appeal.id.to_string(),
                answer: answer.to_string(),
                answered_by: by.to_string(),
            }],
            by: by.to_string(),
        };
        let (status, change) = manual_status(state, appeal.resident, Some(&current), &manual);
        match state.store.commit_status(Some(current.version), &status, std::slice::from_ref(&change)).await {
            Ok(_) => {
                // An upheld appeal is a manual change: it counts toward the anomaly alarm.
                if let Err(e) = crate::services::alarms::check_after_manual_change(state, &change).await {
                    tracing::error!(error = %e, "anomaly check after an upheld appeal failed");
                }
                return Ok(());
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(ErrorKind::Conflict, "STATUS_CHANGED_CONCURRENTLY", "the status kept changing; answer again"))
}

/// A person's appeals, newest first.
pub async fn of_resident(
    state: &AppState,
    resident: healthcode_domain::ResidentId,
    limit: u32,
) -> Result<Vec<Appeal>, ApiError> {
    Ok(state.store.appeals_of(resident, limit).await?)
}

/// Pending appeals, earliest deadline first.
pub async fn pending(state: &AppState, limit: u32) -> Result<Vec<Appeal>, ApiError> {
    Ok(state.store.pending_appeals(limit).await?)
}
