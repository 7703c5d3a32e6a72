//! `healthcode loadgen`: a load generator of realistic flows against a
//! server on this machine. `setup` prepares residents, venues, a checkpoint
//! and tokens in a deployment and writes them to a fixtures file; `run`
//! replays check-ins, check-outs, code refreshes and checkpoint scans at a
//! fixed rate (open loop) or as fast as the server answers (closed loop), and
//! reports throughput, latency percentiles and every answer counted.
//!
//! Safety rails: loopback targets only, a run lasts at most ten minutes, and
//! no proxy or redirect can send a request elsewhere.

pub(crate) mod clock;
mod driver;
mod error;
mod fixtures;
mod flows;
mod histogram;
mod plan;
mod report;
mod setup;
mod stats;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use crate::settings::{CommonArgs, build};
pub use error::LoadgenError;
use fixtures::Fixtures;
use flows::{Flow, Target};

#[derive(Subcommand)]
pub enum LoadgenAction {
    /// Create green residents, venues, a checkpoint and API tokens in the
    /// deployment (--data-dir/--db) and write them to a fixtures file.
    Setup {
        #[arg(long, default_value_t = 200)]
        residents: u32,
        #[arg(long, default_value_t = 50)]
        venues: u32,
        /// Where to write the fixtures (JSON).
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Run load against a server on this machine.
    Run(RunArgs),
}

#[derive(Args)]
pub struct RunArgs {
    /// The fixtures file `loadgen setup` wrote for this deployment.
    #[arg(long)]
    fixtures: PathBuf,
    /// The server's base URL; loopback only (127.0.0.0/8, ::1, localhost).
    #[arg(long)]
    url: String,
    /// Actions per second (open loop), or `max` (closed loop).
    #[arg(long)]
    rate: String,
    /// How long to start actions: 500ms, 30s, 2m (at most 10m).
    #[arg(long)]
    duration: String,
    /// Requests in flight at most (workers).
    #[arg(long, default_value_t = 32)]
    concurrency: u32,
    #[arg(long, value_enum, default_value_t = Flow::CheckIn)]
    flow: Flow,
    /// Append the id of every acknowledged (2xx) check-in to this file, one per line.
    #[arg(long)]
    acked: Option<PathBuf>,
    /// Seed of the choices (venue, check-out or not, flow of a mixed step).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Give up on one request after this long (counted as a timeout).
    #[arg(long, default_value = "10s")]
    timeout: String,
}

pub async fn run(action: LoadgenAction) -> Result<ExitCode> {
    match action {
        LoadgenAction::Setup { residents, venues, out, common } => {
            setup::check_counts(residents, venues)?;
            let config = build(&common)?;
            let state = healthcode_server::build_state(config, crate::commands::system_clock()).await?;
            setup::run(state, residents, venues, &out).await?;
            Ok(ExitCode::SUCCESS)
        }
        LoadgenAction::Run(args) => run_load(args).await,
    }
}

async fn run_load(args: RunArgs) -> Result<ExitCode> {
    let url = plan::loopback_url(&args.url)?;
    let pace = plan::pace(&args.rate)?;
    let duration = plan::duration(&args.duration)?;
    let timeout = plan::duration(&args.timeout)?;
    let concurrency = plan::concurrency(args.concurrency)?;
    let fixtures = Fixtures::read(&args.fixtures)?;
    let acked = match &args.acked {
        Some(path) => Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("opening {}", path.display()))?,
        ),
        None => None,
    };
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(2))
        .pool_max_idle_per_host(concurrency as usize)
        .build()
        .context("building the HTTP client")?;
    let base = url.as_str().trim_end_matches('/').to_string();
    let alive = client.get(format!("{base}/healthz")).send().await;
    if !alive.as_ref().is_ok_and(|r| r.status().is_success()) {
        return Err(LoadgenError::new(
            "LOADGEN_TARGET_UNREACHABLE",
            format!("{base}/healthz did not answer 200; is the server running there?"),
        )
        .into());
    }
    let target = Arc::new(Target::new(client, &base, fixtures, acked, args.flow, args.seed));
    let outcome = driver::drive(target, pace, duration, concurrency).await;
    let description =
        report::RunDescription { url: &base, flow: args.flow, pace, duration_s: duration.as_secs_f64(), concurrency };
    report::print(&description, &outcome);
    Ok(ExitCode::SUCCESS)
}
