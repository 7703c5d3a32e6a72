//! `healthcode verify <QR text | image file>`: offline verification.

use anyhow::{Context, Result};
use healthcode_credential::{
    HEALTH_CODE_PREFIX, KeyRing, PaperPassError, PreparedTrustList, QrError, VerifyError, decode_image, is_paper_pass,
    verify, verify_paper_pass, verify_venue_token,
};
use healthcode_server::services::federation::{Federation, Foreign};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

/// Every key of the data directory's ring: venue posters outlive key rotation.
fn all_keys(common: &CommonArgs, now: jiff::Timestamp) -> Result<PreparedTrustList> {
    let config = build(common)?;
    let dir = config.keys_dir();
    let ring = KeyRing::load(&dir).with_context(|| {
        format!("no keys in {} (venue QR codes verify against the deployment's own keys)", dir.display())
    })?;
    ring.all_keys(&config.region_id, now).prepare().context("preparing the keys")
}

/// A venue QR: a URL with `/c/<token>`, or a bare token.
fn looks_like_venue_qr(text: &str) -> bool {
    text.contains("/c/")
        || (text.len() == 124 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

fn trust_list(common: &CommonArgs, file: Option<PathBuf>, now: jiff::Timestamp) -> Result<PreparedTrustList> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading trust list {}", path.display()))?;
        return PreparedTrustList::from_json(&text).with_context(|| format!("parsing trust list {}", path.display()));
    }
    let config = build(common)?;
    let dir = config.keys_dir();
    let ring = KeyRing::load(&dir)
        .with_context(|| format!("no keys in {} (start the server once, or pass --trust-list FILE)", dir.display()))?;
    ring.trust_list(&config.region_id, config.max_credential_lifetime(), now)
        .prepare()
        .context("preparing the trust list")
}

/// Exit status when an image holds no readable QR code (1 is an invalid code).
pub const EXIT_NO_QR_FOUND: u8 = 3;
/// Exit status when the file is not a readable PNG or JPEG image.
pub const EXIT_IMAGE_UNREADABLE: u8 = 4;

/// The QR texts to check: the argument itself, or what an image holds; or,
/// for an image without one, the JSON verdict and exit status to answer.
fn texts(input: &str) -> Result<Result<Vec<String>, (serde_json::Value, u8)>> {
    let trimmed = input.trim();
    if trimmed.starts_with(HEALTH_CODE_PREFIX)
        || healthcode_credential::is_dcc(trimmed)
        || is_paper_pass(trimmed)
        || looks_like_venue_qr(trimmed)
        || !Path::new(trimmed).is_file()
    {
        return Ok(Ok(vec![trimmed.to_string()]));
    }
    let bytes = std::fs::read(trimmed).with_context(|| format!("reading {trimmed}"))?;
    let refuse = |code: &str, reason: String, status| {
        Err((json!({ "valid": false, "kind": "image", "code": code, "reason": reason }), status))
    };
    Ok(match decode_image(&bytes) {
        Ok(found) if found.is_empty() => {
            refuse("NO_QR_FOUND", format!("no readable QR code in {trimmed}"), EXIT_NO_QR_FOUND)
        }
        Ok(found) => Ok(found),
        Err(QrError::TooSlow | QrError::Decoder) => {
            refuse("NO_QR_FOUND", format!("no readable QR code in {trimmed} (the decoder gave up)"), EXIT_NO_QR_FOUND)
        }
        Err(e) => {
            refuse("IMAGE_UNREADABLE", format!("{trimmed} is not a readable PNG or JPEG: {e}"), EXIT_IMAGE_UNREADABLE)
        }
    })
}

/// A paper pass: signature and window against every key of the ring, and
/// the print number against the store's current one when the store opens.
async fn pass_verdict(common: &CommonArgs, text: &str, now: jiff::Timestamp) -> Result<serde_json::Value> {
    let keys = all_keys(common, now)?;
    let pass = match verify_paper_pass(text, &keys, now) {
        Ok(p) => p,
        Err(e) => {
            return Ok(json!({ "valid": false, "kind": "paper_pass", "code": e.code(), "reason": e.to_string() }));
        }
    };
    let c = &pass.claims;
    let config = build(common)?;
    let current = match healthcode_server::open_store_with(&config.database_url, &config.postgres).await {
        Ok(store) => match store.resident_by_holder(c.holder).await {
            Ok(r) => store.paper_pass(r.id).await.ok().flatten().map(|p| p.print),
            Err(_) => None,
        },
        Err(_) => None,
    };
    // The store gives out numbers in order: any other than its current one is revoked.
    if let Some(current) = current
        && current != c.print
    {
        let e = PaperPassError::Revoked;
        return Ok(
            json!({ "valid": false, "kind": "paper_pass", "code": e.code(), "reason": e.to_string(), "print": c.print }),
        );
    }
    Ok(json!({
        "valid": true,
        "kind": "paper_pass",
        "code": "PASS_VALID",
        "region": config.region_id,
        "holder_id": c.holder.to_string(),
        "holder_hint": format!("{} ****{}", c.initials, c.document_last4),
        "print": c.print,
        "valid_from": c.valid_from.to_string(),
        "valid_until": c.valid_until.to_string(),
        "key_id": pass.key_id.to_string(),
        "current_print_checked": current.is_some(),
        "note": "identity only: the holder's colour is the server's (or the status list's) current one",
    }))
}

/// Still a JSON verdict when there is nothing to check against: no key ring
/// in the data directory, or a `--trust-list` file that cannot be read.
fn keys_missing(kind: &str, e: &anyhow::Error) -> serde_json::Value {
    json!({ "valid": false, "kind": kind, "code": "TRUST_LIST_MISSING", "reason": format!("{e:#}") })
}

