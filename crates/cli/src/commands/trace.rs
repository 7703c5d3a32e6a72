//! `healthcode trace <case id>`: print a case's trace report (JSON), and
//! `healthcode trace --sample N`: time the trace of N random residents as if
//! each were a case today (median and worst), on the configured store.

use anyhow::{Context, Result, bail};
use healthcode_domain::policy::CaseKind;
use healthcode_domain::{Case, CaseId, random::SeededRng};
use healthcode_server::api::cases::trace_response;
use healthcode_server::services::cases::{trace, trace_case};
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

pub async fn run(common: CommonArgs, case: Option<String>, sample: Option<u32>) -> Result<ExitCode> {
    let config = build(&common)?;
    let state = healthcode_server::build_state(config, super::system_clock()).await?;
    if let Some(n) = sample {
        return sample_latency(&state, n).await;
    }
    let Some(case) = case else { bail!("give a case id, or --sample N to time N traces") };
    let id: CaseId = case.parse().map_err(|_| anyhow::anyhow!("not a case id: {case}"))?;
    let report = trace(&state, id).await.map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
    let read = async {
        healthcode_server::services::audit::record(&state, "cli", "trace.viewed", &case, "terminal").await?;
        healthcode_server::services::access::trace_viewed(&state, &report).await
    };
    read.await.map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
    println!("{}", serde_json::to_string_pretty(&trace_response(&report)).context("printing the report")?);
    Ok(ExitCode::SUCCESS)
}

#[allow(clippy::disallowed_methods)] // timing a benchmark
async fn sample_latency(state: &healthcode_server::AppState, n: u32) -> Result<ExitCode> {
    let now = state.clock.now();
    let today = now.to_zoned(state.config.time_zone.clone()).date();
    let mut ids = Vec::new();
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
    let mut rng = SeededRng::new(7);
    let mut times = Vec::with_capacity(n as usize);
    let mut contacts = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let resident = ids[rng.below(ids.len() as u64) as usize];
        let case = Case {
            id: CaseId::from_bytes(rng.bytes16()),
            resident,
            kind: CaseKind::Confirmed,
            onset: today.checked_sub(jiff::Span::new().days(12)).unwrap_or(today),
            isolated_on: None,
            recorded_by: "bench".into(),
            recorded_at: now,
            applied_at: None,
        };
        let started = std::time::Instant::now();
        let report = trace_case(state, case).await.map_err(|e| anyhow::anyhow!("{}: {}", e.code, e.message))?;
        times.push(started.elapsed());
        contacts.push(report.close.len() + report.secondary.len());
    }
    times.sort();
    contacts.sort_unstable();
    let pick = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    eprintln!(
        "{n} traces (14-day window, close + secondary) on {}: p50 {:?}, p99 {:?}, worst {:?}; contacts per case p50 {}, max {}",
        state.store.backend(),
        pick(0.5),
        pick(0.99),
        times[times.len() - 1],
        contacts[contacts.len() / 2],
        contacts[contacts.len() - 1]
    );
    Ok(ExitCode::SUCCESS)
}
