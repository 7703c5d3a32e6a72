//! The EU gateway's own signatures on its DSC trust list ([`GatewayTrust`]).
//!
//! In the DGC gateway's array every DSC entry carries `signature`: a CMS
//! (PKCS#7) SignedData by the uploading country's *Upload* certificate over
//! the DSC's DER (`rawData`), detached (as the gateway serves it) or
//! encapsulated. And every DSC must be issued by a *CSCA* (the country's
//! signing authority). With trust anchors configured (`dcc.csca_certificates`,
//! `dcc.upload_certificates`), [`GatewayTrust::check`] accepts an entry only if
//!
//! 1. its CMS parses, its content (if encapsulated) is the entry's DER, one
//!    signer is an Upload certificate of the entry's country (matched by
//!    issuer and serial number, or subject key identifier), the signed
//!    attributes' `messageDigest` is the content's digest, and the signature
//!    verifies with that certificate's key;
//! 2. the DSC's subject country (`C`) is the entry's country;
//! 3. a CSCA of that country whose subject is the DSC's issuer verifies the
//!    DSC's signature, and that CSCA is within its validity now.
//!
//! Otherwise the entry is rejected with a [`GatewayRejection`] (a stable
//! code). Signatures: ECDSA P-256/P-384 with SHA-256/384, RSA PKCS#1 v1.5 and
//! PSS with SHA-256/384/512 (what `ring` verifies). Not checked: the Upload
//! certificates' own validity and chain (they are trusted because they are
//! configured), revocation lists, and the gateway trust anchor's signatures
//! over the CSCA and Upload lists (configure those from a source you trust).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use jiff::Timestamp;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use serde::Deserialize;
use x509_cert::Certificate;
use x509_cert::der::asn1::OctetString;
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::SubjectKeyIdentifier;

use super::dsc::{DscKey, key_of, subject_country, timestamp};

const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const OID_SKI: &str = "2.5.29.14";
const OID_SHA256: &str = "2.16.840.1.101.3.4.2.1";
const OID_SHA384: &str = "2.16.840.1.101.3.4.2.2";
const OID_SHA512: &str = "2.16.840.1.101.3.4.2.3";
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const OID_ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const OID_ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_RSA_SHA256: &str = "1.2.840.113549.1.1.11";
const OID_RSA_SHA384: &str = "1.2.840.113549.1.1.12";
const OID_RSA_SHA512: &str = "1.2.840.113549.1.1.13";

/// Largest number of anchors read from one source.
const MAX_ANCHORS: usize = 5_000;

/// Why an entry of the gateway's list was rejected. The codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GatewayRejection {
    /// The entry has no `signature`.
    CmsMissing,
    /// `signature` is not a base64 CMS SignedData.
    CmsMalformed,
    /// The CMS signs other content than the entry's DSC.
    CmsContentMismatch,
    /// No signer of the CMS is a configured Upload certificate of the entry's country.
    CmsSignerUnknown,
    /// The CMS signature does not verify with the Upload certificate's key.
    CmsSignatureInvalid,
    /// The DSC's subject country is not the entry's country.
    CountryMismatch,
    /// No CSCA of the entry's country issued and signed the DSC.
    NotChained,
    /// The CSCA that signed the DSC is outside its validity.
    CscaExpired,
}

