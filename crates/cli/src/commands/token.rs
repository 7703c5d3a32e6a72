//! `healthcode token --role ROLE [--subject ID]`.

use anyhow::{Result, bail};
use healthcode_domain::{Contact, PhoneNumber, Role};
use healthcode_server::auth::session;
use healthcode_server::services::accounts::ensure_resident;
use healthcode_store::{Principal, SessionKind};
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

pub async fn run(common: CommonArgs, role: &str, subject: Option<String>) -> Result<ExitCode> {
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
    let token = session::issue(store.as_ref(), principal, SessionKind::ApiToken, now, config.api_token_lifetime)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    eprintln!("role {role}; valid for {}", config.api_token_lifetime);
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}
