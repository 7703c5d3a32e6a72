//! Staff pages: sign-in with login, password and code (or, for devices, a
//! token the operator minted, which starts a session of this browser
//! only), the invitation page where a person sets a password and enrols a
//! second factor, and the supervisor's staff accounts page.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use healthcode_credential::render_svg;
use healthcode_domain::{Role, StaffState};
use healthcode_store::{SessionKind, SessionRecord};

use crate::auth::session::{self, hash_token};
use crate::auth::staff::{PageSupervisor, StaffSession, principal_of};
use crate::auth::staff_credentials as cred;
use crate::error::{ApiError, ErrorKind};
use crate::services::staff;
use crate::state::AppState;
use crate::web::form_errors::FieldErrors;
use crate::web::i18n::Lang;
use crate::web::pages::{Fields, all, error_page, field};
use crate::web::view::{Page, StaffAccountShown, StaffAccountsPage, StaffInvitePage, StaffSignInPage, Submitted};

/// Where a staff member lands after signing in, by their first role.
pub(crate) fn landing(role: Role) -> &'static str {
    match role {
        Role::Authority => "/authority/cases",
        Role::Officer => "/checkpoint",
        Role::Supervisor => "/authority/overrides",
        Role::Auditor => "/authority/overrides",
        _ => "/",
    }
}

pub(crate) fn signed_in(state: &AppState, token: &str, lifetime: jiff::SignedDuration, to: &str) -> Response {
    let cookie = session::session_cookie(token, lifetime, state.config.secure_cookies());
    (AppendHeaders([(SET_COOKIE, cookie)]), Redirect::to(to)).into_response()
}

fn form_back(state: &AppState, lang: Lang, f: &Fields, field_name: &'static str, e: &ApiError) -> Response {
    let mut fields = FieldErrors::default();
    fields.add(lang, field_name, e.code, &e.message);
    let typed: Vec<(String, String)> = f.iter().filter(|(k, _)| k == "login").cloned().collect();
    let page = Page::new(lang, "/staff/signin", false).with_submitted(Submitted::new(fields, &typed));
    (e.status(), StaffSignInPage { page, sso: sso_name(state) }).into_response()
}

/// The provider's name for the single sign-on button, when `[oidc]` is configured.
fn sso_name(state: &AppState) -> Option<String> {
    state.oidc.as_ref().map(|c| c.config().provider_name.clone())
}

pub async fn signin_form(State(state): State<AppState>, lang: Lang) -> impl IntoResponse {
    StaffSignInPage { page: Page::new(lang, "/staff/signin", false), sso: sso_name(&state) }
}

pub async fn signin_submit(State(state): State<AppState>, lang: Lang, Form(f): Form<Fields>) -> Response {
    let token = field(&f, "token").trim().to_string();
    if !token.is_empty() {
        return device_sign_in(&state, lang, &f, &token).await;
    }
    match staff::sign_in(&state, field(&f, "login"), field(&f, "password"), field(&f, "code")).await {
        Ok(s) => signed_in(&state, &s.token, state.config.staff_shift, landing(s.account.roles.first())),
        Err(e) if e.kind == ErrorKind::Internal => e.into_response(),
        Err(e) => {
            let at = if e.code == "STAFF_SIGNIN_FAILED" { "password" } else { "login" };
            form_back(&state, lang, &f, at, &e)
        }
    }
}