impl GatewayRejection {
    pub const ALL: [GatewayRejection; 8] = [
        GatewayRejection::CmsMissing,
        GatewayRejection::CmsMalformed,
        GatewayRejection::CmsContentMismatch,
        GatewayRejection::CmsSignerUnknown,
        GatewayRejection::CmsSignatureInvalid,
        GatewayRejection::CountryMismatch,
        GatewayRejection::NotChained,
        GatewayRejection::CscaExpired,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GatewayRejection::CmsMissing => "DSC_CMS_MISSING",
            GatewayRejection::CmsMalformed => "DSC_CMS_MALFORMED",
            GatewayRejection::CmsContentMismatch => "DSC_CMS_CONTENT_MISMATCH",
            GatewayRejection::CmsSignerUnknown => "DSC_CMS_SIGNER_UNKNOWN",
            GatewayRejection::CmsSignatureInvalid => "DSC_CMS_SIGNATURE_INVALID",
            GatewayRejection::CountryMismatch => "DSC_COUNTRY_MISMATCH",
            GatewayRejection::NotChained => "DSC_NOT_CHAINED",
            GatewayRejection::CscaExpired => "DSC_CSCA_EXPIRED",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            GatewayRejection::CmsMissing => "the entry carries no CMS signature by its country's Upload certificate",
            GatewayRejection::CmsMalformed => "the entry's signature is not a base64 CMS SignedData",
            GatewayRejection::CmsContentMismatch => "the entry's CMS signs other content than its DSC",
            GatewayRejection::CmsSignerUnknown => {
                "the entry's CMS is not signed by a configured Upload certificate of its country"
            }
            GatewayRejection::CmsSignatureInvalid => "the entry's CMS signature does not verify (altered)",
            GatewayRejection::CountryMismatch => "the DSC's subject country is not the entry's country",
            GatewayRejection::NotChained => "the DSC was not issued and signed by a CSCA of its country",
            GatewayRejection::CscaExpired => "the CSCA that signed the DSC is outside its validity",
        }
    }
}

/// A configured CSCA or Upload certificate.
#[derive(Debug, Clone)]
struct Anchor {
    country: String,
    subject: Vec<u8>,
    issuer: Vec<u8>,
    serial: Vec<u8>,
    ski: Option<Vec<u8>>,
    key: DscKey,
    not_before: Timestamp,
    not_after: Timestamp,
}

/// The anchors could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorError {
    #[error("the {kind} certificates cannot be read: {reason}")]
    Unreadable { kind: &'static str, reason: String },
    #[error("no {kind} certificate found (expected PEM, DER, or the gateway's JSON array with certificateType {kind})")]
    Empty { kind: &'static str },
}

impl AnchorError {
    pub fn code(&self) -> &'static str {
        "DSC_ANCHORS_INVALID"
    }
}

/// The CSCA and Upload certificates the gateway's entries are checked against.
#[derive(Debug, Clone)]
pub struct GatewayTrust {
    cscas: Vec<Anchor>,
    uploads: Vec<Anchor>,
}

#[derive(Deserialize)]
struct JsonAnchor {
    #[serde(default)]
    country: Option<String>,
    #[serde(default, rename = "certificateType")]
    certificate_type: Option<String>,
    #[serde(rename = "rawData")]
    raw_data: String,
}

fn pem_blocks(text: &str) -> Vec<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let after = &rest[start + BEGIN.len()..];
        let Some(end) = after.find(END) else { break };
        let b64: String = after[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(der) = STANDARD.decode(b64) {
            out.push(der);
        }
        rest = &after[end + END.len()..];
    }
    out
}

fn anchor(der: &[u8], country: Option<&str>) -> Result<Anchor, String> {
    let cert = Certificate::from_der(der).map_err(|e| format!("not an X.509 certificate: {e}"))?;
    let tbs = &cert.tbs_certificate;
    let key = key_of(&tbs.subject_public_key_info).map_err(str::to_owned)?;
    let country = country
        .map(|c| c.trim().to_ascii_uppercase())
        .or_else(|| subject_country(&tbs.subject))
        .filter(|c| !c.is_empty())
        .ok_or("a certificate names no country (neither `country` nor subject C)")?;
    let ski = tbs
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id.to_string() == OID_SKI)
        .and_then(|e| SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
        .map(|s| s.0.as_bytes().to_vec());
    Ok(Anchor {
        country,
        subject: tbs.subject.to_der().map_err(|e| e.to_string())?,
        issuer: tbs.issuer.to_der().map_err(|e| e.to_string())?,
        serial: tbs.serial_number.as_bytes().to_vec(),
        ski,
        key,
        not_before: timestamp(tbs.validity.not_before).ok_or("notBefore out of range")?,
        not_after: timestamp(tbs.validity.not_after).ok_or("notAfter out of range")?,
    })
}

