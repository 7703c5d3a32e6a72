//! Authorization as types for staff. A staff principal is either a person
//! signed in with their account (`SessionKind::Staff`, subject
//! `staff:<account id>`; the account is read on every request, so a role
//! change or a disable applies at once) or a device/script token minted by
//! the operator (`healthcode token`: one role, a name, a scope).
//!
//! Handlers take the extractor of the work they do; nothing else checks a
//! role inline:
//!
//! | extractor | admits | for |
//! |---|---|---|
//! | [`OfficerAuth`] | officer, authority | checkpoint work (scanning, sync, status list) |
//! | [`AuthorityAuth`] | authority | cases, risk areas, appeals, enterprises, checkpoint registry, override requests |
//! | [`SupervisorAuth`] | supervisor | override decisions, staff accounts |
//! | [`AuditorAuth`] | auditor, authority, supervisor | reading the audit log, pending overrides, alarms |
//! | [`OversightAuth`] | authority, supervisor | acknowledging alarms |
//! | [`StaffAuth`] | any staff role | (kept for handlers not yet converted) |
//!
//! Each rejects with 401 `UNAUTHENTICATED` when nobody (or a disabled
//! account) is signed in and 403 `FORBIDDEN` for anyone else. `Page…`
//! variants ([`PageAuth`]) send the signed-out to `/staff/signin` and show
//! others a 403 page (the scanner pages send residents and venue operators,
//! who may be at a shared phone, to the staff sign-in too). Four eyes compare [`StaffPrincipal::id`], never names.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::{Role, StaffRoles, StaffScope, StaffState};
use healthcode_store::{AuditActor, SessionKind, SessionRecord, StoreError};
use std::marker::PhantomData;

use crate::auth::extract::session_of;
use crate::error::ApiError;
use crate::state::AppState;

/// A verified staff member or device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffPrincipal {
    /// Stable and unique: the account id, or `token:<name>` for a device token.
    pub id: String,
    /// The login (people) or the token's name (devices), for the audit log.
    pub name: String,
    pub roles: StaffRoles,
    pub scope: StaffScope,
    /// The account, for people.
    pub account: Option<uuid::Uuid>,
}

impl StaffPrincipal {
    /// The audit actor when acting in `role`.
    pub fn actor(&self, role: Role) -> AuditActor {
        AuditActor::Staff { role, name: self.name.clone() }
    }
}

/// Who a request's session belongs to, as far as staff work goes.
pub(crate) enum StaffSession {
    None,
    NotStaff,
    Staff(StaffPrincipal),
}

fn staff_role(role: Role) -> bool {
    StaffRoles::STAFF.contains(&role)
}

/// The staff principal of a session record.
pub(crate) async fn principal_of(state: &AppState, s: SessionRecord) -> Result<StaffSession, ApiError> {
    let account_id = s.principal.subject.strip_prefix("staff:").and_then(|i| uuid::Uuid::parse_str(i).ok());
    if s.kind == SessionKind::Staff
        && let Some(id) = account_id
    {
        let account = match state.store.staff(id).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => return Ok(StaffSession::None),
            Err(e) => return Err(e.into()),
        };
        if account.state != StaffState::Active {
            return Ok(StaffSession::None);
        }
        return Ok(StaffSession::Staff(StaffPrincipal {
            id: account.id.to_string(),
            name: account.login.to_string(),
            roles: account.roles,
            scope: account.scope,
            account: Some(account.id),
        }));
    }
    if !staff_role(s.principal.role) {
        return Ok(StaffSession::NotStaff);
    }
    let scope = s.scope.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default();
    let roles = StaffRoles::new([s.principal.role])?;
    Ok(StaffSession::Staff(StaffPrincipal {
        id: format!("token:{}", s.principal.subject.to_lowercase()),
        name: s.principal.subject,
        roles,
        scope,
        account: None,
    }))
}

/// The staff principal a request presents.
pub(crate) async fn staff_session(parts: &Parts, state: &AppState) -> Result<StaffSession, ApiError> {
    match session_of(parts, state).await? {
        None => Ok(StaffSession::None),
        Some(s) => principal_of(state, s).await,
    }
}

/// Which roles an extractor admits, in the order it picks the acting role.
pub trait StaffRule: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

/// Officers and the authority that runs them: checkpoint work.
pub struct Officers;
impl StaffRule for Officers {
    const ROLES: &'static [Role] = &[Role::Officer, Role::Authority];
}

/// The health authority.
pub struct Authorities;
impl StaffRule for Authorities {
    const ROLES: &'static [Role] = &[Role::Authority];
}

/// Supervisors.
pub struct Supervisors;
impl StaffRule for Supervisors {
    const ROLES: &'static [Role] = &[Role::Supervisor];
}

/// Readers of the oversight records: auditors, the authority, supervisors.
pub struct Auditors;
impl StaffRule for Auditors {
    const ROLES: &'static [Role] = &[Role::Auditor, Role::Authority, Role::Supervisor];
}

