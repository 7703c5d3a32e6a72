//! `healthcode dcc import FILE|URL`: import an EU DSC list into the data
//! directory; `healthcode dcc test-vectors`: test DSCs and certificates for
//! the browser test (never for production). `verify` calls [`verdict`].

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use healthcode_credential::dcc::testing::{self, SignOptions, TestAlg, TestDsc, TestDscParams};
use healthcode_credential::dcc::{DscList, is_dcc};
use healthcode_domain::dcc_rules::{DccKind, TEST_NOT_DETECTED, TEST_TYPE_NAAT};
use healthcode_server::services::dcc::{import_into, judge_with, load_kept, load_trust, skipped_report};
use serde_json::json;

use crate::settings::{CommonArgs, build};

pub async fn import(common: CommonArgs, source: &str) -> Result<()> {
    let config = build(&common)?;
    let text = if source.starts_with("https://") || source.starts_with("http://") {
        healthcode_server::services::dcc::fetch_text(source)
            .await
            .map_err(|e| anyhow::anyhow!("fetching {source}: {e}"))?
    } else {
        std::fs::read_to_string(source).with_context(|| format!("reading {source}"))?
    };
    std::fs::create_dir_all(&config.data_dir)?;
    let trust = match &config.dcc.anchors {
        Some(sources) => Some(load_trust(sources).await.map_err(|e| anyhow::anyhow!("{}: {e}", e.code()))?),
        None => None,
    };
    let (list, skipped) = import_into(
        &config.data_dir,
        &text,
        config.dcc.list_signer.as_ref(),
        trust.as_ref(),
        super::system_clock().now(),
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}", e.code()))?;
    for s in &skipped {
        eprintln!("skipped kid {:?} ({}): {}: {}", s.kid, s.country, s.code, s.reason);
    }
    println!(
        "{}",
        json!({ "imported": list.dscs().len(), "skipped": skipped.len(),
                "skipped_by_reason": skipped_report(&skipped),
                "kept_in": healthcode_server::services::dcc::kept_path(&config.data_dir).display().to_string(),
                "signature": if config.dcc.list_signer.is_some() { "verified" } else { "not checked (no dcc.dsc_list_signer)" },
                "gateway_signatures": match &trust {
                    Some(t) => format!("verified (CMS by an Upload certificate of the entry's country, DSC chained to its CSCA; {} CSCA, {} Upload certificates)", t.counts().0, t.counts().1),
                    None => "not checked (no dcc.csca_certificates / dcc.upload_certificates)".to_owned(),
                },
                "note": "a running server reads the list at its next start (or fetches dcc.dsc_list_url)" })
    );
    Ok(())
}

fn dsc_list(common: &CommonArgs, file: Option<&Path>, data_dir: &Path) -> Result<DscList> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading DSC list {}", path.display()))?;
        return Ok(DscList::parse(&text).with_context(|| format!("parsing DSC list {}", path.display()))?.0);
    }
    let _ = common;
    load_kept(data_dir).context("no DSC list imported (run `healthcode dcc import FILE|URL`, or pass --dsc-list FILE)")
}

/// The verdict on an `HC1:` text, as `verify` prints it; `None` if it is not one.
pub fn verdict(
    common: &CommonArgs,
    text: &str,
    file: Option<&Path>,
    now: jiff::Timestamp,
) -> Result<Option<serde_json::Value>> {
    if !is_dcc(text) {
        return Ok(None);
    }
    let config = build(common)?;
    let list = match dsc_list(common, file, &config.data_dir) {
        Ok(list) => list,
        // Still a JSON verdict: without a list no certificate can be checked.
        Err(e) => {
            return Ok(Some(json!({
                "valid": false,
                "kind": "eu_dcc",
                "code": "DCC_LIST_MISSING",
                "reason": format!("{e:#}"),
            })));
        }
    };
    let v = judge_with(&list, &config.dcc.rules, text, now);
    Ok(Some(json!({
        "valid": v.accepted,
        "kind": "eu_dcc",
        "code": v.reason,
        "reason": v.message,
        "certificate_type": v.kind,
        "rule_id": v.rule_id,
        "rule_version": v.rule_version,
        "holder": v.holder,
        "region": v.country,
        "expires_at": v.expires_at.map(|t| t.to_string()),
    })))
}

