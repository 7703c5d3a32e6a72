//! Full `verify` of a health code against the bare ES256 signature check of
//! the same code, in the same run: `cargo run --release --example verify_rate [N]`.
#![allow(clippy::disallowed_methods)] // a benchmark reads the clock
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::io::Read as _;

use coset::{CoseSign1, TaggedCborSerializable as _};
use healthcode_credential::{
    HEALTH_CODE_PREFIX, HealthCodeClaims, SigningKey, TrustList, TrustedKey, decode_unverified, issue, verify,
};
use healthcode_domain::{Colour, HolderId};
use jiff::{SignedDuration, Timestamp};
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

mod timing;

use timing::{ROUNDS, median, per_op_us};

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let now = Timestamp::from_second(1_581_408_000).unwrap();
    let key = SigningKey::generate().unwrap();
    let claims = HealthCodeClaims {
        issuer: "CN-ZJ-HZ".into(),
        holder: HolderId::from_bytes([0x5a; 16]),
        colour: Colour::Yellow,
        issued_at: now,
        expires_at: now + SignedDuration::from_mins(5),
        initials: "ZXM".into(),
        document_last4: "123X".into(),
        policy_version: "hangzhou-2020.1".into(),
    };
    let text = issue(&claims, &key).unwrap();
    let trust =
        TrustList { issuer: "CN-ZJ-HZ".into(), generated_at: now, keys: vec![TrustedKey::es256(&key, now, None)] }
            .prepare()
            .unwrap();

    // The bare reference: the same signature over the same Sig_structure.
    let compressed = base45::decode(text.strip_prefix(HEALTH_CODE_PREFIX).unwrap()).unwrap();
    let mut cose = Vec::new();
    flate2::read::ZlibDecoder::new(&compressed[..]).read_to_end(&mut cose).unwrap();
    let sign1 = CoseSign1::from_tagged_slice(&cose).unwrap();
    let tbs = sign1.tbs_data(b"");
    let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.public_key_uncompressed());
    public.verify(&tbs, &sign1.signature).unwrap();
    verify(&text, &trust, now).unwrap();

    println!("code: {} characters, COSE {} bytes, zlib {} bytes", text.len(), cose.len(), compressed.len());
    let (mut bare, mut full, mut decode) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        bare.push(per_op_us(n, || {
            black_box(public.verify(black_box(&tbs), black_box(&sign1.signature))).unwrap();
        }));
        full.push(per_op_us(n, || {
            black_box(verify(black_box(&text), &trust, now)).unwrap();
        }));
        decode.push(per_op_us(n, || {
            black_box(decode_unverified(black_box(&text))).unwrap();
        }));
    }
    let (bare, full, decode) = (median(bare), median(full), median(decode));
    println!("N = {n}, median of {ROUNDS} rounds");
    println!("bare ring ES256 verify : {bare:8.2} µs/op  ({:>7.0}/s)", 1e6 / bare);
    println!("full verify            : {full:8.2} µs/op  ({:>7.0}/s)", 1e6 / full);
    println!("decode_unverified      : {decode:8.2} µs/op  (prefix+base45+zlib+COSE+claims, no signature)");
    println!("ratio full/bare        : {:.3}  (overhead {:+.1} %)", full / bare, (full / bare - 1.0) * 100.0);
    println!("rate full/bare         : {:.3}  (target >= 0.9)", bare / full);
}
