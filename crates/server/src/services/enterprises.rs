//! Work resumption. An employer (a venue operator, by phone) files an
//! application that the health authority decides within three working days;
//! the employer keeps a roster that residents join by accepting an invitation
//! sent to their phone; employees are scanned at the gate; the employer's
//! dashboard shows only colour, clock-in and on-site state, never what a
//! person declared.

use healthcode_domain::{
    ApplicationState, Colour, Contact, EnterpriseId, EnterpriseProfile, PhoneNumber, ResidentId, Temperature,
    judge_gate, local_date, review_deadline,
};
use healthcode_store::{
    AuditAction, AuditActor, Employee, EmployeeSnapshot, Enterprise, EnterpriseDecision, GateScan, StoreError,
};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::auth::sender::Message;
use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::{audit, checkpoints};
use crate::state::AppState;

fn not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "ENTERPRISE_NOT_FOUND", "no such enterprise among yours")
}

fn not_on_roster() -> ApiError {
    ApiError::new(ErrorKind::BadInput, "NOT_ON_ROSTER", "this person is not an employee on your roster")
}

/// The first instant of a local day.
fn start_of(state: &AppState, day: Date) -> Result<Timestamp, ApiError> {
    day.to_zoned(state.config.time_zone.clone()).map(|z| z.timestamp()).map_err(ApiError::internal)
}

/// The instants bounding today (local): `[start, next day's start)`.
fn today_bounds(state: &AppState, now: Timestamp) -> Result<(Date, Timestamp, Timestamp), ApiError> {
    let today = local_date(now, &state.config.time_zone);
    let tomorrow = today.tomorrow().map_err(ApiError::internal)?;
    Ok((today, start_of(state, today)?, start_of(state, tomorrow)?))
}

/// Whether a pending application is past its deadline.
pub fn is_overdue(enterprise: &Enterprise, now: Timestamp) -> bool {
    enterprise.state == ApplicationState::Pending && now > enterprise.due_at
}

/// Files a work-resumption application.
pub async fn apply(state: &AppState, owner: &PhoneNumber, profile: EnterpriseProfile) -> Result<Enterprise, ApiError> {
    let now = state.clock.now();
    let enterprise = Enterprise {
        id: EnterpriseId::from_uuid(new_uuid_v7(now)),
        owner: owner.clone(),
        profile,
        state: ApplicationState::Pending,
        submitted_at: now,
        due_at: review_deadline(now, &state.config.time_zone),
        decided_at: None,
        decided_by: None,
        decision_reason: None,
    };
    state.store.create_enterprise(&enterprise).await?;
    let detail =
        format!("district {}, headcount {}", enterprise.profile.district, enterprise.profile.planned_headcount);
    audit::record(state, AuditActor::Employer, AuditAction::EnterpriseApplied, &enterprise.id.to_string(), &detail)
        .await?;
    Ok(enterprise)
}

/// The enterprise, if this operator filed it; anything else is the same 404.
pub async fn owned(state: &AppState, owner: &PhoneNumber, id: EnterpriseId) -> Result<Enterprise, ApiError> {
    match state.store.enterprise(id).await {
        Ok(e) if &e.owner == owner => Ok(e),
        Ok(_) | Err(StoreError::NotFound) => Err(not_found()),
        Err(e) => Err(e.into()),
    }
}

/// Any enterprise (for the authority).
pub async fn find(state: &AppState, id: EnterpriseId) -> Result<Enterprise, ApiError> {
    match state.store.enterprise(id).await {
        Ok(e) => Ok(e),
        Err(StoreError::NotFound) => {
            Err(ApiError::new(ErrorKind::NotFound, "ENTERPRISE_NOT_FOUND", "no such enterprise"))
        }
        Err(e) => Err(e.into()),
    }
}

/// The authority's verdict on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
}

fn already_decided() -> ApiError {
    ApiError::new(ErrorKind::Conflict, "APPLICATION_ALREADY_DECIDED", "this application was already decided")
}