/// Writes `dsc-list.json` and `certificates.json` (name -> HC1 text) to `out`.
pub fn test_vectors(out: &Path, rsa_pkcs8: Option<PathBuf>, now: jiff::Timestamp) -> Result<()> {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let params = |usages: &[DccKind]| TestDscParams {
        country: "BE".into(),
        not_before: today.checked_sub(jiff::Span::new().days(60)).unwrap_or(today),
        not_after: today.checked_add(jiff::Span::new().days(365)).unwrap_or(today),
        usages: usages.to_vec(),
    };
    let es256 = TestDsc::generate_ec(TestAlg::Es256, &params(&[]))?;
    let es384 = TestDsc::generate_ec(TestAlg::Es384, &params(&[]))?;
    let test_only = TestDsc::generate_ec(TestAlg::Es256, &params(&[DccKind::Test]))?;
    let unlisted = TestDsc::generate_ec(TestAlg::Es256, &params(&[]))?;
    let rsa = match rsa_pkcs8 {
        Some(path) => {
            let der = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            Some(TestDsc::from_rsa_pkcs8(&der, &params(&[]))?)
        }
        None => None,
    };
    let iat = now.checked_sub(jiff::SignedDuration::from_hours(1))?;
    let exp = now.checked_add(jiff::SignedDuration::from_hours(24 * 180))?;
    let date = |days: i64| today.checked_sub(jiff::Span::new().days(days)).unwrap_or(today).to_string();
    let vaccination = testing::payload("BE", iat, exp, testing::vaccination(2, 2, &date(30), "BE"));
    let first_dose = testing::payload("BE", iat, exp, testing::vaccination(1, 2, &date(30), "BE"));
    let sampled = now.checked_sub(jiff::SignedDuration::from_hours(20))?;
    let test = testing::payload("BE", iat, exp, testing::test(TEST_TYPE_NAAT, sampled, TEST_NOT_DETECTED, "BE"));
    let expired = testing::payload(
        "BE",
        now.checked_sub(jiff::SignedDuration::from_hours(48))?,
        now.checked_sub(jiff::SignedDuration::from_hours(1))?,
        testing::vaccination(2, 2, &date(30), "BE"),
    );
    let plain = SignOptions::default();
    let mut certs = serde_json::Map::new();
    let mut put = |name: &str, text: String| {
        certs.insert(name.into(), text.into());
    };
    put("es256_vaccination", es256.sign(&vaccination, plain.clone())?);
    put("es256_test_cwt_tag", es256.sign(&test, SignOptions { cwt_tag: true, ..plain.clone() })?);
    put("es384_vaccination", es384.sign(&vaccination, plain.clone())?);
    put("es256_first_dose", es256.sign(&first_dose, plain.clone())?);
    put("expired", es256.sign(&expired, plain.clone())?);
    put("tampered", es256.sign(&vaccination, SignOptions { tamper_signature: true, ..plain.clone() })?);
    put("wrong_usage", test_only.sign(&vaccination, plain.clone())?);
    put("unknown_key", unlisted.sign(&vaccination, plain.clone())?);
    let mut listed = vec![&es256, &es384, &test_only];
    if let Some(rsa) = &rsa {
        put("ps256_vaccination", rsa.sign(&vaccination, plain.clone())?);
        listed.push(rsa);
    }
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("dsc-list.json"), testing::gateway_list(&listed))?;
    std::fs::write(out.join("certificates.json"), serde_json::to_string_pretty(&certs)?)?;
    if certs.is_empty() {
        bail!("no certificates written");
    }
    println!("{}", out.display());
    Ok(())
}
