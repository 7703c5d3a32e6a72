//! The EU gateway's own signatures on its DSC list (`GatewayTrust`): each
//! entry's CMS by its country's Upload certificate, each DSC's chain to a
//! CSCA of its country. Every certificate is made here: a CSCA, DSCs it
//! signs, a foreign CSCA, a tampered CMS, a DSC of the wrong country, an
//! expired CSCA.

use healthcode_credential::dcc::testing::{self, CmsOptions, TestAlg, TestAuthority, TestDsc, TestDscParams};
use healthcode_credential::dcc::{DscList, GatewayRejection, GatewayTrust, skipped_by_code};
use jiff::Timestamp;
use jiff::civil::Date;

fn now() -> Timestamp {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn authority(country: &str, ca: bool) -> TestAuthority {
    TestAuthority::generate(country, ca, date("2025-01-01"), date("2035-01-01")).unwrap()
}

fn dsc_of(country: &str, csca: &TestAuthority) -> TestDsc {
    let params = TestDscParams {
        country: country.into(),
        not_before: date("2026-01-01"),
        not_after: date("2028-01-01"),
        usages: vec![],
    };
    TestDsc::issued_ec(TestAlg::Es256, &params, csca).unwrap()
}

fn detached() -> CmsOptions {
    CmsOptions { detached: true, ..CmsOptions::default() }
}

struct Gateway {
    be_csca: TestAuthority,
    be_upload: TestAuthority,
    trust: GatewayTrust,
}

fn gateway() -> Gateway {
    let be_csca = authority("BE", true);
    let fr_csca = authority("FR", true);
    let be_upload = authority("BE", false);
    let fr_upload = authority("FR", false);
    let cscas = format!("{}{}", be_csca.pem(), fr_csca.pem());
    let uploads = format!("{}{}", be_upload.pem(), fr_upload.pem());
    let trust = GatewayTrust::new(cscas.as_bytes(), uploads.as_bytes()).unwrap();
    assert_eq!(trust.counts(), (2, 2));
    Gateway { be_csca, be_upload, trust }
}

fn check(g: &Gateway, country: &str, dsc: &TestDsc, cms: Option<&str>) -> Result<(), GatewayRejection> {
    g.trust.check(country, &dsc.der, cms, now())
}

#[test]
fn a_dsc_signed_by_its_csca_and_uploaded_by_its_country_is_accepted() {
    let g = gateway();
    let dsc = dsc_of("BE", &g.be_csca);
    for options in [
        detached(),
        CmsOptions::default(),
        CmsOptions { no_signed_attrs: true, ..detached() },
        CmsOptions { no_signed_attrs: true, ..CmsOptions::default() },
    ] {
        let cms = g.be_upload.sign_cms(&dsc.der, options).unwrap();
        assert_eq!(check(&g, "BE", &dsc, Some(&cms)), Ok(()), "{options:?}");
        assert_eq!(check(&g, "be", &dsc, Some(&cms)), Ok(()), "country case");
    }
}

#[test]
fn every_failure_has_its_own_reason() {
    let g = gateway();
    let dsc = dsc_of("BE", &g.be_csca);
    let good = g.be_upload.sign_cms(&dsc.der, detached()).unwrap();

    // No CMS, or not a CMS.
    assert_eq!(check(&g, "BE", &dsc, None), Err(GatewayRejection::CmsMissing));
    assert_eq!(check(&g, "BE", &dsc, Some("  ")), Err(GatewayRejection::CmsMissing));
    assert_eq!(check(&g, "BE", &dsc, Some("bm90IGEgQ01T")), Err(GatewayRejection::CmsMalformed));
    assert_eq!(check(&g, "BE", &dsc, Some("%%%")), Err(GatewayRejection::CmsMalformed));

    // A tampered CMS signature, with and without signed attributes.
    let tampered = g.be_upload.sign_cms(&dsc.der, CmsOptions { tamper_signature: true, ..detached() }).unwrap();
    assert_eq!(check(&g, "BE", &dsc, Some(&tampered)), Err(GatewayRejection::CmsSignatureInvalid));
    let tampered = g
        .be_upload
        .sign_cms(&dsc.der, CmsOptions { tamper_signature: true, no_signed_attrs: true, ..detached() })
        .unwrap();
    assert_eq!(check(&g, "BE", &dsc, Some(&tampered)), Err(GatewayRejection::CmsSignatureInvalid));

    // A valid CMS over another DSC, put beside this one (detached and encapsulated).
    let other = dsc_of("BE", &g.be_csca);
    let swapped = g.be_upload.sign_cms(&other.der, detached()).unwrap();
    assert_eq!(check(&g, "BE", &dsc, Some(&swapped)), Err(GatewayRejection::CmsContentMismatch));
    let swapped = g.be_upload.sign_cms(&other.der, CmsOptions::default()).unwrap();
    assert_eq!(check(&g, "BE", &dsc, Some(&swapped)), Err(GatewayRejection::CmsContentMismatch));
    let swapped = g.be_upload.sign_cms(&other.der, CmsOptions { no_signed_attrs: true, ..detached() }).unwrap();
    assert_eq!(check(&g, "BE", &dsc, Some(&swapped)), Err(GatewayRejection::CmsSignatureInvalid));

    // Signed by an Upload certificate nobody configured, or by another country's.
    let stranger = authority("BE", false);
    let foreign_signed = stranger.sign_cms(&dsc.der, detached()).unwrap();
    assert_eq!(check(&g, "BE", &dsc, Some(&foreign_signed)), Err(GatewayRejection::CmsSignerUnknown));
    assert_eq!(check(&g, "FR", &dsc, Some(&good)), Err(GatewayRejection::CmsSignerUnknown));

    // A DSC whose subject is FR, issued by the BE CSCA, uploaded by BE.
    let wrong_country = dsc_of("FR", &g.be_csca);
    let cms = g.be_upload.sign_cms(&wrong_country.der, detached()).unwrap();
    assert_eq!(check(&g, "BE", &wrong_country, Some(&cms)), Err(GatewayRejection::CountryMismatch));

    // A BE DSC issued by a foreign CSCA (not configured), and one self-signed.
    let foreign_csca = authority("BE", true);
    let unchained = dsc_of("BE", &foreign_csca);
    let cms = g.be_upload.sign_cms(&unchained.der, detached()).unwrap();
    assert_eq!(check(&g, "BE", &unchained, Some(&cms)), Err(GatewayRejection::NotChained));
    let params = TestDscParams {
        country: "BE".into(),
        not_before: date("2026-01-01"),
        not_after: date("2028-01-01"),
        usages: vec![],
    };
    let self_signed = TestDsc::generate_ec(TestAlg::Es256, &params).unwrap();
    let cms = g.be_upload.sign_cms(&self_signed.der, detached()).unwrap();
    assert_eq!(check(&g, "BE", &self_signed, Some(&cms)), Err(GatewayRejection::NotChained));

    // Every code is distinct and stable-looking.
    let codes: std::collections::BTreeSet<_> = GatewayRejection::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), GatewayRejection::ALL.len());
    assert!(codes.iter().all(|c| c.starts_with("DSC_")));
}

