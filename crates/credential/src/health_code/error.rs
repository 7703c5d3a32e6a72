//! Why a health code could not be issued ([`IssueError`]) or verified ([`VerifyError`]).

use crate::keys::{KeyError, KeyId};

/// Issuing a code failed: the claims do not fit the format, or signing failed.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("claims cannot be encoded: {0}")]
    ClaimsInvalid(&'static str),
    #[error("signing failed: {0}")]
    Sign(#[from] KeyError),
    #[error("COSE encoding failed: {0}")]
    Cose(String),
    #[error("compression failed: {0}")]
    Compress(#[from] std::io::Error),
}

/// A code was refused. Each variant has a stable [`code`](VerifyError::code)
/// that APIs and the CLI show verbatim; the message is for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("this is not a health code (it must start with HCODE1:)")]
    PrefixInvalid,
    #[error("the code text is damaged (not valid base45)")]
    Base45Invalid,
    #[error("the code content is damaged (not valid zlib data)")]
    ZlibInvalid,
    #[error("the code content is too large")]
    TooLarge,
    #[error("the code content is damaged (not CBOR)")]
    CborInvalid,
    #[error("the code is not a signed COSE_Sign1 ES256 structure: {0}")]
    CoseInvalid(&'static str),
    #[error("the code's claims are invalid: {0}")]
    ClaimsInvalid(&'static str),
    #[error("the code was signed by an unknown key ({0})")]
    KeyUnknown(String),
    #[error("the code's signature is invalid: it was forged or altered")]
    SignatureInvalid,
    #[error("the code was issued by {0:?}, which this trust list does not cover")]
    IssuerUnknown(String),
    #[error("the key that signed the code is not valid now")]
    KeyNotValid,
    #[error("the code is not valid yet (issued in the future)")]
    NotYetValid,
    #[error("the code has expired")]
    Expired,
}

impl VerifyError {
    /// A stable upper-snake-case code, distinct per variant.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::PrefixInvalid => "CODE_PREFIX_INVALID",
            VerifyError::Base45Invalid => "CODE_BASE45_INVALID",
            VerifyError::ZlibInvalid => "CODE_ZLIB_INVALID",
            VerifyError::TooLarge => "CODE_TOO_LARGE",
            VerifyError::CborInvalid => "CODE_CBOR_INVALID",
            VerifyError::CoseInvalid(_) => "CODE_COSE_INVALID",
            VerifyError::ClaimsInvalid(_) => "CODE_CLAIMS_INVALID",
            VerifyError::KeyUnknown(_) => "CODE_KEY_UNKNOWN",
            VerifyError::SignatureInvalid => "CODE_SIGNATURE_INVALID",
            VerifyError::IssuerUnknown(_) => "CODE_ISSUER_UNKNOWN",
            VerifyError::KeyNotValid => "CODE_KEY_NOT_VALID",
            VerifyError::NotYetValid => "CODE_NOT_YET_VALID",
            VerifyError::Expired => "CODE_EXPIRED",
        }
    }

    pub(crate) fn key_unknown(kid: &[u8]) -> VerifyError {
        match KeyId::from_slice(kid) {
            Some(kid) => VerifyError::KeyUnknown(kid.to_string()),
            None => VerifyError::KeyUnknown(format!("{} byte key id", kid.len())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_distinct() {
        let all = [
            VerifyError::PrefixInvalid,
            VerifyError::Base45Invalid,
            VerifyError::ZlibInvalid,
            VerifyError::TooLarge,
            VerifyError::CborInvalid,
            VerifyError::CoseInvalid("x"),
            VerifyError::ClaimsInvalid("x"),
            VerifyError::KeyUnknown("x".into()),
            VerifyError::SignatureInvalid,
            VerifyError::IssuerUnknown("x".into()),
            VerifyError::KeyNotValid,
            VerifyError::NotYetValid,
            VerifyError::Expired,
        ];
        let codes: HashSet<_> = all.iter().map(VerifyError::code).collect();
        assert_eq!(codes.len(), all.len());
        assert!(codes.iter().all(|c| c.starts_with("CODE_")));
    }
}
