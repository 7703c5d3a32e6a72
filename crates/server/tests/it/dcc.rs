//! EU DCCs at checkpoints: the DSC list imported from `[dcc] dsc_list_file`,
//! verdicts naming the certificate type and the rule, passages recorded,
//! the public DSC list for the offline page, and concurrent scans.

use healthcode_credential::dcc::testing::{
    self, CmsOptions, SignOptions, TestAlg, TestAuthority, TestDsc, TestDscParams,
};
use healthcode_domain::dcc_rules::{DccKind, TEST_NOT_DETECTED, TEST_TYPE_NAAT};
use jiff::Timestamp;
use reqwest::StatusCode;
use serde_json::json;

use crate::checkpoints::{checkpoint, scan};
use crate::harness::{TestApp, spawn_app_with, start_time};

const RSA_PKCS8: &[u8] = include_bytes!("../../../credential/tests/fixtures/TEST-ONLY-dsc-rsa2048.pk8");

struct Vectors {
    es256_vaccination: String,
    ps256_test: String,
    first_dose: String,
    wrong_usage: String,
    unknown: String,
}

fn params(usages: &[DccKind]) -> TestDscParams {
    TestDscParams {
        country: "BE".into(),
        not_before: "2026-01-01".parse().unwrap(),
        not_after: "2028-01-01".parse().unwrap(),
        usages: usages.to_vec(),
    }
}

/// Writes a DSC list to `dir` and returns the certificates signed for it.
fn vectors(dir: &std::path::Path) -> Vectors {
    let es256 = TestDsc::generate_ec(TestAlg::Es256, &params(&[])).unwrap();
    let rsa = TestDsc::from_rsa_pkcs8(RSA_PKCS8, &params(&[])).unwrap();
    let test_only = TestDsc::generate_ec(TestAlg::Es384, &params(&[DccKind::Test])).unwrap();
    let unlisted = TestDsc::generate_ec(TestAlg::Es256, &params(&[])).unwrap();
    std::fs::write(dir.join("dsc.json"), testing::gateway_list(&[&es256, &rsa, &test_only])).unwrap();
    let now = start_time();
    let iat: Timestamp = now - jiff::SignedDuration::from_hours(2);
    let exp: Timestamp = now + jiff::SignedDuration::from_hours(24 * 100);
    let full = testing::payload("BE", iat, exp, testing::vaccination(2, 2, "2026-09-01", "BE"));
    let first = testing::payload("BE", iat, exp, testing::vaccination(1, 2, "2026-09-01", "BE"));
    let sampled = now - jiff::SignedDuration::from_hours(30);
    let test = testing::payload("BE", iat, exp, testing::test(TEST_TYPE_NAAT, sampled, TEST_NOT_DETECTED, "BE"));
    let o = SignOptions::default;
    Vectors {
        es256_vaccination: es256.sign(&full, o()).unwrap(),
        ps256_test: rsa.sign(&test, SignOptions { cwt_tag: true, ..o() }).unwrap(),
        first_dose: es256.sign(&first, o()).unwrap(),
        wrong_usage: test_only.sign(&full, o()).unwrap(),
        unknown: unlisted.sign(&full, o()).unwrap(),
    }
}

async fn app_with_list() -> (TestApp, Vectors, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let v = vectors(dir.path());
    let file = dir.path().join("dsc.json");
    let app = spawn_app_with(|c| {
        c.dcc.dsc_list_file = Some(file);
        c.dcc.rules.version = "it-7".into();
    })
    .await;
    (app, v, dir)
}