/// The authority and supervisors (acknowledging alarms).
pub struct Oversight;
impl StaffRule for Oversight {
    const ROLES: &'static [Role] = &[Role::Authority, Role::Supervisor];
}

/// Any staff role.
pub struct AnyStaff;
impl StaffRule for AnyStaff {
    const ROLES: &'static [Role] = &[Role::Officer, Role::Authority, Role::Supervisor, Role::Auditor];
}

/// A staff principal admitted by rule `R` (API: 401/403 as JSON).
#[derive(Debug)]
pub struct RoleAuth<R> {
    /// The role it acts in: the first of `R`'s roles the principal holds.
    pub role: Role,
    /// The login or token name (for the audit log).
    pub name: String,
    pub staff: StaffPrincipal,
    rule: PhantomData<R>,
}

impl<R> Clone for RoleAuth<R> {
    fn clone(&self) -> Self {
        Self { role: self.role, name: self.name.clone(), staff: self.staff.clone(), rule: PhantomData }
    }
}

impl<R> RoleAuth<R> {
    /// Checkpoint work: officers, and the authority that runs them.
    pub fn may_scan(&self) -> bool {
        self.staff.roles.contains(Role::Officer) || self.staff.roles.contains(Role::Authority)
    }

    pub fn is_authority(&self) -> bool {
        self.staff.roles.contains(Role::Authority)
    }

    pub fn holds(&self, role: Role) -> bool {
        self.staff.roles.contains(role)
    }

    /// The audit actor, in the acting role.
    pub fn actor(&self) -> AuditActor {
        self.staff.actor(self.role)
    }

    /// Refuses work at a checkpoint outside the principal's scope (403 `OUT_OF_SCOPE`).
    pub fn check_checkpoint(&self, checkpoint: &str, district: Option<&str>) -> Result<(), ApiError> {
        if self.staff.scope.allows_checkpoint(checkpoint, district) {
            Ok(())
        } else {
            Err(ApiError::new(
                crate::error::ErrorKind::Forbidden,
                "OUT_OF_SCOPE",
                "this checkpoint is outside your scope",
            ))
        }
    }
}

impl<R: StaffRule> RoleAuth<R> {
    pub(crate) fn admit(staff: StaffPrincipal) -> Option<Self> {
        let role = R::ROLES.iter().copied().find(|r| staff.roles.contains(*r))?;
        Some(Self { role, name: staff.name.clone(), staff, rule: PhantomData })
    }
}

impl<R: StaffRule> FromRequestParts<AppState> for RoleAuth<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match staff_session(parts, state).await? {
            StaffSession::None => Err(ApiError::unauthenticated()),
            StaffSession::NotStaff => Err(ApiError::forbidden()),
            StaffSession::Staff(p) => Self::admit(p).ok_or_else(ApiError::forbidden),
        }
    }
}

pub type OfficerAuth = RoleAuth<Officers>;
pub type AuthorityAuth = RoleAuth<Authorities>;
pub type SupervisorAuth = RoleAuth<Supervisors>;
pub type AuditorAuth = RoleAuth<Auditors>;
pub type OversightAuth = RoleAuth<Oversight>;
/// Any staff role: what handlers took before the typed extractors. New code
/// takes the extractor of its work instead.
pub type StaffAuth = RoleAuth<AnyStaff>;

/// A staff principal admitted by rule `R`, for pages: the signed-out go to
/// the staff sign-in, anyone else gets a 403 page.
#[derive(Debug)]
pub struct PageAuth<R>(pub RoleAuth<R>);

impl<R> std::ops::Deref for PageAuth<R> {
    type Target = RoleAuth<R>;
    fn deref(&self) -> &RoleAuth<R> {
        &self.0
    }
}

impl<R: StaffRule> FromRequestParts<AppState> for PageAuth<R> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match staff_session(parts, state).await {
            Ok(StaffSession::None) => Err(Redirect::to("/staff/signin").into_response()),
            Ok(StaffSession::NotStaff) => Err(ApiError::forbidden().into_response()),
            Ok(StaffSession::Staff(p)) => {
                RoleAuth::admit(p).map(PageAuth).ok_or_else(|| ApiError::forbidden().into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

pub type PageOfficer = PageAuth<Officers>;
pub type PageAuthority = PageAuth<Authorities>;
pub type PageSupervisor = PageAuth<Supervisors>;
pub type PageAuditor = PageAuth<Auditors>;

/// The staff principal signed in on a request, if any (pages that show
/// more to staff, such as statistics).
pub async fn optional_staff(parts: &Parts, state: &AppState) -> Result<Option<StaffPrincipal>, ApiError> {
    Ok(match staff_session(parts, state).await? {
        StaffSession::Staff(p) => Some(p),
        _ => None,
    })
}
