//! `healthcode staff add|list|disable|reset|roles` (operator commands):
//! staff accounts, through the same service functions as the supervisor's
//! page; every change is audited with the actor `operator`.

use anyhow::Result;
use healthcode_server::services::staff;
use healthcode_store::AuditActor;
use std::process::ExitCode;

use crate::commands::api_error;
use crate::settings::{CommonArgs, build};

async fn state(common: &CommonArgs) -> Result<healthcode_server::AppState> {
    let config = build(common)?;
    std::fs::create_dir_all(&config.data_dir)?;
    Ok(healthcode_server::build_state(config, super::system_clock()).await?)
}

/// `staff add LOGIN --name NAME --roles officer[,…] [--scope …]`: prints the
/// invitation link as the last line.
pub async fn add(common: CommonArgs, login: &str, name: &str, roles: &str, scope: &str) -> Result<ExitCode> {
    let state = state(&common).await?;
    let invited = staff::create(&state, &AuditActor::Operator, login, name, roles, scope).await.map_err(api_error)?;
    let a = &invited.account;
    eprintln!(
        "staff {} ({}) roles {}; invitation valid until {}",
        a.login,
        a.id,
        a.roles,
        a.invite_expires_at.map(|t| t.to_string()).unwrap_or_default()
    );
    println!("{}", staff::invitation_link(&state, &invited.invitation));
    Ok(ExitCode::SUCCESS)
}

pub async fn list(common: CommonArgs) -> Result<ExitCode> {
    let state = state(&common).await?;
    let accounts = state.store.staff_accounts().await?;
    println!("{:<36} {:<16} {:<10} {:<30} {:<6} {:<20} name", "id", "login", "state", "roles", "2fa", "scope");
    for a in &accounts {
        let totp = if a.totp_sealed.is_some() { "yes" } else { "no" };
        println!(
            "{:<36} {:<16} {:<10} {:<30} {totp:<6} {:<20} {}",
            a.id,
            a.login.as_str(),
            a.state.as_str(),
            a.roles.to_string(),
            a.scope.to_string(),
            a.display_name
        );
    }
    eprintln!("{} staff account(s)", accounts.len());
    Ok(ExitCode::SUCCESS)
}

pub async fn disable(common: CommonArgs, who: &str) -> Result<ExitCode> {
    let state = state(&common).await?;
    let a = staff::find(&state, who).await.map_err(api_error)?;
    let a = staff::disable(&state, &AuditActor::Operator, a.id, staff::Seen::Latest).await.map_err(api_error)?;
    println!("disabled {} ({}); its sessions ended", a.login, a.id);
    Ok(ExitCode::SUCCESS)
}

/// Prints the new invitation link as the last line.
pub async fn reset(common: CommonArgs, who: &str) -> Result<ExitCode> {
    let state = state(&common).await?;
    let a = staff::find(&state, who).await.map_err(api_error)?;
    let invited = staff::reset(&state, &AuditActor::Operator, a.id, staff::Seen::Latest).await.map_err(api_error)?;
    eprintln!("reset {} ({}): password and second factor cleared, sessions ended", a.login, a.id);
    println!("{}", staff::invitation_link(&state, &invited.invitation));
    Ok(ExitCode::SUCCESS)
}

pub async fn roles(common: CommonArgs, who: &str, roles: &str) -> Result<ExitCode> {
    let state = state(&common).await?;
    let a = staff::find(&state, who).await.map_err(api_error)?;
    let a =
        staff::set_roles(&state, &AuditActor::Operator, a.id, roles, staff::Seen::Latest).await.map_err(api_error)?;
    println!("{} now holds {}", a.login, a.roles);
    Ok(ExitCode::SUCCESS)
}
