//! Employers' records: applications, rosters, gate scans and what an
//! employer may see of its people.

use healthcode_domain::{PhoneNumber, ResidentId};
use jiff::Timestamp;
use jiff::civil::Date;

/// An employer's work-resumption application and, once approved, the
/// enterprise whose roster and gate scans hang off it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enterprise {
    pub id: healthcode_domain::EnterpriseId,
    /// The operator phone that filed it (the employer's sign-in).
    pub owner: PhoneNumber,
    pub profile: healthcode_domain::EnterpriseProfile,
    pub state: healthcode_domain::ApplicationState,
    pub submitted_at: Timestamp,
    /// The end of the review deadline (working days in the deployment's zone).
    pub due_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    /// The authority user who decided.
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
}

/// The decision on an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseDecision {
    /// `Approved` or `Rejected`.
    pub state: healthcode_domain::ApplicationState,
    pub by: String,
    pub reason: String,
    pub at: Timestamp,
}

/// A roster line: a phone the employer invited, linked to a resident account
/// once that resident accepts. A removed line stays (with `removed_at`) for
/// the statistics; the employer no longer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employee {
    pub enterprise: healthcode_domain::EnterpriseId,
    pub phone: PhoneNumber,
    pub resident: Option<ResidentId>,
    pub invited_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub removed_at: Option<Timestamp>,
}

/// A health-code scan at an enterprise's gate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateScan {
    pub id: uuid::Uuid,
    pub enterprise: healthcode_domain::EnterpriseId,
    pub resident: ResidentId,
    pub scanned_at: Timestamp,
    /// The colour judged at the gate (code and current status).
    pub colour: healthcode_domain::Colour,
    /// Measured at the gate, if it was.
    pub temperature: Option<healthcode_domain::Temperature>,
    pub flagged: bool,
    /// `CLEAR`, `FEVER`, `COLOUR_YELLOW`, `COLOUR_RED`.
    pub reason: String,
}

/// What an employer may know about one active roster line today, and nothing
/// more: no declaration, symptom, declared temperature or visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeSnapshot {
    pub phone: PhoneNumber,
    /// Set once the invitation is accepted.
    pub resident: Option<ResidentId>,
    pub accepted_at: Option<Timestamp>,
    /// From the resident's identity, when declared.
    pub name: Option<healthcode_domain::PersonName>,
    /// The current colour; `None` before the first declaration.
    pub colour: Option<healthcode_domain::Colour>,
    /// The local date of the latest declaration or clock-in.
    pub last_report_on: Option<Date>,
    /// Gate-scanned in the day asked for, and never flagged that day (a
    /// fever or a code not green): a person flagged at the gate is not on site.
    pub scanned_today: bool,
    /// A gate scan that day measured a fever.
    pub fever_today: bool,
}

/// Every application, roster line and gate scan: for copying a deployment and
/// for bulk seeding (demo).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnterpriseRecords {
    /// In id order.
    pub enterprises: Vec<Enterprise>,
    /// In (enterprise, phone) order.
    pub employees: Vec<Employee>,
    /// In id order.
    pub gate_scans: Vec<GateScan>,
}