#[test]
fn a_dsc_under_another_countrys_csca_is_not_chained() {
    // The FR CSCA (configured, but for FR) signs a DSC that says BE.
    let be_csca = authority("BE", true);
    let fr_csca = authority("FR", true);
    let be_upload = authority("BE", false);
    let trust = GatewayTrust::new(format!("{}{}", be_csca.pem(), fr_csca.pem()).as_bytes(), be_upload.pem().as_bytes())
        .unwrap();
    let dsc = dsc_of("BE", &fr_csca);
    let cms = be_upload.sign_cms(&dsc.der, detached()).unwrap();
    assert_eq!(trust.check("BE", &dsc.der, Some(&cms), now()), Err(GatewayRejection::NotChained));
}

#[test]
fn an_expired_csca_is_refused() {
    let csca = TestAuthority::generate("BE", true, date("2015-01-01"), date("2026-01-01")).unwrap();
    let upload = authority("BE", false);
    let trust = GatewayTrust::new(csca.pem().as_bytes(), upload.pem().as_bytes()).unwrap();
    let dsc = dsc_of("BE", &csca);
    let cms = upload.sign_cms(&dsc.der, detached()).unwrap();
    assert_eq!(trust.check("BE", &dsc.der, Some(&cms), now()), Err(GatewayRejection::CscaExpired));
    // Before it lapsed, the same entry passes.
    let earlier: Timestamp = "2025-12-01T00:00:00Z".parse().unwrap();
    assert_eq!(trust.check("BE", &dsc.der, Some(&cms), earlier), Ok(()));
}