/// Approves or rejects a pending application, with a reason, and audits it.
pub async fn decide(
    state: &AppState,
    authority: &str,
    id: EnterpriseId,
    verdict: Verdict,
    reason: &str,
) -> Result<Enterprise, ApiError> {
    let reason = reason.trim();
    if !(3..=1000).contains(&reason.chars().count()) {
        return Err(ApiError::bad_input("REASON_REQUIRED", "give the reason for the decision in 3 to 1000 characters"));
    }
    let enterprise = find(state, id).await?;
    if enterprise.state != ApplicationState::Pending {
        return Err(already_decided());
    }
    let now = state.clock.now();
    let (decided, action) = match verdict {
        Verdict::Approve => (ApplicationState::Approved, AuditAction::EnterpriseApproved),
        Verdict::Reject => (ApplicationState::Rejected, AuditAction::EnterpriseRejected),
    };
    let decision = EnterpriseDecision { state: decided, by: authority.into(), reason: reason.into(), at: now };
    let timing = if is_overdue(&enterprise, now) { "after the deadline" } else { "within the deadline" };
    let entry =
        audit::entry(state, AuditActor::authority(authority), action, &id.to_string(), &format!("{timing}: {reason}"));
    // The decision and its audit entry commit together, or neither does.
    state.store.decide_enterprise(id, &decision, &entry).await.map_err(|e| match e {
        StoreError::Conflict(_) => already_decided(),
        e => e.into(),
    })?;
    find(state, id).await
}

/// Puts a phone on the roster (or back on it after a removal).
pub async fn invite(
    state: &AppState,
    owner: &PhoneNumber,
    id: EnterpriseId,
    phone: &PhoneNumber,
) -> Result<Employee, ApiError> {
    let enterprise = owned(state, owner, id).await?;
    if enterprise.state == ApplicationState::Rejected {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "APPLICATION_REJECTED",
            "the application was rejected: file a new one before building a roster",
        ));
    }
    let now = state.clock.now();
    state.store.invite_employee(id, phone, now).await.map_err(|e| match e {
        StoreError::Conflict(_) => {
            ApiError::new(ErrorKind::Conflict, "ALREADY_ON_ROSTER", "this phone is already on the roster")
        }
        e => e.into(),
    })?;
    // Best effort: the invitation stands even when the message cannot go out.
    let body = format!(
        "{} invites you to its employee roster. Sign in with this phone and accept at {}/me/employers",
        enterprise.profile.name,
        state.config.public_base_url.trim_end_matches('/')
    );
    let message = Message { channel: "sms", recipient: phone.as_str().into(), body, code: None };
    if let Err(e) = state.sender.send(&message, now).await {
        tracing::warn!(error = %e, enterprise = %id, "the invitation message was not sent");
    }
    Ok(state.store.employee(id, phone).await?)
}

/// Takes a phone off the roster, at once.
pub async fn remove(
    state: &AppState,
    owner: &PhoneNumber,
    id: EnterpriseId,
    phone: &PhoneNumber,
) -> Result<(), ApiError> {
    owned(state, owner, id).await?;
    state.store.remove_employee(id, phone, state.clock.now()).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::new(ErrorKind::NotFound, "NOT_ON_ROSTER", "this phone is not on the roster"),
        e => e.into(),
    })
}

fn invitation_not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "INVITATION_NOT_FOUND", "no invitation from this employer for your phone")
}

/// The phone a resident signed up with (visitors with an e-mail have none).
async fn phone_of(state: &AppState, resident: ResidentId) -> Result<Option<PhoneNumber>, ApiError> {
    Ok(match state.store.resident(resident).await?.contact {
        Contact::Phone(p) => Some(p),
        Contact::Email(_) => None,
    })
}

/// A resident accepts an invitation sent to their own phone.
pub async fn accept(state: &AppState, resident: ResidentId, id: EnterpriseId) -> Result<Employee, ApiError> {
    let phone = phone_of(state, resident).await?.ok_or_else(invitation_not_found)?;
    state.store.accept_invitation(id, &phone, resident, state.clock.now()).await.map_err(|e| match e {
        StoreError::NotFound => invitation_not_found(),
        StoreError::Conflict(_) => {
            ApiError::new(ErrorKind::Conflict, "INVITATION_ALREADY_ACCEPTED", "you already accepted this invitation")
        }
        e => e.into(),
    })?;
    Ok(state.store.employee(id, &phone).await?)
}

