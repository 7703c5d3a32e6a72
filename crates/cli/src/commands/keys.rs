//! `healthcode keys show|rotate|root`.

use anyhow::{Context, Result};
use healthcode_credential::KeyRing;
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

pub async fn show(common: CommonArgs) -> Result<ExitCode> {
    let config = build(&common)?;
    let now = super::system_clock().now();
    let ring = KeyRing::load_or_create(&config.keys_dir(), now).context("loading keys")?;
    println!("keys in {}:", config.keys_dir().display());
    for e in ring.entries() {
        let state = match e.retired_at {
            None if e.kid == ring.active().key_id() => "active".to_string(),
            None => "unused".to_string(),
            Some(at) => format!("retired {at}"),
        };
        println!("  {}  created {}  {state}", e.kid, e.created_at);
    }
    println!("{}", ring.trust_list(&config.region_id, config.max_credential_lifetime(), now).to_json_pretty());
    Ok(ExitCode::SUCCESS)
}

pub async fn rotate(common: CommonArgs) -> Result<ExitCode> {
    let config = build(&common)?;
    let now = super::system_clock().now();
    let dir = config.keys_dir();
    let mut ring = KeyRing::load_or_create(&dir, now).context("loading keys")?;
    let old = ring.active().key_id();
    let new = ring.rotate(&dir, now).context("rotating keys")?;
    let store = healthcode_server::open_store_with(&config.database_url, &config.postgres).await?;
    let rotated = healthcode_server::services::audit::entry_at(
        now,
        healthcode_store::AuditActor::Operator,
        healthcode_store::AuditAction::KeysRotated,
        &new.to_string(),
        &old.to_string(),
    );
    healthcode_server::services::audit::append(store.as_ref(), &rotated).await?;
    println!(
        "new active key {new}; {old} retired and kept in the trust list for {} more",
        config.max_credential_lifetime()
    );
    println!("a running server picks the new key up within 30 seconds");
    Ok(ExitCode::SUCCESS)
}

/// Prints the root public key peers pin (standard base64 of the P-256 point).
pub async fn root(common: CommonArgs) -> Result<ExitCode> {
    let config = build(&common)?;
    let dir = config.keys_dir();
    // The code signing ring first, so a fresh directory gets both.
    KeyRing::load_or_create(&dir, super::system_clock().now()).context("loading keys")?;
    let root = healthcode_credential::load_or_create_root_key(&dir).context("loading the federation root key")?;
    let pin = healthcode_credential::PinnedRootKey::of(&root);
    println!(
        "federation root key {} of region {} (pin it as root_key in a peer's [[peers]] entry):",
        pin.key_id(),
        config.region_id
    );
    println!("{}", pin.to_base64());
    Ok(ExitCode::SUCCESS)
}
