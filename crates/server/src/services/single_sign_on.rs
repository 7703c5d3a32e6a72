//! Staff single sign-on (issue 16, item 2): after the provider's ID token
//! is checked ([`crate::auth::oidc`]), the person is matched to the staff
//! account of their (issuer, subject) or one is created, their roles (and,
//! when configured, scope) are taken from the token's claims through the
//! configured map, and a staff session of one shift starts. The account's
//! login is derived from (issuer, subject) (`sso-` and 24 hex digits of a
//! SHA-256), so the unique login is the key: a second provider, or a
//! renamed person, never lands on another's account, and an account made
//! with a password is never taken over. Every sign-in, refusal and role
//! change is in the audit log, written with the change.

use healthcode_domain::{StaffLogin, StaffRoles, StaffScope, StaffState};
use healthcode_store::{AuditAction, AuditActor, AuditEntry, StaffAccount, StaffChange, StoreError};
use serde_json::Value;

use crate::auth::id_token::IdClaims;
use crate::auth::oidc::OidcConfig;
use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::staff::SignedIn;
use crate::state::AppState;

/// How many times a write that lost a race is read and tried again.
const ATTEMPTS: usize = 8;

/// The login of the account of (issuer, subject).
pub fn login_of(issuer: &str, subject: &str) -> StaffLogin {
    let digest = ring::digest::digest(&ring::digest::SHA256, format!("{issuer}\n{subject}").as_bytes());
    let hex: String = digest.as_ref()[..12].iter().map(|b| format!("{b:02x}")).collect();
    // 28 characters of [a-z0-9-]: always a valid login.
    StaffLogin::parse(&format!("sso-{hex}")).unwrap_or_else(|_| unreachable!("sso- and hex digits form a login"))
}

/// A claim by name, or by a dotted path into objects (`realm_access.roles`).
fn claim<'a>(claims: &'a IdClaims, name: &str) -> Option<&'a Value> {
    if let Some(v) = claims.other.get(name) {
        return Some(v);
    }
    let mut parts = name.split('.');
    let mut at = claims.other.get(parts.next()?)?;
    for part in parts {
        at = at.get(part)?;
    }
    Some(at)
}

/// The strings of a claim: a list, or one string split at commas and spaces.
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => s.split([',', ' ']).filter(|p| !p.is_empty()).map(str::to_string).collect(),
        Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// The staff roles the configured map gives the claim's values; `None`
/// when none of them is mapped.
pub fn mapped_roles(config: &OidcConfig, claims: &IdClaims) -> Option<StaffRoles> {
    let values = claim(claims, &config.roles_claim).map(strings).unwrap_or_default();
    let roles: Vec<_> = values.iter().filter_map(|v| config.role_map.get(v).copied()).collect();
    StaffRoles::new(roles).ok()
}

/// The scope from the configured claim; `Ok(None)` when none is configured.
fn mapped_scope(config: &OidcConfig, claims: &IdClaims) -> Result<Option<StaffScope>, ApiError> {
    let Some(name) = &config.scope_claim else { return Ok(None) };
    let text = claim(claims, name).map(strings).unwrap_or_default().join(",");
    Ok(Some(StaffScope::parse(&text)?))
}

/// A display name from the token: `name`, else `preferred_username`, else the subject.
fn display_name(claims: &IdClaims) -> String {
    let raw = [&claims.name, &claims.preferred_username]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .unwrap_or(&claims.sub);
    let clean: String = raw.chars().filter(|c| !c.is_control()).take(80).collect();
    if clean.trim().is_empty() { "single sign-on".to_string() } else { clean }
}

fn refused(code: &'static str, message: &str) -> ApiError {
    ApiError::new(ErrorKind::Forbidden, code, message)
}

async fn audit_refusal(state: &AppState, target: &str, detail: &str) -> Result<(), ApiError> {
    let e = AuditEntry::new(state.clock.now(), AuditActor::Anonymous, AuditAction::StaffSignInFailed, target, detail);
    state.store.append_audit_entry(&e).await?;
    Ok(())
}

/// Records a sign-in refused before the person was known (wrong state,
/// a refused code or token).
pub async fn record_failure(state: &AppState, why: &str) -> Result<(), ApiError> {
    audit_refusal(state, "single-sign-on", why).await
}