#[test]
fn anchors_are_read_from_pem_der_or_the_gateways_json() {
    let g = gateway();
    let dsc = dsc_of("BE", &g.be_csca);
    let cms = g.be_upload.sign_cms(&dsc.der, detached()).unwrap();
    // One JSON array holding both kinds, as the gateway's /trustList serves it.
    let json = serde_json::json!([
        testing::gateway_anchor(&g.be_csca, "CSCA"),
        testing::gateway_anchor(&g.be_upload, "UPLOAD"),
        {"country": "BE", "certificateType": "AUTHENTICATION", "rawData": "ignored"},
    ])
    .to_string();
    let trust = GatewayTrust::new(json.as_bytes(), json.as_bytes()).unwrap();
    assert_eq!(trust.counts(), (1, 1));
    assert_eq!(trust.check("BE", &dsc.der, Some(&cms), now()), Ok(()));
    let trust = GatewayTrust::new(&g.be_csca.der, &g.be_upload.der).unwrap();
    assert_eq!(trust.check("BE", &dsc.der, Some(&cms), now()), Ok(()));

    for (cscas, uploads, what) in [
        (&b"not a certificate"[..], g.be_upload.der.as_slice(), "garbage"),
        (b"[]", g.be_upload.der.as_slice(), "no CSCA"),
        (g.be_csca.der.as_slice(), b"-----BEGIN CERTIFICATE-----\n", "empty PEM"),
    ] {
        let e = GatewayTrust::new(cscas, uploads).unwrap_err();
        assert_eq!(e.code(), "DSC_ANCHORS_INVALID", "{what}: {e}");
    }
}

#[test]
fn a_checked_list_keeps_the_good_entries_and_counts_the_rest_by_reason() {
    let g = gateway();
    let good = dsc_of("BE", &g.be_csca);
    let good_cms = g.be_upload.sign_cms(&good.der, detached()).unwrap();
    let tampered = dsc_of("BE", &g.be_csca);
    let tampered_cms =
        g.be_upload.sign_cms(&tampered.der, CmsOptions { tamper_signature: true, ..detached() }).unwrap();
    let wrong_country = dsc_of("FR", &g.be_csca);
    let wrong_country_cms = g.be_upload.sign_cms(&wrong_country.der, detached()).unwrap();
    let foreign = dsc_of("BE", &authority("BE", true));
    let foreign_cms = g.be_upload.sign_cms(&foreign.der, detached()).unwrap();
    let unsigned = dsc_of("BE", &g.be_csca);
    let list = serde_json::Value::Array(vec![
        testing::gateway_entry(&good, "BE", &good_cms),
        testing::gateway_entry(&tampered, "BE", &tampered_cms),
        testing::gateway_entry(&wrong_country, "BE", &wrong_country_cms),
        testing::gateway_entry(&foreign, "BE", &foreign_cms),
        testing::gateway_entry(&unsigned, "BE", ""),
    ])
    .to_string();

    let (checked, skipped) = DscList::parse_checked(&list, Some(&g.trust), now()).unwrap();
    assert_eq!(checked.dscs().len(), 1);
    assert_eq!(checked.dscs()[0].kid, good.kid());
    let counts = skipped_by_code(&skipped);
    assert_eq!(
        counts.into_iter().collect::<Vec<_>>(),
        vec![
            ("DSC_CMS_MISSING", 1),
            ("DSC_CMS_SIGNATURE_INVALID", 1),
            ("DSC_COUNTRY_MISMATCH", 1),
            ("DSC_NOT_CHAINED", 1),
        ]
    );
    // Without anchors the same list is taken whole (as before).
    let (unchecked, skipped) = DscList::parse(&list).unwrap();
    assert_eq!((unchecked.dscs().len(), skipped.len()), (5, 0));
    // A list whose every entry is rejected is refused.
    let bad_only = serde_json::Value::Array(vec![testing::gateway_entry(&unsigned, "BE", "")]).to_string();
    assert!(DscList::parse_checked(&bad_only, Some(&g.trust), now()).is_err());
}
