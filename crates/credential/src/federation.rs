//! Federation: a region's signed trust list, as peers fetch it.
//!
//! A [`RegionList`] names the region, a sequence number that only grows, when
//! it was issued and when it expires, the region's code signing keys (the
//! same [`TrustedKey`]s as the plain trust list) and optionally its status
//! list (holders not green now). It travels as a [`SignedRegionList`]: the
//! list's JSON bytes in base64 plus an ES256 signature by the region's root
//! key over `"HCFED1\0" ‖ bytes`. A peer pins the root key's public point
//! ([`PinnedRootKey`]) and accepts a list only through [`open_region_list`]
//! (signature, region, every key well formed) and [`check_sequence`] (no
//! rollback). Whether a kept list may still be used is [`RegionList::is_stale`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use healthcode_domain::{Colour, HolderId};
use jiff::Timestamp;
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use crate::keys::{KeyError, KeyId, SigningKey, spki_from_point};
use crate::trust_list::{PreparedTrustList, TrustList, TrustListError, TrustedKey};

/// Domain separation: a federation signature never verifies anything else.
const CONTEXT: &[u8] = b"HCFED1\0";

/// The format version of [`RegionList`].
pub const REGION_LIST_VERSION: u32 = 1;

/// The most bytes of list JSON a peer reads (a status list of ~100,000 holders).
pub const MAX_REGION_LIST_BYTES: usize = 8 * 1024 * 1024;

/// What a region publishes to its peers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionList {
    pub version: u32,
    /// The region id, equal to the `iss` of the codes it signs.
    pub region: String,
    /// Grows with every new list (the issuing instant in milliseconds); a
    /// peer never goes back to a lower one.
    pub sequence: u64,
    pub issued_at: Timestamp,
    /// After this instant peers must not use the list (`PEER_LIST_STALE`).
    pub expires_at: Timestamp,
    pub keys: Vec<TrustedKey>,
    /// Holders whose code is not green now, when the region shares them.
    #[serde(default)]
    pub status: Option<Vec<StatusEntry>>,
}

/// One holder of a status list: pseudonymous id (32 hex) and colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    pub h: String,
    pub c: String,
}

/// A [`RegionList`] as sent: its exact JSON bytes and the root key's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedRegionList {
    /// Standard base64 of the list's JSON.
    pub payload: String,
    /// The root key's [`KeyId`] (informative: the pinned key decides).
    pub kid: String,
    /// Standard base64 of the raw `r ‖ s` ES256 signature.
    pub signature: String,
}

/// The public root key a deployment pins for a peer: the 65-byte uncompressed
/// P-256 point, given in the configuration as standard base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedRootKey {
    point: Vec<u8>,
}

/// A signed list was refused. [`code`](FederationError::code) is stable.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    #[error("the document is not a signed region list: {0}")]
    Malformed(String),
    #[error("the signature does not verify with the pinned root key")]
    SignatureInvalid,
    #[error("the list is for region {found:?}, expected {expected:?}")]
    RegionMismatch { expected: String, found: String },
    #[error("unsupported region list version {0}")]
    Version(u32),
    #[error("the list's keys are unusable: {0}")]
    Keys(#[from] TrustListError),
    #[error("sequence {offered} is older than the kept list's {kept}: rollback refused")]
    Rollback { kept: u64, offered: u64 },
    #[error("the list expired at {0}")]
    Expired(Timestamp),
    #[error("signing failed: {0}")]
    Sign(#[from] KeyError),
}

impl FederationError {
    pub fn code(&self) -> &'static str {
        match self {
            FederationError::Malformed(_) => "PEER_LIST_MALFORMED",
            FederationError::SignatureInvalid => "PEER_LIST_SIGNATURE_INVALID",
            FederationError::RegionMismatch { .. } => "PEER_LIST_REGION_MISMATCH",
            FederationError::Version(_) => "PEER_LIST_VERSION",
            FederationError::Keys(_) => "PEER_LIST_KEYS_INVALID",
            FederationError::Rollback { .. } => "PEER_LIST_ROLLBACK",
            FederationError::Expired(_) => "PEER_LIST_STALE",
            FederationError::Sign(_) => "PEER_LIST_SIGN_FAILED",
        }
    }
}