/// Reads anchors of one kind (`CSCA` or `UPLOAD`) from PEM (any number of
/// certificates), DER (one), or the gateway's JSON array (entries of that
/// `certificateType`, or of none).
fn anchors(bytes: &[u8], kind: &'static str) -> Result<Vec<Anchor>, AnchorError> {
    let unreadable = |reason: String| AnchorError::Unreadable { kind, reason };
    let text = std::str::from_utf8(bytes).ok().map(|t| t.trim_start_matches('\u{feff}').trim());
    let found: Vec<Anchor> = match text {
        Some(t) if t.starts_with('[') => {
            let entries: Vec<JsonAnchor> = serde_json::from_str(t).map_err(|e| unreadable(e.to_string()))?;
            let mut out = Vec::new();
            for e in entries {
                if e.certificate_type.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case(kind)) {
                    continue;
                }
                let der = STANDARD.decode(e.raw_data.trim()).map_err(|e| unreadable(format!("rawData: {e}")))?;
                out.push(anchor(&der, e.country.as_deref()).map_err(unreadable)?);
            }
            out
        }
        Some(t) if t.contains("-----BEGIN") => {
            pem_blocks(t).iter().map(|der| anchor(der, None)).collect::<Result<_, _>>().map_err(unreadable)?
        }
        _ => vec![anchor(bytes, None).map_err(unreadable)?],
    };
    if found.is_empty() {
        return Err(AnchorError::Empty { kind });
    }
    if found.len() > MAX_ANCHORS {
        return Err(unreadable(format!("more than {MAX_ANCHORS} certificates")));
    }
    Ok(found)
}

#[derive(Clone, Copy)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

fn hash_of(oid: &str) -> Option<Hash> {
    match oid {
        OID_SHA256 => Some(Hash::Sha256),
        OID_SHA384 => Some(Hash::Sha384),
        OID_SHA512 => Some(Hash::Sha512),
        _ => None,
    }
}

/// The hash named in RSASSA-PSS parameters (the first SHA-2 OID in them;
/// absent parameters mean SHA-1, which is refused).
fn pss_hash(params: Option<&x509_cert::der::Any>) -> Option<Hash> {
    let der = params?.to_der().ok()?;
    // 06 09 60 86 48 01 65 03 04 02 0N: id-sha256/384/512.
    let prefix = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];
    der.windows(prefix.len() + 1).find(|w| w[..prefix.len()] == prefix).and_then(|w| match w[prefix.len()] {
        1 => Some(Hash::Sha256),
        2 => Some(Hash::Sha384),
        3 => Some(Hash::Sha512),
        _ => None,
    })
}

enum Scheme {
    Ecdsa,
    Pkcs1,
    Pss,
}

