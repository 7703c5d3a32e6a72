//! EU DCCs attached by arrivals (issue 17 item 2): an accepted certificate
//! waives the arrival rule by the policy's exemption `G-DCC-ARRIVAL`, which
//! the status names; refused certificates (expired, wrong key, tampered,
//! wrong usage, unknown signer) are answered with their stable codes and
//! change nothing; concurrent attaches keep one verdict; `store copy` carries
//! the verdicts.

use healthcode_credential::dcc::testing::{self, SignOptions, TestAlg, TestDsc, TestDscParams};
use healthcode_domain::dcc_rules::{DccKind, TEST_NOT_DETECTED, TEST_TYPE_NAAT};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{TestApp, fresh_database, spawn_app_with, start_time};

struct Certificates {
    /// A negative PCR sampled 30 hours before the start: accepted for 42 more hours.
    test: String,
    /// The same test again, for concurrent attaches of two certificates.
    other_test: String,
    first_dose: String,
    expired: String,
    wrong_key: String,
    tampered: String,
    wrong_usage: String,
    unknown_signer: String,
}

fn params(usages: &[DccKind]) -> TestDscParams {
    TestDscParams {
        country: "BE".into(),
        not_before: "2026-01-01".parse().unwrap(),
        not_after: "2028-01-01".parse().unwrap(),
        usages: usages.to_vec(),
    }
}

fn certificates(dir: &std::path::Path) -> Certificates {
    let dsc = TestDsc::generate_ec(TestAlg::Es256, &params(&[])).unwrap();
    let tests_only = TestDsc::generate_ec(TestAlg::Es256, &params(&[DccKind::Test])).unwrap();
    let outsider = TestDsc::generate_ec(TestAlg::Es256, &params(&[])).unwrap();
    std::fs::write(dir.join("dsc.json"), testing::gateway_list(&[&dsc, &tests_only])).unwrap();
    let now = start_time();
    let hours = |h: i64| now + SignedDuration::from_hours(h);
    let (iat, exp) = (hours(-2), hours(24 * 100));
    let pcr = |sampled: Timestamp| testing::test(TEST_TYPE_NAAT, sampled, TEST_NOT_DETECTED, "BE");
    let test = testing::payload("BE", iat, exp, pcr(hours(-30)));
    let other_test = testing::payload("BE", iat, exp, pcr(hours(-20)));
    let full = testing::payload("BE", iat, exp, testing::vaccination(2, 2, "2026-09-01", "BE"));
    let first = testing::payload("BE", iat, exp, testing::vaccination(1, 2, "2026-09-01", "BE"));
    let expired = testing::payload("BE", hours(-24 * 30), hours(-1), pcr(hours(-30)));
    let o = SignOptions::default;
    Certificates {
        test: dsc.sign(&test, o()).unwrap(),
        other_test: dsc.sign(&other_test, o()).unwrap(),
        first_dose: dsc.sign(&first, o()).unwrap(),
        expired: dsc.sign(&expired, o()).unwrap(),
        // Signed by another key under the listed DSC's kid.
        wrong_key: outsider.sign(&test, SignOptions { kid: Some(dsc.kid().to_vec()), ..o() }).unwrap(),
        tampered: dsc.sign(&test, SignOptions { tamper_signature: true, ..o() }).unwrap(),
        wrong_usage: tests_only.sign(&full, o()).unwrap(),
        unknown_signer: outsider.sign(&test, o()).unwrap(),
    }
}

async fn arrival_app() -> (TestApp, Certificates, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let certs = certificates(dir.path());
    let file = dir.path().join("dsc.json");
    let app = spawn_app_with(|c| {
        c.dcc.dsc_list_file = Some(file);
        c.policy =
            healthcode_domain::ColourPolicy::from_toml(healthcode_domain::policy::ARRIVAL_DCC_POLICY_TOML).unwrap();
    })
    .await;
    (app, certs, dir)
}

fn arrival(document: &str, dcc: Option<&str>) -> Value {
    json!({
        "name": "Erika Mustermann", "document_type": "passport", "document_number": document,
        "district": "330102", "symptoms": [], "temperature_c": 36.6,
        "visited_regions": ["CN-HB-WUHAN"], "contact_with_case": false, "travel_plan": "business", "dcc": dcc
    })
}

