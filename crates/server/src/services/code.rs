//! Issuing the short-lived signed health code.

use healthcode_credential::{HealthCodeClaims, issue};
use healthcode_domain::{Colour, HealthStatus, ResidentId};
use healthcode_store::Resident;
use jiff::Timestamp;

use crate::error::{ApiError, ErrorKind};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub qr_text: String,
    pub colour: Colour,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub resident: Resident,
    pub status: HealthStatus,
}

/// Signs a fresh code for the resident's current status.
pub async fn issue_code(state: &AppState, resident: ResidentId) -> Result<IssuedCode, ApiError> {
    let account = state.store.resident(resident).await?;
    let status = state.store.status(resident).await?;
    let (Some(identity), Some(status)) = (account.identity.as_ref(), status) else {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "DECLARATION_REQUIRED",
            "file a declaration first: the code shows its result",
        ));
    };
    // Codes carry whole seconds.
    let now = Timestamp::from_second(state.clock.now().as_second()).map_err(ApiError::internal)?;
    let expires_at = now.saturating_add(state.config.code_lifetime).map_err(ApiError::internal)?;
    let claims = HealthCodeClaims {
        issuer: state.config.region_id.clone(),
        holder: account.holder,
        colour: status.colour,
        issued_at: now,
        expires_at,
        initials: identity.name.initials(),
        document_last4: identity.document_number.last4().to_string(),
        policy_version: status.basis.policy_version().to_string(),
    };
    let qr_text = state.keys.with_active(|key| issue(&claims, key)).map_err(ApiError::internal)?;
    state.metrics.codes_issued.inc();
    Ok(IssuedCode { qr_text, colour: status.colour, issued_at: now, expires_at, resident: account, status })
}

/// A printable paper pass: identity only, valid until reissued; the
/// scanner looks up the current status.
#[derive(Debug, Clone)]
pub struct IssuedPass {
    pub qr_text: String,
    pub resident: Resident,
    pub issued_at: Timestamp,
}

pub async fn issue_pass(state: &AppState, resident: ResidentId) -> Result<IssuedPass, ApiError> {
    let account = state.store.resident(resident).await?;
    if account.identity.is_none() {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "DECLARATION_REQUIRED",
            "file a declaration first: the pass prints your name and document",
        ));
    }
    let now = Timestamp::from_second(state.clock.now().as_second()).map_err(ApiError::internal)?;
    let qr_text = state
        .keys
        .with_active(|key| healthcode_credential::sign_paper_pass(account.holder, now, key))
        .map_err(ApiError::internal)?;
    Ok(IssuedPass { qr_text, resident: account, issued_at: now })
}
