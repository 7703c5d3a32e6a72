//! The paper pass: a long-lived, identity-only signed QR for people without
//! a smartphone. It carries no colour: whoever scans it looks up the
//! holder's current status (online, or in the cached status list).
//!
//! `HPASS1:` ‖ base64url(version 1 ‖ key id (8) ‖ holder (16) ‖ issued at
//! (i64 Unix seconds, big-endian) ‖ ES256 signature (64) over `"HCP1"` ‖ the
//! 33 bytes before it). Verified against every key of the ring, like venue
//! posters, so rotation does not void printed passes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use healthcode_domain::HolderId;
use jiff::Timestamp;

use crate::keys::{KeyError, KeyId, SigningKey};
use crate::trust_list::PreparedTrustList;

pub const PAPER_PASS_PREFIX: &str = "HPASS1:";
const VERSION: u8 = 1;
const DOMAIN: &[u8] = b"HCP1";
const BODY_LEN: usize = 1 + 8 + 16 + 8;
const PASS_LEN: usize = BODY_LEN + 64;

/// What a verified pass says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperPass {
    pub holder: HolderId,
    pub issued_at: Timestamp,
    pub key_id: KeyId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaperPassError {
    #[error("this is not a paper pass of this deployment (damaged or altered)")]
    Malformed,
    #[error("this paper pass was not signed by this deployment")]
    Forged,
}

impl PaperPassError {
    pub fn code(&self) -> &'static str {
        match self {
            PaperPassError::Malformed => "PASS_INVALID",
            PaperPassError::Forged => "PASS_FORGED",
        }
    }
}

/// Signs a paper pass for a holder.
pub fn sign_paper_pass(holder: HolderId, issued_at: Timestamp, key: &SigningKey) -> Result<String, KeyError> {
    let mut body = Vec::with_capacity(PASS_LEN);
    body.push(VERSION);
    body.extend_from_slice(key.key_id().as_bytes());
    body.extend_from_slice(holder.as_bytes());
    body.extend_from_slice(&issued_at.as_second().to_be_bytes());
    let signature = key.sign(&[DOMAIN, &body].concat())?;
    body.extend_from_slice(&signature);
    Ok(format!("{PAPER_PASS_PREFIX}{}", URL_SAFE_NO_PAD.encode(body)))
}

pub fn is_paper_pass(text: &str) -> bool {
    text.trim_start().starts_with(PAPER_PASS_PREFIX)
}

/// Checks a paper pass against this deployment's keys.
pub fn verify_paper_pass(text: &str, keys: &PreparedTrustList) -> Result<PaperPass, PaperPassError> {
    let encoded = text.trim().strip_prefix(PAPER_PASS_PREFIX).ok_or(PaperPassError::Malformed)?;
    if encoded.len() > 200 {
        return Err(PaperPassError::Malformed);
    }
    let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| PaperPassError::Malformed)?;
    if bytes.len() != PASS_LEN || bytes[0] != VERSION {
        return Err(PaperPassError::Malformed);
    }
    let (body, signature) = bytes.split_at(BODY_LEN);
    let key_id = KeyId::from_slice(&body[1..9]).ok_or(PaperPassError::Malformed)?;
    let key = keys.find(&key_id).ok_or(PaperPassError::Forged)?;
    if !key.verify_signature(&[DOMAIN, body].concat(), signature) {
        return Err(PaperPassError::Forged);
    }
    let holder = HolderId::from_slice(&body[9..25]).ok_or(PaperPassError::Malformed)?;
    let seconds = i64::from_be_bytes(<[u8; 8]>::try_from(&body[25..33]).map_err(|_| PaperPassError::Malformed)?);
    let issued_at = Timestamp::from_second(seconds).map_err(|_| PaperPassError::Malformed)?;
    Ok(PaperPass { holder, issued_at, key_id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TrustList;
    use crate::trust_list::TrustedKey;

    fn keys(list: &[&SigningKey]) -> PreparedTrustList {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let keys = list.iter().map(|k| TrustedKey::es256(k, now, None)).collect();
        TrustList { issuer: "CN-ZJ-HZ".into(), generated_at: now, keys }.prepare().unwrap()
    }

    #[test]
    fn round_trip_and_every_alteration_is_rejected() {
        let key = SigningKey::generate().unwrap();
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let text = sign_paper_pass(HolderId::from_bytes([3; 16]), at, &key).unwrap();
        assert!(is_paper_pass(&text));
        let pass = verify_paper_pass(&text, &keys(&[&key])).unwrap();
        assert_eq!((pass.holder, pass.issued_at), (HolderId::from_bytes([3; 16]), at));
        for i in PAPER_PASS_PREFIX.len()..text.len() {
            let mut chars: Vec<char> = text.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let altered: String = chars.into_iter().collect();
            assert!(verify_paper_pass(&altered, &keys(&[&key])).is_err(), "character {i}");
        }
        let other = SigningKey::generate().unwrap();
        assert_eq!(verify_paper_pass(&text, &keys(&[&other])), Err(PaperPassError::Forged));
        assert_eq!(verify_paper_pass("HPASS1:x", &keys(&[&key])), Err(PaperPassError::Malformed));
    }
}