/// Verifies `sig` over `message` with `key`, the scheme and hash given by the
/// signature algorithm (and, for CMS, the digest algorithm).
fn verifies(
    key: &DscKey,
    sig_alg: &x509_cert::spki::AlgorithmIdentifierOwned,
    digest: Option<Hash>,
    message: &[u8],
    sig: &[u8],
) -> bool {
    let (scheme, hash) = match sig_alg.oid.to_string().as_str() {
        OID_ECDSA_SHA256 => (Scheme::Ecdsa, Some(Hash::Sha256)),
        OID_ECDSA_SHA384 => (Scheme::Ecdsa, Some(Hash::Sha384)),
        OID_ECDSA_SHA512 => (Scheme::Ecdsa, Some(Hash::Sha512)),
        OID_EC_PUBLIC_KEY => (Scheme::Ecdsa, digest),
        OID_RSA_SHA256 => (Scheme::Pkcs1, Some(Hash::Sha256)),
        OID_RSA_SHA384 => (Scheme::Pkcs1, Some(Hash::Sha384)),
        OID_RSA_SHA512 => (Scheme::Pkcs1, Some(Hash::Sha512)),
        OID_RSA => (Scheme::Pkcs1, digest),
        OID_RSA_PSS => (Scheme::Pss, pss_hash(sig_alg.parameters.as_ref())),
        _ => return false,
    };
    let Some(hash) = hash else { return false };
    let (algorithm, key): (&'static dyn VerificationAlgorithm, &[u8]) = match (scheme, hash, key) {
        (Scheme::Ecdsa, Hash::Sha256, DscKey::P256(k)) => (&signature::ECDSA_P256_SHA256_ASN1, k),
        (Scheme::Ecdsa, Hash::Sha384, DscKey::P256(k)) => (&signature::ECDSA_P256_SHA384_ASN1, k),
        (Scheme::Ecdsa, Hash::Sha256, DscKey::P384(k)) => (&signature::ECDSA_P384_SHA256_ASN1, k),
        (Scheme::Ecdsa, Hash::Sha384, DscKey::P384(k)) => (&signature::ECDSA_P384_SHA384_ASN1, k),
        (Scheme::Pkcs1, Hash::Sha256, DscKey::Rsa(k)) => (&signature::RSA_PKCS1_2048_8192_SHA256, k),
        (Scheme::Pkcs1, Hash::Sha384, DscKey::Rsa(k)) => (&signature::RSA_PKCS1_2048_8192_SHA384, k),
        (Scheme::Pkcs1, Hash::Sha512, DscKey::Rsa(k)) => (&signature::RSA_PKCS1_2048_8192_SHA512, k),
        (Scheme::Pss, Hash::Sha256, DscKey::Rsa(k)) => (&signature::RSA_PSS_2048_8192_SHA256, k),
        (Scheme::Pss, Hash::Sha384, DscKey::Rsa(k)) => (&signature::RSA_PSS_2048_8192_SHA384, k),
        (Scheme::Pss, Hash::Sha512, DscKey::Rsa(k)) => (&signature::RSA_PSS_2048_8192_SHA512, k),
        _ => return false,
    };
    UnparsedPublicKey::new(algorithm, key).verify(message, sig).is_ok()
}

fn digest(hash: Hash, data: &[u8]) -> Vec<u8> {
    let alg = match hash {
        Hash::Sha256 => &ring::digest::SHA256,
        Hash::Sha384 => &ring::digest::SHA384,
        Hash::Sha512 => &ring::digest::SHA512,
    };
    ring::digest::digest(alg, data).as_ref().to_vec()
}

impl Anchor {
    fn is_signer(&self, sid: &SignerIdentifier) -> bool {
        match sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                ias.issuer.to_der().is_ok_and(|d| d == self.issuer) && ias.serial_number.as_bytes() == self.serial
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => self.ski.as_deref().is_some_and(|s| s == ski.0.as_bytes()),
        }
    }
}

/// What one signer of the CMS says about the content.
fn signer_verdict(info: &SignerInfo, upload: &Anchor, content: &[u8]) -> Result<(), GatewayRejection> {
    let hash = hash_of(&info.digest_alg.oid.to_string());
    let sig = info.signature.as_bytes();
    match &info.signed_attrs {
        Some(attrs) => {
            let hash = hash.ok_or(GatewayRejection::CmsSignatureInvalid)?;
            let given = attrs
                .iter()
                .find(|a| a.oid.to_string() == OID_MESSAGE_DIGEST)
                .and_then(|a| a.values.iter().next())
                .and_then(|v| v.decode_as::<OctetString>().ok())
                .ok_or(GatewayRejection::CmsMalformed)?;
            if given.as_bytes() != digest(hash, content) {
                return Err(GatewayRejection::CmsContentMismatch);
            }
            let message = attrs.to_der().map_err(|_| GatewayRejection::CmsMalformed)?;
            if verifies(&upload.key, &info.signature_algorithm, Some(hash), &message, sig) {
                Ok(())
            } else {
                Err(GatewayRejection::CmsSignatureInvalid)
            }
        }
        None if verifies(&upload.key, &info.signature_algorithm, hash, content, sig) => Ok(()),
        None => Err(GatewayRejection::CmsSignatureInvalid),
    }
}

