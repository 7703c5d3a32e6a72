//! Test vectors: self-signed *test* DSCs and DCCs signed with them, for our
//! own tests and the browser test (`healthcode dcc test-vectors`). Keys are
//! generated fresh (P-256, P-384) or, for RSA (which `ring` cannot
//! generate), read from a PKCS#8 document the caller supplies. Nothing here
//! is used to verify; never trust a DSC made here.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ciborium::Value;
use healthcode_domain::dcc_rules::DccKind;
use jiff::Timestamp;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair as _, RsaKeyPair};

use super::{ALG_ES256, ALG_ES384, ALG_PS256, DCC_PREFIX, EKU_RECOVERY, EKU_TEST, EKU_VACCINATION, dsc_kid};
use crate::health_code::envelope;

/// A test signing failure.
#[derive(Debug, thiserror::Error)]
#[error("test vector: {0}")]
pub struct TestVectorError(String);

fn fail(e: impl std::fmt::Display) -> TestVectorError {
    TestVectorError(e.to_string())
}

/// The algorithm of a test DSC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestAlg {
    Es256,
    Es384,
    Ps256,
}

impl TestAlg {
    pub fn cose_id(self) -> i64 {
        match self {
            TestAlg::Es256 => ALG_ES256,
            TestAlg::Es384 => ALG_ES384,
            TestAlg::Ps256 => ALG_PS256,
        }
    }
}

enum Signer {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A test DSC: its key and its self-signed certificate.
pub struct TestDsc {
    pub alg: TestAlg,
    pub country: String,
    pub der: Vec<u8>,
    signer: Signer,
}

/// What the test DSC's certificate says.
#[derive(Debug, Clone)]
pub struct TestDscParams {
    pub country: String,
    /// Dates of the certificate's validity (UTC midnight).
    pub not_before: jiff::civil::Date,
    pub not_after: jiff::civil::Date,
    /// DCC types named in the EKU; empty for no DCC EKU (may sign all).
    pub usages: Vec<DccKind>,
}

fn ymd(d: jiff::civil::Date) -> Result<(i32, u8, u8), TestVectorError> {
    Ok((i32::from(d.year()), u8::try_from(d.month()).map_err(fail)?, u8::try_from(d.day()).map_err(fail)?))
}

impl TestDsc {
    /// A fresh EC test DSC (ES256 or ES384).
    pub fn generate_ec(alg: TestAlg, params: &TestDscParams) -> Result<TestDsc, TestVectorError> {
        TestDsc::ec(alg, params, None)
    }

