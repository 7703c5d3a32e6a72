//! Document Signer Certificates (DSCs): the keys that sign EU DCCs, imported
//! from a trust list in the EU gateway's published format.
//!
//! Accepted shapes (see README "Importing a DSC list"):
//! - the gateway's array: `[{"kid", "country", "certificateType": "DSC",
//!   "thumbprint", "timestamp", "signature", "rawData"}, ..]`;
//! - a national backend's republication: `{"certificates": [{"kid",
//!   "country"?, "rawData", ..}, ..]}`, optionally preceded by one line
//!   holding the backend's signature (as the German list is served).
//!
//! `rawData` is the base64 DER of the X.509 DSC. The `kid` is recomputed (the
//! first 8 bytes of the SHA-256 of the DER); an entry whose given `kid`
//! differs, whose certificate does not parse, or whose key is neither P-256,
//! P-384 nor RSA is skipped and reported. The gateway's per-entry CMS
//! `signature` and each DSC's CSCA chain are checked only when trust anchors
//! are given ([`DscList::parse_checked`] with a [`GatewayTrust`]); without
//! them trust comes from where the operator imports the list from.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use healthcode_domain::dcc_rules::DccKind;

use super::gateway::GatewayTrust;
use jiff::Timestamp;
use ring::signature::{self, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use x509_cert::Certificate;
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::ExtendedKeyUsage;

/// Extended key usage OIDs of the DCC specification, per certificate type.
pub const EKU_TEST: &str = "1.3.6.1.4.1.1847.2021.1.1";
pub const EKU_VACCINATION: &str = "1.3.6.1.4.1.1847.2021.1.2";
pub const EKU_RECOVERY: &str = "1.3.6.1.4.1.1847.2021.1.3";

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_EKU: &str = "2.5.29.37";
const OID_COUNTRY: &str = "2.5.4.6";

/// Largest list accepted (the EU gateway's holds a few thousand DSCs).
pub const MAX_DSCS: usize = 20_000;

/// The public key of a DSC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DscKey {
    /// Uncompressed point (`04 ‖ x ‖ y`).
    P256(Vec<u8>),
    P384(Vec<u8>),
    /// PKCS#1 `RSAPublicKey` DER.
    Rsa(Vec<u8>),
}

impl DscKey {
    fn family(&self) -> (&'static str, Option<&'static str>) {
        match self {
            DscKey::P256(_) => ("EC", Some("P-256")),
            DscKey::P384(_) => ("EC", Some("P-384")),
            DscKey::Rsa(_) => ("RSA", None),
        }
    }
}

/// One DSC, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dsc {
    pub kid: [u8; 8],
    pub country: String,
    pub key: DscKey,
    pub spki: Vec<u8>,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    /// The types this DSC may sign; `None` when its EKU names no DCC type
    /// (it may sign all).
    pub usages: Option<BTreeSet<DccKind>>,
    pub der: Vec<u8>,
}

/// The key id of a DSC: the first 8 bytes of the SHA-256 of its DER.
pub fn dsc_kid(der: &[u8]) -> [u8; 8] {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    let mut kid = [0u8; 8];
    kid.copy_from_slice(&digest.as_ref()[..8]);
    kid
}

/// The key of a SubjectPublicKeyInfo: P-256, P-384 or RSA.
pub(crate) fn key_of(spki: &x509_cert::spki::SubjectPublicKeyInfoOwned) -> Result<DscKey, &'static str> {
    let alg = spki.algorithm.oid.to_string();
    let bits = spki.subject_public_key.as_bytes().ok_or("public key bit string is not whole bytes")?;
    Ok(match alg.as_str() {
        OID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or("EC key without a named curve")?
                .to_string();
            if bits.first() != Some(&0x04) {
                return Err("EC point is not uncompressed");
            }
            match (curve.as_str(), bits.len()) {
                (OID_P256, 65) => DscKey::P256(bits.to_vec()),
                (OID_P384, 97) => DscKey::P384(bits.to_vec()),
                _ => return Err("EC curve is neither P-256 nor P-384"),
            }
        }
        OID_RSA | OID_RSA_PSS => DscKey::Rsa(bits.to_vec()),
        _ => return Err("key is neither EC nor RSA"),
    })
}

/// The subject's country (`C`) of a certificate, as written.
pub(crate) fn subject_country(name: &x509_cert::name::Name) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find_map(|atv| {
        (atv.oid.to_string() == OID_COUNTRY)
            .then(|| String::from_utf8_lossy(atv.value.value()).trim().to_ascii_uppercase())
    })
}

pub(crate) fn timestamp(time: x509_cert::time::Time) -> Option<Timestamp> {
    let secs = i64::try_from(time.to_unix_duration().as_secs()).ok()?;
    Timestamp::from_second(secs).ok()
}