impl GatewayTrust {
    /// From the CSCA and Upload certificates' sources (each PEM, DER, or the
    /// gateway's JSON array).
    pub fn new(cscas: &[u8], uploads: &[u8]) -> Result<GatewayTrust, AnchorError> {
        Ok(GatewayTrust { cscas: anchors(cscas, "CSCA")?, uploads: anchors(uploads, "UPLOAD")? })
    }

    /// How many CSCA and Upload certificates are configured.
    pub fn counts(&self) -> (usize, usize) {
        (self.cscas.len(), self.uploads.len())
    }

    /// Checks one entry of the gateway's list: `der` is its DSC, `country`
    /// the entry's country, `cms` its `signature` field.
    pub fn check(&self, country: &str, der: &[u8], cms: Option<&str>, now: Timestamp) -> Result<(), GatewayRejection> {
        let country = country.trim().to_ascii_uppercase();
        self.check_cms(&country, der, cms)?;
        let cert = Certificate::from_der(der).map_err(|_| GatewayRejection::NotChained)?;
        let tbs = &cert.tbs_certificate;
        if subject_country(&tbs.subject).as_deref() != Some(country.as_str()) {
            return Err(GatewayRejection::CountryMismatch);
        }
        let issuer = tbs.issuer.to_der().map_err(|_| GatewayRejection::NotChained)?;
        let message = tbs.to_der().map_err(|_| GatewayRejection::NotChained)?;
        let sig = cert.signature.as_bytes().ok_or(GatewayRejection::NotChained)?;
        let mut expired = false;
        for csca in self.cscas.iter().filter(|c| c.country == country && c.subject == issuer) {
            if verifies(&csca.key, &cert.signature_algorithm, None, &message, sig) {
                if csca.not_before <= now && now <= csca.not_after {
                    return Ok(());
                }
                expired = true;
            }
        }
        Err(if expired { GatewayRejection::CscaExpired } else { GatewayRejection::NotChained })
    }

    fn check_cms(&self, country: &str, der: &[u8], cms: Option<&str>) -> Result<(), GatewayRejection> {
        let cms = cms.map(str::trim).filter(|s| !s.is_empty()).ok_or(GatewayRejection::CmsMissing)?;
        let bytes = STANDARD.decode(cms).map_err(|_| GatewayRejection::CmsMalformed)?;
        let info = ContentInfo::from_der(&bytes).map_err(|_| GatewayRejection::CmsMalformed)?;
        if info.content_type.to_string() != OID_SIGNED_DATA {
            return Err(GatewayRejection::CmsMalformed);
        }
        let signed: SignedData = info.content.decode_as().map_err(|_| GatewayRejection::CmsMalformed)?;
        if let Some(content) = &signed.encap_content_info.econtent {
            let content = content.decode_as::<OctetString>().map_err(|_| GatewayRejection::CmsMalformed)?;
            if content.as_bytes() != der {
                return Err(GatewayRejection::CmsContentMismatch);
            }
        }
        let mut outcome = Err(GatewayRejection::CmsSignerUnknown);
        for info in signed.signer_infos.0.iter() {
            for upload in self.uploads.iter().filter(|u| u.country == country && u.is_signer(&info.sid)) {
                match signer_verdict(info, upload, der) {
                    Ok(()) => return Ok(()),
                    Err(e) => outcome = Err(e),
                }
            }
        }
        outcome
    }
}
