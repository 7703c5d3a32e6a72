//! Shared test vectors: every case in `tests/vectors/health_codes.json` must get
//! the same verdict from [`verify`] here and from the browser's offline verifier
//! `crates/server/static/hc-verify.js` (checked by `e2e/tests/verify-vectors.test.js`).
//!
//! ECDSA signatures are randomised, so the file is generated once and committed:
//! `HEALTHCODE_BLESS=1 cargo test -p healthcode-credential vectors` rewrites it.
//! Without it, the test re-verifies every committed case and checks that the file
//! still holds the keys, cases and designed verdicts built here.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::LazyLock;

use ciborium::Value;
use flate2::Compression;
use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use healthcode_credential::keys::spki_from_point;
use healthcode_credential::{
    HEALTH_CODE_PREFIX, HealthCodeClaims, PreparedTrustList, SigningKey, TrustList, TrustedKey, issue, verify,
};
use healthcode_domain::{Colour, HolderId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{ISSUER, pack, unpack, zlib};

const VALID: &str = "CODE_VALID";
/// The vectors' fixed "now": 2020-02-11T08:00:00Z. Nothing depends on the real clock.
const NOW: i64 = 1_581_408_000;
const DAY: i64 = 86_400;
const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
/// Order of the P-256 group, for the high-s signature case.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa,
    0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// A test-only P-256 key (PKCS#8, base64) and its trust-list window in seconds from
/// [`NOW`] (`None`: not listed). They are fixed so the trust list never changes;
/// they sign nothing but these vectors.
struct KeySpec {
    name: &'static str,
    pkcs8: &'static str,
    window: Option<(i64, Option<i64>)>,
}

const KEY_SPECS: [KeySpec; 7] = [
    KeySpec {
        name: "active",
        pkcs8: "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgATXg296tQ+JGlBxzEhEi7hwqmuuFeUBvhY36ZZZrWtmhRANCAASWL/r9ZGoPoTwnrvTpFxoK5CvIv2c9Obxkp9kWNlJ/VqE6esDEmTNicAeKUV1vCFoIL1yPWteUQ1a+U2i1fXQg",
        window: Some((-30 * DAY, None)),
    },
    KeySpec {
        name: "retired",
        pkcs8: "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPz5gvrGG+g3Z76WpKc7gv8c0isRF3/V2/FKpyo5/SnGhRANCAAS9o/Yqryb6mfcYgN21S2IKSpKuTKZPE35P64/CF1IfbC7zxanjPUkkItDmoZAdMz+rY8u4zSt5hKgmjuH01vop",
        window: Some((-60 * DAY, Some(-DAY))),
    },
    KeySpec {
        name: "ends_now",
        pkcs8: "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgswgiz86SKDD/otcFpIQYtzuUz8KV+8eRcpHK4SgwB5mhRANCAARcZytZ/qgGez8LbkfE62i9B4HX3JcHxAgSTcfuV7oktXOlfVVLRHC263Nn5glUcJdBHHf2lqa4X0D7ao1osD6x",
        window: Some((-30 * DAY, Some(0))),
    },
    KeySpec {
        name: "ends_next_second",
        pkcs8: "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+p+gY/Q7fB7mDJ/jGUor4Esrz0hMRokPThqIYuTQAJOhRANCAAQUOpfQyMSTz2y2gM6PZPp9u6f0fbZlExZuSHK3oOUmjkV1Glu0aEiL4s6xIvlz+IBXjVeELQIQa3NDoRQjbOVa",
        window: Some((-30 * DAY, Some(1))),
    },
    KeySpec {
        name: "starts_within_skew",
        pkcs8: "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdXM5HGtjuGfa/Qgux7oK2/yGPfQBubnAbIHcAyYbBpWhRANCAASAWIr9NOKYs4JvzL20cbyRv6RR6X4JbnMosbAv2glsnU2hXhkEn1zQ+JCbmVn2AJ4DN44yXM45WQ/PzPeMyk1H",
        window: Some((60, None)),
    },
    KeySpec {
        name: "not_yet_valid",
        pkcs8: "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgt+LNubCnuY7guSrJqKY5e/8yDxUForgNnf/Br7lTk0ShRANCAATAIoWU8iPCOW2yyL5KUSiZjUIi6ZQFTgckBdYGc1VlCFI7POM3Z5Kl5ohc8ZWNBJEmwO0NlqnX1eNkL1oaMUzX",
        window: Some((61, None)),
    },
    KeySpec {
        name: "stranger",
        pkcs8: "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBy7AhwPahkI9djWu3/7sSDZRhkE8R7WIvHO82WpvNqqhRANCAATc7q7e5Z2V6we+ZE7HDaaEXHCikze866kwMNd2wRRjX4Lv3MsXQsYYlqqwyNbqltADPLuNe1sgQtTh+3turxWK",
        window: None,
    },
];

/// A listed kid whose "public key" is not a point on the curve: Rust only finds
/// out when verifying, so browsers must not refuse the whole list for it.
const OFF_CURVE_KID: [u8; 8] = *b"offcurve";

static KEYS: LazyLock<Vec<SigningKey>> = LazyLock::new(|| {
    use base64::Engine as _;
    let decode = |s| base64::engine::general_purpose::STANDARD.decode(s).unwrap();
    KEY_SPECS.iter().map(|spec| SigningKey::from_pkcs8(&decode(spec.pkcs8)).unwrap()).collect()
});

pub(crate) fn key(name: &str) -> &'static SigningKey {
    let index = KEY_SPECS.iter().position(|spec| spec.name == name).unwrap();
    &KEYS[index]
}

