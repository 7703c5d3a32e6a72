//! `healthcode tests import FILE --recorded-by NAME`: import laboratory test
//! results from CSV through the same service as the API (every row checked
//! first; one bad row refuses the whole file and records nothing; a sample
//! already recorded is a duplicate, so a re-run records nothing twice).

use anyhow::{Context, Result};
use std::path::Path;
use std::process::ExitCode;

use crate::commands::api_error;
use crate::settings::{CommonArgs, build};

pub async fn import(common: CommonArgs, file: &Path, recorded_by: &str) -> Result<ExitCode> {
    let recorded_by = recorded_by.trim();
    if recorded_by.is_empty() {
        anyhow::bail!("--recorded-by names the authority member or lab account importing the file");
    }
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let config = build(&common)?;
    let state = healthcode_server::build_state(config, super::system_clock()).await?;
    match healthcode_server::services::lab::import_csv(&state, recorded_by, &text).await.map_err(api_error)? {
        Ok(r) => {
            println!(
                "rows {}, recorded {}, duplicates {}, cases opened {}",
                r.rows, r.recorded, r.duplicates, r.cases_opened
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(rows) => {
            for r in &rows {
                eprintln!("{}:{}: {}: {}", file.display(), r.line, r.code, r.message);
            }
            eprintln!("TEST_IMPORT_INVALID: {} rows refused; nothing was imported", rows.len());
            Ok(ExitCode::FAILURE)
        }
    }
}
