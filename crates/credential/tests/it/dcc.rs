//! EU DCC verification with test DSCs we sign ourselves: every algorithm,
//! every certificate type, and every failure kind.

use base64::Engine as _;
use healthcode_credential::dcc::testing::{self, SignOptions, TestAlg, TestDsc, TestDscParams};
use healthcode_credential::dcc::{DscList, verify_dcc};
use healthcode_domain::dcc_rules::{DccKind, DccRules, TEST_NOT_DETECTED, TEST_TYPE_NAAT};
use jiff::Timestamp;

const RSA_PKCS8: &[u8] = include_bytes!("../fixtures/TEST-ONLY-dsc-rsa2048.pk8");

fn now() -> Timestamp {
    "2026-12-04T12:00:00Z".parse().unwrap()
}

fn params(usages: &[DccKind]) -> TestDscParams {
    TestDscParams {
        country: "BE".into(),
        not_before: "2026-01-01".parse().unwrap(),
        not_after: "2028-01-01".parse().unwrap(),
        usages: usages.to_vec(),
    }
}

fn dsc(alg: TestAlg, usages: &[DccKind]) -> TestDsc {
    match alg {
        TestAlg::Ps256 => TestDsc::from_rsa_pkcs8(RSA_PKCS8, &params(usages)).unwrap(),
        _ => TestDsc::generate_ec(alg, &params(usages)).unwrap(),
    }
}

fn list(dscs: &[&TestDsc]) -> DscList {
    let (list, skipped) = DscList::parse(&testing::gateway_list(dscs)).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    list
}

fn iat() -> Timestamp {
    "2026-12-01T08:00:00Z".parse().unwrap()
}

fn exp() -> Timestamp {
    "2027-06-01T08:00:00Z".parse().unwrap()
}

fn vaccination_payload() -> Vec<u8> {
    testing::payload("BE", iat(), exp(), testing::vaccination(2, 2, "2026-10-01", "BE"))
}

fn test_payload() -> Vec<u8> {
    let sampled = "2026-12-03T09:30:00Z".parse().unwrap();
    testing::payload("BE", iat(), exp(), testing::test(TEST_TYPE_NAAT, sampled, TEST_NOT_DETECTED, "BE"))
}

fn recovery_payload() -> Vec<u8> {
    testing::payload("BE", iat(), exp(), testing::recovery("2026-10-01", "2026-10-12", "2027-03-30", "BE"))
}