impl Dsc {
    /// Parses a DER certificate; `country` overrides the subject's `C`.
    pub fn from_der(der: &[u8], country: Option<&str>) -> Result<Dsc, &'static str> {
        let cert = Certificate::from_der(der).map_err(|_| "rawData is not an X.509 certificate")?;
        let tbs = &cert.tbs_certificate;
        let spki = &tbs.subject_public_key_info;
        let key = key_of(spki)?;
        let not_before = timestamp(tbs.validity.not_before).ok_or("notBefore out of range")?;
        let not_after = timestamp(tbs.validity.not_after).ok_or("notAfter out of range")?;
        let mut usages = None;
        for ext in tbs.extensions.iter().flatten() {
            if ext.extn_id.to_string() == OID_EKU {
                let eku = ExtendedKeyUsage::from_der(ext.extn_value.as_bytes()).map_err(|_| "EKU is malformed")?;
                let kinds: BTreeSet<DccKind> = eku
                    .0
                    .iter()
                    .filter_map(|oid| match oid.to_string().as_str() {
                        EKU_TEST => Some(DccKind::Test),
                        EKU_VACCINATION => Some(DccKind::Vaccination),
                        EKU_RECOVERY => Some(DccKind::Recovery),
                        _ => None,
                    })
                    .collect();
                if !kinds.is_empty() {
                    usages = Some(kinds);
                }
            }
        }
        let subject_country = subject_country(&tbs.subject);
        let country = country.map(str::to_owned).or(subject_country).unwrap_or_default().trim().to_ascii_uppercase();
        Ok(Dsc {
            kid: dsc_kid(der),
            country,
            key,
            spki: spki.to_der().map_err(|_| "public key cannot be re-encoded")?,
            not_before,
            not_after,
            usages,
            der: der.to_vec(),
        })
    }

    pub fn kid_base64(&self) -> String {
        STANDARD.encode(self.kid)
    }

    /// Whether this DSC may sign certificates of `kind`.
    pub fn may_sign(&self, kind: DccKind) -> bool {
        self.usages.as_ref().is_none_or(|u| u.contains(&kind))
    }

    /// Verifies a COSE signature made with `alg` (COSE id: -7 ES256, -35
    /// ES384, -37 PS256). `false` when the key does not fit the algorithm.
    pub fn verify(&self, alg: i64, message: &[u8], sig: &[u8]) -> bool {
        let (algorithm, key): (&'static dyn signature::VerificationAlgorithm, &[u8]) = match (alg, &self.key) {
            (-7, DscKey::P256(point)) => (&signature::ECDSA_P256_SHA256_FIXED, point),
            (-35, DscKey::P384(point)) => (&signature::ECDSA_P384_SHA384_FIXED, point),
            (-37, DscKey::Rsa(der)) => (&signature::RSA_PSS_2048_8192_SHA256, der),
            _ => return false,
        };
        UnparsedPublicKey::new(algorithm, key).verify(message, sig).is_ok()
    }

    /// The entry as published to the offline scanner page.
    pub fn published(&self) -> PublishedDsc {
        let (kty, crv) = self.key.family();
        PublishedDsc {
            kid: self.kid_base64(),
            country: self.country.clone(),
            kty: kty.into(),
            crv: crv.map(str::to_owned),
            spki: STANDARD.encode(&self.spki),
            not_before: self.not_before,
            not_after: self.not_after,
            usages: self
                .usages
                .as_ref()
                .map_or_else(|| DccKind::ALL.to_vec(), |u| u.iter().copied().collect())
                .into_iter()
                .map(|k| k.code().to_owned())
                .collect(),
        }
    }
}

/// A DSC as the scanner page reads it (`GET /api/v1/dcc/dsc-list`): the
/// SubjectPublicKeyInfo for WebCrypto `importKey('spki')`, its validity and
/// the certificate types it may sign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedDsc {
    pub kid: String,
    pub country: String,
    /// `EC` or `RSA`.
    pub kty: String,
    /// `P-256` or `P-384` for EC keys.
    pub crv: Option<String>,
    pub spki: String,
    pub not_before: Timestamp,
    pub not_after: Timestamp,
    /// Of `v`, `t`, `r`.
    pub usages: Vec<String>,
}

/// An entry of the list that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedDsc {
    pub kid: String,
    pub country: String,
    /// Stable: `DSC_ENTRY_*` for an entry that cannot be read, a
    /// [`GatewayRejection`](super::gateway::GatewayRejection) code for one the gateway's signatures refuse.
    pub code: &'static str,
    pub reason: &'static str,
}

/// How many skipped entries per code, in code order (for reports).
pub fn skipped_by_code(skipped: &[SkippedDsc]) -> std::collections::BTreeMap<&'static str, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for s in skipped {
        *counts.entry(s.code).or_insert(0) += 1;
    }
    counts
}

