//! `healthcode migrate`.

use anyhow::Result;
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

pub async fn run(common: CommonArgs) -> Result<ExitCode> {
    let config = build(&common)?;
    std::fs::create_dir_all(&config.data_dir)?;
    // Opening a store applies pending migrations.
    let store = healthcode_server::open_store(&config.database_url).await?;
    println!("migrations applied ({} backend)", store.backend());
    Ok(ExitCode::SUCCESS)
}