fn at(offset: i64) -> Timestamp {
    Timestamp::from_second(NOW + offset).unwrap()
}

fn trust_list() -> TrustList {
    let mut keys: Vec<TrustedKey> = KEY_SPECS
        .iter()
        .filter_map(|spec| {
            let (not_before, not_after) = spec.window?;
            Some(TrustedKey::es256(key(spec.name), at(not_before), not_after.map(at)))
        })
        .collect();
    let mut point = vec![0x04];
    point.extend([0x01; 64]);
    let b64 = |bytes: &[u8]| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes);
    keys.push(TrustedKey {
        kid: b64(&OFF_CURVE_KID),
        alg: "ES256".into(),
        public_key: b64(&point),
        spki: b64(&spki_from_point(&point)),
        not_before: at(-30 * DAY),
        not_after: None,
    });
    TrustList { issuer: ISSUER.to_owned(), generated_at: at(0), keys }
}

// ---- The file ---------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize)]
struct VectorFile {
    about: String,
    trust_list: TrustList,
    now: Timestamp,
    cases: Vec<Case>,
}

/// One vector and the verdict `verify` gives it at the file's `now`.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Case {
    name: String,
    qr_text: String,
    valid: bool,
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    colour: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    holder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    initials: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    document_last4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issued_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    policy_version: Option<String>,
}

fn outcome(name: &str, qr_text: &str, trust: &PreparedTrustList, now: Timestamp) -> Case {
    let mut case = Case { name: name.to_owned(), qr_text: qr_text.to_owned(), ..Case::default() };
    match verify(qr_text, trust, now) {
        Ok(code) => {
            let claims = code.claims;
            case.valid = true;
            case.code = VALID.to_owned();
            case.colour = Some(claims.colour.as_str().to_owned());
            case.holder = Some(claims.holder.to_string());
            case.initials = Some(claims.initials);
            case.document_last4 = Some(claims.document_last4);
            case.issuer = Some(claims.issuer);
            case.key_id = Some(code.key_id.to_string());
            case.issued_at = Some(claims.issued_at);
            case.expires_at = Some(claims.expires_at);
            case.policy_version = Some(claims.policy_version);
        }
        Err(e) => case.code = e.code().to_owned(),
    }
    case
}

fn vectors_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/health_codes.json")
}

// ---- Building blocks ----------------------------------------------------------

fn holder(seed: u8) -> HolderId {
    HolderId::from_bytes(std::array::from_fn(|i| seed ^ (i as u8).wrapping_mul(0x11)))
}

/// Claims of a code issued 10 s before [`NOW`], valid for 5 minutes.
fn claims(colour: Colour) -> HealthCodeClaims {
    HealthCodeClaims {
        issuer: ISSUER.to_owned(),
        holder: holder(colour.letter() as u8),
        colour,
        issued_at: at(-10),
        expires_at: at(290),
        initials: "ZXM".to_owned(),
        document_last4: "123X".to_owned(),
        policy_version: "hangzhou-2020.1".to_owned(),
    }
}

fn timed(issued: i64, expires: i64) -> HealthCodeClaims {
    HealthCodeClaims { issued_at: at(issued), expires_at: at(expires), ..claims(Colour::Green) }
}

fn int(n: i128) -> Value {
    Value::Integer(n.try_into().unwrap())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn bytes(b: &[u8]) -> Value {
    Value::Bytes(b.to_vec())
}

fn cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).unwrap();
    out
}

type Entries = Vec<(Value, Value)>;

/// Our claims map, as `issue` writes it.
fn ours(colour: &str) -> Entries {
    vec![
        (text("v"), int(1)),
        (text("h"), bytes(holder(0x42).as_bytes())),
        (text("c"), text(colour)),
        (text("n"), text("ZXM")),
        (text("d"), text("123X")),
        (text("p"), text("hangzhou-2020.1")),
    ]
}

/// A CWT claims set around `ours`, issued 10 s before [`NOW`] for 5 minutes.
fn cwt(ours: Entries) -> Entries {
    vec![
        (int(1), text(ISSUER)),
        (int(4), int((NOW + 290).into())),
        (int(6), int((NOW - 10).into())),
        (int(-260), Value::Map(vec![(int(1), Value::Map(ours))])),
    ]
}

/// Replaces the value under `key` (or appends the pair).
fn with(mut entries: Entries, key: Value, value: Value) -> Entries {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => entries.push((key, value)),
    }
    entries
}

fn without(mut entries: Entries, key: &Value) -> Entries {
    entries.retain(|(k, _)| k != key);
    entries
}

fn map(entries: Entries) -> Vec<u8> {
    cbor(&Value::Map(entries))
}

/// `bytes` with the single occurrence of `from` replaced by `to`.
fn replaced(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let hits: Vec<usize> = (0..=bytes.len() - from.len()).filter(|&i| bytes[i..].starts_with(from)).collect();
    assert_eq!(hits.len(), 1, "{from:02x?} occurs {} times", hits.len());
    [&bytes[..hits[0]], to, &bytes[hits[0] + from.len()..]].concat()
}

/// The protected header `issue` writes: `{1: -7, 4: kid}`.
fn protected(kid: &[u8]) -> Vec<u8> {
    map(vec![(int(1), int(-7)), (int(4), bytes(kid))])
}

fn sign(key: &SigningKey, protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let tbs = Value::Array(vec![text("Signature1"), bytes(protected), bytes(b""), bytes(payload)]);
    key.sign(&cbor(&tbs)).unwrap()
}

/// A tagged COSE_Sign1 from encoded parts (`unprotected` is an encoded map).
fn sign1(protected: &[u8], unprotected: &[u8], payload: &[u8], signature: &[u8]) -> Vec<u8> {
    [&[0xd2, 0x84][..], &cbor(&bytes(protected)), unprotected, &cbor(&bytes(payload)), &cbor(&bytes(signature))]
        .concat()
}