/// A resident declines an invitation or leaves an employer's roster.
pub async fn leave(state: &AppState, resident: ResidentId, id: EnterpriseId) -> Result<(), ApiError> {
    let phone = phone_of(state, resident).await?.ok_or_else(invitation_not_found)?;
    state.store.remove_employee(id, &phone, state.clock.now()).await.map_err(|e| match e {
        StoreError::NotFound => invitation_not_found(),
        e => e.into(),
    })
}

/// A resident's invitations and employers, with the enterprise of each.
pub async fn employers_of(state: &AppState, resident: ResidentId) -> Result<Vec<(Employee, Enterprise)>, ApiError> {
    let Some(phone) = phone_of(state, resident).await? else {
        return Ok(Vec::new());
    };
    let lines = state.store.employers_of(&phone).await?;
    let ids: Vec<EnterpriseId> = lines.iter().map(|l| l.enterprise).collect();
    let enterprises: std::collections::HashMap<EnterpriseId, Enterprise> =
        state.store.enterprises_by_id(&ids).await?.into_iter().map(|e| (e.id, e)).collect();
    lines
        .into_iter()
        .map(|line| {
            let enterprise = enterprises.get(&line.enterprise).cloned().ok_or(StoreError::NotFound)?;
            Ok((line, enterprise))
        })
        .collect()
}

/// What the gate shows after a scan.
#[derive(Debug, Clone)]
pub struct GateResult {
    pub scan: GateScan,
    pub fever: bool,
    /// Initials and last four document characters, for the eye-check.
    pub holder_hint: Option<String>,
}

/// Verification failures the scan reports as its error code.
const REFUSALS: [&str; 17] = [
    "CODE_PREFIX_INVALID",
    "CODE_BASE45_INVALID",
    "CODE_ZLIB_INVALID",
    "CODE_TOO_LARGE",
    "CODE_CBOR_INVALID",
    "CODE_COSE_INVALID",
    "CODE_CLAIMS_INVALID",
    "CODE_KEY_UNKNOWN",
    "CODE_SIGNATURE_INVALID",
    "CODE_ISSUER_UNKNOWN",
    "CODE_KEY_NOT_VALID",
    "CODE_NOT_YET_VALID",
    "CODE_EXPIRED",
    "PASS_FORGED",
    "PASS_INVALID",
    "PASS_UNKNOWN",
    "DECLARATION_REQUIRED",
];

/// Scans an employee's code (or paper pass) at the gate with an optional
/// measured temperature: the code is verified and the holder's current
/// status read (as at checkpoints); only accepted employees are recorded.
pub async fn gate_scan(
    state: &AppState,
    owner: &PhoneNumber,
    id: EnterpriseId,
    qr_text: &str,
    temperature: Option<Temperature>,
) -> Result<GateResult, ApiError> {
    let enterprise = owned(state, owner, id).await?;
    if enterprise.state != ApplicationState::Approved {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "ENTERPRISE_NOT_APPROVED",
            "gate scans start once the work-resumption application is approved",
        ));
    }
    let verdict = checkpoints::judge(state, qr_text.trim()).await?;
    let (Some(holder), Some(colour)) = (verdict.holder, verdict.colour) else {
        let code = REFUSALS.iter().find(|c| **c == verdict.reason).copied().unwrap_or("CODE_INVALID");
        return Err(ApiError::bad_input(code, verdict.message));
    };
    let resident = match state.store.resident_by_holder(holder).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(not_on_roster()),
        Err(e) => return Err(e.into()),
    };
    if state.store.employee_by_resident(id, resident.id).await?.is_none() {
        return Err(not_on_roster());
    }
    let outcome = judge_gate(&state.config.policy, colour, temperature);
    let now = state.clock.now();
    let scan = GateScan {
        id: new_uuid_v7(now),
        enterprise: id,
        resident: resident.id,
        scanned_at: now,
        colour,
        temperature,
        flagged: outcome.flagged,
        reason: outcome.reason.into(),
    };
    state.store.record_gate_scan(&scan).await?;
    Ok(GateResult { scan, fever: outcome.fever, holder_hint: verdict.holder_hint })
}