impl PinnedRootKey {
    /// Parses the standard base64 of a 65-byte uncompressed P-256 point.
    pub fn parse(text: &str) -> Result<PinnedRootKey, FederationError> {
        let point =
            STANDARD.decode(text.trim()).map_err(|_| FederationError::Malformed("root key is not base64".into()))?;
        if point.len() != 65 || point.first() != Some(&0x04) {
            return Err(FederationError::Malformed("root key is not a 65-byte uncompressed P-256 point".into()));
        }
        Ok(PinnedRootKey { point })
    }

    /// The pin for a root key this deployment holds.
    pub fn of(key: &SigningKey) -> PinnedRootKey {
        PinnedRootKey { point: key.public_key_uncompressed() }
    }

    /// The text a peer puts in its configuration.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.point)
    }

    pub fn key_id(&self) -> KeyId {
        KeyId::from_spki(&spki_from_point(&self.point))
    }
}

impl RegionList {
    /// Signs the list with the region's root key.
    pub fn sign(&self, root: &SigningKey) -> Result<SignedRegionList, FederationError> {
        let bytes = serde_json::to_vec(self).map_err(|e| FederationError::Malformed(e.to_string()))?;
        let signature = root.sign(&signed_bytes(&bytes))?;
        Ok(SignedRegionList {
            payload: STANDARD.encode(&bytes),
            kid: root.key_id().to_string(),
            signature: STANDARD.encode(signature),
        })
    }

    /// The code signing keys as a plain trust list whose issuer is the region.
    pub fn trust_list(&self) -> TrustList {
        TrustList { issuer: self.region.clone(), generated_at: self.issued_at, keys: self.keys.clone() }
    }

    /// Whether the list is past its expiry at `now` and must not be used.
    pub fn is_stale(&self, now: Timestamp) -> bool {
        self.expires_at <= now
    }

    /// The status list's holders that parse, with their colour.
    pub fn statuses(&self) -> Vec<(HolderId, Colour)> {
        self.status.iter().flatten().filter_map(|e| Some((e.h.parse().ok()?, e.c.parse().ok()?))).collect()
    }
}

fn signed_bytes(payload: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(CONTEXT.len() + payload.len());
    message.extend_from_slice(CONTEXT);
    message.extend_from_slice(payload);
    message
}

/// Checks a signed list against the pinned root key and the expected region,
/// and that every key in it is usable. Does not look at times or sequence.
pub fn open_region_list(
    signed: &SignedRegionList,
    root: &PinnedRootKey,
    region: &str,
) -> Result<(RegionList, PreparedTrustList), FederationError> {
    let payload = STANDARD
        .decode(signed.payload.trim())
        .map_err(|_| FederationError::Malformed("payload is not base64".into()))?;
    if payload.len() > MAX_REGION_LIST_BYTES {
        return Err(FederationError::Malformed("payload is too large".into()));
    }
    let signature = STANDARD
        .decode(signed.signature.trim())
        .map_err(|_| FederationError::Malformed("signature is not base64".into()))?;
    let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &root.point);
    public.verify(&signed_bytes(&payload), &signature).map_err(|_| FederationError::SignatureInvalid)?;
    let list: RegionList =
        serde_json::from_slice(&payload).map_err(|e| FederationError::Malformed(format!("payload: {e}")))?;
    if list.version != REGION_LIST_VERSION {
        return Err(FederationError::Version(list.version));
    }
    if list.region != region {
        return Err(FederationError::RegionMismatch { expected: region.to_owned(), found: list.region });
    }
    let prepared = list.trust_list().prepare()?;
    Ok((list, prepared))
}

/// Parses a signed list from its JSON text, then [`open_region_list`].
pub fn open_region_list_json(
    text: &str,
    root: &PinnedRootKey,
    region: &str,
) -> Result<(RegionList, PreparedTrustList), FederationError> {
    let signed: SignedRegionList =
        serde_json::from_str(text).map_err(|e| FederationError::Malformed(format!("document: {e}")))?;
    open_region_list(&signed, root, region)
}

