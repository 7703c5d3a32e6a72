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
