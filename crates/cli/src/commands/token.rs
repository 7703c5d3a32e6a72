//! `healthcode token --role ROLE [--subject ID]`.

use anyhow::{Result, bail};
use healthcode_domain::StaffScope;
use healthcode_domain::{Contact, PhoneNumber, Role};
use healthcode_server::auth::session;
use healthcode_server::services::accounts::ensure_resident;
use healthcode_store::{AuditAction, AuditActor, AuditEntry, Principal, SessionKind, SessionRecord};
use jiff::SignedDuration;
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

/// Days an operator-minted token lasts unless `--days` says otherwise.
pub const DEFAULT_DAYS: i64 = 90;

pub async fn run(common: CommonArgs, role: &str, subject: Option<String>, days: i64, scope: &str) -> Result<ExitCode> {
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
    let scope = StaffScope::parse(scope).map_err(|e| anyhow::anyhow!(e.message))?;
    if !scope.is_anywhere() && role.is_phone_subject() {
        bail!("--scope applies to staff roles only");
    }
    let lifetime = SignedDuration::from_hours(24 * days);
    let secret = session::new_secret().map_err(|e| anyhow::anyhow!(e.message))?;
    let expires = now.saturating_add(lifetime).unwrap_or(now);
    let record = SessionRecord {
        token_hash: session::hash_token(&secret),
        kind: SessionKind::ApiToken,
        principal: principal.clone(),
        created_at: now,
        expires_at: expires,
        scope: (!scope.is_anywhere()).then(|| serde_json::to_string(&scope)).transpose()?,
    };
    let detail = format!("role {role} scope {scope} until {expires}");
    store.insert_session(&record).await?;
    let entry = AuditEntry::new(now, AuditActor::Operator, AuditAction::TokenIssued, &token_id(&record), &detail);
    store.append_audit_entry(&entry).await?;
    let token = secret;
    eprintln!("role {role}; scope {scope}; valid for {days} days, until {expires}");
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

/// A token's public handle: the first 8 bytes of its hash, in hex.
fn token_id(s: &SessionRecord) -> String {
    s.token_hash[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// `healthcode token list`: every device and script token.
pub async fn list_tokens(common: CommonArgs) -> Result<ExitCode> {
    let config = build(&common)?;
    let store = healthcode_server::open_store(&config.database_url).await?;
    let now = super::system_clock().now();
    let tokens = store.api_tokens().await?;
    println!("{:<18} {:<20} {:<10} {:<24} {:<25} {:<25} state", "token", "name", "role", "scope", "created", "expires");
    for s in &tokens {
        let scope =
            s.scope.as_deref().and_then(|j| serde_json::from_str::<StaffScope>(j).ok()).unwrap_or_default().to_string();
        let state = if s.expires_at > now { "live" } else { "expired" };
        println!(
            "{:<18} {:<20} {:<10} {scope:<24} {:<25} {:<25} {state}",
            token_id(s),
            s.principal.subject,
            s.principal.role.as_str(),
            s.created_at.to_string(),
            s.expires_at.to_string()
        );
    }
    eprintln!("{} token(s)", tokens.len());
    Ok(ExitCode::SUCCESS)
}

/// `healthcode token revoke HASH`: one token, by the prefix `token list` shows.
pub async fn revoke_token(common: CommonArgs, prefix: &str) -> Result<ExitCode> {
    let prefix = prefix.trim().to_lowercase();
    if prefix.len() < 8 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("give the token's hash prefix as `token list` shows it (8 hex digits or more)");
    }
    let config = build(&common)?;
    let store = healthcode_server::open_store(&config.database_url).await?;
    let now = super::system_clock().now();
    let matching: Vec<SessionRecord> = store
        .api_tokens()
        .await?
        .into_iter()
        .filter(|s| s.token_hash.iter().map(|b| format!("{b:02x}")).collect::<String>().starts_with(&prefix))
        .collect();
    let [token] = matching.as_slice() else {
        bail!("{} tokens match {prefix}; give exactly one", matching.len());
    };
    store.delete_session(&token.token_hash).await?;
    let detail = format!("{} ({})", token.principal.subject, token.principal.role);
    let entry = AuditEntry::new(now, AuditActor::Operator, AuditAction::TokenRevoked, &token_id(token), &detail);
    store.append_audit_entry(&entry).await?;
    println!(
        "revoked token {} ({}, {}); a running server may accept it for two seconds more",
        token_id(token),
        token.principal.subject,
        token.principal.role
    );
    Ok(ExitCode::SUCCESS)
}