pub async fn run(
    common: CommonArgs,
    input: &str,
    trust_file: Option<PathBuf>,
    dsc_file: Option<PathBuf>,
) -> Result<ExitCode> {
    let now = super::system_clock().now();
    let mut all_valid = true;
    let mut trust = None;
    let texts = match texts(input)? {
        Ok(texts) => texts,
        Err((verdict, status)) => {
            println!("{verdict}");
            return Ok(ExitCode::from(status));
        }
    };
    for text in texts {
        if let Some(verdict) = super::dcc::verdict(&common, &text, dsc_file.as_deref(), now)? {
            all_valid &= verdict["valid"] == true;
            println!("{verdict}");
            continue;
        }
        if is_paper_pass(&text) {
            let verdict = pass_verdict(&common, &text, now).await?;
            all_valid &= verdict["valid"] == true;
            println!("{verdict}");
            continue;
        }
        if looks_like_venue_qr(&text) {
            let keys = match all_keys(&common, now) {
                Ok(keys) => keys,
                Err(e) => {
                    all_valid = false;
                    println!("{}", keys_missing("venue", &e));
                    continue;
                }
            };
            let verdict = match verify_venue_token(&text, &keys) {
                Ok((token, kid)) => json!({
                    "valid": true,
                    "kind": "venue",
                    "code": "VENUE_TOKEN_VALID",
                    "venue_id": token.venue.to_string(),
                    "generation": token.generation,
                    "key_id": kid.to_string(),
                    "note": "signature checked offline; whether the venue is still open and the poster current is known only to the server",
                }),
                Err(e) => {
                    all_valid = false;
                    json!({ "valid": false, "kind": "venue", "code": e.code(), "reason": e.to_string() })
                }
            };
            println!("{verdict}");
            continue;
        }
        if trust.is_none() {
            match trust_list(&common, trust_file.clone(), now) {
                Ok(list) => trust = Some(list),
                Err(e) => {
                    all_valid = false;
                    println!("{}", keys_missing("health_code", &e));
                    continue;
                }
            }
        }
        let Some(trust) = trust.as_ref() else { continue };
        let verdict = match verify(&text, trust, now) {
            Ok(v) => {
                let c = &v.claims;
                json!({
                    "region": c.issuer,
                    "valid": true,
                    "kind": "health_code",
                    "code": "CODE_VALID",
                    "colour": c.colour.as_str(),
                    "holder_hint": format!("{} ****{}", c.initials, c.document_last4),
                    "holder_id": c.holder.to_string(),
                    "issuer": c.issuer,
                    "key_id": v.key_id.to_string(),
                    "issued_at": c.issued_at.to_string(),
                    "expires_at": c.expires_at.to_string(),
                    "policy_version": c.policy_version,
                })
            }
            Err(e @ (VerifyError::KeyUnknown(_) | VerifyError::IssuerUnknown(_))) => {
                let verdict = peer_verdict(&common, &text, now).await?;
                all_valid &= verdict.as_ref().is_some_and(|v| v["valid"] == true);
                verdict.unwrap_or_else(
                    || json!({ "valid": false, "kind": "health_code", "code": e.code(), "reason": e.to_string() }),
                )
            }
            Err(e) => {
                all_valid = false;
                json!({ "valid": false, "kind": "health_code", "code": e.code(), "reason": e.to_string() })
            }
        };
        println!("{verdict}");
    }
    Ok(if all_valid { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A code our keys do not know, judged with the peer regions' lists the
/// server kept in the store (verified again here against the pinned root
/// keys). `None` when no configured peer issued it.
async fn peer_verdict(common: &CommonArgs, text: &str, now: jiff::Timestamp) -> Result<Option<serde_json::Value>> {
    let config = build(common)?;
    if config.federation.peers.is_empty() {
        return Ok(None);
    }
    let store = healthcode_server::open_store_with(&config.database_url, &config.postgres).await?;
    let federation = Federation::receiving_only(config.federation.clone(), &config.region_id);
    federation.load_kept(store.as_ref()).await.context("reading the kept peer lists")?;
    let refuse = |code: &str, reason: String, region: String| json!({ "valid": false, "kind": "health_code", "code": code, "reason": reason, "region": region });
    Ok(match federation.judge_foreign(text, now) {
        Foreign::NotAPeer => None,
        Foreign::Missing { region } => Some(refuse(
            "PEER_LIST_MISSING",
            format!("issued by peer region {region}, whose trust list was never fetched (is the server running?)"),
            region,
        )),
        Foreign::Stale { region, expired_at } => Some(refuse(
            "PEER_LIST_STALE",
            format!("issued by peer region {region}, whose kept trust list expired at {expired_at}"),
            region,
        )),
        Foreign::Refused { region, error } => Some(refuse(error.code(), error.to_string(), region)),
        Foreign::Verified { region, code, current } => {
            let c = &code.claims;
            let colour = current.map_or(c.colour, |now| now.max(c.colour));
            Some(json!({
                "valid": true,
                "kind": "health_code",
                "code": "CODE_VALID",
                "region": region,
                "colour": colour.as_str(),
                "holder_hint": format!("{} ****{}", c.initials, c.document_last4),
                "holder_id": c.holder.to_string(),
                "issuer": c.issuer,
                "key_id": code.key_id.to_string(),
                "issued_at": c.issued_at.to_string(),
                "expires_at": c.expires_at.to_string(),
                "policy_version": c.policy_version,
            }))
        }
    })
}
