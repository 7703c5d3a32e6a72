//! `healthcode trace --sample N` (builds with the `demo` feature): time the trace
//! of N random residents as if each were a case today (median, p99 and worst),
//! on the configured store, or trace them as one outbreak.

use anyhow::{Result, bail};
use healthcode_domain::policy::CaseKind;
use healthcode_domain::{Case, CaseId, ResidentId, random::SeededRng};
use healthcode_server::AppState;
use healthcode_server::services::cases::{Depth, TraceSource, trace_case_to, trace_outbreak, trace_window};
use healthcode_server::services::trace_index::load;
use std::process::ExitCode;
use std::time::Duration;

use crate::commands::api_error;
use crate::settings::{CommonArgs, build};

/// What `--sample` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleOutput {
    /// Time the traces and print the latency summary.
    Latency,
    /// Print the sampled cases (resident, window start, window end), one a line, and trace nothing.
    Cases,
    /// Trace the cases as one outbreak and print its time and contacts.
    Outbreak,
}

/// Where a sampling run reads other people's stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TraceRead {
    /// The in-memory stay index, loaded from the store first (as a server does at start).
    Index,
    /// The store, statement by statement.
    Store,
}

/// A sampling run: how many cases, picked by which seed, traced how far.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub cases: u32,
    pub seed: u64,
    pub read: TraceRead,
    pub depth: Depth,
    pub output: SampleOutput,
}

pub async fn run(common: CommonArgs, sample: Sample) -> Result<ExitCode> {
    let config = build(&common)?;
    let state = healthcode_server::build_state(config, super::system_clock()).await?;
    sample_latency(&state, sample).await
}

/// `n` cases: residents picked at random by `seed`, as if each were
/// confirmed today with symptoms 12 days ago (a 14-day window).
async fn sample_cases(state: &AppState, n: u32, seed: u64) -> Result<Vec<Case>> {
    let now = state.clock.now();
    let today = now.to_zoned(state.config.time_zone.clone()).date();
    let mut ids: Vec<ResidentId> = Vec::new();
    let mut after = None;
    loop {
        let page = state.store.resident_ids_after(after, 10_000).await?;
        let Some(last) = page.last().copied() else { break };
        ids.extend(page);
        after = Some(last);
    }
    if ids.is_empty() {
        bail!("no residents in this store: run `healthcode demo --no-serve` first");
    }
    let mut rng = SeededRng::new(seed);
    Ok((0..n)
        .map(|_| {
            let resident = ids[rng.below(ids.len() as u64) as usize];
            Case {
                id: CaseId::from_bytes(rng.bytes16()),
                resident,
                kind: CaseKind::Confirmed,
                onset: today.checked_sub(jiff::Span::new().days(12)).unwrap_or(today),
                isolated_on: None,
                recorded_by: "bench".into(),
                recorded_at: now,
                applied_at: None,
            }
        })
        .collect())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[allow(clippy::disallowed_methods)] // timing a benchmark
async fn sample_latency(state: &AppState, sample: Sample) -> Result<ExitCode> {
    let cases = sample_cases(state, sample.cases, sample.seed).await?;
    if cases.is_empty() {
        bail!("--sample needs at least one case");
    }
    if sample.output == SampleOutput::Cases {
        for case in &cases {
            let (from, to) = trace_window(state, case);
            println!("{} {from} {to}", case.resident);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if sample.read == TraceRead::Index {
        if state.trace_index.days() == 0 {
            bail!("the trace index is off (trace_index_days = 0, or PostgreSQL without it): use --read store");
        }
        let started = std::time::Instant::now();
        let stays = load(state).await.map_err(api_error)?;
        eprintln!(
            "trace index: {stays} stays of the last {} days loaded in {:.1} s",
            state.trace_index.days(),
            started.elapsed().as_secs_f64()
        );
    }
    if sample.output == SampleOutput::Outbreak {
        return outbreak(state, cases, sample).await;
    }
    let mut times = Vec::with_capacity(cases.len());
    let mut contacts = Vec::with_capacity(cases.len());
    for case in cases {
        let started = std::time::Instant::now();
        let report = trace_case_to(state, case, sample.depth).await.map_err(api_error)?;
        times.push(started.elapsed());
        if sample.read == TraceRead::Index && report.read_from != TraceSource::Index {
            bail!("case {} was traced from the store: the index does not cover its window", report.case.id);
        }
        contacts.push(report.close.len() + report.secondary.len());
    }
    let total: Duration = times.iter().sum();
    times.sort();
    contacts.sort_unstable();
    let pick = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    eprintln!(
        "{} traces (14-day window, {}, seed {}) on {}, read from the {}: p50 {}, p99 {}, worst {}, all {}; contacts per case p50 {}, max {}",
        times.len(),
        depth_name(sample.depth),
        sample.seed,
        state.store.backend(),
        read_name(sample.read),
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(times[times.len() - 1]),
        ms(total),
        contacts[contacts.len() / 2],
        contacts[contacts.len() - 1]
    );
    Ok(ExitCode::SUCCESS)
}

fn depth_name(depth: Depth) -> &'static str {
    match depth {
        Depth::Close => "close contacts",
        Depth::Secondary => "close + secondary",
    }
}

fn read_name(read: TraceRead) -> &'static str {
    match read {
        TraceRead::Index => "stay index",
        TraceRead::Store => "store",
    }
}

/// Traces the sampled cases as one outbreak and prints the time it took.
#[allow(clippy::disallowed_methods)] // timing a benchmark
async fn outbreak(state: &AppState, cases: Vec<Case>, sample: Sample) -> Result<ExitCode> {
    let n = cases.len();
    let started = std::time::Instant::now();
    let report = trace_outbreak(state, cases, sample.depth).await.map_err(api_error)?;
    let took = started.elapsed();
    if sample.read == TraceRead::Index && report.read_from != TraceSource::Index {
        bail!("the outbreak was traced from the store: the index does not cover its window");
    }
    eprintln!(
        "outbreak of {n} cases (14-day window, {}, seed {}) on {}, read from the {}: all {}; {} case stays, {} close contacts ({} shared stays), {} secondary ({} shared stays)",
        depth_name(sample.depth),
        sample.seed,
        state.store.backend(),
        read_name(sample.read),
        ms(took),
        report.case_visits.len(),
        report.close.len(),
        report.close.shared_stays(),
        report.secondary.len(),
        report.secondary.shared_stays()
    );
    Ok(ExitCode::SUCCESS)
}
