//! Staff accounts (issue 16): a supervisor or the operator creates one and
//! hands over a one-use invitation link; the person sets a password and
//! enrols a second factor (required for the authority and supervisors),
//! then signs in for a shift. Repeated wrong passwords or codes lock the
//! account; disabling or resetting it ends its sessions at once. Every
//! step is in the audit log, written in the transaction of the change.

use healthcode_domain::{StaffLogin, StaffRoles, StaffScope, StaffState};
use healthcode_store::{
    AuditAction, AuditActor, AuditEntry, Principal, SessionKind, SessionRecord, StaffAccount, StaffChange, StoreError,
};
use jiff::Timestamp;

use crate::auth::seal::Opened;
use crate::auth::session::{self, hash_token};
use crate::auth::staff_credentials as cred;
use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::state::AppState;

/// How many times a write that lost a race is read and tried again.
const ATTEMPTS: usize = 8;

/// A new account and the invitation secret to hand over (shown once).
#[derive(Debug, Clone)]
pub struct Invited {
    pub account: StaffAccount,
    pub invitation: String,
}

fn not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "STAFF_NOT_FOUND", "no such staff account")
}

fn entry(at: Timestamp, actor: &AuditActor, action: AuditAction, a: &StaffAccount, detail: &str) -> AuditEntry {
    AuditEntry::new(at, actor.clone(), action, &a.id.to_string(), detail)
}

fn new_invitation(now: Timestamp, lifetime: jiff::SignedDuration) -> Result<(String, [u8; 32], Timestamp), ApiError> {
    let secret = format!("hci_{}", base64_url(&session::random_bytes::<24>()?));
    Ok((secret.clone(), hash_token(&secret), now.saturating_add(lifetime).unwrap_or(now)))
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The display name: 1 to 80 characters, no control characters.
fn display_name(s: &str) -> Result<String, ApiError> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 80 || s.chars().any(char::is_control) {
        return Err(ApiError::bad_input("STAFF_NAME_INVALID", "a display name is 1 to 80 characters"));
    }
    Ok(s.to_string())
}

/// Creates an invited account (`healthcode staff add`, the supervisor page).
pub async fn create(
    state: &AppState,
    actor: &AuditActor,
    login: &str,
    name: &str,
    roles: &str,
    scope: &str,
) -> Result<Invited, ApiError> {
    let login = StaffLogin::parse(login)?;
    let display_name = display_name(name)?;
    let roles = StaffRoles::parse(roles)?;
    let scope = StaffScope::parse(scope)?;
    let now = state.clock.now();
    let (invitation, hash, expires) = new_invitation(now, state.config.staff_invite_lifetime)?;
    let account = StaffAccount {
        id: new_uuid_v7(now),
        login,
        display_name,
        roles,
        scope,
        state: StaffState::Invited,
        password_hash: None,
        totp_sealed: None,
        totp_last_step: None,
        failed_attempts: 0,
        invite_hash: Some(hash),
        invite_expires_at: Some(expires),
        created_at: now,
        updated_at: now,
        version: 0,
    };
    let detail = format!("login {} roles {} scope {}", account.login, account.roles, account.scope);
    let audit = entry(now, actor, AuditAction::StaffCreated, &account, &detail);
    match state.store.create_staff(&account, &audit).await {
        Ok(()) => Ok(Invited { account, invitation }),
        Err(StoreError::Conflict(_)) => {
            Err(ApiError::new(ErrorKind::Conflict, "STAFF_LOGIN_TAKEN", "this login is taken (logins ignore case)"))
        }
        Err(e) => Err(e.into()),
    }
}

/// The account an invitation link belongs to, while it still works.
pub async fn invitation(state: &AppState, secret: &str) -> Result<StaffAccount, ApiError> {
    let gone =
        || ApiError::new(ErrorKind::NotFound, "INVITATION_INVALID", "this invitation link is used, expired or wrong");
    if !secret.starts_with("hci_") || secret.len() > 80 {
        return Err(gone());
    }
    let a = state.store.staff_by_invite(&hash_token(secret)).await?.ok_or_else(gone)?;
    let live = a.state == StaffState::Invited && a.invite_expires_at.is_some_and(|e| e > state.clock.now());
    if live { Ok(a) } else { Err(gone()) }
}

