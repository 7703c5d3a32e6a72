//! Typed audit entries: who ([`AuditActor`]) did what ([`AuditAction`]) to
//! which subject, as an [`AuditEntry`] the store appends to the hash-chained
//! log, in the same transaction as the change it records where there is one
//! (`decide_override`, `answer_appeal`, `mark_case_applied`,
//! `decide_enterprise`). The store gives the entry its place (`seq`) and its
//! hashes ([`entry_hash`]); the stored row keeps the rendered text, which the
//! chain covers, so entries written before these types read and verify as
//! they always did.

use healthcode_domain::{ApplicationState, PhoneNumber, ResidentId, Role};
use jiff::Timestamp;
use ring::digest::{Context, SHA256};

use crate::records::AuditRecord;

/// Who did an audited thing. Subjects are ids; an actor is a role and a
/// staff name, a pseudonymous resident id, or a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditActor {
    /// A background job of the server (`system`).
    System,
    /// The command line, run by an operator (`cli`).
    Cli,
    /// An operator's maintenance command (`operator`).
    Operator,
    /// A staff member (`role:name`).
    Staff { role: Role, name: String },
    /// The health authority as a body, not a named member (`authority`).
    Authority,
    /// A resident about their own records (`resident:<id>`).
    Resident(ResidentId),
    /// A venue's operator (`venue:<owner phone>`).
    VenueOperator(PhoneNumber),
    /// An employer, not named (`employer`).
    Employer,
    /// Someone not signed in (a failed staff sign-in, an invitation taken up).
    Anonymous,
}

impl AuditActor {
    /// A named authority member.
    pub fn authority(name: &str) -> Self {
        Self::Staff { role: Role::Authority, name: name.into() }
    }

    /// A named supervisor.
    pub fn supervisor(name: &str) -> Self {
        Self::Staff { role: Role::Supervisor, name: name.into() }
    }

    /// The stored text.
    pub fn render(&self) -> String {
        match self {
            Self::System => "system".into(),
            Self::Cli => "cli".into(),
            Self::Operator => "operator".into(),
            Self::Staff { role, name } => format!("{}:{name}", role.as_str()),
            Self::Authority => "authority".into(),
            Self::Resident(id) => format!("resident:{id}"),
            Self::VenueOperator(owner) => format!("venue:{}", owner.as_str()),
            Self::Employer => "employer".into(),
            Self::Anonymous => "anonymous".into(),
        }
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    AlarmRaised,
    AlarmAcknowledged,
    AppealFiled,
    AppealUpheld,
    AppealRejected,
    CaseRecorded,
    CaseApplied,
    CheckpointRegistered,
    EnterpriseApplied,
    EnterpriseApproved,
    EnterpriseRejected,
    FalseDeclarationRequested,
    FalseDeclarationApproved,
    FalseDeclarationRejected,
    KeysRotated,
    OverrideRequested,
    OverrideApproved,
    OverrideRejected,
    RetentionPurged,
    ResidentEnrolled,
    RiskAreaMarked,
    StaffCreated,
    StaffEnrolled,
    StaffSignedIn,
    StaffSignInFailed,
    StaffLocked,
    StaffRolesChanged,
    StaffDisabled,
    StaffReset,
    StaffSignedOut,
    StaffSeedSealed,
    StatsExported,
    TokenIssued,
    TokenRevoked,
    TestResultRecorded,
    TraceViewed,
    VenueLogRead,
}

impl AuditAction {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AlarmRaised => "alarm.raised",
            Self::AlarmAcknowledged => "alarm.acknowledged",
            Self::AppealFiled => "appeal.filed",
            Self::AppealUpheld => "appeal.upheld",
            Self::AppealRejected => "appeal.rejected",
            Self::CaseRecorded => "case.recorded",
            Self::CaseApplied => "case.applied",
            Self::CheckpointRegistered => "checkpoint.registered",
            Self::EnterpriseApplied => "enterprise.applied",
            Self::EnterpriseApproved => "enterprise.approved",
            Self::EnterpriseRejected => "enterprise.rejected",
            Self::FalseDeclarationRequested => "false_declaration.requested",
            Self::FalseDeclarationApproved => "false_declaration.approved",
            Self::FalseDeclarationRejected => "false_declaration.rejected",
            Self::KeysRotated => "keys.rotated",
            Self::OverrideRequested => "override.requested",
            Self::OverrideApproved => "override.approved",
            Self::OverrideRejected => "override.rejected",
            Self::RetentionPurged => "retention.purged",
            Self::ResidentEnrolled => "resident.enrolled_on_site",
            Self::RiskAreaMarked => "risk_area.marked",
            Self::StaffCreated => "staff.created",
            Self::StaffEnrolled => "staff.enrolled",
            Self::StaffSignedIn => "staff.signed_in",
            Self::StaffSignInFailed => "staff.sign_in_failed",
            Self::StaffLocked => "staff.locked",
            Self::StaffRolesChanged => "staff.roles_changed",
            Self::StaffDisabled => "staff.disabled",
            Self::StaffReset => "staff.reset",
            Self::StaffSignedOut => "staff.signed_out",
            Self::StaffSeedSealed => "staff.seed_sealed",
            Self::StatsExported => "stats.exported",
            Self::TokenIssued => "token.issued",
            Self::TokenRevoked => "token.revoked",
            Self::TestResultRecorded => "test_result.recorded",
            Self::TraceViewed => "trace.viewed",
            Self::VenueLogRead => "venue_log.read",
        }
    }

    /// The decision on an enterprise's application, if `state` is one.
    pub fn enterprise_decided(state: ApplicationState) -> Option<Self> {
        match state {
            ApplicationState::Approved => Some(Self::EnterpriseApproved),
            ApplicationState::Rejected => Some(Self::EnterpriseRejected),
            ApplicationState::Pending => None,
        }
    }
}

