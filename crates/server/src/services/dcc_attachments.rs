//! EU DCCs that visitors attach at sign-up or in a declaration: verified
//! like at a checkpoint, judged by the `[dcc]` acceptance rule, and kept as a
//! verdict ([`DccAttachment`]) whose window the colour policy's exemptions
//! read (e.g. `G-DCC-ARRIVAL`).
//!
//! Kept per certificate: its type, the member state (`co`), the rule id and
//! version, whether it was accepted (and why not), the window in which the
//! rule accepts it (cut at the certificate's expiry), the expiry, and the
//! SHA-256 of the certificate identifier (to recognise it when attached
//! again). Not kept: the `HC1:` text, the holder's name and date of birth,
//! the identifier itself, vaccine product, dose dates, test centre.

use healthcode_credential::verify_dcc;
use healthcode_domain::ResidentId;
use healthcode_domain::dcc_rules::DccKind;
use healthcode_store::DccAttachment;
use jiff::Timestamp;

use crate::error::ApiError;
use crate::state::AppState;

/// Longest `HC1:` text accepted (real ones are well under 1 kB of base45).
pub const MAX_DCC_TEXT: usize = 8 * 1024;

/// An attach that went through: the verdict, and whether it was new.
#[derive(Debug, Clone)]
pub struct Attached {
    pub attachment: DccAttachment,
    /// `false` when this resident had attached the same certificate before
    /// (the first verdict is kept and returned).
    pub created: bool,
}

/// Verifies `text` and keeps its verdict for `resident`. A certificate that
/// fails verification (`DCC_*` codes: malformed, unknown key, bad
/// signature, expired, wrong usage, …) is refused and nothing is written; one
/// that verifies but does not meet its rule is kept as not accepted.
pub async fn attach(state: &AppState, resident: ResidentId, text: &str, now: Timestamp) -> Result<Attached, ApiError> {
    let text = text.trim();
    if text.len() > MAX_DCC_TEXT {
        return Err(ApiError::bad_input("DCC_MALFORMED", "the certificate text is longer than 8 KiB"));
    }
    let list = state.dcc.list();
    if list.is_empty() {
        return Err(ApiError::new(
            crate::error::ErrorKind::Conflict,
            "DCC_LIST_MISSING",
            "no DSC list is imported here, so no EU DCC can be verified (see `healthcode dcc import`)",
        ));
    }
    let verified = verify_dcc(text, &list, now).map_err(|e| ApiError::bad_input(e.code(), e.to_string()))?;
    let rules = &state.dcc.config().rules;
    let outcome = rules.evaluate(&verified.facts, now);
    let window = rules
        .accepted_window(&verified.facts)
        .map(|(from, until)| (from, until.min(verified.expires_at)))
        .filter(|(from, until)| from < until);
    let attachment = DccAttachment {
        resident,
        certificate_hash: verified.certificate_id_hash(),
        kind: verified.kind,
        country: verified.country.clone(),
        rule_id: outcome.rule_id.to_string(),
        rule_version: outcome.rule_version.clone(),
        accepted: outcome.accepted(),
        refusal: outcome.refusal.clone(),
        valid_from: window.map(|w| w.0),
        valid_until: window.map(|w| w.1),
        expires_at: verified.expires_at,
        attached_at: now,
    };
    let created = state.store.attach_dcc(&attachment).await?;
    if created {
        tracing::info!(resident = %resident, kind = verified.kind.code(), rule = outcome.rule_id,
            accepted = attachment.accepted, "EU DCC attached");
        return Ok(Attached { attachment, created });
    }
    // Attached before: the kept verdict stands.
    let kept = state
        .store
        .dcc_attachments_of(resident)
        .await?
        .into_iter()
        .find(|a| a.certificate_hash == attachment.certificate_hash)
        .unwrap_or(attachment);
    Ok(Attached { attachment: kept, created })
}

/// A resident's attached certificates, newest first.
pub async fn of_resident(state: &AppState, resident: ResidentId) -> Result<Vec<DccAttachment>, ApiError> {
    Ok(state.store.dcc_attachments_of(resident).await?)
}

/// The windows of a resident's attached certificates (for [`StandingFacts`]).
///
/// [`StandingFacts`]: healthcode_domain::StandingFacts
pub async fn windows_of(
    state: &AppState,
    resident: ResidentId,
) -> Result<Vec<(DccKind, Timestamp, Timestamp)>, ApiError> {
    Ok(state
        .store
        .dcc_attachments_of(resident)
        .await?
        .into_iter()
        .filter_map(|a| Some((a.kind, a.valid_from?, a.valid_until?)))
        .collect())
}
