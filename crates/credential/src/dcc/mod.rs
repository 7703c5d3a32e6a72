//! EU Digital COVID Certificates (DCC) shown by visitors: `HC1:` +
//! base45(zlib(COSE_Sign1 over a CWT)), signed by a country's Document
//! Signer Certificate ([`Dsc`]) from an imported [`DscList`].
//!
//! [`verify_dcc`] checks, in this order: prefix, base45, zlib (capped;
//! uncompressed CBOR is accepted too), CBOR, COSE_Sign1 (with or without the
//! CWT tag 61, with or without tag 18), algorithm (ES256, ES384, PS256), key
//! id, signature, schema-level fields of the `hcert` claim, `iat`/`exp`, the
//! DSC's validity at `iat`, and the DSC's extended key usage for the
//! certificate type. The acceptance rules (vaccination, test, recovery) are
//! applied afterwards by [`healthcode_domain::dcc_rules::DccRules`].

mod dsc;
mod error;
mod gateway;
mod hcert;
mod list_signature;
pub mod testing;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ciborium::Value;
use healthcode_domain::dcc_rules::{DccFacts, DccKind};
use jiff::Timestamp;

pub use dsc::{
    Dsc, DscKey, DscList, DscListError, EKU_RECOVERY, EKU_TEST, EKU_VACCINATION, MAX_DSCS, PublishedDsc, SkippedDsc,
    dsc_kid, skipped_by_code,
};
pub use error::DccError;
pub use gateway::{AnchorError, GatewayRejection, GatewayTrust};
pub use list_signature::{ListSignatureError, ListSigner};

use crate::health_code::{CLOCK_SKEW, cbor, envelope};

/// The text prefix of an EU DCC, version 1.
pub const DCC_PREFIX: &str = "HC1:";

/// COSE algorithm ids the DCC specification allows (and we verify).
pub const ALG_ES256: i64 = -7;
pub const ALG_ES384: i64 = -35;
pub const ALG_PS256: i64 = -37;

/// Largest inflated DCC accepted (real ones are well under 2 kB).
const MAX_INFLATED: u64 = 32 * 1024;

/// Whether the text is meant as an EU DCC (by its prefix).
pub fn is_dcc(text: &str) -> bool {
    text.trim_start().starts_with(DCC_PREFIX)
}

/// The holder's name as the certificate gives it, for an eye-check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DccHolder {
    /// Standardised surname (`fnt`), ICAO 9303 letters.
    pub family: String,
    /// Standardised forename (`gnt`), when given.
    pub given: Option<String>,
    pub date_of_birth: String,
}

/// A certificate that passed every check but the acceptance rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDcc {
    pub kind: DccKind,
    pub facts: DccFacts,
    pub holder: DccHolder,
    /// The unique certificate identifier (`ci`).
    pub certificate_id: String,
    /// Member state of the vaccination, test or recovery (`co`).
    pub country: String,
    /// Country of the DSC that signed it.
    pub dsc_country: String,
    pub kid: String,
    pub algorithm: &'static str,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
}

impl VerifiedDcc {
    /// SHA-256 of the certificate id, hex: lets a record refer to the
    /// certificate without keeping its identifier.
    pub fn certificate_id_hash(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.certificate_id.as_bytes());
        digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn malformed(reason: &'static str) -> DccError {
    DccError::Malformed(reason)
}

/// `HC1:` text to the COSE bytes.
fn unpack(text: &str) -> Result<Vec<u8>, DccError> {
    let body = text.trim().strip_prefix(DCC_PREFIX).ok_or(malformed("it must start with HC1:"))?;
    let data = crate::health_code::base45_decode(body.as_bytes()).ok_or(malformed("not valid base45"))?;
    if data.first() != Some(&0x78) {
        // The specification allows uncompressed COSE (it then starts with a CBOR tag or array).
        return Ok(data);
    }
    use std::io::Read as _;
    let mut out = Vec::new();
    let mut inflater = flate2::read::ZlibDecoder::new(data.as_slice()).take(MAX_INFLATED + 1);
    inflater.read_to_end(&mut out).map_err(|_| malformed("not valid zlib data"))?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(malformed("inflates to more than 32 kB"));
    }
    Ok(out)
}

struct Sign1 {
    protected: Vec<u8>,
    payload: Vec<u8>,
    signature: Vec<u8>,
    alg: i64,
    kid: Vec<u8>,
}

fn int_label(v: &Value) -> Option<i128> {
    v.as_integer().map(i128::from)
}

fn header_field(map: &[(Value, Value)], label: i128) -> Option<&Value> {
    map.iter().find(|(k, _)| int_label(k) == Some(label)).map(|(_, v)| v)
}

