//! Why an EU Digital COVID Certificate was refused ([`DccError`]), with stable codes.

/// A DCC was refused. [`code`](DccError::code) is stable and shown verbatim
/// by the API, the scanner page and `healthcode verify`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DccError {
    /// Not `HC1:` + base45(zlib(COSE_Sign1)), or the COSE structure is broken.
    #[error("not a well-formed EU DCC: {0}")]
    Malformed(&'static str),
    /// The COSE algorithm is not one the DCC specification allows.
    #[error("the certificate uses an unsupported signature algorithm ({0})")]
    AlgorithmUnsupported(i64),
    /// No DSC of the imported list has this key id.
    #[error("the certificate was signed by a DSC this verifier does not know (kid {0})")]
    KeyUnknown(String),
    /// The signature does not verify with the DSC (forged, altered, or another key).
    #[error("the certificate's signature is invalid: it was forged or altered")]
    SignatureInvalid,
    /// The payload is signed but its fields do not follow the DCC schema.
    #[error("the certificate's content does not follow the DCC schema: {0}")]
    SchemaInvalid(String),
    /// The CWT `exp` lies in the past.
    #[error("the certificate expired at {0}")]
    Expired(jiff::Timestamp),
    /// The CWT `iat` lies in the future.
    #[error("the certificate is not valid yet (issued at {0})")]
    NotYetValid(jiff::Timestamp),
    /// The DSC was not valid when the certificate was issued.
    #[error("the signing certificate (DSC) was not valid when the certificate was issued")]
    DscNotValid,
    /// The DSC's extended key usage does not allow this certificate type.
    #[error("the signing certificate (DSC) may not sign {0} certificates")]
    WrongUsage(&'static str),
}

impl DccError {
    pub fn code(&self) -> &'static str {
        match self {
            DccError::Malformed(_) => "DCC_MALFORMED",
            DccError::AlgorithmUnsupported(_) => "DCC_ALGORITHM_UNSUPPORTED",
            DccError::KeyUnknown(_) => "DCC_KEY_UNKNOWN",
            DccError::SignatureInvalid => "DCC_SIGNATURE_INVALID",
            DccError::SchemaInvalid(_) => "DCC_SCHEMA_INVALID",
            DccError::Expired(_) => "DCC_EXPIRED",
            DccError::NotYetValid(_) => "DCC_NOT_YET_VALID",
            DccError::DscNotValid => "DCC_DSC_NOT_VALID",
            DccError::WrongUsage(_) => "DCC_WRONG_USAGE",
        }
    }
}