/// A device token pasted on a shared device: this browser gets a session of
/// its own (at most one shift, never longer than the token), so signing out
/// here never revokes the token.
async fn device_sign_in(state: &AppState, lang: Lang, f: &Fields, token: &str) -> Response {
    let invalid = || ApiError::bad_input("STAFF_TOKEN_INVALID", "this is not a valid staff access token");
    let found = match session::find(state, token).await {
        Ok(found) => found,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some(s) = found.filter(|s| s.kind == SessionKind::ApiToken) else {
        return form_back(state, lang, f, "token", &invalid());
    };
    match principal_of(state, s.clone()).await {
        Ok(StaffSession::Staff(_)) => {}
        Ok(_) => return form_back(state, lang, f, "token", &invalid()),
        Err(e) => return e.into_response(),
    }
    let now = state.clock.now();
    let left = s.expires_at.duration_since(now);
    let lifetime = if left < state.config.staff_shift { left } else { state.config.staff_shift };
    let secret = match session::new_secret() {
        Ok(t) => t,
        Err(e) => return e.into_response(),
    };
    let record = SessionRecord {
        token_hash: hash_token(&secret),
        kind: SessionKind::Staff,
        principal: s.principal.clone(),
        created_at: now,
        expires_at: now.saturating_add(lifetime).unwrap_or(now),
        scope: s.scope.clone(),
    };
    if let Err(e) = state.store.insert_session(&record).await {
        return ApiError::from(e).into_response();
    }
    signed_in(state, &secret, lifetime, landing(s.principal.role))
}

async fn invite_page(
    state: &AppState,
    lang: Lang,
    secret: &str,
    submitted: Submitted,
    totp_key: Option<String>,
) -> Response {
    let path = "/staff/invite";
    let account = match staff::invitation(state, secret).await {
        Ok(a) => a,
        Err(e) => return error_page(lang, path, false, &e),
    };
    let key = match totp_key {
        Some(k) => k,
        None => match cred::new_totp_secret() {
            Ok(s) => cred::totp_base32(&s),
            Err(e) => return e.into_response(),
        },
    };
    let Some(raw) = cred::totp_from_base32(&key) else {
        return ApiError::bad_input("TOTP_KEY_INVALID", "the enrolment form was altered").into_response();
    };
    let uri = cred::otpauth_uri(&state.config.region_id, account.login.as_str(), &raw);
    let qr_svg = match render_svg(&uri) {
        Ok(svg) => svg,
        Err(e) => return ApiError::internal(e).into_response(),
    };
    let status = submitted.status();
    let page = Page::new(lang, path, false).with_submitted(submitted);
    (
        status,
        StaffInvitePage {
            page,
            secret: secret.to_string(),
            login: account.login.to_string(),
            display_name: account.display_name.clone(),
            roles: account.roles.to_string(),
            required: account.roles.needs_second_factor(),
            totp_key: key,
            qr_svg,
        },
    )
        .into_response()
}

pub async fn invite_form(State(state): State<AppState>, lang: Lang, Path(secret): Path<String>) -> Response {
    invite_page(&state, lang, &secret, Submitted::default(), None).await
}

pub async fn invite_submit(
    State(state): State<AppState>,
    lang: Lang,
    Path(secret): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let key = field(&f, "totp_key").to_string();
    let Some(raw) = cred::totp_from_base32(&key) else {
        return error_page(
            lang,
            "/staff/invite",
            false,
            &ApiError::bad_input("TOTP_KEY_INVALID", "the enrolment form was altered"),
        );
    };
    let password = field(&f, "password");
    let code = field(&f, "code");
    match staff::enrol(&state, &secret, password, Some(&raw), code).await {
        // Enrolled without a second factor: signed in at once.
        Ok(a) if a.totp_sealed.is_none() => match staff::sign_in(&state, a.login.as_str(), password, "").await {
            Ok(s) => signed_in(&state, &s.token, state.config.staff_shift, landing(s.account.roles.first())),
            Err(_) => Redirect::to("/staff/signin").into_response(),
        },
        // With one, the code just used cannot be used again: sign in with the next.
        Ok(_) => Redirect::to("/staff/signin").into_response(),
        Err(e) if e.kind == ErrorKind::BadInput => {
            let at = if e.code == "PASSWORD_TOO_SHORT" { "password" } else { "code" };
            let mut fields = FieldErrors::default();
            fields.add(lang, at, e.code, &e.message);
            invite_page(&state, lang, &secret, Submitted::new(fields, &[]), Some(key)).await
        }
        Err(e) => error_page(lang, "/staff/invite", false, &e),
    }
}

const ROLE_CHOICES: [(&str, &str); 4] = [
    ("officer", "staff.role_officer"),
    ("authority", "staff.role_authority"),
    ("supervisor", "staff.role_supervisor"),
    ("auditor", "staff.role_auditor"),
];

async fn accounts_page(
    state: &AppState,
    lang: Lang,
    who: &PageSupervisor,
    submitted: Submitted,
    invitation: Option<String>,
) -> Response {
    let accounts = match crate::services::staff::accounts(state).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let shown = accounts
        .iter()
        .map(|a| StaffAccountShown {
            id: a.id.to_string(),
            login: a.login.to_string(),
            display_name: a.display_name.clone(),
            roles: a.roles.to_string(),
            state_key: match a.state {
                StaffState::Invited => "staff.state_invited",
                StaffState::Active => "staff.state_active",
                StaffState::Locked => "staff.state_locked",
                StaffState::Disabled => "staff.state_disabled",
            },
            may_change: who.staff.account != Some(a.id),
            version: a.version,
        })
        .collect();
    let status = submitted.status();
    let page = Page::staff(lang, "/staff/accounts", &who.staff.roles).with_submitted(submitted);
    (status, StaffAccountsPage { page, accounts: shown, invitation, role_choices: ROLE_CHOICES }).into_response()
}

pub async fn accounts(State(state): State<AppState>, lang: Lang, who: PageSupervisor) -> Response {
    accounts_page(&state, lang, &who, Submitted::default(), None).await
}

pub async fn invite(State(state): State<AppState>, lang: Lang, who: PageSupervisor, Form(f): Form<Fields>) -> Response {
    let roles = all(&f, "role").join(",");
    match staff::create(&state, &who.actor(), field(&f, "login"), field(&f, "name"), &roles, field(&f, "scope")).await {
        Ok(invited) => {
            let link = staff::invitation_link(&state, &invited.invitation);
            accounts_page(&state, lang, &who, Submitted::default(), Some(link)).await
        }
        Err(e) if matches!(e.kind, ErrorKind::BadInput | ErrorKind::Conflict) => {
            let at = match e.code {
                "STAFF_NAME_INVALID" => "name",
                "STAFF_ROLES_INVALID" => "roles",
                "STAFF_SCOPE_INVALID" => "scope",
                _ => "login",
            };
            let mut fields = FieldErrors::default();
            fields.add(lang, at, e.code, &e.message);
            let typed: Vec<(String, String)> = f.iter().filter(|(k, _)| k != "role").cloned().collect();
            accounts_page(&state, lang, &who, Submitted::new(fields, &typed), None).await
        }
        Err(e) => error_page(lang, "/staff/accounts", false, &e),
    }
}

pub async fn account_action(
    State(state): State<AppState>,
    lang: Lang,
    who: PageSupervisor,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<Fields>,
) -> Response {
    let path = "/staff/accounts";
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return error_page(lang, path, false, &ApiError::not_found());
    };
    if who.staff.account == Some(id) {
        let e =
            ApiError::new(ErrorKind::Forbidden, "STAFF_SELF_CHANGE", "a second supervisor changes your own account");
        return error_page(lang, path, false, &e);
    }
    // The page sends the version it showed; without one the change is refused.
    let Ok(version) = field(&f, "version").trim().parse::<i64>() else {
        let e = ApiError::bad_input("STAFF_VERSION_MISSING", "send the change from the staff accounts page");
        return error_page(lang, path, false, &e);
    };
    let seen = staff::Seen::Version(version);
    let actor = who.actor();
    let result = match action.as_str() {
        "disable" => staff::disable(&state, &actor, id, seen).await.map(|_| None),
        "reset" => {
            staff::reset(&state, &actor, id, seen).await.map(|i| Some(staff::invitation_link(&state, &i.invitation)))
        }
        "roles" => staff::set_roles(&state, &actor, id, &all(&f, "role").join(","), seen).await.map(|_| None),
        _ => Err(ApiError::not_found()),
    };
    match result {
        Ok(link) => accounts_page(&state, lang, &who, Submitted::default(), link).await,
        // Shown above the list as it is now, with the status of the refusal.
        Err(e) if matches!(e.kind, ErrorKind::Conflict | ErrorKind::BadInput) => {
            let text = lang.t_opt(&format!("apierr.{}", e.code)).map_or_else(|| e.message.clone(), str::to_string);
            let submitted = Submitted { error: Some(text), ..Submitted::default() };
            let page = accounts_page(&state, lang, &who, submitted, None).await;
            (e.status(), page).into_response()
        }
        Err(e) => error_page(lang, path, false, &e),
    }
}