    fn ec(alg: TestAlg, params: &TestDscParams, issuer: Option<&TestAuthority>) -> Result<TestDsc, TestVectorError> {
        let rng = SystemRandom::new();
        let (signing, rcgen_alg) = match alg {
            TestAlg::Es256 => (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rcgen::PKCS_ECDSA_P256_SHA256),
            TestAlg::Es384 => (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, &rcgen::PKCS_ECDSA_P384_SHA384),
            TestAlg::Ps256 => return Err(fail("RSA test DSCs need a PKCS#8 key: use from_rsa_pkcs8")),
        };
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng).map_err(fail)?;
        let key = EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref(), &rng).map_err(fail)?;
        let cert_key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8.as_ref().into(), rcgen_alg).map_err(fail)?;
        let der = certificate(params, &cert_key, issuer)?;
        Ok(TestDsc { alg, country: params.country.clone(), der, signer: Signer::Ec(key) })
    }

    /// A fresh EC test DSC issued (signed) by a test CSCA, as the gateway's
    /// DSCs are; its subject country is `params.country`.
    pub fn issued_ec(alg: TestAlg, params: &TestDscParams, csca: &TestAuthority) -> Result<TestDsc, TestVectorError> {
        TestDsc::ec(alg, params, Some(csca))
    }

    /// A PS256 test DSC from an RSA PKCS#8 private key (DER).
    pub fn from_rsa_pkcs8(pkcs8: &[u8], params: &TestDscParams) -> Result<TestDsc, TestVectorError> {
        let key = RsaKeyPair::from_pkcs8(pkcs8).map_err(fail)?;
        let cert_key =
            rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8.into(), &rcgen::PKCS_RSA_SHA256).map_err(fail)?;
        let der = certificate(params, &cert_key, None)?;
        Ok(TestDsc { alg: TestAlg::Ps256, country: params.country.clone(), der, signer: Signer::Rsa(key) })
    }

    pub fn kid(&self) -> [u8; 8] {
        dsc_kid(&self.der)
    }

    /// The key id as lists and the scanner page write it (base64).
    pub fn kid_base64(&self) -> String {
        STANDARD.encode(self.kid())
    }

    /// Signs a CWT payload into `HC1:` text.
    pub fn sign(&self, payload: &[u8], options: SignOptions) -> Result<String, TestVectorError> {
        let kid = options.kid.unwrap_or_else(|| self.kid().to_vec());
        let alg = Value::Integer(self.alg.cose_id().into());
        let mut protected_map = vec![(Value::Integer(1.into()), alg)];
        let mut unprotected = Vec::new();
        if options.kid_unprotected {
            unprotected.push((Value::Integer(4.into()), Value::Bytes(kid)));
        } else {
            protected_map.push((Value::Integer(4.into()), Value::Bytes(kid)));
        }
        let protected = to_cbor(&Value::Map(protected_map))?;
        let message = envelope::sig_structure(&protected, payload);
        let rng = SystemRandom::new();
        let mut sig = match &self.signer {
            Signer::Ec(key) => key.sign(&rng, &message).map_err(fail)?.as_ref().to_vec(),
            Signer::Rsa(key) => {
                let mut sig = vec![0u8; key.public().modulus_len()];
                key.sign(&signature::RSA_PSS_SHA256, &rng, &message, &mut sig).map_err(fail)?;
                sig
            }
        };
        if options.tamper_signature
            && let Some(b) = sig.last_mut()
        {
            *b ^= 1;
        }
        let sign1 = Value::Array(vec![
            Value::Bytes(protected),
            Value::Map(unprotected),
            Value::Bytes(payload.to_vec()),
            Value::Bytes(sig),
        ]);
        let mut value = Value::Tag(18, Box::new(sign1));
        if options.cwt_tag {
            value = Value::Tag(61, Box::new(value));
        }
        let cose = to_cbor(&value)?;
        Ok(pack(&cose))
    }

    /// `list` signed the way [`ListSigner`](crate::dcc::ListSigner) checks:
    /// a base64 signature line (ECDSA raw `r‖s`, or RSA-PSS), then the list.
    pub fn sign_list(&self, list: &str) -> Result<String, TestVectorError> {
        let rng = SystemRandom::new();
        let sig = match &self.signer {
            Signer::Ec(key) => key.sign(&rng, list.as_bytes()).map_err(fail)?.as_ref().to_vec(),
            Signer::Rsa(key) => {
                let mut sig = vec![0u8; key.public().modulus_len()];
                key.sign(&signature::RSA_PSS_SHA256, &rng, list.as_bytes(), &mut sig).map_err(fail)?;
                sig
            }
        };
        Ok(format!("{}\n{list}", STANDARD.encode(sig)))
    }

    /// The ECDSA or RSA public key, for tests that check the DSC parser.
    pub fn public_key(&self) -> Vec<u8> {
        match &self.signer {
            Signer::Ec(key) => key.public_key().as_ref().to_vec(),
            Signer::Rsa(key) => key.public().as_ref().to_vec(),
        }
    }
}

/// How [`TestDsc::sign`] builds the COSE structure.
#[derive(Debug, Clone, Default)]
pub struct SignOptions {
    /// Wrap COSE_Sign1 in the CWT tag 61.
    pub cwt_tag: bool,
    /// Put the kid in the unprotected header instead.
    pub kid_unprotected: bool,
    /// Use this kid instead of the DSC's own.
    pub kid: Option<Vec<u8>>,
    /// Flip a bit of the signature.
    pub tamper_signature: bool,
}