/// Takes up an invitation: sets the password and, when a code for `totp_secret`
/// is given (required for the authority and supervisors), the second factor.
pub async fn enrol(
    state: &AppState,
    secret: &str,
    password: &str,
    totp_secret: Option<&[u8]>,
    code: &str,
) -> Result<StaffAccount, ApiError> {
    cred::check_new_password(password)?;
    let mut a = invitation(state, secret).await?;
    let now = state.clock.now();
    let step = match totp_secret {
        Some(s) if !code.trim().is_empty() => Some(cred::check_code(s, code, now, None).ok_or_else(|| {
            ApiError::bad_input("TOTP_CODE_WRONG", "this code does not match; enter the code the app shows now")
        })?),
        _ if a.roles.needs_second_factor() => {
            return Err(ApiError::bad_input(
                "TOTP_REQUIRED",
                "the authority and supervisors enrol a second factor: scan the QR and enter the code",
            ));
        }
        _ => None,
    };
    a.password_hash = Some(cred::hash_password(password).await?);
    a.totp_sealed = match (step, totp_secret) {
        (Some(_), Some(seed)) => Some(state.totp_seal.seal(a.id, seed)?),
        _ => None,
    };
    a.totp_last_step = step;
    a.state = StaffState::Active;
    a.failed_attempts = 0;
    a.invite_hash = None;
    a.invite_expires_at = None;
    a.updated_at = now;
    let detail = if step.is_some() { "password and second factor set" } else { "password set" };
    let audit = [entry(now, &AuditActor::Anonymous, AuditAction::StaffEnrolled, &a, detail)];
    match state.store.update_staff(&a, StaffChange { audit: &audit, ..Default::default() }).await {
        Ok(()) => Ok(a),
        // Two tabs sent the same invitation: the first took it.
        Err(StoreError::Conflict(_)) => Err(ApiError::new(
            ErrorKind::NotFound,
            "INVITATION_INVALID",
            "this invitation link is used, expired or wrong",
        )),
        Err(e) => Err(e.into()),
    }
}

/// A signed-in staff member: the session secret and the account.
#[derive(Debug)]
pub struct SignedIn {
    pub token: String,
    pub account: StaffAccount,
}

/// A new staff session for `a`, lasting one shift: the secret to hand out
/// and the record to store (with the sign-in's own change).
pub(crate) fn shift_session(
    state: &AppState,
    a: &StaffAccount,
    now: Timestamp,
) -> Result<(String, SessionRecord), ApiError> {
    let token = session::new_secret()?;
    let record = SessionRecord {
        token_hash: hash_token(&token),
        kind: SessionKind::Staff,
        principal: Principal { role: a.roles.first(), subject: a.subject(), resident: None },
        created_at: now,
        expires_at: now.saturating_add(state.config.staff_shift).unwrap_or(now),
        scope: None,
    };
    Ok((token, record))
}

fn failed() -> ApiError {
    ApiError::new(ErrorKind::Unauthenticated, "STAFF_SIGNIN_FAILED", "the login, password or code is wrong")
}

fn locked() -> ApiError {
    ApiError::new(
        ErrorKind::Forbidden,
        "STAFF_LOCKED",
        "this account is locked after repeated failures; a supervisor resets it",
    )
}

fn disabled() -> ApiError {
    ApiError::new(ErrorKind::Forbidden, "STAFF_DISABLED", "this account is disabled")
}

