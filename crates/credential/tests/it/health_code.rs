//! Issue / verify: round trips, tampering, and every error code.

use ciborium::Value;
use coset::{CborSerializable as _, CoseSign1, TaggedCborSerializable as _, iana};
use healthcode_credential::{
    HealthCodeClaims, SigningKey, TrustList, TrustedKey, VerifyError, decode_unverified, issue, verify,
};
use healthcode_domain::{Colour, HolderId};
use jiff::SignedDuration;
use proptest::prelude::*;

use crate::{ISSUER, KEY, now, pack, sample_claims, sign_cose, trust_for, trust_list_for, ts, unpack, zlib};

const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn code_of(result: Result<impl std::fmt::Debug, VerifyError>) -> &'static str {
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.code(),
    }
}

fn sample_code() -> String {
    issue(&sample_claims(now()), &KEY).unwrap()
}

#[test]
fn issue_then_verify() {
    let text = sample_code();
    assert!(text.starts_with("HCODE1:"));
    let verified = verify(&text, &trust_for(&KEY), now()).unwrap();
    assert_eq!(verified.claims, sample_claims(now()));
    assert_eq!(verified.key_id, KEY.key_id());
    let (claims, kid) = decode_unverified(&text).unwrap();
    assert_eq!((claims, kid), (sample_claims(now()), KEY.key_id()));
}

#[test]
fn container_is_the_dcc_layout() {
    let cose = unpack(&sample_code());
    let sign1 = CoseSign1::from_tagged_slice(&cose).unwrap();
    assert_eq!(sign1.protected.header.alg, Some(coset::RegisteredLabelWithPrivate::Assigned(iana::Algorithm::ES256)));
    assert_eq!(sign1.protected.header.key_id, KEY.key_id().as_bytes().to_vec());
    assert_eq!(sign1.signature.len(), 64);
    let claims = coset::cwt::ClaimsSet::from_slice(&sign1.payload.unwrap()).unwrap();
    assert_eq!(claims.issuer.as_deref(), Some(ISSUER));
    assert_eq!(claims.issued_at, Some(coset::cwt::Timestamp::WholeSeconds(now().as_second())));
    let (_, hcert) = &claims.rest[0];
    let Value::Map(outer) = hcert else { panic!("hcert is not a map") };
    let Value::Map(ours) = &outer[0].1 else { panic!("hcert[1] is not a map") };
    let keys: Vec<_> = ours.iter().map(|(k, _)| k.as_text().unwrap().to_owned()).collect();
    assert_eq!(keys, ["v", "h", "c", "n", "d", "p"]);
}

#[test]
fn sub_second_times_are_dropped() {
    let mut claims = sample_claims(now() + SignedDuration::from_millis(700));
    claims.expires_at += SignedDuration::from_millis(200);
    let verified = verify(&issue(&claims, &KEY).unwrap(), &trust_for(&KEY), now()).unwrap();
    assert_eq!(verified.claims.issued_at, now());
    assert_eq!(verified.claims.expires_at, now() + SignedDuration::from_mins(5));
}

#[test]
fn issue_rejects_claims_the_format_cannot_carry() {
    let base = sample_claims(now());
    let cases: [fn(&mut HealthCodeClaims); 5] = [
        |c| c.initials = "ABCDE".into(),
        |c| c.document_last4 = "12345".into(),
        |c| c.issuer = String::new(),
        |c| c.expires_at = c.issued_at,
        |c| c.policy_version = "x".repeat(65),
    ];
    for change in cases {
        let mut claims = base.clone();
        change(&mut claims);
        assert!(issue(&claims, &KEY).is_err(), "{claims:?}");
    }
}

