//! The `[sms]` and `[email]` tables of the config file, turned into the
//! server's gateway settings. Secrets never sit in the file: header values may
//! name environment variables (`${SMS_TOKEN}`), and the SMTP password is read
//! from the variable `password_env` names.

use anyhow::{Context, Result, bail};
use healthcode_server::{BodyFormat, Secret, SenderConfig, SmsGatewayConfig, SmtpConfig, SmtpSecurity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// `[sms]`: an HTTP request per message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsFile {
    url: String,
    method: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    /// With `{to}` and `{text}`.
    body: String,
    /// `json` (default), `form` or `text`.
    format: Option<String>,
    timeout_seconds: Option<u64>,
    retries: Option<u32>,
    backoff_ms: Option<u64>,
}

/// `[email]`: SMTP.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailFile {
    host: String,
    port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    security: Option<String>,
    username: Option<String>,
    /// The NAME of the environment variable holding the password.
    password_env: Option<String>,
    from: String,
    timeout_seconds: Option<u64>,
}

/// The gateways the file configures; the development outbox when it names none.
pub fn sender(
    sms: Option<SmsFile>,
    email: Option<EmailFile>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<SenderConfig> {
    if sms.is_none() && email.is_none() {
        return Ok(SenderConfig::DevOutbox);
    }
    Ok(SenderConfig::Gateways {
        sms: sms.map(|s| sms_config(s, env)).transpose().context("[sms]")?,
        email: email.map(|e| email_config(e, env)).transpose().context("[email]")?,
    })
}

fn sms_config(file: SmsFile, env: &dyn Fn(&str) -> Option<String>) -> Result<SmsGatewayConfig> {
    if !(file.url.starts_with("https://") || file.url.starts_with("http://")) {
        bail!("url must start with https:// or http://");
    }
    let method = file.method.unwrap_or_else(|| "POST".into()).to_ascii_uppercase();
    if !matches!(method.as_str(), "POST" | "PUT") {
        bail!("method must be POST or PUT");
    }
    let format = match file.format.as_deref().unwrap_or("json") {
        "json" => BodyFormat::Json,
        "form" => BodyFormat::Form,
        "text" => BodyFormat::Text,
        other => bail!("format must be json, form or text (got '{other}')"),
    };
    if !file.body.contains("{text}") {
        bail!("body must contain {{text}} (and usually {{to}})");
    }
    let mut headers = Vec::new();
    for (name, value) in file.headers {
        let value = expand(&value, env).with_context(|| format!("header {name}"))?;
        headers.push((name, Secret(value)));
    }
    let timeout = file.timeout_seconds.unwrap_or(10);
    if !(1..=120).contains(&timeout) {
        bail!("timeout_seconds must be between 1 and 120");
    }
    let retries = file.retries.unwrap_or(2);
    if retries > 10 {
        bail!("retries must be between 0 and 10");
    }
    let backoff = file.backoff_ms.unwrap_or(500);
    if backoff > 60_000 {
        bail!("backoff_ms must be between 0 and 60000");
    }
    Ok(SmsGatewayConfig {
        url: file.url,
        method,
        headers,
        body: file.body,
        format,
        timeout: Duration::from_secs(timeout),
        retries,
        backoff: Duration::from_millis(backoff),
    })
}

fn email_config(file: EmailFile, env: &dyn Fn(&str) -> Option<String>) -> Result<SmtpConfig> {
    let security = match file.security.as_deref().unwrap_or("starttls") {
        "starttls" => SmtpSecurity::StartTls,
        "tls" => SmtpSecurity::Tls,
        "none" => SmtpSecurity::None,
        other => bail!("security must be starttls, tls or none (got '{other}')"),
    };
    let port = file.port.unwrap_or(match security {
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::Tls => 465,
        SmtpSecurity::None => 25,
    });
    let credentials = match (file.username, file.password_env) {
        (None, None) => None,
        (Some(user), Some(var)) => {
            let password = env(&var).with_context(|| format!("password_env names {var}, which is not set"))?;
            Some((user, Secret(password)))
        }
        (Some(_), None) => bail!("username needs password_env: the NAME of the variable holding the password"),
        (None, Some(_)) => bail!("password_env needs username"),
    };
    if file.from.trim().is_empty() {
        bail!("from must be an address");
    }
    let timeout = file.timeout_seconds.unwrap_or(30);
    if !(1..=300).contains(&timeout) {
        bail!("timeout_seconds must be between 1 and 300");
    }
    Ok(SmtpConfig {
        host: file.host,
        port,
        security,
        credentials,
        from: file.from,
        timeout: Duration::from_secs(timeout),
    })
}

/// Replaces each `${NAME}` with that environment variable; a missing one is an error.
pub(crate) fn expand(value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let Some(end) = tail.find('}') else { bail!("'${{' without a closing '}}'") };
        let name = &tail[..end];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            bail!("'${{{name}}}' is not an environment variable name");
        }
        out.push_str(&env(name).with_context(|| format!("refers to ${{{name}}}, which is not set"))?);
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "SMS_TOKEN").then(|| "s3cret".to_string())
    }

    #[test]
    fn header_values_read_the_environment() {
        assert_eq!(expand("Bearer ${SMS_TOKEN}", &env).unwrap(), "Bearer s3cret");
        assert_eq!(expand("plain", &env).unwrap(), "plain");
        let missing = expand("Bearer ${NOPE}", &env).unwrap_err().to_string();
        assert!(missing.contains("NOPE") && !missing.contains("s3cret"), "{missing}");
        assert!(expand("${SMS_TOKEN", &env).is_err());
    }

    #[test]
    fn no_table_means_the_outbox() {
        assert_eq!(sender(None, None, &env).unwrap(), SenderConfig::DevOutbox);
    }
}
