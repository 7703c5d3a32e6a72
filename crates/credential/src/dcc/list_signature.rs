//! The signature over a published DSC list, checked against a pinned
//! signing certificate ([`ListSigner`]).
//!
//! Signed shape (what national backends such as Germany's serve, and what
//! `healthcode dcc import` checks when a signer is configured): the first
//! line holds the base64 signature, the rest of the text (from the byte after
//! that line's `\n`, verbatim) is the JSON list. The signature is over those
//! JSON bytes with SHA-256: ECDSA P-256 or P-384 (ASN.1 DER or raw `r‖s`),
//! or RSA (PKCS#1 v1.5 or PSS), by the key of the pinned certificate.
//!
//! Not checked here: the per-entry `signature` fields of the EU gateway's own
//! array (CMS messages by the uploading country; see [`super::gateway`]),
//! and the pinned certificate's own validity or chain (it is trusted because
//! it is pinned).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};

use super::dsc::{Dsc, DscKey};

/// Why a list's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListSignatureError {
    /// The pinned signing certificate cannot be used.
    #[error("the pinned DSC list signing certificate cannot be used: {0}")]
    SignerInvalid(&'static str),
    /// A signer is pinned but the list carries no signature line.
    #[error("the DSC list is not signed (expected a base64 signature line before the JSON), but a signer is pinned")]
    Unsigned,
    /// The signature does not verify with the pinned key: tampered, or signed by someone else.
    #[error(
        "the DSC list's signature does not verify with the pinned signing certificate: it was altered or signed by another key"
    )]
    SignatureInvalid,
}

impl ListSignatureError {
    pub fn code(&self) -> &'static str {
        match self {
            ListSignatureError::SignerInvalid(_) => "DSC_LIST_SIGNER_INVALID",
            ListSignatureError::Unsigned => "DSC_LIST_UNSIGNED",
            ListSignatureError::SignatureInvalid => "DSC_LIST_SIGNATURE_INVALID",
        }
    }
}

/// The pinned key that signs DSC lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSigner {
    key: DscKey,
    /// SHA-256 of the certificate's DER, hex (for logs).
    pub fingerprint: String,
}

fn pem_body(text: &str) -> Option<Vec<u8>> {
    let begin = text.find("-----BEGIN CERTIFICATE-----")?;
    let rest = &text[begin + "-----BEGIN CERTIFICATE-----".len()..];
    let end = rest.find("-----END CERTIFICATE-----")?;
    let b64: String = rest[..end].chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(b64).ok()
}

impl ListSigner {
    /// From an X.509 certificate, PEM or DER.
    pub fn from_certificate(bytes: &[u8]) -> Result<ListSigner, ListSignatureError> {
        let der = match std::str::from_utf8(bytes).ok().filter(|t| t.contains("-----BEGIN")) {
            Some(text) => pem_body(text).ok_or(ListSignatureError::SignerInvalid("the PEM holds no CERTIFICATE"))?,
            None => bytes.to_vec(),
        };
        let parsed = Dsc::from_der(&der, None).map_err(ListSignatureError::SignerInvalid)?;
        let digest = ring::digest::digest(&ring::digest::SHA256, &der);
        let fingerprint = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        Ok(ListSigner { key: parsed.key, fingerprint })
    }

    fn verifies(&self, message: &[u8], sig: &[u8]) -> bool {
        let candidates: &[&'static dyn VerificationAlgorithm] = match &self.key {
            DscKey::P256(_) => &[&signature::ECDSA_P256_SHA256_ASN1, &signature::ECDSA_P256_SHA256_FIXED],
            DscKey::P384(_) => &[&signature::ECDSA_P384_SHA384_ASN1, &signature::ECDSA_P384_SHA384_FIXED],
            DscKey::Rsa(_) => &[&signature::RSA_PKCS1_2048_8192_SHA256, &signature::RSA_PSS_2048_8192_SHA256],
        };
        let key = match &self.key {
            DscKey::P256(k) | DscKey::P384(k) | DscKey::Rsa(k) => k,
        };
        candidates.iter().any(|alg| UnparsedPublicKey::new(*alg, key).verify(message, sig).is_ok())
    }

    /// Checks a signed list's text and returns its JSON part.
    pub fn verify<'a>(&self, text: &'a str) -> Result<&'a str, ListSignatureError> {
        let text = text.trim_start_matches('\u{feff}');
        let (line, body) = text.split_once('\n').ok_or(ListSignatureError::Unsigned)?;
        let line = line.trim();
        if line.is_empty() || line.starts_with(['[', '{']) {
            return Err(ListSignatureError::Unsigned);
        }
        let sig = STANDARD.decode(line).map_err(|_| ListSignatureError::Unsigned)?;
        if self.verifies(body.as_bytes(), &sig) { Ok(body) } else { Err(ListSignatureError::SignatureInvalid) }
    }
}