fn certificate(
    params: &TestDscParams,
    key: &rcgen::KeyPair,
    issuer: Option<&TestAuthority>,
) -> Result<Vec<u8>, TestVectorError> {
    let mut cert = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    cert.distinguished_name = rcgen::DistinguishedName::new();
    cert.distinguished_name.push(rcgen::DnType::CountryName, params.country.as_str());
    cert.distinguished_name.push(rcgen::DnType::CommonName, "healthcode TEST DSC - not for production");
    let (y, m, d) = ymd(params.not_before)?;
    cert.not_before = rcgen::date_time_ymd(y, m, d);
    let (y, m, d) = ymd(params.not_after)?;
    cert.not_after = rcgen::date_time_ymd(y, m, d);
    cert.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    cert.extended_key_usages = params
        .usages
        .iter()
        .map(|k| {
            let oid = match k {
                DccKind::Test => EKU_TEST,
                DccKind::Vaccination => EKU_VACCINATION,
                DccKind::Recovery => EKU_RECOVERY,
            };
            rcgen::ExtendedKeyUsagePurpose::Other(oid.split('.').filter_map(|p| p.parse().ok()).collect())
        })
        .collect();
    let signed = match issuer {
        Some(ca) => cert.signed_by(key, &rcgen::Issuer::from_params(&ca.params, &ca.cert_key)),
        None => cert.self_signed(key),
    };
    Ok(signed.map_err(fail)?.der().to_vec())
}

/// A test CSCA or Upload certificate (P-256, self-signed) and its key: a
/// CSCA issues DSCs ([`TestDsc::issued_ec`]), an Upload certificate signs the
/// gateway's per-entry CMS ([`TestAuthority::sign_cms`]).
pub struct TestAuthority {
    pub country: String,
    pub der: Vec<u8>,
    params: rcgen::CertificateParams,
    cert_key: rcgen::KeyPair,
    key: EcdsaKeyPair,
}

/// How [`TestAuthority::sign_cms`] builds the CMS.
#[derive(Debug, Clone, Copy, Default)]
pub struct CmsOptions {
    /// Leave the content out (as the gateway serves `signature`).
    pub detached: bool,
    /// Sign the content directly, without signed attributes.
    pub no_signed_attrs: bool,
    /// Flip a bit of the signature.
    pub tamper_signature: bool,
}