/// `payload` signed by `key` under its own kid, as `issue` would, but unchecked.
fn signed_cose(payload: &[u8], key: &SigningKey) -> Vec<u8> {
    let protected = protected(key.key_id().as_bytes());
    sign1(&protected, &[0xa0], payload, &sign(key, &protected, payload))
}

fn signed(payload: &[u8], signer: &str) -> String {
    pack(&signed_cose(payload, key(signer)))
}

/// A COSE_Sign1 signed by `active` with the given protected and unprotected headers.
fn with_headers(protected: &[u8], unprotected: &[u8]) -> String {
    let payload = map(cwt(ours("G")));
    pack(&sign1(protected, unprotected, &payload, &sign(key("active"), protected, &payload)))
}

/// A good COSE_Sign1 with `unprotected` as its unprotected header.
fn with_unprotected(unprotected: &[u8]) -> String {
    with_headers(&protected(key("active").key_id().as_bytes()), unprotected)
}

/// A good code's COSE_Sign1 with its signature replaced.
fn with_signature(signature: &[u8]) -> String {
    let payload = map(cwt(ours("G")));
    pack(&sign1(&protected(key("active").key_id().as_bytes()), &[0xa0], &payload, signature))
}

fn good_signature() -> Vec<u8> {
    let payload = map(cwt(ours("G")));
    sign(key("active"), &protected(key("active").key_id().as_bytes()), &payload)
}

fn compressed_with<W: std::io::Write>(mut encoder: W, finish: impl FnOnce(W) -> Vec<u8>, data: &[u8]) -> Vec<u8> {
    encoder.write_all(data).unwrap();
    finish(encoder)
}

fn text_of(compressed: &[u8]) -> String {
    format!("{HEALTH_CODE_PREFIX}{}", base45::encode(compressed))
}

fn good_code() -> String {
    issue(&claims(Colour::Green), key("active")).unwrap()
}

/// The first single-character change at or after `fraction` of the body that
/// still decodes as base45 (what `verify` then says is up to it).
fn changed_character(code: &str, fraction: f64, trust: &PreparedTrustList) -> String {
    let start = HEALTH_CODE_PREFIX.len();
    let body_len = code.len() - start;
    let first = start + (body_len as f64 * fraction) as usize;
    for i in (first..code.len()).chain(start..first) {
        for &c in BASE45 {
            let mut changed = code.to_owned();
            changed.replace_range(i..=i, &char::from(c).to_string());
            let rejected = verify(&changed, trust, at(0)).err().map(|e| e.code());
            if changed != code && rejected != Some("CODE_BASE45_INVALID") {
                return changed;
            }
        }
    }
    unreachable!("no base45-preserving change")
}

/// `n - s` for a raw `r ‖ s` signature: the other, "high-s" twin.
fn high_s(signature: &[u8]) -> Vec<u8> {
    let mut out = signature.to_vec();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(P256_N[i]) - i16::from(signature[32 + i]) - borrow;
        borrow = i16::from(d < 0);
        out[32 + i] = d.rem_euclid(256) as u8;
    }
    out
}

// ---- The cases ----------------------------------------------------------------

struct Built {
    name: &'static str,
    qr_text: String,
    /// The verdict the case is designed to get; `None`: whatever `verify` says.
    expect: Option<&'static str>,
}

#[derive(Default)]
struct Cases(Vec<Built>);

impl Cases {
    fn add(&mut self, name: &'static str, expect: &'static str, qr_text: impl Into<String>) {
        self.0.push(Built { name, qr_text: qr_text.into(), expect: Some(expect) });
    }

    fn observe(&mut self, name: &'static str, qr_text: impl Into<String>) {
        self.0.push(Built { name, qr_text: qr_text.into(), expect: None });
    }
}

fn build_cases() -> Vec<Built> {
    let mut cases = Cases::default();
    valid_cases(&mut cases);
    text_cases(&mut cases);
    zlib_cases(&mut cases);
    cbor_cases(&mut cases);
    cose_cases(&mut cases);
    key_and_signature_cases(&mut cases);
    claims_cases(&mut cases);
    issuer_key_window_and_time_cases(&mut cases);
    cases.0
}