/// One roster line as the employer sees it.
#[derive(Debug, Clone)]
pub struct RosterLine {
    pub phone: PhoneNumber,
    /// Initials of the declared name, when linked and declared.
    pub initials: Option<String>,
    pub accepted: bool,
    pub colour: Option<Colour>,
    pub clocked_in_today: bool,
    pub on_site: bool,
    pub fever: bool,
}

impl RosterLine {
    /// Linked, and not green, or no report today, or a fever at the gate.
    pub fn needs_attention(&self) -> bool {
        self.accepted && (self.colour != Some(Colour::Green) || !self.clocked_in_today || self.fever)
    }
}

/// The employer's view of today.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub enterprise: Enterprise,
    pub date: Date,
    /// Accepted employees.
    pub employees: u32,
    /// Invitations not yet accepted.
    pub invited: u32,
    pub green: u32,
    pub clocked_in: u32,
    pub on_site: u32,
    /// By phone.
    pub roster: Vec<RosterLine>,
}

impl Dashboard {
    /// A share of the accepted employees, 0 to 1 (0 when there are none).
    pub fn share(&self, n: u32) -> f64 {
        if self.employees == 0 { 0.0 } else { f64::from(n) / f64::from(self.employees) }
    }

    pub fn attention(&self) -> impl Iterator<Item = &RosterLine> {
        self.roster.iter().filter(|l| l.needs_attention())
    }
}

fn line_of(s: EmployeeSnapshot, today: Date) -> RosterLine {
    RosterLine {
        initials: s.name.as_ref().map(|n| n.initials()),
        accepted: s.accepted_at.is_some() && s.resident.is_some(),
        colour: s.colour,
        clocked_in_today: s.last_report_on.is_some_and(|d| d >= today),
        on_site: s.scanned_today,
        fever: s.fever_today,
        phone: s.phone,
    }
}

/// Today's shares and the people who need attention.
pub async fn dashboard(state: &AppState, owner: &PhoneNumber, id: EnterpriseId) -> Result<Dashboard, ApiError> {
    let enterprise = owned(state, owner, id).await?;
    let (today, from, to) = today_bounds(state, state.clock.now())?;
    let fever_tenths = Temperature::from_celsius(state.config.policy.fever_threshold_c).map(|t| t.tenths())?;
    let snapshot = state.store.roster_snapshot(id, from, to, fever_tenths).await?;
    let roster: Vec<RosterLine> = snapshot.into_iter().map(|s| line_of(s, today)).collect();
    let count =
        |f: &dyn Fn(&RosterLine) -> bool| u32::try_from(roster.iter().filter(|l| f(l)).count()).unwrap_or(u32::MAX);
    Ok(Dashboard {
        date: today,
        employees: count(&|l| l.accepted),
        invited: count(&|l| !l.accepted),
        green: count(&|l| l.accepted && l.colour == Some(Colour::Green)),
        clocked_in: count(&|l| l.accepted && l.clocked_in_today),
        on_site: count(&|l| l.accepted && l.on_site),
        enterprise,
        roster,
    })
}

/// The enterprises a phone applied for, newest first.
pub async fn of_owner(state: &AppState, owner: &PhoneNumber) -> Result<Vec<Enterprise>, ApiError> {
    Ok(state.store.enterprises_of(owner).await?)
}

/// Applications in a state, earliest deadline first.
pub async fn in_state(
    state: &AppState,
    wanted: healthcode_domain::ApplicationState,
    limit: u32,
) -> Result<Vec<Enterprise>, ApiError> {
    Ok(state.store.enterprises_in_state(wanted, limit).await?)
}