impl TestAuthority {
    /// `ca`: a CSCA (may sign certificates); otherwise an Upload certificate.
    pub fn generate(
        country: &str,
        ca: bool,
        not_before: jiff::civil::Date,
        not_after: jiff::civil::Date,
    ) -> Result<TestAuthority, TestVectorError> {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_ASN1_SIGNING;
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).map_err(fail)?;
        let key = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).map_err(fail)?;
        let cert_key =
            rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8.as_ref().into(), &rcgen::PKCS_ECDSA_P256_SHA256)
                .map_err(fail)?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(rcgen::DnType::CountryName, country);
        let name = if ca { "healthcode TEST CSCA" } else { "healthcode TEST Upload" };
        params.distinguished_name.push(rcgen::DnType::CommonName, format!("{name} {country} - not for production"));
        let (y, m, d) = ymd(not_before)?;
        params.not_before = rcgen::date_time_ymd(y, m, d);
        let (y, m, d) = ymd(not_after)?;
        params.not_after = rcgen::date_time_ymd(y, m, d);
        if ca {
            params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            params.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
        } else {
            params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
        }
        let der = params.self_signed(&cert_key).map_err(fail)?.der().to_vec();
        Ok(TestAuthority { country: country.to_owned(), der, params, cert_key, key })
    }

    /// The certificate as PEM.
    pub fn pem(&self) -> String {
        let b64 = STANDARD.encode(&self.der);
        let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
        format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
    }

    /// A base64 CMS SignedData over `content` by this certificate's key
    /// (ECDSA P-256, SHA-256; signer named by issuer and serial number).
    pub fn sign_cms(&self, content: &[u8], options: CmsOptions) -> Result<String, TestVectorError> {
        use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
        use cms::content_info::{CmsVersion, ContentInfo};
        use cms::signed_data::{
            CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
        };
        use x509_cert::attr::Attribute;
        use x509_cert::der::asn1::{ObjectIdentifier, OctetString, SetOfVec};
        use x509_cert::der::{Any, Decode as _, Encode as _};
        use x509_cert::spki::AlgorithmIdentifierOwned;

        let oid = |s: &str| ObjectIdentifier::new(s).map_err(fail);
        let alg = |s: &str| -> Result<AlgorithmIdentifierOwned, TestVectorError> {
            Ok(AlgorithmIdentifierOwned { oid: oid(s)?, parameters: None })
        };
        let cert = x509_cert::Certificate::from_der(&self.der).map_err(fail)?;
        let id_data = oid("1.2.840.113549.1.7.1")?;
        let sha256 = "2.16.840.1.101.3.4.2.1";
        let rng = SystemRandom::new();
        let (signed_attrs, message) = if options.no_signed_attrs {
            (None, content.to_vec())
        } else {
            let digest = ring::digest::digest(&ring::digest::SHA256, content);
            let attr = |o: &str, value: Any| -> Result<Attribute, TestVectorError> {
                Ok(Attribute { oid: oid(o)?, values: SetOfVec::try_from(vec![value]).map_err(fail)? })
            };
            let attrs = SetOfVec::try_from(vec![
                attr("1.2.840.113549.1.9.3", Any::encode_from(&id_data).map_err(fail)?)?,
                attr(
                    "1.2.840.113549.1.9.4",
                    Any::encode_from(&OctetString::new(digest.as_ref()).map_err(fail)?).map_err(fail)?,
                )?,
            ])
            .map_err(fail)?;
            let message = attrs.to_der().map_err(fail)?;
            (Some(attrs), message)
        };
        let mut sig = self.key.sign(&rng, &message).map_err(fail)?.as_ref().to_vec();
        if options.tamper_signature
            && let Some(b) = sig.last_mut()
        {
            *b ^= 1;
        }
        let signer = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: cert.tbs_certificate.issuer.clone(),
                serial_number: cert.tbs_certificate.serial_number.clone(),
            }),
            digest_alg: alg(sha256)?,
            signed_attrs,
            signature_algorithm: alg("1.2.840.10045.4.3.2")?,
            signature: OctetString::new(sig).map_err(fail)?,
            unsigned_attrs: None,
        };
        let econtent = if options.detached {
            None
        } else {
            Some(Any::encode_from(&OctetString::new(content).map_err(fail)?).map_err(fail)?)
        };
        let signed = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![alg(sha256)?]).map_err(fail)?,
            encap_content_info: EncapsulatedContentInfo { econtent_type: id_data, econtent },
            certificates: Some(CertificateSet(
                SetOfVec::try_from(vec![CertificateChoices::Certificate(cert)]).map_err(fail)?,
            )),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).map_err(fail)?),
        };
        let info = ContentInfo {
            content_type: oid("1.2.840.113549.1.7.2")?,
            content: Any::encode_from(&signed).map_err(fail)?,
        };
        Ok(STANDARD.encode(info.to_der().map_err(fail)?))
    }
}

fn to_cbor(value: &Value) -> Result<Vec<u8>, TestVectorError> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).map_err(fail)?;
    Ok(out)
}