fn valid_cases(cases: &mut Cases) {
    for colour in Colour::ALL {
        let name = match colour {
            Colour::Green => "valid_green",
            Colour::Yellow => "valid_yellow",
            Colour::Red => "valid_red",
        };
        cases.add(name, VALID, issue(&claims(colour), key("active")).unwrap());
    }
    let untagged = unpack(&good_code())[1..].to_vec();
    cases.add("valid_untagged_cose", VALID, pack(&untagged));
    let stored = compressed_with(ZlibEncoder::new(Vec::new(), Compression::none()), |e| e.finish().unwrap(), &untagged);
    cases.add("valid_stored_zlib_block", VALID, text_of(&stored));
    let kid = key("active").key_id().as_bytes().to_vec();
    let alg_only = map(vec![(int(1), int(-7))]);
    cases.add("valid_kid_in_unprotected_header", VALID, with_headers(&alg_only, &map(vec![(int(4), bytes(&kid))])));
    let stranger_kid = key("stranger").key_id().as_bytes().to_vec();
    cases.add("valid_protected_kid_wins", VALID, with_unprotected(&map(vec![(int(4), bytes(&stranger_kid))])));
    let unicode =
        HealthCodeClaims { initials: "张小明".into(), document_last4: "12Ä4".into(), ..claims(Colour::Yellow) };
    cases.add("valid_unicode_hints", VALID, issue(&unicode, key("active")).unwrap());
    let astral = HealthCodeClaims {
        initials: "𝔸𝔹ℂ𝔻".into(), document_last4: "𝟙𝟚𝟛𝟜".into(), ..claims(Colour::Red)
    };
    cases.add("valid_astral_plane_hints", VALID, issue(&astral, key("active")).unwrap());
    let bom = HealthCodeClaims { initials: "\u{feff}AB".into(), ..claims(Colour::Green) };
    cases.add("valid_initials_with_bom", VALID, issue(&bom, key("active")).unwrap());
    let empty = HealthCodeClaims {
        initials: String::new(),
        document_last4: String::new(),
        policy_version: String::new(),
        ..claims(Colour::Red)
    };
    cases.add("valid_empty_hints", VALID, issue(&empty, key("active")).unwrap());
    let extra_ours = with(ours("Y"), text("z"), Value::Array(vec![Value::Bool(true), Value::Null, Value::Float(1.5)]));
    let extra_ours = with(extra_ours, int(7), Value::Tag(1, Box::new(int(0))));
    let hcert = Value::Map(vec![(text("1"), int(0)), (int(1), Value::Map(extra_ours)), (int(2), bytes(b"x"))]);
    let extra = with(cwt(vec![]), int(-260), hcert);
    let extra = with(with(extra, int(7), bytes(b"cti")), text("x"), Value::Float(1e300));
    cases.add("valid_unknown_claims_ignored", VALID, signed(&map(extra), "active"));
    let payload = map(cwt(ours("G")));
    let indefinite_claim =
        [&[0xa5][..], &payload[1..], &[0x18, 0x63, 0x9f, 0x01, 0x7f, 0x61, 0x61, 0xff, 0xff]].concat();
    cases.add("valid_indefinite_unknown_claim", VALID, signed(&indefinite_claim, "active"));
    let long_heads = [&[0xb8, 0x04][..], &payload[1..]].concat();
    let kid_header = protected(&kid);
    let long_protected = [&[0xb9, 0x00, 0x02][..], &kid_header[1..]].concat();
    let sig = sign(key("active"), &long_protected, &long_heads);
    cases.add("valid_non_shortest_cbor_heads", VALID, pack(&sign1(&long_protected, &[0xa0], &long_heads, &sig)));
    let skipped = [
        &[0xa9, 0x18, 0x63, 0x9f, 0x01, 0x02, 0xff][..], // 99: indefinite array
        &[0x18, 0x62, 0x5f, 0x41, 0x00, 0x42, 0x01, 0x02, 0xff], // 98: indefinite bytes
        &[0x18, 0x61, 0x7f, 0x61, 0x61, 0x62, 0xc3, 0xa4, 0xff], // 97: indefinite text
        &[0x18, 0x60, 0xf9, 0x3c, 0x00],                 // 96: float16
        &[0x18, 0x5f, 0xf8, 0xff],                       // 95: simple(255)
        &[0x18, 0x5e, 0xc1, 0x00],                       // 94: tag 1
        &[0x18, 0x5d, 0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], // 93: float64
        &[0x18, 0x5c, 0xbf, 0x01, 0x02, 0xff],           // 92: indefinite map
        &[0x63, 0x6b, 0x69, 0x64, 0xf6],                 // "kid": null
    ]
    .concat();
    cases.add("valid_unusual_items_in_unprotected_header", VALID, with_unprotected(&skipped));
    cases.add("valid_nesting_at_depth_limit", VALID, with_unprotected(&nested(13)));
    cases.add("valid_issued_before_1970", VALID, issue(&timed(-NOW - 100, 290), key("active")).unwrap());
    let far = Timestamp::MAX.as_second() - NOW;
    cases.add("valid_far_future_expiry", VALID, issue(&timed(-10, far), key("active")).unwrap());
    let earliest = Timestamp::MIN.as_second() - NOW;
    cases.add("valid_issued_at_earliest_time", VALID, issue(&timed(earliest, 290), key("active")).unwrap());
}

/// An unprotected header `{99: [[...[0]...]]}` with `depth` nested arrays.
fn nested(depth: usize) -> Vec<u8> {
    [&[0xa1, 0x18, 0x63][..], &vec![0x81; depth], &[0x00]].concat()
}

fn text_cases(cases: &mut Cases) {
    let good = good_code();
    let body = &good[HEALTH_CODE_PREFIX.len()..];
    cases.add("prefix_missing", "CODE_PREFIX_INVALID", body);
    cases.add("prefix_eu_dcc", "CODE_PREFIX_INVALID", format!("HC1:{body}"));
    cases.add("prefix_lowercase", "CODE_PREFIX_INVALID", good.to_lowercase());
    cases.add("prefix_leading_space", "CODE_PREFIX_INVALID", format!(" {good}"));
    cases.add("empty_text", "CODE_PREFIX_INVALID", "");
    cases.add("base45_lowercase_letter", "CODE_BASE45_INVALID", good.replacen("HCODE1:", "HCODE1:a", 1));
    cases.add("base45_trailing_newline", "CODE_BASE45_INVALID", format!("{good}\n"));
    cases.add("base45_non_ascii", "CODE_BASE45_INVALID", "HCODE1:Ä0Ā0");
    cases.add("base45_group_over_65535", "CODE_BASE45_INVALID", "HCODE1:GGW");
    cases.add("base45_pair_over_255", "CODE_BASE45_INVALID", "HCODE1:V5");
    cases.add("base45_single_char", "CODE_BASE45_INVALID", "HCODE1:A");
    cases.add("truncated_whole_groups", "CODE_ZLIB_INVALID", &good[..good.len() - 3]);
    cases.observe("truncated_one_char", &good[..good.len() - 1]);
    cases.observe("truncated_to_half", &good[..good.len() / 2]);
    let trust = trust_list().prepare().unwrap();
    cases.observe("changed_char_start", changed_character(&good, 0.0, &trust));
    cases.observe("changed_char_middle", changed_character(&good, 0.5, &trust));
    cases.observe("changed_char_end", changed_character(&good, 0.99, &trust));
}

