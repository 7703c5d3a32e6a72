//! Periodic jobs across servers: every server ticks each job at its
//! interval, and only the server leading the job runs it
//! ([`healthcode_store::ClusterStore::lead_job`]: on PostgreSQL a session
//! advisory lock per job, so one server per interval runs it and another
//! takes over when that one stops; on SQLite always this process).

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::state::AppState;

/// Retention (with the rollup of the days about to lose their rows).
pub const RETENTION: &str = "retention";
/// Rolling closed days up into the statistics.
pub const ROLLUPS: &str = "rollups";
/// Closing visits past their maximum stay.
pub const AUTO_CHECK_OUT: &str = "auto-check-out";
/// Fetching a peer region's trust list (one job per peer: `peer-list:CN-GD`).
pub const PEER_LIST: &str = "peer-list";

/// What this server knows of each job: whether it leads it, and how often it ran it.
#[derive(Debug, Default)]
pub struct Jobs {
    seen: Mutex<BTreeMap<String, JobSeen>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct JobSeen {
    leading: bool,
    runs: u64,
}

impl Jobs {
    fn note(&self, job: &str, leading: bool) {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = seen.entry(job.to_owned()).or_default();
        entry.leading = leading;
        if leading {
            entry.runs += 1;
        }
    }

    /// How many times this server ran `job`.
    pub fn runs(&self, job: &str) -> u64 {
        self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(job).map_or(0, |s| s.runs)
    }

    /// `/metrics` lines: `healthcode_job_leader` and `healthcode_job_runs_total` per job.
    pub fn render(&self) -> String {
        let seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = String::new();
        out.push_str(
            "# HELP healthcode_job_leader Whether this server runs the job (it leads it among the servers).\n",
        );
        out.push_str("# TYPE healthcode_job_leader gauge\n");
        for (job, s) in seen.iter() {
            out.push_str(&format!("healthcode_job_leader{{job=\"{job}\"}} {}\n", u8::from(s.leading)));
        }
        out.push_str("# HELP healthcode_job_runs_total Times this server ran the job.\n");
        out.push_str("# TYPE healthcode_job_runs_total counter\n");
        for (job, s) in seen.iter() {
            out.push_str(&format!("healthcode_job_runs_total{{job=\"{job}\"}} {}\n", s.runs));
        }
        out
    }
}

/// Whether this server runs `job` this time (and counts it). A store
/// error counts as not leading: the job waits for its next tick.
pub async fn leads(state: &AppState, job: &str) -> bool {
    let leading = match state.store.lead_job(job).await {
        Ok(leading) => leading,
        Err(e) => {
            tracing::warn!(job, error = %e, "could not learn whether this server leads a job; skipping this tick");
            false
        }
    };
    state.jobs.note(job, leading);
    leading
}