/// An entry to append; the store chooses its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: Timestamp,
    pub actor: AuditActor,
    pub action: AuditAction,
    /// What it concerned (a case id, a venue id, ...); never a phone or a name.
    pub subject: String,
    pub detail: String,
}

impl AuditEntry {
    pub fn new(at: Timestamp, actor: AuditActor, action: AuditAction, subject: &str, detail: &str) -> Self {
        Self { at, actor, action, subject: subject.into(), detail: detail.into() }
    }

    /// The stored record at place `seq` after the entry hashed `prev_hash`
    /// (instants are kept to the millisecond, as the hash covers them).
    pub fn chained(&self, seq: i64, prev_hash: [u8; 32]) -> AuditRecord {
        let at = Timestamp::from_millisecond(self.at.as_millisecond()).unwrap_or(self.at);
        let (actor, action) = (self.actor.render(), self.action.as_str());
        let hash = entry_hash(&prev_hash, seq, at, &actor, action, &self.subject, &self.detail);
        AuditRecord {
            seq,
            at,
            actor,
            action: action.into(),
            subject: self.subject.clone(),
            detail: self.detail.clone(),
            prev_hash,
            hash,
        }
    }
}

fn field(ctx: &mut Context, bytes: &[u8]) {
    // Length-prefixed, so no two different entries hash the same input.
    ctx.update(&(bytes.len() as u64).to_be_bytes());
    ctx.update(bytes);
}

/// The hash of an entry: SHA-256 over the previous hash and every field.
pub fn entry_hash(
    prev: &[u8; 32],
    seq: i64,
    at: Timestamp,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> [u8; 32] {
    let mut ctx = Context::new(&SHA256);
    ctx.update(b"healthcode-audit-v1");
    field(&mut ctx, prev);
    field(&mut ctx, &seq.to_be_bytes());
    field(&mut ctx, &at.as_millisecond().to_be_bytes());
    for f in [actor, action, subject, detail] {
        field(&mut ctx, f.as_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}
