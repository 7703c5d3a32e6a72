//! The `[oidc]` section: staff single sign-on through an OpenID Connect
//! provider. The client secret names an environment variable
//! (`client_secret = "${OIDC_SECRET}"`), like the gateways' secrets.

use anyhow::{Result, bail};
use healthcode_domain::{Role, StaffRoles};
use healthcode_server::auth::oidc::OidcConfig;
use healthcode_server::config::Secret;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcFile {
    issuer: String,
    client_id: String,
    client_secret: String,
    /// On the button: "Sign in with <provider_name>".
    provider_name: Option<String>,
    /// Scopes requested; `openid` is added when missing.
    scopes: Option<String>,
    roles_claim: Option<String>,
    role_map: BTreeMap<String, String>,
    scope_claim: Option<String>,
}

/// Whether `url` is `https://…`, or `http://` to this machine (tests, a local provider).
fn acceptable_issuer(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let host = rest.split(['/', ':']).next().unwrap_or("");
    matches!(host, "127.0.0.1" | "localhost")
}

pub fn oidc(file: Option<OidcFile>, env: &dyn Fn(&str) -> Option<String>) -> Result<Option<OidcConfig>> {
    let Some(f) = file else { return Ok(None) };
    if !acceptable_issuer(&f.issuer) || f.issuer.len() > 500 {
        bail!("oidc.issuer must be an https:// URL (http:// only for 127.0.0.1 or localhost)");
    }
    if f.client_id.trim().is_empty() {
        bail!("oidc.client_id must not be empty");
    }
    let secret =
        crate::gateways::expand(&f.client_secret, env).map_err(|e| anyhow::anyhow!("oidc.client_secret: {e}"))?;
    if secret.is_empty() {
        bail!("oidc.client_secret must not be empty");
    }
    let mut role_map = BTreeMap::new();
    for (from, to) in f.role_map {
        let role = Role::parse(&to).ok().filter(|r| StaffRoles::STAFF.contains(r));
        let Some(role) = role else {
            bail!("oidc.role_map: {from:?} maps to {to:?}; staff roles are officer, authority, supervisor, auditor");
        };
        role_map.insert(from, role);
    }
    if role_map.is_empty() {
        bail!("oidc.role_map must map at least one provider role to a staff role");
    }
    let mut scopes: Vec<String> =
        f.scopes.as_deref().unwrap_or("openid profile").split_whitespace().map(str::to_string).collect();
    if !scopes.iter().any(|s| s == "openid") {
        scopes.insert(0, "openid".into());
    }
    let provider_name = f.provider_name.unwrap_or_else(|| "single sign-on".into()).trim().to_string();
    if provider_name.is_empty() || provider_name.chars().count() > 60 {
        bail!("oidc.provider_name must be 1 to 60 characters");
    }
    let roles_claim = f.roles_claim.unwrap_or_else(|| "roles".into());
    if roles_claim.trim().is_empty() {
        bail!("oidc.roles_claim must not be empty");
    }
    Ok(Some(OidcConfig {
        issuer: f.issuer,
        client_id: f.client_id,
        client_secret: Secret(secret),
        provider_name,
        scopes: scopes.join(" "),
        roles_claim,
        role_map,
        scope_claim: f.scope_claim.filter(|s| !s.trim().is_empty()),
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "OIDC_SECRET").then(|| "s3cret".to_string())
    }

    fn parse(text: &str) -> Result<Option<OidcConfig>> {
        #[derive(Deserialize)]
        struct Wrap {
            oidc: Option<OidcFile>,
        }
        let w: Wrap = toml::from_str(text)?;
        oidc(w.oidc, &env)
    }

    #[test]
    fn the_section_is_read_and_checked() {
        assert_eq!(parse("").unwrap(), None, "without [oidc] nothing changes");
        let base = "[oidc]\nissuer = \"https://id.example\"\nclient_id = \"hc\"\nclient_secret = \"${OIDC_SECRET}\"\n";
        let c = parse(&format!("{base}role_map = {{ \"hc-officer\" = \"officer\" }}\n")).unwrap().unwrap();
        assert_eq!(c.client_secret, Secret("s3cret".into()));
        assert_eq!(c.role_map["hc-officer"], Role::Officer);
        assert_eq!(c.scopes, "openid profile");
        assert_eq!(c.roles_claim, "roles");
        assert!(parse(&format!("{base}role_map = {{ \"x\" = \"resident\" }}\n")).is_err(), "not a staff role");
        assert!(parse(&format!("{base}role_map = {{}}\n")).is_err());
        assert!(parse(&format!("{base}role_map = {{ \"x\" = \"officer\" }}\nrole_mpa = 1\n")).is_err());
        let plain = base.replace("https://id.example", "http://id.example");
        assert!(parse(&format!("{plain}role_map = {{ \"x\" = \"officer\" }}\n")).is_err(), "http only locally");
        let local = base.replace("https://id.example", "http://127.0.0.1:4000");
        assert!(parse(&format!("{local}role_map = {{ \"x\" = \"officer\" }}\n")).is_ok());
        let unset = base.replace("OIDC_SECRET", "NOT_SET");
        assert!(parse(&format!("{unset}role_map = {{ \"x\" = \"officer\" }}\n")).is_err());
        let c = parse(&format!("{base}scopes = \"profile roles\"\nrole_map = {{ \"x\" = \"officer\" }}\n")).unwrap();
        assert_eq!(c.unwrap().scopes, "openid profile roles");
    }
}