fn code(result: Result<healthcode_credential::VerifiedDcc, healthcode_credential::DccError>) -> &'static str {
    match result {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

#[test]
fn every_algorithm_verifies_every_type_in_every_envelope() {
    for alg in [TestAlg::Es256, TestAlg::Es384, TestAlg::Ps256] {
        let signer = dsc(alg, &[]);
        let dscs = list(&[&signer]);
        for (payload, kind) in [
            (vaccination_payload(), DccKind::Vaccination),
            (test_payload(), DccKind::Test),
            (recovery_payload(), DccKind::Recovery),
        ] {
            for options in [
                SignOptions::default(),
                SignOptions { cwt_tag: true, ..SignOptions::default() },
                SignOptions { kid_unprotected: true, ..SignOptions::default() },
            ] {
                let text = signer.sign(&payload, options.clone()).unwrap();
                let verified =
                    verify_dcc(&text, &dscs, now()).unwrap_or_else(|e| panic!("{alg:?} {kind:?} {options:?}: {e}"));
                assert_eq!(verified.kind, kind);
                assert_eq!(verified.holder.family, "DOE");
                assert_eq!(verified.dsc_country, "BE");
                let outcome = DccRules::default().evaluate(&verified.facts, now());
                assert!(outcome.accepted(), "{alg:?} {kind:?}: {outcome:?}");
            }
        }
    }
}

#[test]
fn algorithm_names_are_reported() {
    let names: Vec<&str> = [TestAlg::Es256, TestAlg::Es384, TestAlg::Ps256]
        .into_iter()
        .map(|alg| {
            let signer = dsc(alg, &[]);
            let text = signer.sign(&vaccination_payload(), SignOptions::default()).unwrap();
            verify_dcc(&text, &list(&[&signer]), now()).unwrap().algorithm
        })
        .collect();
    assert_eq!(names, ["ES256", "ES384", "PS256"]);
}

#[test]
fn an_unknown_dsc_is_refused() {
    let signer = dsc(TestAlg::Es256, &[]);
    let other = dsc(TestAlg::Es256, &[]);
    let text = signer.sign(&vaccination_payload(), SignOptions::default()).unwrap();
    assert_eq!(code(verify_dcc(&text, &list(&[&other]), now())), "DCC_KEY_UNKNOWN");
}

#[test]
fn a_signature_by_the_wrong_key_is_refused() {
    for alg in [TestAlg::Es256, TestAlg::Es384, TestAlg::Ps256] {
        let listed = dsc(alg, &[]);
        let signer = dsc(TestAlg::Es256, &[]);
        // Signed by another key under the listed DSC's kid.
        let options = SignOptions { kid: Some(listed.kid().to_vec()), ..SignOptions::default() };
        let text = signer.sign(&vaccination_payload(), options).unwrap();
        assert_eq!(code(verify_dcc(&text, &list(&[&listed]), now())), "DCC_SIGNATURE_INVALID", "{alg:?}");
    }
}

#[test]
fn a_tampered_signature_or_payload_is_refused() {
    for alg in [TestAlg::Es256, TestAlg::Es384, TestAlg::Ps256] {
        let signer = dsc(alg, &[]);
        let dscs = list(&[&signer]);
        let options = SignOptions { tamper_signature: true, ..SignOptions::default() };
        let text = signer.sign(&vaccination_payload(), options).unwrap();
        assert_eq!(code(verify_dcc(&text, &dscs, now())), "DCC_SIGNATURE_INVALID", "{alg:?}");
    }
    // Any changed byte of the payload (here: a dose number, 2 -> 3) breaks the signature.
    let signer = dsc(TestAlg::Es256, &[]);
    let dscs = list(&[&signer]);
    let good = signer.sign(&vaccination_payload(), SignOptions::default()).unwrap();
    let cose = unpack(&good);
    let dn = b"bdn\x02";
    let at = cose.windows(dn.len()).position(|w| w == dn).unwrap();
    let mut altered = cose.clone();
    altered[at + 3] = 3;
    assert_eq!(code(verify_dcc(&testing::pack(&altered), &dscs, now())), "DCC_SIGNATURE_INVALID");
    // Every single-byte change is refused one way or another.
    for i in 0..cose.len() {
        let mut bytes = cose.clone();
        bytes[i] ^= 0x01;
        assert!(verify_dcc(&testing::pack(&bytes), &dscs, now()).is_err(), "byte {i} accepted");
    }
}

fn unpack(text: &str) -> Vec<u8> {
    use std::io::Read as _;
    let body = text.strip_prefix("HC1:").unwrap();
    let compressed = base45::decode(body).unwrap();
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice()).read_to_end(&mut out).unwrap();
    out
}

#[test]
fn an_expired_certificate_and_a_dsc_expired_at_signing_are_refused() {
    let signer = dsc(TestAlg::Es256, &[]);
    let dscs = list(&[&signer]);
    let old = testing::payload(
        "BE",
        "2026-05-01T00:00:00Z".parse().unwrap(),
        "2026-11-01T00:00:00Z".parse().unwrap(),
        testing::vaccination(2, 2, "2026-04-01", "BE"),
    );
    let text = signer.sign(&old, SignOptions::default()).unwrap();
    assert_eq!(code(verify_dcc(&text, &dscs, now())), "DCC_EXPIRED");

    let future = testing::payload(
        "BE",
        "2026-12-05T12:00:00Z".parse().unwrap(),
        exp(),
        testing::vaccination(2, 2, "2026-10-01", "BE"),
    );
    let text = signer.sign(&future, SignOptions::default()).unwrap();
    assert_eq!(code(verify_dcc(&text, &dscs, now())), "DCC_NOT_YET_VALID");

    let lapsed = TestDsc::generate_ec(
        TestAlg::Es256,
        &TestDscParams {
            not_before: "2025-01-01".parse().unwrap(),
            not_after: "2026-06-01".parse().unwrap(),
            ..params(&[])
        },
    )
    .unwrap();
    let text = lapsed.sign(&vaccination_payload(), SignOptions::default()).unwrap();
    assert_eq!(code(verify_dcc(&text, &list(&[&lapsed]), now())), "DCC_DSC_NOT_VALID");
}

