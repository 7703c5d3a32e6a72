//! Risk areas: marking one (with its audit entry) and the list in force.

use healthcode_store::{AuditAction, AuditActor, RiskArea};

use crate::error::ApiError;
use crate::state::AppState;

/// Stores a risk area the authority `by` marked, and audits it.
pub async fn mark(state: &AppState, area: &RiskArea, by: &str) -> Result<(), ApiError> {
    state.store.add_risk_area(area).await?;
    let detail = format!("{} until {}", area.code, area.until);
    crate::services::audit::record(
        state,
        AuditActor::authority(by),
        AuditAction::RiskAreaMarked,
        &area.id.to_string(),
        &detail,
    )
    .await?;
    Ok(())
}

/// The risk areas in force now.
pub async fn in_force(state: &AppState) -> Result<Vec<RiskArea>, ApiError> {
    Ok(state.store.risk_areas_at(state.clock.now()).await?)
}
