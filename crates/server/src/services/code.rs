//! Issuing the short-lived signed health code.

use healthcode_credential::{HealthCodeClaims, PaperPassClaims, issue, sign_paper_pass};
use healthcode_domain::{Colour, HealthStatus, ResidentId};
use healthcode_store::{PaperPassPrint, PaperPassRecord, Resident};
use jiff::{SignedDuration, Timestamp};

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

/// How long a printed paper pass is valid.
pub const PASS_VALIDITY: SignedDuration = SignedDuration::from_hours(30 * 24);
/// A pass ending within this is replaced by the next print when viewed.
pub const PASS_RENEWAL: SignedDuration = SignedDuration::from_hours(24);

/// A printable paper pass: identity only, valid for [`PASS_VALIDITY`] and
/// until reprinted; the scanner looks up the current status.
#[derive(Debug, Clone)]
pub struct IssuedPass {
    pub qr_text: String,
    pub resident: Resident,
    pub print: PaperPassRecord,
}

/// Whether viewing the pass keeps the current print or the holder asked
/// for a new one (which revokes every earlier pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassRequest {
    Current,
    Reprint,
}

pub async fn issue_pass(state: &AppState, resident: ResidentId, request: PassRequest) -> Result<IssuedPass, ApiError> {
    let account = state.store.resident(resident).await?;
    let Some(identity) = account.identity.as_ref() else {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "DECLARATION_REQUIRED",
            "file a declaration first: the pass prints your name and document",
        ));
    };
    let now = Timestamp::from_second(state.clock.now().as_second()).map_err(ApiError::internal)?;
    let fresh = PaperPassPrint { valid_from: now, valid_until: now + PASS_VALIDITY, printed_at: now };
    let print = match request {
        PassRequest::Current => state.store.current_paper_pass(resident, &fresh, now + PASS_RENEWAL).await?,
        PassRequest::Reprint => state.store.reprint_paper_pass(resident, &fresh).await?,
    };
    let claims = PaperPassClaims {
        holder: account.holder,
        print: print.print,
        valid_from: print.valid_from,
        valid_until: print.valid_until,
        initials: identity.name.initials(),
        document_last4: identity.document_number.last4().to_owned(),
    };
    let qr_text = state.keys.with_active(|key| sign_paper_pass(&claims, key)).map_err(ApiError::internal)?;
    Ok(IssuedPass { qr_text, resident: account, print })
}