#[test]
fn the_dsc_key_usage_limits_the_certificate_types() {
    for alg in [TestAlg::Es256, TestAlg::Es384, TestAlg::Ps256] {
        let test_only = dsc(alg, &[DccKind::Test]);
        let dscs = list(&[&test_only]);
        assert_eq!(dscs.dscs()[0].usages.as_ref().map(|u| u.len()), Some(1));
        let text = test_only.sign(&test_payload(), SignOptions::default()).unwrap();
        assert_eq!(code(verify_dcc(&text, &dscs, now())), "OK", "{alg:?}");
        for payload in [vaccination_payload(), recovery_payload()] {
            let text = test_only.sign(&payload, SignOptions::default()).unwrap();
            assert_eq!(code(verify_dcc(&text, &dscs, now())), "DCC_WRONG_USAGE", "{alg:?}");
        }
    }
    let two = dsc(TestAlg::Es256, &[DccKind::Vaccination, DccKind::Recovery]);
    let dscs = list(&[&two]);
    let verdicts: Vec<&str> = [vaccination_payload(), test_payload(), recovery_payload()]
        .iter()
        .map(|p| code(verify_dcc(&two.sign(p, SignOptions::default()).unwrap(), &dscs, now())))
        .collect();
    assert_eq!(verdicts, ["OK", "DCC_WRONG_USAGE", "OK"]);
}

#[test]
fn broken_containers_are_malformed() {
    let signer = dsc(TestAlg::Es256, &[]);
    let dscs = list(&[&signer]);
    let good = signer.sign(&vaccination_payload(), SignOptions::default()).unwrap();
    for text in [
        good.replacen("HC1:", "HC2:", 1),
        format!("{}a", good),
        "HC1:".to_owned(),
        testing::pack(b"\x78\x9c not zlib"),
        format!("HC1:{}", base45::encode(b"\x78\x9c\x01\x02")),
        testing::pack(&[0x82, 0x01, 0x02]),
        testing::pack(&[0xd8, 0x3d, 0xd2, 0x83, 0x40, 0xa0, 0x40]),
    ] {
        assert_eq!(code(verify_dcc(&text, &dscs, now())), "DCC_MALFORMED", "{text}");
    }
}

#[test]
fn payloads_off_the_schema_are_refused() {
    let signer = dsc(TestAlg::Es256, &[]);
    let dscs = list(&[&signer]);
    let (_, v) = testing::vaccination(2, 2, "2026-10-01", "BE");
    let (_, t) = testing::test(TEST_TYPE_NAAT, now(), TEST_NOT_DETECTED, "BE");
    let two_groups = {
        let ciborium::Value::Map(mut cwt) = ciborium::from_reader::<ciborium::Value, _>(
            testing::payload("BE", iat(), exp(), ("v", v.clone())).as_slice(),
        )
        .unwrap() else {
            panic!()
        };
        let ciborium::Value::Map(hcert) = &mut cwt[3].1 else { panic!() };
        let ciborium::Value::Map(dgc) = &mut hcert[0].1 else { panic!() };
        dgc.push((ciborium::Value::Text("t".into()), ciborium::Value::Array(vec![t])));
        let mut out = Vec::new();
        ciborium::into_writer(&ciborium::Value::Map(cwt), &mut out).unwrap();
        out
    };
    let bad_country = testing::payload("BE", iat(), exp(), testing::vaccination(2, 2, "2026-10-01", "Belgium"));
    let bad_dose = testing::payload("BE", iat(), exp(), testing::vaccination(0, 2, "2026-10-01", "BE"));
    let bad_date = testing::payload("BE", iat(), exp(), testing::vaccination(2, 2, "1st October", "BE"));
    let exp_before_iat = testing::payload("BE", exp(), iat(), ("v", v));
    for payload in [two_groups, bad_country, bad_dose, bad_date, exp_before_iat, b"\xa0".to_vec()] {
        let text = signer.sign(&payload, SignOptions::default()).unwrap();
        assert_eq!(code(verify_dcc(&text, &dscs, now())), "DCC_SCHEMA_INVALID");
    }
}