fn parse_cose(bytes: &[u8]) -> Result<Sign1, DccError> {
    if !cbor::is_well_formed(bytes) {
        return Err(malformed("not one well-formed CBOR item"));
    }
    let mut value: Value = ciborium::from_reader(bytes).map_err(|_| malformed("not CBOR"))?;
    // CWT tag 61 wrapping COSE_Sign1 tag 18; both are optional.
    if let Value::Tag(61, inner) = value {
        value = *inner;
    }
    match value {
        Value::Tag(18, inner) => value = *inner,
        Value::Tag(..) => return Err(malformed("unexpected CBOR tag (not COSE_Sign1)")),
        _ => {}
    }
    let Value::Array(items) = value else { return Err(malformed("COSE_Sign1 is not an array")) };
    let [protected, unprotected, payload, signature]: [Value; 4] =
        items.try_into().map_err(|_| malformed("COSE_Sign1 must have 4 elements"))?;
    let Value::Bytes(protected) = protected else { return Err(malformed("protected header is not a byte string")) };
    let Value::Map(unprotected) = unprotected else { return Err(malformed("unprotected header is not a map")) };
    let Value::Bytes(payload) = payload else { return Err(malformed("payload is not a byte string")) };
    let Value::Bytes(signature) = signature else { return Err(malformed("signature is not a byte string")) };
    let protected_map = if protected.is_empty() {
        Vec::new()
    } else {
        match ciborium::from_reader::<Value, _>(protected.as_slice()) {
            Ok(Value::Map(m)) if cbor::is_well_formed(&protected) => m,
            _ => return Err(malformed("protected header is not a CBOR map")),
        }
    };
    let alg = header_field(&protected_map, 1)
        .or_else(|| header_field(&unprotected, 1))
        .and_then(|v| v.as_integer())
        .and_then(|i| i64::try_from(i).ok())
        .ok_or(malformed("no algorithm in the header"))?;
    let kid = header_field(&protected_map, 4)
        .or_else(|| header_field(&unprotected, 4))
        .and_then(|v| v.as_bytes().cloned())
        .ok_or(malformed("no key id (kid) in the header"))?;
    Ok(Sign1 { protected, payload, signature, alg, kid })
}

fn algorithm_name(alg: i64) -> Option<&'static str> {
    match alg {
        ALG_ES256 => Some("ES256"),
        ALG_ES384 => Some("ES384"),
        ALG_PS256 => Some("PS256"),
        _ => None,
    }
}

/// Verifies an `HC1:` certificate against `dscs` at `now`. The acceptance
/// rules are not applied here.
pub fn verify_dcc(text: &str, dscs: &DscList, now: Timestamp) -> Result<VerifiedDcc, DccError> {
    let cose = unpack(text)?;
    let sign1 = parse_cose(&cose)?;
    let algorithm = algorithm_name(sign1.alg).ok_or(DccError::AlgorithmUnsupported(sign1.alg))?;
    let kid_text = STANDARD.encode(&sign1.kid);
    let message = envelope::sig_structure(&sign1.protected, &sign1.payload);
    let mut candidates = dscs.find(&sign1.kid).peekable();
    if candidates.peek().is_none() {
        return Err(DccError::KeyUnknown(kid_text));
    }
    let dsc = candidates.find(|d| d.verify(sign1.alg, &message, &sign1.signature)).ok_or(DccError::SignatureInvalid)?;
    let claims = hcert::parse(&sign1.payload)?;
    if claims.expires_at <= now {
        return Err(DccError::Expired(claims.expires_at));
    }
    if claims.issued_at > now.checked_add(CLOCK_SKEW).unwrap_or(Timestamp::MAX) {
        return Err(DccError::NotYetValid(claims.issued_at));
    }
    if claims.issued_at < dsc.not_before || claims.issued_at > dsc.not_after {
        return Err(DccError::DscNotValid);
    }
    let kind = claims.facts.kind();
    if !dsc.may_sign(kind) {
        return Err(DccError::WrongUsage(kind_name(kind)));
    }
    Ok(VerifiedDcc {
        kind,
        facts: claims.facts,
        holder: claims.holder,
        certificate_id: claims.certificate_id,
        country: claims.country,
        dsc_country: dsc.country.clone(),
        kid: kid_text,
        algorithm,
        issued_at: claims.issued_at,
        expires_at: claims.expires_at,
    })
}

/// The type's name in messages.
pub fn kind_name(kind: DccKind) -> &'static str {
    match kind {
        DccKind::Vaccination => "vaccination",
        DccKind::Test => "test",
        DccKind::Recovery => "recovery",
    }
}