fn zlib_cases(cases: &mut Cases) {
    let cose = unpack(&good_code());
    let good = zlib(&cose);
    cases.add("zlib_empty", "CODE_ZLIB_INVALID", HEALTH_CODE_PREFIX);
    cases.add("zlib_not_zlib", "CODE_ZLIB_INVALID", text_of(b"not zlib at all"));
    cases.add("zlib_trailing_byte", "CODE_ZLIB_INVALID", text_of(&[&good[..], &[0]].concat()));
    cases.add("zlib_two_streams", "CODE_ZLIB_INVALID", text_of(&[&good[..], &good].concat()));
    let mut checksum = good.clone();
    *checksum.last_mut().unwrap() ^= 0x01;
    cases.add("zlib_bad_checksum", "CODE_ZLIB_INVALID", text_of(&checksum));
    let raw = compressed_with(DeflateEncoder::new(Vec::new(), Compression::best()), |e| e.finish().unwrap(), &cose);
    cases.add("zlib_raw_deflate", "CODE_ZLIB_INVALID", text_of(&raw));
    let gzip = compressed_with(GzEncoder::new(Vec::new(), Compression::best()), |e| e.finish().unwrap(), &cose);
    cases.add("zlib_gzip", "CODE_ZLIB_INVALID", text_of(&gzip));
    // FDICT set (0x78 0xbb is a valid header check), then a dictionary id.
    let dict = [&[0x78, 0xbb, 0, 0, 0, 1][..], &good[2..]].concat();
    cases.add("zlib_preset_dictionary", "CODE_ZLIB_INVALID", text_of(&dict));
    cases.add("too_large_bomb", "CODE_TOO_LARGE", pack(&vec![0u8; 1 << 20]));
    cases.add("too_large_by_one_byte", "CODE_TOO_LARGE", pack(&vec![0u8; 16 * 1024 + 1]));
    let at_cap = [&[0x59, 0x3f, 0xfd][..], &vec![0u8; 16 * 1024 - 3]].concat();
    cases.add("inflated_exactly_at_cap", "CODE_COSE_INVALID", pack(&at_cap));
    let bomb = zlib(&vec![0u8; 1 << 20]);
    cases.add("too_large_before_trailing_byte", "CODE_TOO_LARGE", text_of(&[&bomb[..], &[0]].concat()));
    cases.add("too_large_before_truncation", "CODE_TOO_LARGE", text_of(&bomb[..bomb.len() - 4]));
}

