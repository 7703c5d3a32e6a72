//! `healthcode trace <case id>`: print a case's trace report (JSON).

use anyhow::{Context, Result};
use healthcode_domain::CaseId;
use healthcode_server::api::cases::trace_response;
use healthcode_server::services::cases::trace;
use std::process::ExitCode;

use crate::commands::api_error;
use crate::settings::{CommonArgs, build};

pub async fn run(common: CommonArgs, case: Option<String>) -> Result<ExitCode> {
    let Some(case) = case else {
        let or_sample = if cfg!(feature = "demo") { ", or --sample N to time N traces" } else { "" };
        anyhow::bail!("give a case id{or_sample}")
    };
    let config = build(&common)?;
    let state = healthcode_server::build_state(config, super::system_clock()).await?;
    let id: CaseId = case.parse().map_err(|_| anyhow::anyhow!("not a case id: {case}"))?;
    let report = trace(&state, id).await.map_err(api_error)?;
    let read = async {
        let (actor, viewed) = (healthcode_store::AuditActor::Cli, healthcode_store::AuditAction::TraceViewed);
        healthcode_server::services::audit::record(&state, actor, viewed, &case, "terminal").await?;
        // The terminal is its reader, as the audit log names it.
        healthcode_server::services::access::trace_viewed(&state, &report, "cli").await
    };
    read.await.map_err(api_error)?;
    println!("{}", serde_json::to_string_pretty(&trace_response(&report)).context("printing the report")?);
    Ok(ExitCode::SUCCESS)
}