/// What a fetched list's sequence means against the kept one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Newer (or nothing kept): take it.
    Newer,
    /// The same sequence: nothing changed.
    Same,
}

/// Refuses a list older than the one kept: an attacker replaying an old,
/// validly signed list (say, one still holding a compromised key) gets nowhere.
pub fn check_sequence(kept: Option<u64>, offered: u64) -> Result<Freshness, FederationError> {
    match kept {
        Some(kept) if offered < kept => Err(FederationError::Rollback { kept, offered }),
        Some(kept) if offered == kept => Ok(Freshness::Same),
        _ => Ok(Freshness::Newer),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(region: &str, sequence: u64, key: &SigningKey) -> RegionList {
        let at = Timestamp::from_second(1_795_000_000).unwrap();
        RegionList {
            version: REGION_LIST_VERSION,
            region: region.into(),
            sequence,
            issued_at: at,
            expires_at: at.checked_add(jiff::SignedDuration::from_hours(24)).unwrap(),
            keys: vec![TrustedKey::es256(key, at, None)],
            status: Some(vec![StatusEntry { h: "11".repeat(16), c: "red".into() }]),
        }
    }

    #[test]
    fn a_signed_list_opens_only_with_its_root_key_and_region() {
        let (root, other, code_key) =
            (SigningKey::generate().unwrap(), SigningKey::generate().unwrap(), SigningKey::generate().unwrap());
        let original = list("XB-BBB", 7, &code_key);
        let signed = original.sign(&root).unwrap();
        let pin = PinnedRootKey::parse(&PinnedRootKey::of(&root).to_base64()).unwrap();
        let (opened, prepared) = open_region_list(&signed, &pin, "XB-BBB").unwrap();
        assert_eq!(opened, original);
        assert_eq!(prepared.issuer(), "XB-BBB");
        assert!(prepared.find(&code_key.key_id()).is_some());
        assert_eq!(opened.statuses().len(), 1);

        let wrong_pin = PinnedRootKey::of(&other);
        assert_eq!(open_region_list(&signed, &wrong_pin, "XB-BBB").unwrap_err().code(), "PEER_LIST_SIGNATURE_INVALID");
        assert_eq!(open_region_list(&signed, &pin, "XA-AAA").unwrap_err().code(), "PEER_LIST_REGION_MISMATCH");

        // Any change to the payload breaks the signature.
        let mut bytes = STANDARD.decode(&signed.payload).unwrap();
        for i in [0, bytes.len() / 2, bytes.len() - 1] {
            bytes[i] ^= 1;
            let tampered = SignedRegionList { payload: STANDARD.encode(&bytes), ..signed.clone() };
            assert_eq!(open_region_list(&tampered, &pin, "XB-BBB").unwrap_err().code(), "PEER_LIST_SIGNATURE_INVALID");
            bytes[i] ^= 1;
        }
        // A list signed by another root key with the right region is still refused.
        let forged = original.sign(&other).unwrap();
        assert!(open_region_list(&forged, &pin, "XB-BBB").is_err());
        assert!(open_region_list_json("{}", &pin, "XB-BBB").is_err());
        assert!(PinnedRootKey::parse("AAAA").is_err());
    }

    #[test]
    fn sequences_never_go_back_and_lists_go_stale() {
        assert_eq!(check_sequence(None, 1).unwrap(), Freshness::Newer);
        assert_eq!(check_sequence(Some(5), 6).unwrap(), Freshness::Newer);
        assert_eq!(check_sequence(Some(5), 5).unwrap(), Freshness::Same);
        assert_eq!(check_sequence(Some(5), 4).unwrap_err().code(), "PEER_LIST_ROLLBACK");
        let key = SigningKey::generate().unwrap();
        let l = list("XB-BBB", 1, &key);
        assert!(!l.is_stale(l.issued_at));
        assert!(l.is_stale(l.expires_at));
    }
}