/// The imported DSCs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DscList {
    dscs: Vec<Dsc>,
}

/// A list could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum DscListError {
    #[error("the DSC list is not JSON in a known shape (an array of entries or {{\"certificates\": [..]}}): {0}")]
    Shape(String),
    #[error("the DSC list holds more than {MAX_DSCS} entries")]
    TooLarge,
    #[error("the DSC list holds no usable DSC ({skipped} entries skipped)")]
    Empty { skipped: usize },
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default, rename = "certificateType")]
    certificate_type: Option<String>,
    #[serde(default)]
    signature: Option<String>,
    #[serde(rename = "rawData")]
    raw_data: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Shape {
    Gateway(Vec<Entry>),
    National { certificates: Vec<Entry> },
}

impl DscList {
    pub fn new(dscs: Vec<Dsc>) -> DscList {
        DscList { dscs }
    }

    /// Parses a list in either accepted shape. Entries that cannot be used
    /// are returned beside the list; a list with none usable is an error.
    pub fn parse(text: &str) -> Result<(DscList, Vec<SkippedDsc>), DscListError> {
        DscList::parse_checked(text, None, Timestamp::UNIX_EPOCH)
    }

    /// [`DscList::parse`], and with `trust` every entry must also pass
    /// [`GatewayTrust::check`] at `now` (its CMS signature by its country's
    /// Upload certificate, its chain to a CSCA of its country); those that do
    /// not are skipped with the rejection's code.
    pub fn parse_checked(
        text: &str,
        trust: Option<&GatewayTrust>,
        now: Timestamp,
    ) -> Result<(DscList, Vec<SkippedDsc>), DscListError> {
        let text = text.trim_start_matches('\u{feff}').trim();
        // A national backend may put its signature on a line before the JSON.
        let json = match text.find(['[', '{']) {
            Some(0) | None => text,
            Some(_) => text.split_once('\n').map_or(text, |(_, rest)| rest.trim()),
        };
        let shape: Shape = serde_json::from_str(json).map_err(|e| DscListError::Shape(e.to_string()))?;
        let entries = match shape {
            Shape::Gateway(e) | Shape::National { certificates: e } => e,
        };
        if entries.len() > MAX_DSCS {
            return Err(DscListError::TooLarge);
        }
        let mut dscs = Vec::with_capacity(entries.len());
        let mut skipped = Vec::new();
        for entry in entries {
            let kid = entry.kid.clone().unwrap_or_default();
            let country = entry.country.clone().unwrap_or_default().trim().to_ascii_uppercase();
            let skip = |code, reason| SkippedDsc { kid: kid.clone(), country: country.clone(), code, reason };
            if entry.certificate_type.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case("DSC")) {
                skipped.push(skip("DSC_ENTRY_NOT_DSC", "certificateType is not DSC"));
                continue;
            }
            let Ok(der) = STANDARD.decode(entry.raw_data.trim()) else {
                skipped.push(skip("DSC_ENTRY_NOT_BASE64", "rawData is not base64"));
                continue;
            };
            match Dsc::from_der(&der, entry.country.as_deref()) {
                Ok(dsc) if entry.kid.as_deref().is_some_and(|k| k.trim() != dsc.kid_base64()) => {
                    skipped.push(skip("DSC_ENTRY_KID_MISMATCH", "kid does not match the certificate"));
                }
                Ok(dsc) => match trust.map(|t| t.check(&dsc.country, &der, entry.signature.as_deref(), now)) {
                    Some(Err(rejection)) => skipped.push(skip(rejection.code(), rejection.message())),
                    _ => dscs.push(dsc),
                },
                Err(reason) => skipped.push(skip("DSC_ENTRY_UNREADABLE", reason)),
            }
        }
        if dscs.is_empty() {
            return Err(DscListError::Empty { skipped: skipped.len() });
        }
        Ok((DscList { dscs }, skipped))
    }

    pub fn dscs(&self) -> &[Dsc] {
        &self.dscs
    }

    pub fn is_empty(&self) -> bool {
        self.dscs.is_empty()
    }

    /// Every DSC with this key id (key ids may collide across countries).
    pub fn find<'a>(&'a self, kid: &'a [u8]) -> impl Iterator<Item = &'a Dsc> + 'a {
        self.dscs.iter().filter(move |d| d.kid.as_slice() == kid)
    }

    /// The list in the gateway's array shape (what an export writes).
    pub fn to_gateway_json(&self) -> String {
        let entries: Vec<serde_json::Value> = self
            .dscs
            .iter()
            .map(|d| {
                serde_json::json!({
                    "kid": d.kid_base64(),
                    "country": d.country,
                    "certificateType": "DSC",
                    "rawData": STANDARD.encode(&d.der),
                })
            })
            .collect();
        serde_json::to_string_pretty(&entries).unwrap_or_default()
    }
}