/// Signs in the person an ID token names (see the module docs).
pub async fn sign_in(state: &AppState, config: &OidcConfig, claims: &IdClaims) -> Result<SignedIn, ApiError> {
    let login = login_of(&claims.iss, &claims.sub);
    let who = format!("issuer {} subject {}", claims.iss, claims.sub);
    let Some(roles) = mapped_roles(config, claims) else {
        audit_refusal(state, login.as_str(), &format!("{who}: no mapped role in claim {}", config.roles_claim)).await?;
        return Err(refused(
            "OIDC_NO_ROLE",
            "your account at the identity provider holds no healthcode staff role; ask a supervisor",
        ));
    };
    let scope = mapped_scope(config, claims)?;
    for _ in 0..ATTEMPTS {
        let Some(mut a) = state.store.staff_by_login(login.as_str()).await? else {
            create(state, &login, claims, &roles, scope.clone().unwrap_or_default(), &who).await?;
            continue;
        };
        let now = state.clock.now();
        let target = a.id.to_string();
        if a.password_hash.is_some() || a.state == StaffState::Invited {
            audit_refusal(state, &target, &format!("{who}: the account is not a single sign-on account")).await?;
            return Err(ApiError::new(
                ErrorKind::Conflict,
                "OIDC_ACCOUNT_CONFLICT",
                "this staff account signs in with a password, not through the identity provider",
            ));
        }
        if matches!(a.state, StaffState::Disabled | StaffState::Locked) {
            audit_refusal(state, &target, &format!("{who}: account {}", a.state.as_str())).await?;
            return Err(refused("STAFF_DISABLED", "this account is disabled"));
        }
        let mut audit = Vec::new();
        if a.roles != roles {
            let detail = format!("from the identity provider: {} -> {roles}", a.roles);
            audit.push(AuditEntry::new(now, AuditActor::System, AuditAction::StaffRolesChanged, &target, &detail));
            a.roles = roles.clone();
        }
        if let Some(scope) = &scope
            && a.scope != *scope
        {
            let detail = format!("scope from the identity provider: {} -> {scope}", a.scope);
            audit.push(AuditEntry::new(now, AuditActor::System, AuditAction::StaffRolesChanged, &target, &detail));
            a.scope = scope.clone();
        }
        let display = display_name(claims);
        if a.display_name != display {
            a.display_name = display;
        }
        a.updated_at = now;
        let (token, record) = crate::services::staff::shift_session(state, &a, now)?;
        let how = format!("single sign-on ({}), {who}", config.provider_name);
        audit.push(AuditEntry::new(now, AuditActor::Anonymous, AuditAction::StaffSignedIn, &target, &how));
        let change = StaffChange { audit: &audit, new_session: Some(&record), ..Default::default() };
        match state.store.update_staff(&a, change).await {
            Ok(()) => return Ok(SignedIn { token, account: a }),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(ErrorKind::Conflict, "STAFF_BUSY", "too many sign-ins at once for this account; try again"))
}

/// Creates the account of (issuer, subject), active and without a password.
/// Losing a race to a second sign-in of the same person is fine: the
/// caller reads the account the other made.
async fn create(
    state: &AppState,
    login: &StaffLogin,
    claims: &IdClaims,
    roles: &StaffRoles,
    scope: StaffScope,
    who: &str,
) -> Result<(), ApiError> {
    let now = state.clock.now();
    let account = StaffAccount {
        id: new_uuid_v7(now),
        login: login.clone(),
        display_name: display_name(claims),
        roles: roles.clone(),
        scope,
        state: StaffState::Active,
        password_hash: None,
        totp_sealed: None,
        totp_last_step: None,
        failed_attempts: 0,
        invite_hash: None,
        invite_expires_at: None,
        created_at: now,
        updated_at: now,
        version: 0,
    };
    let detail = format!("single sign-on: {who}; login {} roles {} scope {}", account.login, roles, account.scope);
    let audit = AuditEntry::new(now, AuditActor::System, AuditAction::StaffCreated, &account.id.to_string(), &detail);
    match state.store.create_staff(&account, &audit).await {
        Ok(()) | Err(StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