fn cbor_cases(cases: &mut Cases) {
    let cose = unpack(&good_code());
    cases.add("cbor_empty", "CODE_CBOR_INVALID", pack(b""));
    cases.add("cbor_reserved_additional_info", "CODE_CBOR_INVALID", pack(&[0x1c]));
    cases.add("cbor_truncated_array", "CODE_CBOR_INVALID", pack(&[0x82, 0x01]));
    cases.add("cbor_truncated_cose", "CODE_CBOR_INVALID", pack(&cose[..cose.len() - 1]));
    cases.add("cbor_two_items", "CODE_CBOR_INVALID", pack(&[&cose[..], &[0x00]].concat()));
    cases.add("cbor_huge_length", "CODE_CBOR_INVALID", pack(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    cases.add("cbor_huge_array", "CODE_CBOR_INVALID", pack(&[0x9b, 0, 0, 0, 1, 0, 0, 0, 0, 0]));
    let header = |item: &[u8]| [&[0xa1, 0x18, 0x63][..], item].concat();
    cases.add("cbor_invalid_utf8_in_header", "CODE_CBOR_INVALID", with_unprotected(&header(&[0x62, 0xff, 0xfe])));
    cases.add("cbor_surrogate_in_header", "CODE_CBOR_INVALID", with_unprotected(&header(&[0x63, 0xed, 0xa0, 0x80])));
    cases.add("cbor_simple_below_32", "CODE_CBOR_INVALID", with_unprotected(&header(&[0xf8, 0x10])));
    cases.add("cbor_lone_break", "CODE_CBOR_INVALID", with_unprotected(&header(&[0xff])));
    cases.add("cbor_indefinite_integer", "CODE_CBOR_INVALID", with_unprotected(&header(&[0x1f])));
    cases.add("cbor_odd_indefinite_map", "CODE_CBOR_INVALID", with_unprotected(&header(&[0xbf, 0x01, 0xff])));
    let text_chunk = header(&[0x5f, 0x61, 0x00, 0xff]);
    cases.add("cbor_text_chunk_in_byte_string", "CODE_CBOR_INVALID", with_unprotected(&text_chunk));
    cases.add("cbor_unterminated_indefinite", "CODE_CBOR_INVALID", pack(&[0xd2, 0x9f, 0x40, 0xa0]));
    cases.add("cbor_nesting_too_deep", "CODE_CBOR_INVALID", with_unprotected(&nested(14)));
}

fn cose_cases(cases: &mut Cases) {
    let untagged = unpack(&good_code())[1..].to_vec();
    cases.add("cose_text_not_array", "CODE_COSE_INVALID", pack(b"\x65hello"));
    cases.add("cose_integer", "CODE_COSE_INVALID", pack(&[0x01]));
    cases.add("cose_wrong_tag", "CODE_COSE_INVALID", pack(&[&[0xd8, 0x62][..], &untagged].concat()));
    cases.add("cose_double_tag", "CODE_COSE_INVALID", pack(&[&[0xd2, 0xd2][..], &untagged].concat()));
    let indefinite = [&[0xd2, 0x9f][..], &untagged[1..], &[0xff]].concat();
    cases.add("cose_indefinite_array", "CODE_COSE_INVALID", pack(&indefinite));
    let payload = map(cwt(ours("G")));
    let kid = key("active").key_id().as_bytes().to_vec();
    let prot = protected(&kid);
    let sig = sign(key("active"), &prot, &payload);
    let three = [&[0xd2, 0x83][..], &cbor(&bytes(&prot)), &[0xa0], &cbor(&bytes(&payload))].concat();
    cases.add("cose_array_of_three", "CODE_COSE_INVALID", pack(&three));
    let as_map = [&[0xd2, 0x84][..], &prot, &[0xa0], &cbor(&bytes(&payload)), &cbor(&bytes(&sig))].concat();
    cases.add("cose_protected_not_bytes", "CODE_COSE_INVALID", pack(&as_map));
    cases.add("cose_unprotected_not_map", "CODE_COSE_INVALID", with_unprotected(&[0x80]));
    cases.add("cose_indefinite_unprotected", "CODE_COSE_INVALID", with_unprotected(&[0xbf, 0xff]));
    let detached = [&[0xd2, 0x84][..], &cbor(&bytes(&prot)), &[0xa0, 0xf6], &cbor(&bytes(&sig))].concat();
    cases.add("cose_nil_payload", "CODE_COSE_INVALID", pack(&detached));
    let text_sig = [&[0xd2, 0x84][..], &cbor(&bytes(&prot)), &[0xa0], &cbor(&bytes(&payload)), &[0x60]].concat();
    cases.add("cose_signature_not_bytes", "CODE_COSE_INVALID", pack(&text_sig));
    let es384 = map(vec![(int(1), int(-35)), (int(4), bytes(&kid))]);
    cases.add("cose_alg_es384", "CODE_COSE_INVALID", with_headers(&es384, &[0xa0]));
    let alg_text = map(vec![(int(1), text("ES256")), (int(4), bytes(&kid))]);
    cases.add("cose_alg_text", "CODE_COSE_INVALID", with_headers(&alg_text, &[0xa0]));
    cases.add("cose_alg_missing", "CODE_COSE_INVALID", with_headers(&map(vec![(int(4), bytes(&kid))]), &[0xa0]));
    let unprotected_alg = map(vec![(int(1), int(-7)), (int(4), bytes(&kid))]);
    cases.add("cose_alg_only_unprotected", "CODE_COSE_INVALID", with_headers(b"", &unprotected_alg));
    cases.add("cose_kid_missing", "CODE_COSE_INVALID", with_headers(&map(vec![(int(1), int(-7))]), &[0xa0]));
    let kid_text = map(vec![(int(1), int(-7)), (int(4), text("kid"))]);
    cases.add("cose_kid_text", "CODE_COSE_INVALID", with_headers(&kid_text, &[0xa0]));
    let alg_only = map(vec![(int(1), int(-7))]);
    let unprotected_kid_text = map(vec![(int(4), text("kid"))]);
    cases.add("cose_unprotected_kid_text", "CODE_COSE_INVALID", with_headers(&alg_only, &unprotected_kid_text));
    let repeated = [&[0xa3, 0x01, 0x26][..], &prot[1..]].concat();
    cases.add("cose_protected_repeats_alg", "CODE_COSE_INVALID", with_headers(&repeated, &[0xa0]));
    cases.add("cose_protected_not_cbor", "CODE_COSE_INVALID", with_headers(&[0xff], &[0xa0]));
    let two_items = [&prot[..], &[0x00]].concat();
    cases.add("cose_protected_two_items", "CODE_COSE_INVALID", with_headers(&two_items, &[0xa0]));
}

fn key_and_signature_cases(cases: &mut Cases) {
    cases.add("key_unknown_stranger", "CODE_KEY_UNKNOWN", issue(&claims(Colour::Green), key("stranger")).unwrap());
    let kid = key("active").key_id().as_bytes().to_vec();
    cases.add("key_unknown_short_kid", "CODE_KEY_UNKNOWN", with_headers(&protected(&kid[..3]), &[0xa0]));
    let long = [&kid[..], &[0]].concat();
    cases.add("key_unknown_long_kid", "CODE_KEY_UNKNOWN", with_headers(&protected(&long), &[0xa0]));
    cases.add("key_unknown_empty_kid", "CODE_KEY_UNKNOWN", with_headers(&protected(b""), &[0xa0]));
    cases.add("key_unknown_before_claims", "CODE_KEY_UNKNOWN", signed(b"\xa0", "stranger"));

    let good = good_signature();
    let mut flipped = good.clone();
    flipped[10] ^= 0x01;
    cases.add("signature_flipped", "CODE_SIGNATURE_INVALID", with_signature(&flipped));
    cases.add("signature_63_bytes", "CODE_SIGNATURE_INVALID", with_signature(&good[..63]));
    cases.add("signature_65_bytes", "CODE_SIGNATURE_INVALID", with_signature(&[&good[..], &[0]].concat()));
    cases.add("signature_empty", "CODE_SIGNATURE_INVALID", with_signature(b""));
    cases.add("signature_zero", "CODE_SIGNATURE_INVALID", with_signature(&[0; 64]));
    cases.observe("signature_high_s", with_signature(&high_s(&good)));
    let red = map(cwt(ours("R")));
    let prot = protected(&kid);
    cases.add("signature_payload_swapped", "CODE_SIGNATURE_INVALID", pack(&sign1(&prot, &[0xa0], &red, &good)));
    let payload = map(cwt(ours("G")));
    let long_prot = [&[0xb8, 0x02][..], &prot[1..]].concat();
    let reencoded = pack(&sign1(&long_prot, &[0xa0], &payload, &good));
    cases.add("signature_protected_reencoded", "CODE_SIGNATURE_INVALID", reencoded);
    let by_stranger = sign(key("stranger"), &prot, &payload);
    let stranger_text = pack(&sign1(&prot, &[0xa0], &payload, &by_stranger));
    cases.add("signature_by_stranger_under_trusted_kid", "CODE_SIGNATURE_INVALID", stranger_text);
    let garbage_sig = sign(key("stranger"), &prot, b"\xa0");
    let before_claims = pack(&sign1(&prot, &[0xa0], b"\xa0", &garbage_sig));
    cases.add("signature_before_claims", "CODE_SIGNATURE_INVALID", before_claims);
    let off = protected(&OFF_CURVE_KID);
    let off_curve = pack(&sign1(&off, &[0xa0], &payload, &sign(key("active"), &off, &payload)));
    cases.add("signature_key_not_on_curve", "CODE_SIGNATURE_INVALID", off_curve);
}

fn claims_cases(cases: &mut Cases) {
    let bad = "CODE_CLAIMS_INVALID";
    let claim =
        |name: &'static str, payload: Vec<u8>, cases: &mut Cases| cases.add(name, bad, signed(&payload, "active"));
    let ours_with = |key: &str, value: Value| map(cwt(with(ours("G"), text(key), value)));
    claim("claims_empty_map", vec![0xa0], cases);
    claim("claims_not_cbor", vec![0xff], cases);
    claim("claims_array", cbor(&Value::Array(vec![])), cases);
    claim("claims_version_2", ours_with("v", int(2)), cases);
    claim("claims_version_huge", ours_with("v", int(u64::MAX.into())), cases);
    claim("claims_version_text", ours_with("v", text("1")), cases);
    claim("claims_version_missing", map(cwt(without(ours("G"), &text("v")))), cases);
    claim("claims_colour_lowercase", ours_with("c", text("g")), cases);
    claim("claims_colour_word", ours_with("c", text("GREEN")), cases);
    claim("claims_colour_bytes", ours_with("c", bytes(b"G")), cases);
    claim("claims_holder_15_bytes", ours_with("h", bytes(&[7; 15])), cases);
    claim("claims_holder_hex_text", ours_with("h", text(&holder(1).to_string())), cases);
    claim("claims_initials_5_chars", ours_with("n", text("张小明AB")), cases);
    claim("claims_document_5_chars", ours_with("d", text("12345")), cases);
    claim("claims_policy_65_bytes", ours_with("p", text(&"p".repeat(65))), cases);
    claim("claims_initials_missing", map(cwt(without(ours("G"), &text("n")))), cases);
    let twice = [ours("G"), vec![(text("c"), text("G"))]].concat();
    claim("claims_colour_twice", map(cwt(twice)), cases);
    let iss_twice = [cwt(ours("G")), vec![(int(1), text(ISSUER))]].concat();
    claim("claims_issuer_twice", map(iss_twice), cases);
    claim("claims_issuer_empty", map(with(cwt(ours("G")), int(1), text(""))), cases);
    claim("claims_issuer_65_bytes", map(with(cwt(ours("G")), int(1), text(&"Z".repeat(65)))), cases);
    claim("claims_issuer_bytes", map(with(cwt(ours("G")), int(1), bytes(ISSUER.as_bytes()))), cases);
    claim("claims_expiry_equals_issue", map(with(cwt(ours("G")), int(4), int((NOW - 10).into()))), cases);
    claim("claims_expiry_float", map(with(cwt(ours("G")), int(4), Value::Float((NOW + 290) as f64))), cases);
    let beyond = i128::from(Timestamp::MAX.as_second()) + 1;
    claim("claims_expiry_beyond_year_9999", map(with(cwt(ours("G")), int(4), int(beyond))), cases);
    claim("claims_expiry_u64_max", map(with(cwt(ours("G")), int(4), int(u64::MAX.into()))), cases);
    let before = i128::from(Timestamp::MIN.as_second()) - 1;
    claim("claims_issued_before_year_minus_9999", map(with(cwt(ours("G")), int(6), int(before))), cases);
    claim("claims_issued_most_negative", map(with(cwt(ours("G")), int(6), int(-1 - i128::from(u64::MAX)))), cases);
    claim("claims_expiry_missing", map(without(cwt(ours("G")), &int(4))), cases);
    claim("claims_hcert_missing", map(without(cwt(ours("G")), &int(-260))), cases);
    let text_label = Value::Map(vec![(text("1"), Value::Map(ours("G")))]);
    claim("claims_hcert_text_label", map(with(cwt(ours("G")), int(-260), text_label)), cases);
    claim("claims_hcert_not_map", map(with(cwt(ours("G")), int(-260), Value::Map(vec![(int(1), int(1))]))), cases);
    let payload = map(cwt(ours("G")));
    let indefinite = [&[0xbf][..], &payload[1..], &[0xff]].concat();
    claim("claims_indefinite_map", indefinite, cases);
    claim("claims_invalid_utf8", replaced(&payload, b"\x63ZXM", b"\x63\xed\xa0\x80"), cases);
    claim("claims_indefinite_text", replaced(&payload, b"\x63ZXM", b"\x7f\x63ZXM\xff"), cases);
    claim("claims_trailing_item", [&payload[..], &[0x00]].concat(), cases);
}

fn issuer_key_window_and_time_cases(cases: &mut Cases) {
    let by = |claims: HealthCodeClaims, signer: &str| issue(&claims, key(signer)).unwrap();
    let region = |issuer: &str, claims: HealthCodeClaims| HealthCodeClaims { issuer: issuer.to_owned(), ..claims };
    cases.add("issuer_unknown", "CODE_ISSUER_UNKNOWN", by(region("CN-BJ", claims(Colour::Green)), "active"));
    cases.add("issuer_case_differs", "CODE_ISSUER_UNKNOWN", by(region("cn-zj-hz", claims(Colour::Green)), "active"));
    let old = timed(-DAY, -DAY + 300);
    cases.add("issuer_unknown_and_expired", "CODE_ISSUER_UNKNOWN", by(region("CN-BJ", old.clone()), "active"));
    cases.add("key_retired", "CODE_KEY_NOT_VALID", by(claims(Colour::Green), "retired"));
    cases.add("key_retired_and_expired", "CODE_KEY_NOT_VALID", by(old.clone(), "retired"));
    cases.add("key_ends_now", "CODE_KEY_NOT_VALID", by(claims(Colour::Green), "ends_now"));
    cases.add("valid_key_ends_next_second", VALID, by(claims(Colour::Green), "ends_next_second"));
    cases.add("valid_key_starts_within_skew", VALID, by(claims(Colour::Green), "starts_within_skew"));
    cases.add("key_not_yet_valid", "CODE_KEY_NOT_VALID", by(claims(Colour::Green), "not_yet_valid"));
    cases.add("valid_issued_within_skew", VALID, by(timed(60, 360), "active"));
    cases.add("not_yet_valid", "CODE_NOT_YET_VALID", by(timed(61, 361), "active"));
    cases.add("not_yet_valid_tomorrow", "CODE_NOT_YET_VALID", by(timed(DAY, DAY + 300), "active"));
    cases.add("valid_expires_next_second", VALID, by(timed(-299, 1), "active"));
    cases.add("expired_now", "CODE_EXPIRED", by(timed(-300, 0), "active"));
    cases.add("expired_yesterday", "CODE_EXPIRED", by(old, "active"));
    cases.add("expired_in_1970", "CODE_EXPIRED", by(timed(-NOW, -NOW + 300), "active"));
    cases.add("expired_screenshot", "CODE_EXPIRED", by(timed(-DAY - 10, -DAY + 290), "active"));
}

// ---- The tests ------------------------------------------------------------------

fn bless(built: &[Built]) {
    let trust_list = trust_list();
    let trust = trust_list.prepare().unwrap();
    let cases: Vec<Case> = built
        .iter()
        .map(|b| {
            let case = outcome(b.name, &b.qr_text, &trust, at(0));
            if let Some(expect) = b.expect {
                assert_eq!(case.code, expect, "case {} is not what it was designed to be", b.name);
            }
            case
        })
        .collect();
    let about = "Shared health-code test vectors: Rust `verify` and crates/server/static/hc-verify.js must \
                 both give each case's verdict at `now`. Generated by crates/credential/tests/it/vectors.rs \
                 (HEALTHCODE_BLESS=1); do not edit by hand.";
    let file = VectorFile { about: about.to_owned(), trust_list, now: at(0), cases };
    let path = vectors_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&file).unwrap() + "\n").unwrap();
}

