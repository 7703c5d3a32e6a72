//! Integration tests for healthcode-credential: one binary, one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod dcc;
mod dcc_gateway;
mod fuzz_regressions;
mod health_code;
mod keys;
mod qr;
mod qr_encoder;
mod vectors;

use std::io::Write as _;
use std::sync::LazyLock;

use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable as _, iana};
use flate2::Compression;
use flate2::write::ZlibEncoder;
use healthcode_credential::{
    HEALTH_CODE_PREFIX, HealthCodeClaims, PreparedTrustList, SigningKey, TrustList, TrustedKey,
};
use healthcode_domain::{Colour, HolderId};
use jiff::Timestamp;

pub const ISSUER: &str = "CN-ZJ-HZ";

/// One key shared by tests that do not care which key signs.
pub static KEY: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate().unwrap());

pub fn ts(second: i64) -> Timestamp {
    Timestamp::from_second(second).unwrap()
}

/// A fixed "now" used across tests: 2020-02-11T08:00:00Z.
pub fn now() -> Timestamp {
    ts(1_581_408_000)
}

pub fn sample_claims(issued_at: Timestamp) -> HealthCodeClaims {
    HealthCodeClaims {
        issuer: ISSUER.to_owned(),
        holder: HolderId::from_bytes([0x5a; 16]),
        colour: Colour::Green,
        issued_at,
        expires_at: issued_at + jiff::SignedDuration::from_mins(5),
        initials: "ZXM".to_owned(),
        document_last4: "123X".to_owned(),
        policy_version: "hangzhou-2020.1".to_owned(),
    }
}

/// A trust list holding `keys`, each valid from `not_before` with no end.
pub fn trust_list_for(keys: &[&SigningKey], issuer: &str) -> TrustList {
    TrustList {
        issuer: issuer.to_owned(),
        generated_at: now(),
        keys: keys.iter().map(|k| TrustedKey::es256(k, ts(0), None)).collect(),
    }
}

pub fn trust_for(key: &SigningKey) -> PreparedTrustList {
    trust_list_for(&[key], ISSUER).prepare().unwrap()
}

pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

/// Prefix + base45 + zlib, around arbitrary bytes.
pub fn pack(cose: &[u8]) -> String {
    format!("{HEALTH_CODE_PREFIX}{}", base45::encode(zlib(cose)))
}

/// Inverse of [`pack`] for well-formed codes.
pub fn unpack(text: &str) -> Vec<u8> {
    let body = text.strip_prefix(HEALTH_CODE_PREFIX).unwrap();
    let compressed = base45::decode(body).unwrap();
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&compressed[..]), &mut out).unwrap();
    out
}

/// A tagged COSE_Sign1 over `payload`, signed by `key`, with the given
/// protected `alg` and `kid` (None leaves them out).
pub fn sign_cose(payload: &[u8], key: &SigningKey, alg: Option<iana::Algorithm>, kid: Option<Vec<u8>>) -> Vec<u8> {
    let mut header = HeaderBuilder::new();
    if let Some(alg) = alg {
        header = header.algorithm(alg);
    }
    if let Some(kid) = kid {
        header = header.key_id(kid);
    }
    CoseSign1Builder::new()
        .protected(header.build())
        .payload(payload.to_vec())
        .try_create_signature(b"", |tbs| key.sign(tbs))
        .unwrap()
        .build()
        .to_tagged_vec()
        .unwrap()
}