#[test]
fn each_error_code_is_reachable() {
    let trust = trust_for(&KEY);
    let kid = Some(KEY.key_id().as_bytes().to_vec());
    let es256 = Some(iana::Algorithm::ES256);
    let good = sample_code();
    let payload = coset::CoseSign1::from_tagged_slice(&unpack(&good)).unwrap().payload.unwrap();
    let check = |text: &str, expected: &str| {
        assert_eq!(code_of(verify(text, &trust, now())), expected, "{text}");
    };

    check(&good.replacen("HCODE1:", "HC1:", 1), "CODE_PREFIX_INVALID");
    check(&good.to_lowercase(), "CODE_PREFIX_INVALID");
    check(&good.replacen("HCODE1:", "HCODE1:a", 1), "CODE_BASE45_INVALID");
    check("HCODE1:A", "CODE_BASE45_INVALID");
    check("HCODE1:::::", "CODE_BASE45_INVALID");
    check(&format!("HCODE1:{}", base45::encode(b"not zlib at all")), "CODE_ZLIB_INVALID");
    check(&pack(&vec![0u8; 1 << 20]), "CODE_TOO_LARGE");
    check(&pack(&[0x1c]), "CODE_CBOR_INVALID");
    check(&pack(&[0x82, 0x01]), "CODE_CBOR_INVALID");
    check(&pack(b"\x65hello"), "CODE_COSE_INVALID");
    check(&pack(&sign_cose(&payload, &KEY, Some(iana::Algorithm::ES384), kid.clone())), "CODE_COSE_INVALID");
    check(&pack(&sign_cose(&payload, &KEY, es256, None)), "CODE_COSE_INVALID");
    check(&pack(&sign_cose(&payload, &KEY, None, kid.clone())), "CODE_COSE_INVALID");
    check(&pack(&sign_cose(b"\xa0", &KEY, es256, kid.clone())), "CODE_CLAIMS_INVALID");
    check(&pack(&sign_cose(b"\xff", &KEY, es256, kid.clone())), "CODE_CLAIMS_INVALID");

    let stranger = SigningKey::generate().unwrap();
    check(&issue(&sample_claims(now()), &stranger).unwrap(), "CODE_KEY_UNKNOWN");
    check(&pack(&sign_cose(&payload, &KEY, es256, Some(vec![1, 2, 3]))), "CODE_KEY_UNKNOWN");

    let mut sign1 = CoseSign1::from_tagged_slice(&unpack(&good)).unwrap();
    sign1.signature[10] ^= 0x01;
    check(&pack(&sign1.to_tagged_vec().unwrap()), "CODE_SIGNATURE_INVALID");
    // A key listed under our kid but with another public key.
    let mut swapped = trust_list_for(&[&stranger], ISSUER);
    swapped.keys[0].kid = KEY.key_id().to_string();
    assert_eq!(code_of(verify(&good, &swapped.prepare().unwrap(), now())), "CODE_SIGNATURE_INVALID");

    let other_region = trust_list_for(&[&KEY], "CN-BJ").prepare().unwrap();
    assert_eq!(code_of(verify(&good, &other_region, now())), "CODE_ISSUER_UNKNOWN");

    check_key_not_valid(&good);

    let issued = now();
    assert!(verify(&good, &trust, issued - SignedDuration::from_secs(60)).is_ok(), "60 s skew is tolerated");
    assert_eq!(code_of(verify(&good, &trust, issued - SignedDuration::from_secs(61))), "CODE_NOT_YET_VALID");
    let expiry = issued + SignedDuration::from_mins(5);
    assert!(verify(&good, &trust, expiry - SignedDuration::from_secs(1)).is_ok());
    assert_eq!(code_of(verify(&good, &trust, expiry)), "CODE_EXPIRED");
}

fn check_key_not_valid(good: &str) {
    let mut list = trust_list_for(&[&KEY], ISSUER);
    list.keys[0].not_after = Some(now() + SignedDuration::from_mins(1));
    let trust = list.prepare().unwrap();
    assert!(verify(good, &trust, now() + SignedDuration::from_secs(59)).is_ok());
    assert_eq!(code_of(verify(good, &trust, now() + SignedDuration::from_mins(1))), "CODE_KEY_NOT_VALID");
    let mut list = trust_list_for(&[&KEY], ISSUER);
    list.keys[0].not_before = now() + SignedDuration::from_mins(2);
    assert_eq!(code_of(verify(good, &list.prepare().unwrap(), now())), "CODE_KEY_NOT_VALID");
}

#[test]
fn every_single_character_change_is_rejected() {
    let text = sample_code();
    let trust = trust_for(&KEY);
    let mut tried = 0;
    for (i, original) in text.char_indices() {
        for &c in BASE45 {
            if char::from(c) == original {
                continue;
            }
            let mut changed = text.clone();
            changed.replace_range(i..i + 1, &char::from(c).to_string());
            assert!(verify(&changed, &trust, now()).is_err(), "accepted {changed}");
            tried += 1;
        }
    }
    assert!(tried > 44 * 200, "the code is unexpectedly short: {tried}");
}

#[test]
fn every_truncation_is_rejected() {
    let text = sample_code();
    let trust = trust_for(&KEY);
    for len in 0..text.len() {
        assert!(verify(&text[..len], &trust, now()).is_err(), "accepted a prefix of {len} chars");
        assert!(decode_unverified(&text[..len]).is_err());
    }
}

#[test]
fn every_single_cose_byte_change_is_rejected() {
    let cose = unpack(&sample_code());
    let trust = trust_for(&KEY);
    for i in 0..cose.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut changed = cose.clone();
            changed[i] ^= flip;
            assert!(verify(&pack(&changed), &trust, now()).is_err(), "accepted byte {i} ^ {flip:#x}");
        }
    }
}

#[test]
fn trust_list_json_round_trip_and_field_names() {
    let list = trust_list_for(&[&KEY], ISSUER);
    let json = list.to_json_pretty();
    for field in [
        "\"issuer\"",
        "\"generated_at\"",
        "\"kid\"",
        "\"alg\": \"ES256\"",
        "\"public_key\"",
        "\"spki\"",
        "\"not_before\"",
        "\"not_after\"",
    ] {
        assert!(json.contains(field), "{field} missing in {json}");
    }
    let back = TrustList::from_json(&json).unwrap();
    assert_eq!(back, list);
    assert!(back.find(&KEY.key_id()).is_some());
    let prepared = healthcode_credential::PreparedTrustList::from_json(&json).unwrap();
    assert!(verify(&sample_code(), &prepared, now()).is_ok());
}

