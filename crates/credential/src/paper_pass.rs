//! The paper pass: a signed, expiring, identity-only QR for people without a
//! smartphone. It carries no colour: whoever scans it looks up the holder's
//! current status (online, or in the cached status list).
//!
//! `HPASS2:` ‖ base64url(body ‖ ES256 signature (64) over `"HCP2"` ‖ body),
//! where body is version 2 ‖ key id (8) ‖ holder (16) ‖ print number (u32) ‖
//! valid from ‖ valid until (i64 Unix seconds each; all integers big-endian)
//! ‖ initials (length byte, UTF-8, at most 16 bytes) ‖ document suffix
//! (length byte, UTF-8, at most 16 bytes).
//!
//! The print number counts the holder's prints: reprinting revokes every
//! pass with a lower number. A server knows the current number; an offline
//! scanner knows it as of its cached status list (see [`check_print`]).
//! Passes are verified against every key of the ring, like venue posters, so
//! rotation does not void printed passes.
//!
//! The first format, `HPASS1:`, had neither expiry nor print number: one
//! could never be withdrawn, so it is refused as [`PaperPassError::Outdated`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use healthcode_domain::HolderId;
use jiff::Timestamp;

use crate::health_code::CLOCK_SKEW;
use crate::keys::{KeyError, KeyId, SigningKey};
use crate::trust_list::PreparedTrustList;

pub const PAPER_PASS_PREFIX: &str = "HPASS2:";
/// The retired first format: refused, never verified.
pub const OUTDATED_PAPER_PASS_PREFIX: &str = "HPASS1:";
const VERSION: u8 = 2;
const DOMAIN: &[u8] = b"HCP2";
/// Version, key id, holder, print number, valid from, valid until.
const FIXED_LEN: usize = 1 + 8 + 16 + 4 + 8 + 8;
const SIGNATURE_LEN: usize = 64;
/// Longest initials or document suffix, in bytes.
const MAX_FIELD: usize = 16;
const MAX_ENCODED: usize = (FIXED_LEN + 2 + 2 * MAX_FIELD + SIGNATURE_LEN).div_ceil(3) * 4;

/// What a pass says (signed as it is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperPassClaims {
    pub holder: HolderId,
    /// The holder's print number: 1 for the first pass, +1 for each reprint.
    pub print: u32,
    pub valid_from: Timestamp,
    pub valid_until: Timestamp,
    /// Name initials for the eye-check (at most 16 bytes of UTF-8).
    pub initials: String,
    /// The identity document's last characters (at most 16 bytes).
    pub document_last4: String,
}

/// A pass whose signature and validity window were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperPass {
    pub claims: PaperPassClaims,
    pub key_id: KeyId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaperPassError {
    #[error("this is not a paper pass of this deployment (damaged or altered)")]
    Malformed,
    #[error("this paper pass was not signed by this deployment")]
    Forged,
    #[error("this paper pass is of the first format, which never expires: the holder must print a new one")]
    Outdated,
    #[error("this paper pass is not valid yet")]
    NotYetValid,
    #[error("this paper pass has expired: the holder must print a new one")]
    Expired,
    #[error("this paper pass was replaced by a newer print")]
    Revoked,
    #[error("initials or document suffix longer than 16 bytes")]
    FieldTooLong,
}

impl PaperPassError {
    pub fn code(&self) -> &'static str {
        match self {
            PaperPassError::Malformed | PaperPassError::FieldTooLong => "PASS_INVALID",
            PaperPassError::Forged => "PASS_FORGED",
            PaperPassError::Outdated => "PASS_OUTDATED",
            PaperPassError::NotYetValid => "PASS_NOT_YET_VALID",
            PaperPassError::Expired => "PASS_EXPIRED",
            PaperPassError::Revoked => "PASS_REVOKED",
        }
    }
}