/// `HC1:` + base45(zlib(cose)).
pub fn pack(cose: &[u8]) -> String {
    use std::io::Write as _;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(cose);
    let compressed = z.finish().unwrap_or_default();
    format!("{DCC_PREFIX}{}", base45::encode(&compressed))
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn entry(fields: &[(&str, Value)]) -> Value {
    Value::Map(fields.iter().map(|(k, v)| (text(k), v.clone())).collect())
}

/// A vaccination entry (`v`), dose `dn` of `sd` on `date`.
pub fn vaccination(dn: u8, sd: u8, date: &str, country: &str) -> (&'static str, Value) {
    (
        "v",
        entry(&[
            ("tg", text("840539006")),
            ("vp", text("1119349007")),
            ("mp", text("EU/1/20/1528")),
            ("ma", text("ORG-100030215")),
            ("dn", Value::Integer(dn.into())),
            ("sd", Value::Integer(sd.into())),
            ("dt", text(date)),
            ("co", text(country)),
            ("is", text("healthcode test issuer")),
            ("ci", text(&format!("URN:UVCI:01:{country}:TESTV{dn}{sd}{}", date.replace('-', "")))),
        ]),
    )
}

/// A test entry (`t`) with the given type, sample time and result.
pub fn test(test_type: &str, sampled_at: Timestamp, result: &str, country: &str) -> (&'static str, Value) {
    (
        "t",
        entry(&[
            ("tg", text("840539006")),
            ("tt", text(test_type)),
            ("nm", text("test NAAT")),
            ("sc", text(&sampled_at.to_string())),
            ("tr", text(result)),
            ("tc", text("Test centre")),
            ("co", text(country)),
            ("is", text("healthcode test issuer")),
            ("ci", text(&format!("URN:UVCI:01:{country}:TESTT{}", sampled_at.as_second()))),
        ]),
    )
}

/// A recovery entry (`r`).
pub fn recovery(first_positive: &str, valid_from: &str, valid_until: &str, country: &str) -> (&'static str, Value) {
    (
        "r",
        entry(&[
            ("tg", text("840539006")),
            ("fr", text(first_positive)),
            ("df", text(valid_from)),
            ("du", text(valid_until)),
            ("co", text(country)),
            ("is", text("healthcode test issuer")),
            ("ci", text(&format!("URN:UVCI:01:{country}:TESTR{}", first_positive.replace('-', "")))),
        ]),
    )
}

/// The CWT payload: `iss`, `iat`, `exp` and the `hcert` claim holding a
/// certificate for ERIKA DOE with the given entry.
pub fn payload(country: &str, iat: Timestamp, exp: Timestamp, entry: (&str, Value)) -> Vec<u8> {
    let dgc = Value::Map(vec![
        (text("ver"), text("1.3.0")),
        (
            text("nam"),
            Value::Map(vec![
                (text("fn"), text("Doe")),
                (text("fnt"), text("DOE")),
                (text("gn"), text("Erika")),
                (text("gnt"), text("ERIKA")),
            ]),
        ),
        (text("dob"), text("1964-08-12")),
        (text(entry.0), Value::Array(vec![entry.1])),
    ]);
    let cwt = Value::Map(vec![
        (Value::Integer(1.into()), text(country)),
        (Value::Integer(4.into()), Value::Integer(exp.as_second().into())),
        (Value::Integer(6.into()), Value::Integer(iat.as_second().into())),
        (Value::Integer((-260).into()), Value::Map(vec![(Value::Integer(1.into()), dgc)])),
    ]);
    to_cbor(&cwt).unwrap_or_default()
}

/// One entry of the gateway's array, with its `signature` (a base64 CMS)
/// and `country` as given.
pub fn gateway_entry(dsc: &TestDsc, country: &str, signature: &str) -> serde_json::Value {
    serde_json::json!({
        "kid": STANDARD.encode(dsc.kid()),
        "country": country,
        "certificateType": "DSC",
        "thumbprint": "",
        "timestamp": "2026-01-01T00:00:00Z",
        "signature": signature,
        "rawData": STANDARD.encode(&dsc.der),
    })
}

/// A CSCA or Upload certificate as an entry of the gateway's `/trustList`
/// array (`kind`: `CSCA` or `UPLOAD`).
pub fn gateway_anchor(authority: &TestAuthority, kind: &str) -> serde_json::Value {
    serde_json::json!({
        "country": authority.country,
        "certificateType": kind,
        "rawData": STANDARD.encode(&authority.der),
    })
}

/// A DSC list in the gateway's array shape.
pub fn gateway_list(dscs: &[&TestDsc]) -> String {
    let entries: Vec<serde_json::Value> = dscs
        .iter()
        .map(|d| {
            serde_json::json!({
                "kid": STANDARD.encode(d.kid()),
                "country": d.country,
                "certificateType": "DSC",
                "thumbprint": "",
                "timestamp": "2026-01-01T00:00:00Z",
                "signature": "",
                "rawData": STANDARD.encode(&d.der),
            })
        })
        .collect();
    serde_json::to_string_pretty(&entries).unwrap_or_default()
}
