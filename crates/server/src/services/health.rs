//! Declarations and clock-ins: read the current status, apply the policy,
//! commit atomically (retrying when another report for the same person won
//! the race), and report what happened.

use healthcode_domain::{
    ClockIn, Declaration, HealthStatus, Identity, Report, ReportChannel, ReportContext, ReportId, ResidentId,
    StatusChange, apply_report, local_date,
};
use healthcode_store::{ReportCommit, StoreError, StoredReport};

use crate::error::ApiError;
use crate::services::accounts::new_uuid_v7;
use crate::services::dcc_attachments::{self, Attached};
use crate::state::AppState;

/// What an accepted report did.
#[derive(Debug, Clone)]
pub struct ReportOutcome {
    pub report_id: ReportId,
    pub status: HealthStatus,
    pub changes: Vec<StatusChange>,
    pub counted: bool,
}

const MAX_ATTEMPTS: usize = 5;

/// Files a full declaration. The identity is required the first time.
pub async fn declare(
    state: &AppState,
    resident: ResidentId,
    identity: Option<Identity>,
    declaration: Declaration,
    channel: ReportChannel,
) -> Result<ReportOutcome, ApiError> {
    declaration.validate()?;
    let account = state.store.resident(resident).await?;
    if account.identity.is_none() && identity.is_none() {
        return Err(ApiError::bad_input(
            "IDENTITY_REQUIRED",
            "the first declaration must give name, document type, document number and district",
        ));
    }
    submit(state, resident, identity, Report::Declaration(declaration), channel).await
}

/// Files a declaration with an EU DCC attached: the certificate is verified
/// and kept first (a refused one stops the declaration: nothing is saved),
/// so the colour rules already see it.
pub async fn declare_with_dcc(
    state: &AppState,
    resident: ResidentId,
    identity: Option<Identity>,
    declaration: Declaration,
    channel: ReportChannel,
    dcc: &str,
) -> Result<(ReportOutcome, Attached), ApiError> {
    declaration.validate()?;
    let account = state.store.resident(resident).await?;
    if account.identity.is_none() && identity.is_none() {
        return Err(ApiError::bad_input(
            "IDENTITY_REQUIRED",
            "the first declaration must give name, document type, document number and district",
        ));
    }
    let attached = dcc_attachments::attach(state, resident, dcc, state.clock.now()).await?;
    let outcome = submit(state, resident, identity, Report::Declaration(declaration), channel).await?;
    Ok((outcome, attached))
}

/// Records a daily clock-in.
pub async fn clock_in(
    state: &AppState,
    resident: ResidentId,
    clock_in: ClockIn,
    channel: ReportChannel,
) -> Result<ReportOutcome, ApiError> {
    if state.store.status(resident).await?.is_none() {
        return Err(ApiError::new(
            crate::error::ErrorKind::Conflict,
            "DECLARATION_REQUIRED",
            "file a declaration before clocking in",
        ));
    }
    submit(state, resident, None, Report::ClockIn(clock_in), channel).await
}

async fn submit(
    state: &AppState,
    resident: ResidentId,
    identity: Option<Identity>,
    report: Report,
    channel: ReportChannel,
) -> Result<ReportOutcome, ApiError> {
    let mut standing = crate::services::cases::standing_of(state, resident).await?;
    // Risk areas only matter to a declaration that names visited regions:
    // clock-ins (the bulk of reports) skip the query.
    let names_regions = matches!(&report, Report::Declaration(d) if !d.visited_regions.is_empty());
    // lab: a recent negative test is read only where a rule could ask for it.
    if names_regions {
        standing.latest_negative_test = crate::services::lab::latest_negative(state, resident).await?;
        standing.dcc_windows = dcc_attachments::windows_of(state, resident).await?;
    }
    let risk_areas: Vec<healthcode_domain::RegionCode> = if names_regions {
        state.store.risk_areas_at(state.clock.now()).await?.into_iter().map(|a| a.code).collect()
    } else {
        Vec::new()
    };
    let mut last_conflict = None;
    for _ in 0..MAX_ATTEMPTS {
        let now = state.clock.now();
        let report_id = ReportId::from_uuid(new_uuid_v7(now));
        let current = state.store.status(resident).await?;
        let ctx = ReportContext {
            resident,
            report_id,
            report: &report,
            now,
            time_zone: &state.config.time_zone,
            standing: &standing,
            risk_areas: &risk_areas,
        };
        let transition = apply_report(&state.config.policy, current.as_ref(), &ctx)?;
        let commit = ReportCommit {
            report: StoredReport {
                id: report_id,
                resident,
                at: now,
                local_date: local_date(now, &state.config.time_zone),
                report: report.clone(),
                channel: Some(channel),
            },
            identity: identity.clone(),
            expected_version: current.as_ref().map(|s| s.version),
            status: transition.status,
            changes: transition.changes.clone(),
        };
        match state.store.commit_report(&commit).await {
            Ok(status) => {
                for c in &transition.changes {
                    tracing::info!(resident = %resident, event = c.event.as_str(), to = %c.to,
                        rule = c.basis.rule_id().unwrap_or("-"), "status change");
                }
                state.metrics.reports.inc();
                return Ok(ReportOutcome {
                    report_id,
                    status,
                    changes: transition.changes,
                    counted: transition.counted,
                });
            }
            Err(StoreError::Conflict(cause)) => last_conflict = Some(cause),
            Err(e) => return Err(e.into()),
        }
    }
    tracing::warn!(resident = %resident, cause = last_conflict.unwrap_or_default(), "report kept conflicting");
    Err(ApiError::new(
        crate::error::ErrorKind::Conflict,
        "STATUS_CHANGED_CONCURRENTLY",
        "other reports for this person were being recorded at the same moment; nothing was saved, please retry",
    ))
}

/// A person's current status (`None` before their first declaration).
pub async fn status_of(
    state: &AppState,
    resident: healthcode_domain::ResidentId,
) -> Result<Option<healthcode_domain::HealthStatus>, ApiError> {
    Ok(state.store.status(resident).await?)
}

/// A person's status changes, newest first.
pub async fn history_of(
    state: &AppState,
    resident: healthcode_domain::ResidentId,
    limit: u32,
) -> Result<Vec<healthcode_domain::StatusChange>, ApiError> {
    Ok(state.store.status_history(resident, limit).await?)
}
