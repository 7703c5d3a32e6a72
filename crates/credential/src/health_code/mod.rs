//! The health code: [`HealthCodeClaims`] signed into the EU Digital COVID
//! Certificate container.
//!
//! `HCODE1:` + base45(zlib(COSE_Sign1 tag 18 { protected: {alg: ES256 (-7),
//! kid (4)}, payload: CWT {1: iss, 4: exp, 6: iat, -260: {1: claims}} })).
//! [`issue`] builds one; [`verify`] checks one offline against a
//! [`PreparedTrustList`], in this order: prefix, base45, zlib (capped), CBOR,
//! COSE, key id, signature, claims, issuer, key validity, iat, exp.

pub(crate) mod cbor;
pub(crate) mod claims;
mod encoding;
pub(crate) mod envelope;
mod error;

use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable as _, iana};
use jiff::{SignedDuration, Timestamp};

pub use claims::{CLAIMS_VERSION, HealthCodeClaims, MAX_HINT_CHARS, MAX_LABEL_BYTES};
pub use encoding::MAX_INFLATED;
pub(crate) use encoding::base45_decode;
pub use error::{IssueError, VerifyError};

use crate::keys::{KeyId, SigningKey};
use crate::trust_list::PreparedTrustList;

/// Text prefix of our format, version 1.
pub const HEALTH_CODE_PREFIX: &str = "HCODE1:";

/// How far a code's `iat` (or a key's `not_before`) may lie in the future,
/// to tolerate clocks that disagree.
pub const CLOCK_SKEW: SignedDuration = SignedDuration::from_secs(60);

/// A code that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCode {
    pub claims: HealthCodeClaims,
    pub key_id: KeyId,
}

/// Signs `claims` with `key` and returns the QR text. Sub-second parts of the
/// times are dropped.
pub fn issue(claims: &HealthCodeClaims, key: &SigningKey) -> Result<String, IssueError> {
    let payload = claims::encode(claims)?;
    let protected =
        HeaderBuilder::new().algorithm(iana::Algorithm::ES256).key_id(key.key_id().as_bytes().to_vec()).build();
    let cose = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .try_create_signature(b"", |tbs| key.sign(tbs))?
        .build()
        .to_tagged_vec()
        .map_err(|e| IssueError::Cose(e.to_string()))?;
    encoding::pack(&cose)
}

/// Verifies a code offline against `trust` at `now`.
pub fn verify(text: &str, trust: &PreparedTrustList, now: Timestamp) -> Result<VerifiedCode, VerifyError> {
    let cose = encoding::unpack(text)?;
    let sign1 = envelope::parse(&cose)?;
    let key = KeyId::from_slice(sign1.kid)
        .and_then(|kid| trust.find(&kid))
        .ok_or_else(|| VerifyError::key_unknown(sign1.kid))?;
    let tbs = envelope::sig_structure(sign1.protected, sign1.payload);
    if !key.verify_signature(&tbs, sign1.signature) {
        return Err(VerifyError::SignatureInvalid);
    }
    let claims = claims::decode(sign1.payload)?;
    if claims.issuer != trust.issuer() {
        return Err(VerifyError::IssuerUnknown(claims.issuer));
    }
    if !key.is_valid_at(now, CLOCK_SKEW) {
        return Err(VerifyError::KeyNotValid);
    }
    if claims.issued_at > now.checked_add(CLOCK_SKEW).unwrap_or(Timestamp::MAX) {
        return Err(VerifyError::NotYetValid);
    }
    if claims.expires_at <= now {
        return Err(VerifyError::Expired);
    }
    Ok(VerifiedCode { claims, key_id: key.kid })
}

/// Decodes a code without checking its signature, issuer or times: for
/// diagnostics only, never to admit anyone.
pub fn decode_unverified(text: &str) -> Result<(HealthCodeClaims, KeyId), VerifyError> {
    let cose = encoding::unpack(text)?;
    let sign1 = envelope::parse(&cose)?;
    let kid = KeyId::from_slice(sign1.kid).ok_or_else(|| VerifyError::key_unknown(sign1.kid))?;
    Ok((claims::decode(sign1.payload)?, kid))
}
