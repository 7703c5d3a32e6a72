//! `healthcode store copy`, `backup` and `restore`.

use anyhow::{Context, Result, bail};
use healthcode_server::transfer::{CopyProgress, copy_store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("copying {bar:40} {pos}/{len} residents ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Shows a URL without its password.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn copy(from: &str, to: &str, batch: u32) -> Result<ExitCode> {
    let source = healthcode_server::open_store(from).await.with_context(|| format!("opening {}", redact(from)))?;
    let target = healthcode_server::open_store(to).await.with_context(|| format!("opening {}", redact(to)))?;
    let bar = progress_bar();
    let started = super::system_clock().now();
    let report = copy_store(source.as_ref(), target.as_ref(), batch, |p: CopyProgress| {
        bar.set_length(p.total);
        bar.set_position(p.done);
    })
    .await
    .context("copying")?;
    bar.finish_and_clear();
    let secs = super::system_clock().now().duration_since(started).as_secs_f64();
    let c = &report.counts;
    let rows = c.residents
        + c.reports
        + c.statuses
        + c.status_changes
        + c.sessions
        + c.venues
        + c.visits
        + c.checkpoints
        + c.passages
        + c.cases
        + c.notices
        + c.exposure_sites
        + c.audit_entries
        + c.enterprises
        + c.employees
        + c.gate_scans
        + c.appeals
        + c.access_log;
    eprintln!(
        "copied {} residents{} from {} to {} in {secs:.1} s",
        report.residents_copied,
        if report.resumed_after > 0 { format!(" (resumed after {})", report.resumed_after) } else { String::new() },
        redact(from),
        redact(to)
    );
    eprintln!("verified: {c:?}");
    eprintln!("checksums (SHA-256 per table) match: {:?}", report.checksums);
    if secs > 0.0 {
        eprintln!("{rows} rows, {:.0} rows/s including the verification pass", rows as f64 / secs);
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn copy_cmd(from: &str, to: &str, batch: u32) -> Result<ExitCode> {
    if !(1..=50_000).contains(&batch) {
        bail!("--batch must be between 1 and 50000");
    }
    copy(from, to, batch).await
}

pub async fn backup(common: CommonArgs, file: &Path) -> Result<ExitCode> {
    let config = build(&common)?;
    let url = &config.database_url;
    if url.starts_with("postgres") {
        bail!(
            "for PostgreSQL use pg_dump, e.g. `pg_dump --format=custom --file {} \"$DATABASE_URL\"`, and pg_restore to restore",
            file.display()
        );
    }
    let store = healthcode_store_sqlite::SqliteStore::open(url).await.context("opening the SQLite store")?;
    store.backup_to(file).await.with_context(|| format!("writing {}", file.display()))?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "backup written to {} ({size} bytes); restore with `healthcode restore {}`",
        file.display(),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(common: CommonArgs, file: &Path) -> Result<ExitCode> {
    let config = build(&common)?;
    if !file.is_file() {
        bail!("{} is not a backup file", file.display());
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let target = healthcode_server::open_store(&config.database_url).await?;
    let counts = target.counts().await?;
    if counts != Default::default() {
        bail!("the target store is not empty ({counts:?}); restore only into an empty store");
    }
    drop(target);
    // Restoring is copying from the backup file, with the same checks.
    let from = format!("sqlite://{}", file.display());
    copy(&from, &config.database_url, 1000).await
}
