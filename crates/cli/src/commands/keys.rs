//! `healthcode keys show|rotate`.

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