/// Signs a staff member in with login, password and (when enrolled) the
/// current code. A wrong one counts towards the lock; the right ones start
/// a session of one shift.
pub async fn sign_in(state: &AppState, login: &str, password: &str, code: &str) -> Result<SignedIn, ApiError> {
    let found = match StaffLogin::parse(login) {
        Ok(l) => state.store.staff_by_login(l.as_str()).await?,
        Err(_) => None,
    };
    let Some(first) = found else {
        cred::verify_password(None, password).await;
        let now = state.clock.now();
        let e = AuditEntry::new(
            now,
            AuditActor::Anonymous,
            AuditAction::StaffSignInFailed,
            "unknown-login",
            "no such login",
        );
        state.store.append_audit_entry(&e).await?;
        return Err(failed());
    };
    match first.state {
        StaffState::Locked => return Err(locked()),
        StaffState::Disabled => return Err(disabled()),
        StaffState::Invited => {
            return Err(ApiError::new(ErrorKind::Forbidden, "STAFF_NOT_ENROLLED", "open the invitation link first"));
        }
        StaffState::Active => {}
    }
    if first.password_hash.is_none() {
        // A single sign-on account has no password: guesses here must not lock it.
        cred::verify_password(None, password).await;
        let detail = "password sign-in to an account without a password (single sign-on)";
        let e = entry(state.clock.now(), &AuditActor::Anonymous, AuditAction::StaffSignInFailed, &first, detail);
        state.store.append_audit_entry(&e).await?;
        return Err(failed());
    }
    let password_ok = cred::verify_password(first.password_hash.as_deref(), password).await;
    for _ in 0..ATTEMPTS {
        let mut a = state.store.staff(first.id).await?;
        match a.state {
            StaffState::Locked => return Err(locked()),
            StaffState::Disabled => return Err(disabled()),
            StaffState::Invited => return Err(failed()),
            StaffState::Active => {}
        }
        let now = state.clock.now();
        let opened = match &a.totp_sealed {
            Some(stored) => Some(state.totp_seal.open(a.id, stored).ok_or_else(|| {
                ApiError::internal("a staff second-factor seed does not open with this data directory's seal key")
            })?),
            None => None,
        };
        let step = match &opened {
            Some(seed) => cred::check_code(seed.seed(), code, now, a.totp_last_step),
            None => Some(a.totp_last_step.unwrap_or(0)),
        };
        a.updated_at = now;
        if password_ok && let Some(step) = step {
            a.failed_attempts = 0;
            a.totp_last_step = a.totp_sealed.as_ref().map(|_| step);
            // A seed stored before sealing was read this once: sealed now.
            if let Some(Opened::Clear(seed)) = &opened {
                a.totp_sealed = Some(state.totp_seal.seal(a.id, seed)?);
            }
            let (token, record) = shift_session(state, &a, now)?;
            let how = if a.totp_sealed.is_some() { "password and code" } else { "password" };
            let audit = [entry(now, &AuditActor::Anonymous, AuditAction::StaffSignedIn, &a, how)];
            let change = StaffChange { audit: &audit, new_session: Some(&record), ..Default::default() };
            match state.store.update_staff(&a, change).await {
                Ok(()) => return Ok(SignedIn { token, account: a }),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        a.failed_attempts += 1;
        let why = if password_ok { "wrong or reused code" } else { "wrong password" };
        let mut audit = vec![entry(
            now,
            &AuditActor::Anonymous,
            AuditAction::StaffSignInFailed,
            &a,
            &format!("{why} ({} in a row)", a.failed_attempts),
        )];
        let lock = a.failed_attempts >= state.config.staff_max_failures;
        if lock {
            a.state = StaffState::Locked;
            audit.push(entry(
                now,
                &AuditActor::System,
                AuditAction::StaffLocked,
                &a,
                &format!("{} failures in a row", a.failed_attempts),
            ));
        }
        let change = StaffChange { audit: &audit, end_sessions: lock, ..Default::default() };
        match state.store.update_staff(&a, change).await {
            Ok(()) => return Err(if lock { locked() } else { failed() }),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(ErrorKind::Conflict, "STAFF_BUSY", "too many sign-ins at once for this account; try again"))
}

/// Finds an account by its id or login.
pub async fn find(state: &AppState, who: &str) -> Result<StaffAccount, ApiError> {
    if let Ok(id) = uuid::Uuid::parse_str(who.trim()) {
        return state.store.staff(id).await.map_err(|e| match e {
            StoreError::NotFound => not_found(),
            e => e.into(),
        });
    }
    let login = StaffLogin::parse(who).map_err(|_| not_found())?;
    state.store.staff_by_login(login.as_str()).await?.ok_or_else(not_found)
}

/// The version of an account a change was decided on: `Seen(v)` when a
/// person looked at the account (the supervisor's page) — a change made
/// meanwhile by someone else is then a 409 `STAFF_CHANGED`, never silently
/// overwritten; `Latest` for the operator's commands, which apply to
/// whatever is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Version(i64),
    Latest,
}

fn changed_meanwhile() -> ApiError {
    ApiError::new(
        ErrorKind::Conflict,
        "STAFF_CHANGED",
        "this account was changed by someone else since the page was shown; look again and repeat",
    )
}

/// A read-modify-write of one account, tried again when it lost a race
/// (unless the change was decided on a version that is gone).
async fn change(
    state: &AppState,
    id: uuid::Uuid,
    seen: Seen,
    mut apply: impl FnMut(&mut StaffAccount, Timestamp) -> Result<(Vec<AuditEntry>, bool), ApiError>,
) -> Result<StaffAccount, ApiError> {
    for _ in 0..ATTEMPTS {
        let mut a = state.store.staff(id).await.map_err(|e| match e {
            StoreError::NotFound => not_found(),
            e => e.into(),
        })?;
        if let Seen::Version(v) = seen
            && v != a.version
        {
            return Err(changed_meanwhile());
        }
        let now = state.clock.now();
        let (audit, end_sessions) = apply(&mut a, now)?;
        a.updated_at = now;
        match state.store.update_staff(&a, StaffChange { audit: &audit, end_sessions, new_session: None }).await {
            Ok(()) => {
                if end_sessions {
                    state.sessions.clear();
                }
                a.version += 1;
                return Ok(a);
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(ErrorKind::Conflict, "STAFF_BUSY", "the account kept changing; try again"))
}

/// Replaces an account's roles. Holding authority or supervisor needs an
/// enrolled second factor: reset the account first if it has none.
pub async fn set_roles(
    state: &AppState,
    actor: &AuditActor,
    id: uuid::Uuid,
    roles: &str,
    seen: Seen,
) -> Result<StaffAccount, ApiError> {
    let roles = StaffRoles::parse(roles)?;
    change(state, id, seen, |a, now| {
        if roles.needs_second_factor() && a.state != StaffState::Invited && a.totp_sealed.is_none() {
            return Err(ApiError::new(
                ErrorKind::Conflict,
                "TOTP_REQUIRED",
                "the authority and supervisors need a second factor: reset the account so its holder enrols one",
            ));
        }
        let detail = format!("{} -> {}", a.roles, roles);
        a.roles = roles.clone();
        Ok((vec![entry(now, actor, AuditAction::StaffRolesChanged, a, &detail)], false))
    })
    .await
}

/// Disables an account and ends its sessions at once.
pub async fn disable(
    state: &AppState,
    actor: &AuditActor,
    id: uuid::Uuid,
    seen: Seen,
) -> Result<StaffAccount, ApiError> {
    change(state, id, seen, |a, now| {
        a.state = StaffState::Disabled;
        a.invite_hash = None;
        a.invite_expires_at = None;
        Ok((vec![entry(now, actor, AuditAction::StaffDisabled, a, "sessions ended")], true))
    })
    .await
}

/// Resets an account (forgotten password, lost phone, lock, re-enabling):
/// password and second factor are cleared, its sessions end, and a new
/// invitation is returned.
pub async fn reset(state: &AppState, actor: &AuditActor, id: uuid::Uuid, seen: Seen) -> Result<Invited, ApiError> {
    let (invitation, hash, expires) = new_invitation(state.clock.now(), state.config.staff_invite_lifetime)?;
    let account = change(state, id, seen, |a, now| {
        a.state = StaffState::Invited;
        a.password_hash = None;
        a.totp_sealed = None;
        a.totp_last_step = None;
        a.failed_attempts = 0;
        a.invite_hash = Some(hash);
        a.invite_expires_at = Some(expires);
        Ok((vec![entry(now, actor, AuditAction::StaffReset, a, "new invitation; sessions ended")], true))
    })
    .await?;
    Ok(Invited { account, invitation })
}

/// The invitation link to hand over.
pub fn invitation_link(state: &AppState, secret: &str) -> String {
    format!("{}/staff/invite/{secret}", state.config.public_base_url.trim_end_matches('/'))
}

/// Every staff account.
pub async fn accounts(state: &AppState) -> Result<Vec<StaffAccount>, ApiError> {
    Ok(state.store.staff_accounts().await?)
}

/// Whether the person deciding a four-eyes request (an override, a false
/// declaration) is the one who made it. The stable ids are compared (an
/// account id, or `token:<name>` for a device token), never display names:
/// two accounts may share a name, and one person keeps their id when their
/// name changes. For a request made before ids were kept, the names without
/// case.
pub fn same_requester(requested_by_id: Option<&str>, requested_by: &str, decider_id: &str, decider: &str) -> bool {
    match requested_by_id {
        Some(requester) => requester == decider_id,
        None => requested_by.eq_ignore_ascii_case(decider),
    }
}

/// Seals every second-factor seed still stored in clear (written before
/// sealing), each with an audit entry; returns how many. Run at start-up.
pub async fn seal_clear_seeds(state: &AppState) -> Result<usize, ApiError> {
    let mut sealed = 0;
    for account in state.store.staff_accounts().await? {
        let clear = account.totp_sealed.as_deref().is_some_and(|s| !crate::auth::seal::is_sealed(s));
        if !clear {
            continue;
        }
        change(state, account.id, Seen::Latest, |a, now| {
            let Some(stored) = a.totp_sealed.as_deref().filter(|s| !crate::auth::seal::is_sealed(s)) else {
                return Ok((Vec::new(), false));
            };
            a.totp_sealed = Some(state.totp_seal.seal(a.id, stored)?);
            Ok((
                vec![entry(now, &AuditActor::System, AuditAction::StaffSeedSealed, a, "stored in clear; sealed")],
                false,
            ))
        })
        .await?;
        sealed += 1;
    }
    Ok(sealed)
}