/// Why a pass could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignPassError {
    #[error(transparent)]
    Claims(#[from] PaperPassError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// Signs a paper pass.
pub fn sign_paper_pass(claims: &PaperPassClaims, key: &SigningKey) -> Result<String, SignPassError> {
    if claims.initials.len() > MAX_FIELD || claims.document_last4.len() > MAX_FIELD {
        return Err(PaperPassError::FieldTooLong.into());
    }
    let mut body = Vec::with_capacity(FIXED_LEN + 2 + 2 * MAX_FIELD + SIGNATURE_LEN);
    body.push(VERSION);
    body.extend_from_slice(key.key_id().as_bytes());
    body.extend_from_slice(claims.holder.as_bytes());
    body.extend_from_slice(&claims.print.to_be_bytes());
    body.extend_from_slice(&claims.valid_from.as_second().to_be_bytes());
    body.extend_from_slice(&claims.valid_until.as_second().to_be_bytes());
    for field in [&claims.initials, &claims.document_last4] {
        // Both are at most MAX_FIELD (16) bytes, checked above.
        body.push(field.len() as u8);
        body.extend_from_slice(field.as_bytes());
    }
    let signature = key.sign(&[DOMAIN, &body].concat())?;
    body.extend_from_slice(&signature);
    Ok(format!("{PAPER_PASS_PREFIX}{}", URL_SAFE_NO_PAD.encode(body)))
}

/// Whether the text is a paper pass of either format (the caller then
/// verifies it, which refuses the outdated one).
pub fn is_paper_pass(text: &str) -> bool {
    let text = text.trim_start();
    text.starts_with(PAPER_PASS_PREFIX) || text.starts_with(OUTDATED_PAPER_PASS_PREFIX)
}

/// Checks a paper pass's signature against this deployment's keys and its
/// validity window at `now`. Whether it is the holder's current print is
/// the caller's question ([`check_print`]).
pub fn verify_paper_pass(text: &str, keys: &PreparedTrustList, now: Timestamp) -> Result<PaperPass, PaperPassError> {
    let text = text.trim();
    if text.starts_with(OUTDATED_PAPER_PASS_PREFIX) {
        return Err(PaperPassError::Outdated);
    }
    let encoded = text.strip_prefix(PAPER_PASS_PREFIX).ok_or(PaperPassError::Malformed)?;
    if encoded.len() > MAX_ENCODED {
        return Err(PaperPassError::Malformed);
    }
    let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| PaperPassError::Malformed)?;
    if bytes.len() < FIXED_LEN + 2 + SIGNATURE_LEN || bytes[0] != VERSION {
        return Err(PaperPassError::Malformed);
    }
    let (body, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
    let key_id = KeyId::from_slice(&body[1..9]).ok_or(PaperPassError::Malformed)?;
    let key = keys.find(&key_id).ok_or(PaperPassError::Forged)?;
    if !key.verify_signature(&[DOMAIN, body].concat(), signature) {
        return Err(PaperPassError::Forged);
    }
    let claims = parse_body(body).ok_or(PaperPassError::Malformed)?;
    if claims.valid_from > now.checked_add(CLOCK_SKEW).unwrap_or(Timestamp::MAX) {
        return Err(PaperPassError::NotYetValid);
    }
    if claims.valid_until <= now {
        return Err(PaperPassError::Expired);
    }
    Ok(PaperPass { claims, key_id })
}

/// The signed body after its version and key id.
fn parse_body(body: &[u8]) -> Option<PaperPassClaims> {
    let holder = HolderId::from_slice(body.get(9..25)?)?;
    let print = u32::from_be_bytes(body.get(25..29)?.try_into().ok()?);
    let second = |range: std::ops::Range<usize>| -> Option<Timestamp> {
        Timestamp::from_second(i64::from_be_bytes(body.get(range)?.try_into().ok()?)).ok()
    };
    let valid_from = second(29..37)?;
    let valid_until = second(37..45)?;
    let mut rest = body.get(FIXED_LEN..)?;
    let mut field = || -> Option<String> {
        let (&len, tail) = rest.split_first()?;
        let len = usize::from(len);
        if len > MAX_FIELD {
            return None;
        }
        let text = std::str::from_utf8(tail.get(..len)?).ok()?.to_owned();
        rest = &tail[len..];
        Some(text)
    };
    let initials = field()?;
    let document_last4 = field()?;
    if !rest.is_empty() || print == 0 || valid_until <= valid_from {
        return None;
    }
    Some(PaperPassClaims { holder, print, valid_from, valid_until, initials, document_last4 })
}

/// Whether a pass with print number `print` is still the holder's pass,
/// given the `latest` print number known. A server knows the holder's
/// current number and calls this with it; an offline scanner knows it only
/// as of its cached status list, so a pass printed after that (a higher
/// number) is accepted there, and a reprint made since is not yet known.
pub fn check_print(print: u32, latest: u32) -> Result<(), PaperPassError> {
    if print < latest { Err(PaperPassError::Revoked) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TrustList;
    use crate::trust_list::TrustedKey;
    use jiff::SignedDuration;

    fn keys(list: &[&SigningKey]) -> PreparedTrustList {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let keys = list.iter().map(|k| TrustedKey::es256(k, now, None)).collect();
        TrustList { issuer: "CN-ZJ-HZ".into(), generated_at: now, keys }.prepare().unwrap()
    }

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    fn claims() -> PaperPassClaims {
        PaperPassClaims {
            holder: HolderId::from_bytes([3; 16]),
            print: 2,
            valid_from: at(1_800_000_000),
            valid_until: at(1_800_000_000 + 30 * 86_400),
            initials: "WX".into(),
            document_last4: "5678".into(),
        }
    }

    #[test]
    fn round_trip_and_every_alteration_is_rejected() {
        let key = SigningKey::generate().unwrap();
        let text = sign_paper_pass(&claims(), &key).unwrap();
        assert!(is_paper_pass(&text));
        let now = at(1_800_000_100);
        let pass = verify_paper_pass(&text, &keys(&[&key]), now).unwrap();
        assert_eq!(pass.claims, claims());
        for i in PAPER_PASS_PREFIX.len()..text.len() {
            let mut chars: Vec<char> = text.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let altered: String = chars.into_iter().collect();
            assert!(verify_paper_pass(&altered, &keys(&[&key]), now).is_err(), "character {i}");
        }
        let other = SigningKey::generate().unwrap();
        assert_eq!(verify_paper_pass(&text, &keys(&[&other]), now), Err(PaperPassError::Forged));
        assert_eq!(verify_paper_pass("HPASS2:x", &keys(&[&key]), now), Err(PaperPassError::Malformed));
    }

    #[test]
    fn the_window_is_enforced_with_the_clock_skew_at_its_start() {
        let key = SigningKey::generate().unwrap();
        let text = sign_paper_pass(&claims(), &key).unwrap();
        let trust = keys(&[&key]);
        let from = claims().valid_from;
        let until = claims().valid_until;
        assert!(verify_paper_pass(&text, &trust, from - CLOCK_SKEW).is_ok());
        let early = from - CLOCK_SKEW - SignedDuration::from_secs(1);
        assert_eq!(verify_paper_pass(&text, &trust, early), Err(PaperPassError::NotYetValid));
        assert!(verify_paper_pass(&text, &trust, until - SignedDuration::from_secs(1)).is_ok());
        assert_eq!(verify_paper_pass(&text, &trust, until), Err(PaperPassError::Expired));
    }

    #[test]
    fn the_first_format_is_refused_as_outdated() {
        let key = SigningKey::generate().unwrap();
        let old = "HPASS1:AQAAAAAAAAAAAwMDAwMDAwMDAwMDAwMDAwAAAABrSd0A";
        assert!(is_paper_pass(old));
        assert_eq!(verify_paper_pass(old, &keys(&[&key]), at(1_800_000_000)), Err(PaperPassError::Outdated));
        assert_eq!(PaperPassError::Outdated.code(), "PASS_OUTDATED");
    }

    #[test]
    fn a_lower_print_number_is_revoked() {
        assert_eq!(check_print(1, 2), Err(PaperPassError::Revoked));
        assert_eq!(check_print(2, 2), Ok(()));
        // Printed after the offline scanner's list: not known to be revoked.
        assert_eq!(check_print(3, 2), Ok(()));
    }

    #[test]
    fn long_fields_are_refused_when_signing() {
        let key = SigningKey::generate().unwrap();
        let long = PaperPassClaims { initials: "X".repeat(17), ..claims() };
        assert!(matches!(sign_paper_pass(&long, &key), Err(SignPassError::Claims(PaperPassError::FieldTooLong))));
        let chinese = PaperPassClaims { initials: "王小明".into(), ..claims() };
        let text = sign_paper_pass(&chinese, &key).unwrap();
        assert_eq!(verify_paper_pass(&text, &keys(&[&key]), at(1_800_000_100)).unwrap().claims.initials, "王小明");
    }
}