#[tokio::test]
async fn an_accepted_dcc_keeps_an_arrival_green_by_the_named_exemption() {
    let (app, certs, _dir) = arrival_app().await;
    let visitor = app.resident_signs_in("+8613800002801").await;
    let (s, b) =
        app.post_json("/api/v1/declarations", Some(&visitor.token), arrival("C01X00T47", Some(&certs.test))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"]["colour"], "green", "{b}");
    assert_eq!(b["status"]["reason"]["rule_id"], "G-DCC-ARRIVAL");
    assert_eq!(b["status"]["reason"]["policy_version"], "hangzhou-2020.1+arrival-dcc.1");
    assert!(b["status"]["reason"]["text"].as_str().unwrap().contains("EU Digital COVID Certificate"), "{b}");
    assert_eq!(b["dcc"]["kind"], "t");
    assert_eq!(b["dcc"]["accepted"], true);
    assert_eq!(b["dcc"]["rule_id"], "DCC_T_NEGATIVE_RECENT");
    // The window runs to 72 hours after the sample (30 hours before now).
    let until: Timestamp = b["dcc"]["valid_until"].as_str().unwrap().parse().unwrap();
    assert_eq!(until, start_time() + SignedDuration::from_hours(42) + SignedDuration::from_secs(1));
    let (s, mine) = app.get_json("/api/v1/me/dcc", Some(&visitor.token)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    // Nothing personal beyond the verdict is given back (or kept).
    let text = mine.to_string();
    assert!(!text.contains("ERIKA") && !text.contains("URN:UVCI"), "{text}");

    // The same arrival without a certificate is yellow by the arrival rule.
    let other = app.resident_signs_in("+8613800002802").await;
    let (s, b) = app.post_json("/api/v1/declarations", Some(&other.token), arrival("C01X00T48", None)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        (b["status"]["colour"].as_str(), b["status"]["reason"]["rule_id"].as_str()),
        (Some("yellow"), Some("Y-RISK-REGION"))
    );

    // A certificate that verifies but misses its rule is kept as not accepted, and waives nothing.
    let third = app.resident_signs_in("+8613800002803").await;
    let (s, b) =
        app.post_json("/api/v1/declarations", Some(&third.token), arrival("C01X00T49", Some(&certs.first_dose))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"]["colour"], "yellow");
    assert_eq!(b["dcc"]["accepted"], false);
    assert!(b["dcc"]["refusal"].as_str().unwrap().contains("dose 1 of 2"), "{b}");

    // Two days on, the test's window is over: the next arrival declaration turns yellow by the rule.
    app.advance_days(2);
    let (s, b) = app.post_json("/api/v1/declarations", Some(&visitor.token), arrival("C01X00T47", None)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        (b["status"]["colour"].as_str(), b["status"]["reason"]["rule_id"].as_str()),
        (Some("yellow"), Some("Y-RISK-REGION"))
    );
}

#[tokio::test]
async fn refused_certificates_answer_their_codes_and_change_nothing() {
    let (app, certs, _dir) = arrival_app().await;
    let visitor = app.resident_signs_in("+8613800002811").await;
    let cases = [
        (&certs.expired, "DCC_EXPIRED"),
        (&certs.wrong_key, "DCC_SIGNATURE_INVALID"),
        (&certs.tampered, "DCC_SIGNATURE_INVALID"),
        (&certs.wrong_usage, "DCC_WRONG_USAGE"),
        (&certs.unknown_signer, "DCC_KEY_UNKNOWN"),
    ];
    for (cert, code) in cases {
        let (s, b) =
            app.post_json("/api/v1/declarations", Some(&visitor.token), arrival("C01X00T50", Some(cert))).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{b}");
        let (s, b) = app.post_json("/api/v1/me/dcc", Some(&visitor.token), json!({ "certificate": cert })).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{b}");
    }
    let (s, b) = app.post_json("/api/v1/me/dcc", Some(&visitor.token), json!({ "certificate": "HC1:NOPE" })).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("DCC_MALFORMED")), "{b}");
    // No declaration was recorded and no certificate kept.
    let (s, b) = app.get_json("/api/v1/me/status", Some(&visitor.token)).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("DECLARATION_REQUIRED")), "{b}");
    let (_, mine) = app.get_json("/api/v1/me/dcc", Some(&visitor.token)).await;
    assert_eq!(mine, json!([]));
}

#[tokio::test]
async fn two_attaches_at_once_keep_one_verdict_per_certificate_and_store_copy_carries_them() {
    let (app, certs, _dir) = arrival_app().await;
    let visitor = app.resident_signs_in("+8613800002821").await;
    let attach = |cert: String| {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/me/dcc"), visitor.token.clone());
        async move {
            let res = client.post(url).bearer_auth(token).json(&json!({ "certificate": cert })).send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    // The same certificate twice at once: one creates, the other gets the kept verdict.
    let (a, b) = tokio::join!(attach(certs.test.clone()), attach(certs.test.clone()));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CREATED], "{a:?} {b:?}");
    assert_eq!(a.1, b.1, "both see the same verdict");
    // Two different certificates at once: both kept.
    let (c, d) = tokio::join!(attach(certs.other_test.clone()), attach(certs.first_dose.clone()));
    assert_eq!((c.0, d.0), (StatusCode::CREATED, StatusCode::CREATED), "{c:?} {d:?}");
    let (_, mine) = app.get_json("/api/v1/me/dcc", Some(&visitor.token)).await;
    assert_eq!(mine.as_array().unwrap().len(), 3, "{mine}");

    // Attached before the declaration, the certificate counts in it.
    let (s, b) = app.post_json("/api/v1/declarations", Some(&visitor.token), arrival("C01X00T51", None)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["status"]["reason"]["rule_id"], "G-DCC-ARRIVAL", "{b}");

    // `healthcode store copy` carries the verdicts.
    let target_dir = tempfile::tempdir().unwrap();
    let (url, _guard) = fresh_database(target_dir.path()).await;
    let target = healthcode_server::open_store(&url).await.unwrap();
    healthcode_server::transfer::copy_store(app.state.store.as_ref(), target.as_ref(), 50, |_| {}).await.unwrap();
    let resident = app.state.store.resident_ids_after(None, 10).await.unwrap()[0];
    assert_eq!(
        target.dcc_attachments_of(resident).await.unwrap(),
        app.state.store.dcc_attachments_of(resident).await.unwrap()
    );
    assert_eq!(target.dcc_attachments_of(resident).await.unwrap().len(), 3);
}
