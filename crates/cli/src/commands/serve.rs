//! `healthcode serve`.

use anyhow::{Context, Result, bail};
use healthcode_server::{SenderConfig, ServerConfig, build_state, serve};
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

/// Binds the listen address before the server is built. With port 0 (any
/// free port) the port is known only now, so a public base URL left to its
/// default (`http://` and the listen address) names the bound port: the
/// posters' QR codes and entry line, and sign-in links, point where the
/// server answers instead of at port 0.
pub async fn bind(config: &mut ServerConfig) -> Result<TcpListener> {
    let listen = config.listen;
    let listener = TcpListener::bind(listen).await.with_context(|| format!("binding {listen}"))?;
    let bound = listener.local_addr().with_context(|| format!("reading the address bound for {listen}"))?;
    if config.public_base_url == format!("http://{listen}") {
        config.public_base_url = format!("http://{bound}");
    }
    config.listen = bound;
    Ok(listener)
}

/// Refuses the development outbox anywhere but on a loopback address: it
/// publishes every sign-in code.
pub fn outbox_only_on_loopback(listen: std::net::SocketAddr, what: &str) -> Result<()> {
    if !listen.ip().is_loopback() {
        bail!(
            "{what} publishes every sign-in code at /dev/outbox, so it is refused on the non-loopback address \
             {listen}: listen on 127.0.0.1 (--listen 127.0.0.1:8080), or run `healthcode serve` with an [sms] or \
             [email] gateway in the config file"
        );
    }
    Ok(())
}

pub async fn run(common: CommonArgs, dev_outbox: bool, bench_no_op: bool) -> Result<ExitCode> {
    init_logs();
    let mut config = build(&common)?;
    if bench_no_op && !config.listen.ip().is_loopback() {
        bail!(
            "--bench-no-op serves a benchmark's no-op endpoint, so it is refused on the non-loopback address \
             {}: listen on 127.0.0.1",
            config.listen
        );
    }
    config.bench_no_op = bench_no_op;
    if dev_outbox {
        outbox_only_on_loopback(config.listen, "--dev-outbox")?;
        config.sender = SenderConfig::DevOutbox;
    } else if config.sender == SenderConfig::DevOutbox {
        bail!(
            "no message gateway is configured, so sign-in codes could not reach anyone: add an [sms] table (an \
             HTTP SMS gateway) and/or an [email] table (SMTP) to the config file given with --config (see README), \
             or pass --dev-outbox for local development (loopback only; codes are shown at /dev/outbox)"
        );
    }
    let listener = bind(&mut config).await?;
    let state = build_state(config, super::system_clock()).await?;
    serve(state, listener).await?;
    Ok(ExitCode::SUCCESS)
}
