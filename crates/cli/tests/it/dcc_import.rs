//! `healthcode dcc import` with a pinned list signer (`dcc.dsc_list_signer`):
//! a list signed by the pinned key is imported; a tampered, foreign-signed or
//! unsigned one is refused with its code and the kept list stays as it was.

use healthcode_credential::dcc::testing::{self, TestAlg, TestDsc, TestDscParams};

use crate::{deployment, healthcode};

fn test_dsc() -> TestDsc {
    let params = TestDscParams {
        country: "BE".into(),
        not_before: "2026-01-01".parse().unwrap(),
        not_after: "2028-01-01".parse().unwrap(),
        usages: vec![],
    };
    TestDsc::generate_ec(TestAlg::Es256, &params).unwrap()
}

#[tokio::test]
async fn a_pinned_signer_lets_only_its_signed_lists_in() {
    let dep = deployment().await;
    let dir = tempfile::tempdir().unwrap();
    let (signer, listed, stranger) = (test_dsc(), test_dsc(), test_dsc());
    std::fs::write(dir.path().join("signer.der"), &signer.der).unwrap();
    let config = dir.path().join("healthcode.toml");
    std::fs::write(&config, format!("[dcc]\ndsc_list_signer = {:?}\n", dir.path().join("signer.der"))).unwrap();
    let body = testing::gateway_list(&[&listed]);
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let signed = write("signed.json", &signer.sign_list(&body).unwrap());
    let tampered = write("tampered.json", &signer.sign_list(&body).unwrap().replacen("\"BE\"", "\"FR\"", 1));
    let foreign = write("foreign.json", &stranger.sign_list(&body).unwrap());
    let unsigned = write("unsigned.json", &body);
    let import = |file: &str| healthcode(&dep, &["dcc", "import", file, "--config", config.to_str().unwrap()]);

    let out = import(&signed);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"signature\":\"verified\""));
    let kept = std::fs::read_to_string(dep.path().join("dcc-dsc-list.json")).unwrap();
    for (file, code) in [
        (&tampered, "DSC_LIST_SIGNATURE_INVALID"),
        (&foreign, "DSC_LIST_SIGNATURE_INVALID"),
        (&unsigned, "DSC_LIST_UNSIGNED"),
    ] {
        let out = import(file);
        assert!(!out.status.success(), "{file} was imported");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(code),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(std::fs::read_to_string(dep.path().join("dcc-dsc-list.json")).unwrap(), kept, "kept list unchanged");
    }
    // Without a pinned signer, an unsigned list is taken (as before).
    let out = healthcode(&dep, &["dcc", "import", &unsigned]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// With `dcc.csca_certificates` and `dcc.upload_certificates`, the import
/// checks every entry of the gateway's array and reports the rejected ones
/// per reason; the kept list holds only the accepted entries.
#[tokio::test]
async fn gateway_anchors_reject_and_count_bad_entries() {
    use healthcode_credential::dcc::testing::{CmsOptions, TestAuthority};

    let dep = deployment().await;
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = ("2025-01-01".parse().unwrap(), "2035-01-01".parse().unwrap());
    let csca = TestAuthority::generate("BE", true, from, to).unwrap();
    let upload = TestAuthority::generate("BE", false, from, to).unwrap();
    let stranger = TestAuthority::generate("BE", false, from, to).unwrap();
    let params = TestDscParams {
        country: "BE".into(),
        not_before: "2026-01-01".parse().unwrap(),
        not_after: "2028-01-01".parse().unwrap(),
        usages: vec![],
    };
    let dsc = || TestDsc::issued_ec(TestAlg::Es256, &params, &csca).unwrap();
    let (good, unsigned, foreign_signed) = (dsc(), dsc(), dsc());
    let cms = CmsOptions { detached: true, ..CmsOptions::default() };
    let list = serde_json::Value::Array(vec![
        testing::gateway_entry(&good, "BE", &upload.sign_cms(&good.der, cms).unwrap()),
        testing::gateway_entry(&unsigned, "BE", ""),
        testing::gateway_entry(&foreign_signed, "BE", &stranger.sign_cms(&foreign_signed.der, cms).unwrap()),
    ]);
    // CSCA and Upload certificates in one file, in the gateway's JSON shape.
    let anchors =
        serde_json::json!([testing::gateway_anchor(&csca, "CSCA"), testing::gateway_anchor(&upload, "UPLOAD")]);
    std::fs::write(dir.path().join("anchors.json"), anchors.to_string()).unwrap();
    std::fs::write(dir.path().join("list.json"), list.to_string()).unwrap();
    let config = dir.path().join("healthcode.toml");
    let anchors_path = dir.path().join("anchors.json");
    std::fs::write(
        &config,
        format!("[dcc]\ncsca_certificates = {anchors_path:?}\nupload_certificates = {anchors_path:?}\n"),
    )
    .unwrap();
    let list_path = dir.path().join("list.json");
    let out = healthcode(&dep, &["dcc", "import", list_path.to_str().unwrap(), "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["imported"], 1, "{report}");
    assert_eq!(report["skipped"], 2, "{report}");
    assert_eq!(report["skipped_by_reason"], serde_json::json!({"DSC_CMS_MISSING": 1, "DSC_CMS_SIGNER_UNKNOWN": 1}));
    assert!(report["gateway_signatures"].as_str().unwrap().starts_with("verified"), "{report}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("DSC_CMS_SIGNER_UNKNOWN"));
    let kept = std::fs::read_to_string(dep.path().join("dcc-dsc-list.json")).unwrap();
    assert!(kept.contains(&good.kid_base64()) && !kept.contains(&unsigned.kid_base64()), "{kept}");

    // Only one of the two anchor settings: a clear configuration error.
    std::fs::write(&config, format!("[dcc]\ncsca_certificates = {anchors_path:?}\n")).unwrap();
    let out = healthcode(&dep, &["dcc", "import", list_path.to_str().unwrap(), "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("go together"), "{}", String::from_utf8_lossy(&out.stderr));
}
