//! `healthcode token --role ROLE [--subject ID]`.

use anyhow::{Result, bail};
use healthcode_domain::{Contact, PhoneNumber, Role};
use healthcode_server::auth::session;
use healthcode_server::services::accounts::ensure_resident;
use healthcode_store::{Principal, SessionKind};
use jiff::SignedDuration;
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

/// Days an operator-minted token lasts unless `--days` says otherwise (as
/// before `--days` existed: scripts may rely on it).
pub const DEFAULT_DAYS: i64 = 365;

pub async fn run(common: CommonArgs, role: &str, subject: Option<String>, days: i64) -> Result<ExitCode> {
    let config = build(&common)?;
    let role = Role::parse(role).map_err(|e| anyhow::anyhow!(e.message))?;
    std::fs::create_dir_all(&config.data_dir)?;
    let store = healthcode_server::open_store(&config.database_url).await?;
    let now = super::system_clock().now();
    let Some(subject) = subject.filter(|s| !s.trim().is_empty()) else {
        bail!("--subject is required: a phone number for resident/venue, a user name for staff roles");
    };
    let principal = if role.is_phone_subject() {
        let phone = PhoneNumber::parse(&subject).map_err(|e| anyhow::anyhow!(e.message))?;
        let contact = Contact::Phone(phone);
        let resident = if role == Role::Resident {
            let r =
                ensure_resident(store.as_ref(), &contact, None, now).await.map_err(|e| anyhow::anyhow!(e.message))?;
            eprintln!("resident {} ({})", r.id, contact);
            Some(r.id)
        } else {
            None
        };
        Principal { role, subject: contact.as_str().to_string(), resident }
    } else {
        if !subject.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) || subject.len() > 64 {
            bail!("a staff user name is 1 to 64 letters, digits, '.', '_' or '-'");
        }
        Principal { role, subject, resident: None }
    };
    let lifetime = SignedDuration::from_hours(24 * days);
    let token = session::issue(store.as_ref(), principal, SessionKind::ApiToken, now, lifetime)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let expires = now.saturating_add(lifetime).unwrap_or(now);
    eprintln!("role {role}; valid for {days} days, until {expires}");
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

/// The subject as stored: a phone number in its canonical form, else the user name.
fn stored_subject(subject: &str) -> String {
    PhoneNumber::parse(subject).map(|p| p.as_str().to_string()).unwrap_or_else(|_| subject.trim().to_string())
}

/// `healthcode tokens list --subject S`.
pub async fn list(common: CommonArgs, subject: &str) -> Result<ExitCode> {
    let config = build(&common)?;
    let store = healthcode_server::open_store(&config.database_url).await?;
    let now = super::system_clock().now();
    let sessions = store.sessions_of(&stored_subject(subject)).await?;
    println!("{:<18} {:<10} {:<10} {:<25} {:<25} state", "token (sha-256)", "kind", "role", "created", "expires");
    for s in &sessions {
        let hash: String = s.token_hash[..8].iter().map(|b| format!("{b:02x}")).collect();
        let state = if s.expires_at > now { "live" } else { "expired" };
        let (created, expires) = (s.created_at.to_string(), s.expires_at.to_string());
        println!(
            "{hash:<18} {:<10} {:<10} {created:<25} {expires:<25} {state}",
            s.kind.as_str(),
            s.principal.role.as_str()
        );
    }
    eprintln!("{} session(s) and token(s)", sessions.len());
    Ok(ExitCode::SUCCESS)
}

/// `healthcode tokens revoke --subject S`: every session and token, at once.
/// A running server may keep a session it read in the last moments
/// (`cache::HOT_READS_TTL`) a little longer.
pub async fn revoke(common: CommonArgs, subject: &str) -> Result<ExitCode> {
    let config = build(&common)?;
    let store = healthcode_server::open_store(&config.database_url).await?;
    let n = store.delete_sessions_of(&stored_subject(subject)).await?;
    println!("revoked {n} session(s) and token(s) of {}", stored_subject(subject));
    Ok(ExitCode::SUCCESS)
}
