//! EU Digital COVID Certificates that visitors attached ([`DccAttachment`],
//! [`DccStore`]): the verdict, not the certificate.

use async_trait::async_trait;
use healthcode_domain::ResidentId;
use healthcode_domain::dcc_rules::DccKind;
use jiff::Timestamp;

use crate::error::StoreResult;

/// One attached certificate's verdict. The certificate itself, the holder's
/// name and date of birth are not kept: only what the colour rules and the
/// resident's page need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DccAttachment {
    pub resident: ResidentId,
    /// SHA-256 (hex) of the certificate identifier (`ci`): the same
    /// certificate attached twice is recognised without keeping its id.
    pub certificate_hash: String,
    pub kind: DccKind,
    /// Member state of the vaccination, test or recovery (`co`).
    pub country: String,
    pub rule_id: String,
    pub rule_version: String,
    /// Whether the acceptance rule held when it was attached.
    pub accepted: bool,
    /// When not accepted: why, for people.
    pub refusal: Option<String>,
    /// When the rule accepts it, `[valid_from, valid_until)`, cut at the
    /// certificate's own expiry; `None` when the rule never does.
    pub valid_from: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    /// The certificate's expiry (CWT `exp`).
    pub expires_at: Timestamp,
    pub attached_at: Timestamp,
}

/// Attached EU DCCs.
#[async_trait]
pub trait DccStore: Send + Sync {
    /// Keeps the verdict; `false` (and nothing written) when this resident
    /// already attached the same certificate, so concurrent attaches of one
    /// certificate keep exactly one row.
    async fn attach_dcc(&self, attachment: &DccAttachment) -> StoreResult<bool>;
    /// A resident's attached certificates, newest first.
    async fn dcc_attachments_of(&self, resident: ResidentId) -> StoreResult<Vec<DccAttachment>>;
}
