//! `healthcode audit verify`: recompute the audit log's hash chain.

use anyhow::Result;
use healthcode_server::services::audit::verify_chain;
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

pub async fn verify(common: CommonArgs) -> Result<ExitCode> {
    let config = build(&common)?;
    let store = healthcode_server::open_store_with(&config.database_url, &config.postgres).await?;
    match verify_chain(store.as_ref()).await? {
        Ok(n) => {
            println!("audit log intact: {n} entries, every hash matches its content and its predecessor");
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) => {
            println!("audit log BROKEN at entry {}: {}", broken.seq, broken.reason);
            Ok(ExitCode::FAILURE)
        }
    }
}
