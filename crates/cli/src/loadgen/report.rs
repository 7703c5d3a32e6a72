//! The summary: throughput, latency percentiles and every answer counted,
//! as text, then one JSON line (the last line printed) for scripts.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

use super::driver::Outcome;
use super::flows::Flow;
use super::histogram::Histogram;
use super::plan::Pace;
use super::stats::Answer;

pub struct RunDescription<'a> {
    pub url: &'a str,
    pub flow: Flow,
    pub pace: Pace,
    pub duration_s: f64,
    pub concurrency: u32,
}

fn ms(micros: u64) -> f64 {
    (micros as f64 / 10.0).round() / 100.0
}

fn latency(h: &Histogram) -> Value {
    json!({
        "p50": ms(h.percentile(50.0)),
        "p90": ms(h.percentile(90.0)),
        "p99": ms(h.percentile(99.0)),
        "p99_9": ms(h.percentile(99.9)),
        "max": ms(h.max()),
    })
}

fn answers(counts: &BTreeMap<Answer, u64>) -> Value {
    Value::Object(counts.iter().map(|(a, n)| (a.label(), json!(n))).collect::<Map<_, _>>())
}

fn answers_text(counts: &BTreeMap<Answer, u64>) -> String {
    counts.iter().map(|(a, n)| format!("{}: {n}", a.label())).collect::<Vec<_>>().join(", ")
}

fn latency_text(h: &Histogram) -> String {
    format!(
        "p50 {:.2} ms, p90 {:.2}, p99 {:.2}, p99.9 {:.2}, max {:.2}",
        ms(h.percentile(50.0)),
        ms(h.percentile(90.0)),
        ms(h.percentile(99.0)),
        ms(h.percentile(99.9)),
        ms(h.max())
    )
}

pub fn print(run: &RunDescription<'_>, outcome: &Outcome) {
    let stats = &outcome.stats;
    let seconds = outcome.elapsed.as_secs_f64().max(1e-9);
    let all = stats.answers();
    let requests = stats.requests();
    let ok: u64 = all.iter().filter(|(a, _)| a.is_success()).map(|(_, n)| n).sum();
    let pace = match run.pace {
        Pace::Fixed { per_second } => format!("open loop at {per_second}/s"),
        Pace::Max => "closed loop at max".to_string(),
    };
    println!(
        "loadgen: {} flow, {pace}, {} s, concurrency {}, {}",
        run.flow.as_str(),
        run.duration_s,
        run.concurrency,
        run.url
    );
    println!(
        "actions: {} due, {} done; requests: {requests} in {seconds:.2} s = {:.1}/s ({:.1}/s 2xx)",
        outcome.actions,
        stats.actions.count(),
        requests as f64 / seconds,
        ok as f64 / seconds
    );
    let missed = outcome.actions.saturating_sub(stats.actions.count());
    if missed > 0 {
        println!("warning: {missed} due actions never started: raise --concurrency, or the server is saturated");
    }
    println!("latency of an action from its due time: {}", latency_text(&stats.actions));
    println!("latency of the requests answered 2xx:   {}", latency_text(&stats.accepted));
    println!("answers: {}", answers_text(&all));
    for (kind, k) in &stats.kinds {
        println!(
            "  {:<16} {:>8}  {}  [{}]",
            kind.as_str(),
            k.latency.count(),
            latency_text(&k.latency),
            answers_text(&k.answers)
        );
    }
    let pace_json = match run.pace {
        Pace::Fixed { per_second } => json!(per_second),
        Pace::Max => json!("max"),
    };
    let kinds: Map<String, Value> = stats
        .kinds
        .iter()
        .map(|(kind, k)| {
            (kind.as_str().to_string(), json!({ "requests": k.latency.count(), "latency_ms": latency(&k.latency), "answers": answers(&k.answers) }))
        })
        .collect();
    let summary = json!({
        "flow": run.flow.as_str(),
        "rate": pace_json,
        "duration_s": run.duration_s,
        "concurrency": run.concurrency,
        "actions_due": outcome.actions,
        "actions_done": stats.actions.count(),
        "actions_not_started": missed,
        "requests": requests,
        "elapsed_s": (seconds * 1000.0).round() / 1000.0,
        "throughput_per_s": (requests as f64 / seconds * 10.0).round() / 10.0,
        "ok_per_s": (ok as f64 / seconds * 10.0).round() / 10.0,
        "latency_ms": latency(&stats.actions),
        "accepted_latency_ms": latency(&stats.accepted),
        "answers": answers(&all),
        "kinds": kinds,
    });
    println!("{summary}");
}
