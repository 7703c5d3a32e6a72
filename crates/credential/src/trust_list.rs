//! [`TrustList`]: the published list of public keys that verify our codes,
//! and [`PreparedTrustList`], the same list decoded once for fast verification.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use crate::keys::{KeyId, SigningKey, spki_from_point};

/// The only algorithm our codes use: ECDSA P-256 with SHA-256 (COSE -7).
pub const ES256: &str = "ES256";

/// A trust list as published at `GET /api/v1/trust-list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// Region id that issues the codes (the CWT `iss` claim).
    pub issuer: String,
    pub generated_at: Timestamp,
    pub keys: Vec<TrustedKey>,
}

/// One public key of a [`TrustList`]. Binary fields are standard base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// [`KeyId`] in base64 (8 bytes).
    pub kid: String,
    /// Always `"ES256"`.
    pub alg: String,
    /// The 65-byte uncompressed P-256 point (WebCrypto `importKey('raw')`).
    pub public_key: String,
    /// SubjectPublicKeyInfo DER.
    pub spki: String,
    /// Codes are accepted from this instant on (the key's creation).
    pub not_before: Timestamp,
    /// Codes are refused from this instant on; `None` while the key is active.
    pub not_after: Option<Timestamp>,
}

/// A trust list could not be read or used.
#[derive(Debug, thiserror::Error)]
pub enum TrustListError {
    #[error("trust list is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("trust list key {kid:?}: {reason}")]
    Key { kid: String, reason: &'static str },
}

impl TrustedKey {
    /// The entry for an ES256 signing key.
    pub fn es256(key: &SigningKey, not_before: Timestamp, not_after: Option<Timestamp>) -> TrustedKey {
        TrustedKey {
            kid: key.key_id().to_string(),
            alg: ES256.to_owned(),
            public_key: STANDARD.encode(key.public_key_uncompressed()),
            spki: STANDARD.encode(key.spki_der()),
            not_before,
            not_after,
        }
    }
}

impl TrustList {
    pub fn from_json(text: &str) -> Result<TrustList, TrustListError> {
        Ok(serde_json::from_str(text)?)
    }

    pub fn to_json_pretty(&self) -> String {
        // Serializing these plain structs (strings and timestamps) cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The entry for `kid`, if listed.
    pub fn find(&self, kid: &KeyId) -> Option<&TrustedKey> {
        let wanted = kid.to_string();
        self.keys.iter().find(|k| k.kid.trim() == wanted)
    }

    /// Decodes every key once, checking that each is a well-formed ES256 key
    /// whose `spki` (when given) matches its `public_key`.
    pub fn prepare(&self) -> Result<PreparedTrustList, TrustListError> {
        let keys = self.keys.iter().map(PreparedKey::new).collect::<Result<_, _>>()?;
        Ok(PreparedTrustList { issuer: self.issuer.clone(), keys })
    }
}

/// A [`TrustList`] with kids and public keys decoded, ready for
/// [`verify`](crate::verify).
#[derive(Debug)]
pub struct PreparedTrustList {
    issuer: String,
    keys: Vec<PreparedKey>,
}

/// One decoded key of a [`PreparedTrustList`].
#[derive(Debug)]
pub struct PreparedKey {
    pub kid: KeyId,
    pub not_before: Timestamp,
    pub not_after: Option<Timestamp>,
    public_key: UnparsedPublicKey<Vec<u8>>,
}

impl PreparedKey {
    fn new(key: &TrustedKey) -> Result<PreparedKey, TrustListError> {
        let fail = |reason| TrustListError::Key { kid: key.kid.clone(), reason };
        if key.alg != ES256 {
            return Err(fail("unsupported alg (only ES256)"));
        }
        let kid: KeyId = key.kid.parse().map_err(|_| fail("kid is not 8 bytes of base64"))?;
        let point = STANDARD.decode(key.public_key.trim()).map_err(|_| fail("public_key is not base64"))?;
        if point.len() != 65 || point.first() != Some(&0x04) {
            return Err(fail("public_key is not a 65-byte uncompressed P-256 point"));
        }
        if !key.spki.trim().is_empty() {
            let spki = STANDARD.decode(key.spki.trim()).map_err(|_| fail("spki is not base64"))?;
            if spki != spki_from_point(&point) {
                return Err(fail("spki does not match public_key"));
            }
        }
        Ok(PreparedKey {
            kid,
            not_before: key.not_before,
            not_after: key.not_after,
            public_key: UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point),
        })
    }

    /// Verifies a raw `r ‖ s` ES256 signature over `message`.
    pub fn verify_signature(&self, message: &[u8], signature: &[u8]) -> bool {
        self.public_key.verify(message, signature).is_ok()
    }

    /// Whether the key may vouch for codes at `now`, allowing `skew` of clock
    /// difference before `not_before`.
    pub fn is_valid_at(&self, now: Timestamp, skew: jiff::SignedDuration) -> bool {
        let started = self.not_before <= now.checked_add(skew).unwrap_or(Timestamp::MAX);
        let ended = self.not_after.is_some_and(|end| end <= now);
        started && !ended
    }
}

impl PreparedTrustList {
    pub fn from_json(text: &str) -> Result<PreparedTrustList, TrustListError> {
        TrustList::from_json(text)?.prepare()
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn keys(&self) -> &[PreparedKey] {
        &self.keys
    }

    pub fn find(&self, kid: &KeyId) -> Option<&PreparedKey> {
        self.keys.iter().find(|k| k.kid == *kid)
    }
}

impl TryFrom<&TrustList> for PreparedTrustList {
    type Error = TrustListError;

    fn try_from(list: &TrustList) -> Result<Self, Self::Error> {
        list.prepare()
    }
}
