//! `healthcode serve`.

use anyhow::{Context, Result};
use healthcode_server::{AppState, build_state, serve};
use std::process::ExitCode;
use tokio::net::TcpListener;

use crate::settings::{CommonArgs, build};

pub fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HEALTHCODE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let json = std::env::var("HEALTHCODE_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub async fn serve_state(state: AppState) -> Result<ExitCode> {
    let listen = state.config.listen;
    let listener = TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
    serve(state, listener).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn run(common: CommonArgs) -> Result<ExitCode> {
    init_logs();
    let config = build(&common)?;
    let state = build_state(config, super::system_clock()).await?;
    serve_state(state).await
}
