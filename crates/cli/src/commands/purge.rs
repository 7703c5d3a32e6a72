//! `healthcode purge [--dry-run] [--days N]`: one retention pass by hand.

use anyhow::Result;
use healthcode_server::services::retention::purge_once;
use healthcode_store::PurgeMode;
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

pub async fn run(common: CommonArgs, dry_run: bool, days: Option<i64>) -> Result<ExitCode> {
    let config = build(&common)?;
    let retention = match days {
        Some(d) if (1..=3650).contains(&d) => jiff::SignedDuration::from_hours(24 * d),
        Some(_) => anyhow::bail!("--days must be between 1 and 3650"),
        None => config.retention,
    };
    let store = healthcode_server::open_store_with(&config.database_url, &config.postgres).await?;
    let mode = if dry_run { PurgeMode::DryRun } else { PurgeMode::Delete };
    let now = super::system_clock().now();
    if mode == PurgeMode::Delete {
        // The daily statistics keep what the raw rows would have told.
        healthcode_server::services::stats::roll_closed_days(store.as_ref(), now, &config.time_zone).await?;
    }
    let c = purge_once(store.as_ref(), now, retention, mode).await?;
    let verb = if dry_run { "would delete" } else { "deleted" };
    println!(
        "{verb} {} visits, {} declarations and clock-ins, {} passages, {} attempted entries older than {} days",
        c.visits,
        c.reports,
        c.passages,
        c.attempts,
        retention.as_hours() / 24
    );
    Ok(ExitCode::SUCCESS)
}