#[tokio::test]
async fn dcc_verdicts_name_the_type_and_rule_and_are_logged() {
    let (app, v, _dir) = app_with_list().await;
    let (cp, officer) = checkpoint(&app).await;
    let cases = [
        (&v.es256_vaccination, "allow", "DCC_ACCEPTED", Some("v"), Some("DCC_V_FULL_COURSE")),
        (&v.ps256_test, "allow", "DCC_ACCEPTED", Some("t"), Some("DCC_T_NEGATIVE_RECENT")),
        (&v.first_dose, "deny", "DCC_RULE_NOT_MET", Some("v"), Some("DCC_V_FULL_COURSE")),
        (&v.wrong_usage, "deny", "DCC_WRONG_USAGE", None, None),
        (&v.unknown, "deny", "DCC_KEY_UNKNOWN", None, None),
    ];
    for (qr, verdict, reason, kind, rule) in cases {
        let b = scan(&app, &officer, &cp, qr).await;
        assert_eq!((b["verdict"].as_str(), b["reason"].as_str()), (Some(verdict), Some(reason)), "{b}");
        assert_eq!(b["dcc"]["kind"].as_str(), kind, "{b}");
        assert_eq!(b["dcc"]["rule_id"].as_str(), rule, "{b}");
        assert_eq!(b["colour"], serde_json::Value::Null, "a DCC has no colour of ours");
        if kind.is_some() {
            assert_eq!(b["dcc"]["rule_version"], "it-7");
            assert_eq!(b["region"], "BE");
            assert!(b["holder_hint"].as_str().unwrap().starts_with("DOE, ERIKA"), "{b}");
        }
    }
    assert!(scan(&app, &officer, &cp, &v.first_dose).await["message"].as_str().unwrap().contains("dose 1 of 2"));
    let (s, log) = app.get_json(&format!("/api/v1/checkpoints/{cp}/passages"), Some(&officer)).await;
    assert_eq!(s, StatusCode::OK);
    let mut reasons: Vec<&str> = log.as_array().unwrap().iter().filter_map(|p| p["reason"].as_str()).collect();
    reasons.sort_unstable();
    assert_eq!(
        reasons,
        ["DCC_ACCEPTED", "DCC_ACCEPTED", "DCC_KEY_UNKNOWN", "DCC_RULE_NOT_MET", "DCC_RULE_NOT_MET", "DCC_WRONG_USAGE"]
    );
    // A resident may not scan.
    let resident = app.token(healthcode_domain::Role::Resident, "+8613800000999").await;
    let (s, _) = app
        .post_json(
            &format!("/api/v1/checkpoints/{cp}/scans"),
            Some(&resident),
            json!({"qr_text": v.es256_vaccination, "direction": "in"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_dsc_list_is_published_with_the_rules_and_survives_a_restart_of_the_service() {
    let (app, _v, dir) = app_with_list().await;
    let (s, list) = app.get_json("/api/v1/dcc/dsc-list", None).await;
    assert_eq!(s, StatusCode::OK);
    let dscs = list["dscs"].as_array().unwrap();
    assert_eq!(dscs.len(), 3);
    let kinds: Vec<(&str, Option<&str>)> =
        dscs.iter().map(|d| (d["kty"].as_str().unwrap(), d["crv"].as_str())).collect();
    assert_eq!(kinds, [("EC", Some("P-256")), ("RSA", None), ("EC", Some("P-384"))]);
    assert_eq!(dscs[2]["usages"], json!(["t"]));
    assert_eq!(list["rules"]["version"], "it-7");
    assert_eq!(list["rules"]["test"]["naat_max_hours"], 72);
    // The list was kept in the data directory: a service opened without the file has it.
    let kept = healthcode_server::services::dcc::load_kept(app.data.path()).unwrap();
    assert_eq!(kept.dscs().len(), 3);
    // A broken import changes nothing.
    assert!(app.state.dcc.import("{\"certificates\": 7}", start_time(), false).is_err());
    assert_eq!(app.state.dcc.list().dscs().len(), 3);
    drop(dir);
}

#[tokio::test]
async fn concurrent_dcc_scans_each_get_their_verdict() {
    let (app, v, _dir) = app_with_list().await;
    let (cp, officer) = checkpoint(&app).await;
    let client = reqwest::Client::new();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..12 {
        let qr = if i % 2 == 0 { v.es256_vaccination.clone() } else { v.wrong_usage.clone() };
        let (client, url, officer) =
            (client.clone(), app.url(&format!("/api/v1/checkpoints/{cp}/scans")), officer.clone());
        tasks.spawn(async move {
            let res = client
                .post(url)
                .bearer_auth(officer)
                .json(&json!({"qr_text": qr, "direction": "in"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let b: serde_json::Value = res.json().await.unwrap();
            (i, b["reason"].as_str().unwrap().to_owned())
        });
    }
    let mut seen = 0;
    while let Some(done) = tasks.join_next().await {
        let (i, reason) = done.unwrap();
        assert_eq!(reason, if i % 2 == 0 { "DCC_ACCEPTED" } else { "DCC_WRONG_USAGE" });
        seen += 1;
    }
    assert_eq!(seen, 12);
    let (_, log) = app.get_json(&format!("/api/v1/checkpoints/{cp}/passages"), Some(&officer)).await;
    assert_eq!(log.as_array().unwrap().len(), 12);
}

/// With the gateway's anchors configured (`dcc.csca_certificates`,
/// `dcc.upload_certificates`), only entries whose CMS verifies and whose DSC
/// chains to a CSCA of its country are in force: a certificate signed by a
/// rejected DSC is refused as unknown, at the checkpoint and in the list
/// published to the offline page.
#[tokio::test]
async fn with_gateway_anchors_only_checked_dscs_are_in_force() {
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = ("2025-01-01".parse().unwrap(), "2035-01-01".parse().unwrap());
    let csca = TestAuthority::generate("BE", true, from, to).unwrap();
    let upload = TestAuthority::generate("BE", false, from, to).unwrap();
    let rogue_csca = TestAuthority::generate("BE", true, from, to).unwrap();
    let good = TestDsc::issued_ec(TestAlg::Es256, &params(&[]), &csca).unwrap();
    let rogue = TestDsc::issued_ec(TestAlg::Es256, &params(&[]), &rogue_csca).unwrap();
    let tampered = TestDsc::issued_ec(TestAlg::Es256, &params(&[]), &csca).unwrap();
    let detached = CmsOptions { detached: true, ..CmsOptions::default() };
    let list = serde_json::Value::Array(vec![
        testing::gateway_entry(&good, "BE", &upload.sign_cms(&good.der, detached).unwrap()),
        testing::gateway_entry(&rogue, "BE", &upload.sign_cms(&rogue.der, detached).unwrap()),
        testing::gateway_entry(
            &tampered,
            "BE",
            &upload.sign_cms(&tampered.der, CmsOptions { tamper_signature: true, ..detached }).unwrap(),
        ),
    ]);
    let (list_file, csca_file, upload_file) =
        (dir.path().join("dsc.json"), dir.path().join("csca.pem"), dir.path().join("upload.pem"));
    std::fs::write(&list_file, list.to_string()).unwrap();
    std::fs::write(&csca_file, csca.pem()).unwrap();
    std::fs::write(&upload_file, upload.pem()).unwrap();
    let app = spawn_app_with(|c| {
        c.dcc.dsc_list_file = Some(list_file);
        c.dcc.anchors = Some(healthcode_server::services::dcc::AnchorSources {
            csca: csca_file.display().to_string(),
            upload: upload_file.display().to_string(),
        });
    })
    .await;
    let (s, published) = app.get_json("/api/v1/dcc/dsc-list", None).await;
    assert_eq!(s, StatusCode::OK);
    let kids: Vec<&str> = published["dscs"].as_array().unwrap().iter().map(|d| d["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, [good.kid_base64()]);
    // The kept copy holds only the accepted entry.
    assert_eq!(healthcode_server::services::dcc::load_kept(app.data.path()).unwrap().dscs().len(), 1);

    let now = start_time();
    let payload = testing::payload(
        "BE",
        now - jiff::SignedDuration::from_hours(2),
        now + jiff::SignedDuration::from_hours(24 * 100),
        testing::vaccination(2, 2, "2026-09-01", "BE"),
    );
    let (cp, officer) = checkpoint(&app).await;
    let b = scan(&app, &officer, &cp, &good.sign(&payload, SignOptions::default()).unwrap()).await;
    assert_eq!(b["reason"], "DCC_ACCEPTED", "{b}");
    for rejected in [&rogue, &tampered] {
        let b = scan(&app, &officer, &cp, &rejected.sign(&payload, SignOptions::default()).unwrap()).await;
        assert_eq!((b["verdict"].as_str(), b["reason"].as_str()), (Some("deny"), Some("DCC_KEY_UNKNOWN")), "{b}");
    }
    // A list whose every entry is rejected is refused; the list in force stays.
    let only_rogue = serde_json::Value::Array(vec![testing::gateway_entry(
        &rogue,
        "BE",
        &upload.sign_cms(&rogue.der, detached).unwrap(),
    )]);
    assert!(app.state.dcc.import(&only_rogue.to_string(), now, true).is_err());
    assert_eq!(app.state.dcc.list().dscs().len(), 1);
}
