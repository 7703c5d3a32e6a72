//! [`HealthCodeClaims`] and their CBOR form: a CWT claims set whose hcert
//! claim (-260) holds `{1: {"v": 1, "h": holder, "c": colour, "n": initials,
//! "d": document last 4, "p": policy version}}`.

use ciborium::Value;
use coset::cwt::{ClaimsSetBuilder, Timestamp as CwtTimestamp};
use coset::{CborSerializable as _, iana};
use healthcode_domain::{Colour, HolderId};
use jiff::Timestamp;

use super::cbor::{self, MAJOR_TEXT, Reader};
use super::envelope::int_key;
use super::{IssueError, VerifyError};

/// Schema version of our claims map (`"v"`).
pub const CLAIMS_VERSION: i128 = 1;
/// Longest initials and document suffix, in characters.
pub const MAX_HINT_CHARS: usize = 4;
/// Longest issuer and policy version, in bytes.
pub const MAX_LABEL_BYTES: usize = 64;

const CWT_ISS: i128 = 1;
const CWT_EXP: i128 = 4;
const CWT_IAT: i128 = 6;
const CWT_HCERT: i128 = -260;

/// What a health code says. Times are whole seconds: [`issue`](crate::issue)
/// drops fractions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCodeClaims {
    /// Region id of the issuer, e.g. `"CN-ZJ-HZ"` (CWT `iss`).
    pub issuer: String,
    /// Pseudonymous holder id.
    pub holder: HolderId,
    pub colour: Colour,
    /// CWT `iat`.
    pub issued_at: Timestamp,
    /// CWT `exp`.
    pub expires_at: Timestamp,
    /// Name initials for the eye-check, at most 4 characters.
    pub initials: String,
    /// Last characters (at most 4) of the ID document, for the eye-check.
    pub document_last4: String,
    /// Version of the colour policy that set the colour.
    pub policy_version: String,
}

impl HealthCodeClaims {
    /// Checks the limits the format imposes.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.issuer.is_empty() || self.issuer.len() > MAX_LABEL_BYTES {
            return Err("issuer must be 1 to 64 bytes");
        }
        if self.policy_version.len() > MAX_LABEL_BYTES {
            return Err("policy version must be at most 64 bytes");
        }
        if self.initials.chars().count() > MAX_HINT_CHARS {
            return Err("initials must be at most 4 characters");
        }
        if self.document_last4.chars().count() > MAX_HINT_CHARS {
            return Err("document suffix must be at most 4 characters");
        }
        if self.expires_at.as_second() <= self.issued_at.as_second() {
            return Err("the code must expire after it is issued");
        }
        Ok(())
    }
}

/// Encodes the claims as a CWT claims set (CBOR).
pub(crate) fn encode(claims: &HealthCodeClaims) -> Result<Vec<u8>, IssueError> {
    claims.validate().map_err(IssueError::ClaimsInvalid)?;
    let text = |s: &str| Value::Text(s.to_owned());
    let ours = Value::Map(vec![
        (text("v"), Value::Integer(1.into())),
        (text("h"), Value::Bytes(claims.holder.as_bytes().to_vec())),
        (text("c"), Value::Text(claims.colour.letter().to_string())),
        (text("n"), text(&claims.initials)),
        (text("d"), text(&claims.document_last4)),
        (text("p"), text(&claims.policy_version)),
    ]);
    let hcert = Value::Map(vec![(Value::Integer(1.into()), ours)]);
    ClaimsSetBuilder::new()
        .issuer(claims.issuer.clone())
        .expiration_time(CwtTimestamp::WholeSeconds(claims.expires_at.as_second()))
        .issued_at(CwtTimestamp::WholeSeconds(claims.issued_at.as_second()))
        .claim(iana::CwtClaimName::Hcert, hcert)
        .build()
        .to_vec()
        .map_err(|e| IssueError::Cose(e.to_string()))
}

fn bad(reason: &'static str) -> VerifyError {
    VerifyError::ClaimsInvalid(reason)
}

/// Sets `slot` once; a repeated key is an error.
fn set_once<T>(slot: &mut Option<T>, value: Option<T>, what: &'static str) -> Result<(), VerifyError> {
    if slot.is_some() {
        return Err(bad("a claim appears twice"));
    }
    *slot = Some(value.ok_or(bad(what))?);
    Ok(())
}