#[test]
fn shared_vectors_match_verify() {
    let built = build_cases();
    if std::env::var("HEALTHCODE_BLESS").as_deref() == Ok("1") {
        bless(&built);
    }
    let path = vectors_path();
    let json = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; create it with HEALTHCODE_BLESS=1", path.display()));
    let file: VectorFile = serde_json::from_str(&json).unwrap();
    assert_eq!(file.trust_list, trust_list(), "the file's trust list is stale: re-bless");
    assert_eq!(file.now, at(0));

    let trust = file.trust_list.prepare().unwrap();
    for case in &file.cases {
        assert_eq!(outcome(&case.name, &case.qr_text, &trust, file.now), *case, "vector {}", case.name);
    }
    let names: Vec<&str> = file.cases.iter().map(|c| c.name.as_str()).collect();
    let wanted: Vec<&str> = built.iter().map(|b| b.name).collect();
    assert_eq!(names, wanted, "the file's cases are stale: re-bless");
    for (b, case) in built.iter().zip(&file.cases) {
        if let Some(expect) = b.expect {
            assert_eq!(case.code, expect, "vector {}", b.name);
        }
    }
}

#[test]
fn vectors_have_unique_names_and_reach_every_code() {
    let built = build_cases();
    let names: BTreeSet<&str> = built.iter().map(|b| b.name).collect();
    assert_eq!(names.len(), built.len(), "duplicate case names");
    let codes: BTreeSet<&str> = built.iter().filter_map(|b| b.expect).collect();
    let all = [
        VALID,
        "CODE_PREFIX_INVALID",
        "CODE_BASE45_INVALID",
        "CODE_ZLIB_INVALID",
        "CODE_TOO_LARGE",
        "CODE_CBOR_INVALID",
        "CODE_COSE_INVALID",
        "CODE_CLAIMS_INVALID",
        "CODE_KEY_UNKNOWN",
        "CODE_SIGNATURE_INVALID",
        "CODE_ISSUER_UNKNOWN",
        "CODE_KEY_NOT_VALID",
        "CODE_NOT_YET_VALID",
        "CODE_EXPIRED",
    ];
    assert_eq!(codes, BTreeSet::from(all));
}