#[test]
fn both_published_list_shapes_are_accepted_and_bad_entries_skipped() {
    let a = dsc(TestAlg::Es256, &[]);
    let b = dsc(TestAlg::Ps256, &[DccKind::Test]);
    let gateway = testing::gateway_list(&[&a, &b]);
    let entries: serde_json::Value = serde_json::from_str(&gateway).unwrap();
    let national = serde_json::json!({ "certificates": entries }).to_string();
    let signed_national = format!("MEUCIQDsignatureline==\n{national}");
    for text in [gateway.clone(), national, signed_national] {
        let (parsed, skipped) = DscList::parse(&text).unwrap();
        assert_eq!(parsed.dscs().len(), 2);
        assert!(skipped.is_empty());
        assert_eq!(parsed.dscs()[1].published().kty, "RSA");
        assert_eq!(parsed.dscs()[1].published().usages, ["t"]);
    }
    let mut messy: Vec<serde_json::Value> = serde_json::from_str(&gateway).unwrap();
    messy[1]["kid"] = "AAAAAAAAAAA=".into();
    messy.push(serde_json::json!({"kid": "x", "rawData": "not base64!"}));
    messy.push(serde_json::json!({"kid": "y", "rawData": "AAAA"}));
    messy.push(serde_json::json!({"certificateType": "CSCA", "rawData": base64::engine::general_purpose::STANDARD.encode(&a.der)}));
    let (parsed, skipped) = DscList::parse(&serde_json::to_string(&messy).unwrap()).unwrap();
    assert_eq!(parsed.dscs().len(), 1);
    let reasons: Vec<&str> = skipped.iter().map(|s| s.reason).collect();
    assert_eq!(
        reasons,
        [
            "kid does not match the certificate",
            "rawData is not base64",
            "rawData is not an X.509 certificate",
            "certificateType is not DSC"
        ]
    );
    assert!(DscList::parse("{\"certs\": []}").is_err());
    assert!(DscList::parse("[]").is_err());
}

#[test]
fn the_rules_name_type_rule_and_reason() {
    let signer = dsc(TestAlg::Es256, &[]);
    let dscs = list(&[&signer]);
    let first_dose = testing::payload("BE", iat(), exp(), testing::vaccination(1, 2, "2026-10-01", "BE"));
    let text = signer.sign(&first_dose, SignOptions::default()).unwrap();
    let verified = verify_dcc(&text, &dscs, now()).unwrap();
    let outcome = DccRules::default().evaluate(&verified.facts, now());
    assert_eq!(outcome.kind.code(), "v");
    assert_eq!(outcome.rule_id, "DCC_V_FULL_COURSE");
    assert!(outcome.refusal.unwrap().contains("dose 1 of 2"));
    let old_test = testing::payload(
        "BE",
        iat(),
        exp(),
        testing::test(TEST_TYPE_NAAT, "2026-12-01T09:00:00Z".parse().unwrap(), TEST_NOT_DETECTED, "BE"),
    );
    let verified = verify_dcc(&signer.sign(&old_test, SignOptions::default()).unwrap(), &dscs, now()).unwrap();
    let outcome = DccRules::default().evaluate(&verified.facts, now());
    assert_eq!((outcome.kind.code(), outcome.rule_id), ("t", "DCC_T_NEGATIVE_RECENT"));
    assert!(!outcome.accepted());
    assert_eq!(verified.certificate_id_hash().len(), 64);
}

#[test]
fn a_signed_dsc_list_verifies_with_the_pinned_signer_only() {
    for alg in [TestAlg::Es256, TestAlg::Es384, TestAlg::Ps256] {
        signed_list_case(alg);
    }
}

fn signed_list_case(alg: TestAlg) {
    use healthcode_credential::dcc::{ListSignatureError, ListSigner};
    let signer = dsc(alg, &[]);
    let listed = dsc(TestAlg::Es256, &[]);
    let body = testing::gateway_list(&[&listed]);
    let signed = signer.sign_list(&body).unwrap();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        base64::engine::general_purpose::STANDARD.encode(&signer.der)
    );
    let pinned = ListSigner::from_certificate(pem.as_bytes()).unwrap();
    assert_eq!(ListSigner::from_certificate(&signer.der).unwrap(), pinned, "PEM and DER read alike");
    assert_eq!(pinned.verify(&signed).unwrap(), body);
    // The verified part parses as the list.
    assert_eq!(DscList::parse(pinned.verify(&signed).unwrap()).unwrap().0.dscs().len(), 1);
    // Any changed byte of the list (a DSC swapped in) is refused.
    let tampered = signed.replacen("\"BE\"", "\"FR\"", 1);
    assert_ne!(tampered, signed);
    assert_eq!(pinned.verify(&tampered), Err(ListSignatureError::SignatureInvalid));
    // Signed by another key: refused.
    let other = dsc(TestAlg::Es256, &[]).sign_list(&body).unwrap();
    assert_eq!(pinned.verify(&other).unwrap_err().code(), "DSC_LIST_SIGNATURE_INVALID");
    // No signature line at all.
    assert_eq!(pinned.verify(&body).unwrap_err().code(), "DSC_LIST_UNSIGNED");
    assert_eq!(ListSigner::from_certificate(b"not a certificate").unwrap_err().code(), "DSC_LIST_SIGNER_INVALID");
}