fn timestamp(r: &mut Reader<'_>) -> Option<Timestamp> {
    Timestamp::from_second(i64::try_from(r.int()?).ok()?).ok()
}

fn owned_text(r: &mut Reader<'_>) -> Option<String> {
    r.text().map(str::to_owned)
}

/// Our claims map, as read from the hcert claim.
#[derive(Default)]
struct Ours {
    version: Option<i128>,
    holder: Option<HolderId>,
    colour: Option<Colour>,
    initials: Option<String>,
    document_last4: Option<String>,
    policy_version: Option<String>,
}

/// Decodes and validates a CWT claims set produced by [`encode`].
pub(crate) fn decode(payload: &[u8]) -> Result<HealthCodeClaims, VerifyError> {
    if !cbor::is_well_formed(payload) {
        return Err(bad("payload is not CBOR"));
    }
    let mut r = Reader::new(payload);
    let pairs = r.map().ok_or(bad("payload is not a CBOR map"))?;
    let (mut iss, mut exp, mut iat, mut ours) = (None, None, None, None);
    for _ in 0..pairs {
        match int_key(&mut r).ok_or(bad("malformed claim key"))? {
            Some(CWT_ISS) => set_once(&mut iss, owned_text(&mut r), "iss must be text")?,
            Some(CWT_EXP) => set_once(&mut exp, timestamp(&mut r), "exp must be a time in seconds")?,
            Some(CWT_IAT) => set_once(&mut iat, timestamp(&mut r), "iat must be a time in seconds")?,
            Some(CWT_HCERT) => set_once(&mut ours, Some(hcert(&mut r)?), "")?,
            _ => r.skip().ok_or(bad("malformed claim"))?,
        }
    }
    let ours = ours.ok_or(bad("hcert claim (-260) is missing"))?;
    if ours.version != Some(CLAIMS_VERSION) {
        return Err(bad("unsupported claims version"));
    }
    let claims = HealthCodeClaims {
        issuer: iss.ok_or(bad("iss is missing"))?,
        holder: ours.holder.ok_or(bad("h is missing"))?,
        colour: ours.colour.ok_or(bad("c is missing"))?,
        issued_at: iat.ok_or(bad("iat is missing"))?,
        expires_at: exp.ok_or(bad("exp is missing"))?,
        initials: ours.initials.ok_or(bad("n is missing"))?,
        document_last4: ours.document_last4.ok_or(bad("d is missing"))?,
        policy_version: ours.policy_version.ok_or(bad("p is missing"))?,
    };
    claims.validate().map_err(bad)?;
    Ok(claims)
}

/// Reads the hcert claim `{1: {our claims}}`.
fn hcert(r: &mut Reader<'_>) -> Result<Ours, VerifyError> {
    let shape = bad("hcert must be {1: map}");
    let pairs = r.map().ok_or(shape.clone())?;
    let mut ours = None;
    for _ in 0..pairs {
        match int_key(r).ok_or(shape.clone())? {
            Some(1) => set_once(&mut ours, Some(our_claims(r)?), "")?,
            _ => r.skip().ok_or(shape.clone())?,
        }
    }
    ours.ok_or(shape)
}

fn our_claims(r: &mut Reader<'_>) -> Result<Ours, VerifyError> {
    let pairs = r.map().ok_or(bad("hcert[1] must be a map"))?;
    let mut o = Ours::default();
    for _ in 0..pairs {
        let key = if r.peek_major() == Some(MAJOR_TEXT) { r.text() } else { r.skip().map(|()| "") };
        match key.ok_or(bad("malformed claim key"))? {
            "v" => set_once(&mut o.version, r.int(), "v must be an integer")?,
            "h" => set_once(&mut o.holder, r.bytes().and_then(HolderId::from_slice), "h must be 16 bytes")?,
            "c" => set_once(&mut o.colour, r.text().and_then(colour), "c must be G, Y or R")?,
            "n" => set_once(&mut o.initials, owned_text(r), "n must be text")?,
            "d" => set_once(&mut o.document_last4, owned_text(r), "d must be text")?,
            "p" => set_once(&mut o.policy_version, owned_text(r), "p must be text")?,
            _ => r.skip().ok_or(bad("malformed claim"))?,
        }
    }
    Ok(o)
}

fn colour(letter: &str) -> Option<Colour> {
    let mut chars = letter.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Colour::from_letter(c),
        _ => None,
    }
}