#[test]
fn prepare_rejects_malformed_keys() {
    let good = TrustedKey::es256(&KEY, ts(0), None);
    let cases: [fn(&mut TrustedKey); 5] = [
        |k| k.alg = "PS256".into(),
        |k| k.kid = "AQID".into(),
        |k| k.public_key = "AAAA".into(),
        |k| k.public_key = "!!".into(),
        |k| k.spki = base64_of(&[0x30, 0x00]),
    ];
    for change in cases {
        let mut key = good.clone();
        change(&mut key);
        let list = TrustList { issuer: ISSUER.into(), generated_at: now(), keys: vec![key] };
        assert!(list.prepare().is_err());
    }
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn arb_claims() -> impl Strategy<Value = HealthCodeClaims> {
    (
        "[A-Z]{2}(-[A-Z0-9]{1,4}){0,3}",
        any::<[u8; 16]>(),
        0..3usize,
        0i64..4_000_000_000,
        1i64..10_000_000,
        "[ -~]{0,4}",
        "[ -~]{0,4}",
        "[ -~]{0,16}",
    )
        .prop_map(|(issuer, holder, colour, iat, life, initials, document_last4, policy_version)| {
            HealthCodeClaims {
                issuer,
                holder: HolderId::from_bytes(holder),
                colour: Colour::ALL[colour],
                issued_at: ts(iat),
                expires_at: ts(iat + life),
                initials,
                document_last4,
                policy_version,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn round_trip_for_arbitrary_claims(claims in arb_claims(), offset in 0.0f64..1.0) {
        let text = issue(&claims, &KEY).unwrap();
        let trust = trust_list_for(&[&KEY], &claims.issuer).prepare().unwrap();
        let life = claims.expires_at.as_second() - claims.issued_at.as_second();
        let at = ts(claims.issued_at.as_second() + ((life - 1) as f64 * offset) as i64);
        let verified = verify(&text, &trust, at).unwrap();
        prop_assert_eq!(&verified.claims, &claims);
        prop_assert_eq!(verified.key_id, KEY.key_id());
        prop_assert_eq!(decode_unverified(&text).unwrap().0, claims);
    }

    #[test]
    fn any_single_character_change_is_rejected(claims in arb_claims(), pos in any::<prop::sample::Index>(), c in prop::sample::select(BASE45)) {
        let text = issue(&claims, &KEY).unwrap();
        let trust = trust_list_for(&[&KEY], &claims.issuer).prepare().unwrap();
        let i = pos.index(text.len());
        prop_assume!(text.as_bytes()[i] != c);
        let mut changed = text.clone();
        changed.replace_range(i..i + 1, &char::from(c).to_string());
        prop_assert!(verify(&changed, &trust, claims.issued_at).is_err());
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let trust = trust_for(&KEY);
        prop_assert!(verify(&text, &trust, now()).is_err());
        let _ = decode_unverified(&text);
        let prefixed = format!("HCODE1:{text}");
        prop_assert!(verify(&prefixed, &trust, now()).is_err());
    }

    #[test]
    fn arbitrary_base45_after_prefix_never_panics(body in "[0-9A-Z $%*+./:-]{0,400}") {
        let text = format!("HCODE1:{body}");
        prop_assert!(verify(&text, &trust_for(&KEY), now()).is_err());
    }

    #[test]
    fn arbitrary_bytes_after_prefix_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let trust = trust_for(&KEY);
        // Raw bytes as base45 (reaches zlib) and as zlib data (reaches CBOR/COSE).
        let text = format!("HCODE1:{}", base45::encode(&bytes));
        prop_assert!(verify(&text, &trust, now()).is_err());
        prop_assert!(verify(&pack(&bytes), &trust, now()).is_err());
        let _ = decode_unverified(&pack(&bytes));
    }

    #[test]
    fn arbitrary_cbor_shaped_bytes_never_panic(tail in prop::collection::vec(any::<u8>(), 0..300), head in prop::sample::select(vec![0xd2u8, 0x84, 0xa1, 0x58, 0x59, 0x9f, 0xbf, 0x7f, 0x5f])) {
        let mut bytes = vec![head];
        bytes.extend(tail);
        prop_assert!(verify(&pack(&bytes), &trust_for(&KEY), now()).is_err());
    }

    #[test]
    fn arbitrary_signed_payloads_never_panic(payload in prop::collection::vec(any::<u8>(), 0..300)) {
        let kid = Some(KEY.key_id().as_bytes().to_vec());
        let text = pack(&sign_cose(&payload, &KEY, Some(iana::Algorithm::ES256), kid));
        prop_assert!(verify(&text, &trust_for(&KEY), now()).is_err());
    }
}

#[test]
fn zlib_bomb_does_not_inflate_fully() {
    let bomb = zlib(&vec![0u8; 64 << 20]);
    let text = format!("HCODE1:{}", base45::encode(&bomb));
    assert_eq!(code_of(verify(&text, &trust_for(&KEY), now())), "CODE_TOO_LARGE");
}
