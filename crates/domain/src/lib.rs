//! healthcode domain: value types and rules, with no I/O and no clock.
//!
//! Main types: [`Colour`], the ids in [`ids`] ([`ResidentId`], [`HolderId`], ...),
//! the parsed values in [`values`] ([`PhoneNumber`], [`Temperature`],
//! [`DistrictCode`], ...), the [`Declaration`] a resident files, the versioned
//! [`policy::ColourPolicy`] and [`transition`] streak maths that turn reports
//! into [`status::HealthStatus`] transitions.
//!
//! Time is always passed in as a [`jiff::Timestamp`]; this crate never reads
//! the wall clock (clippy `disallowed-methods` enforces it).

pub mod basis;
pub mod case;
pub mod checkpoint;
pub mod colour;
pub mod dcc_rules;
pub mod error;
pub mod exposure;
pub mod ids;

pub use colour::Colour;
pub use error::ParseError;
pub use ids::{
    CaseId, CheckpointId, EnterpriseId, HolderId, ReportId, ResidentId, StatusChangeId, TestResultId, VenueId, VisitId,
};
pub mod declaration;
pub mod enterprise;
pub mod lab;
pub mod policy;
pub mod random;
pub mod role;
pub mod staff;
pub mod status;
pub mod stays;
pub mod transition;
pub mod values;
pub mod venue;
pub mod visit;

pub use basis::{BasisFacts, Presence, RedBasis, RiskWindow, red_basis};
pub use case::Case;
pub use checkpoint::{Checkpoint, CheckpointKind, Direction, Passage, Verdict, verdict_for};
pub use declaration::{ClockIn, Declaration, Identity, Report, ReportChannel, ReportKind, Symptom, SymptomSet};
pub use enterprise::{ApplicationState, EnterpriseProfile, GateOutcome, Site, due_date, judge_gate, review_deadline};
pub use exposure::{Contact as TraceContact, ExposureRules, SharedStay};
pub use lab::{LabName, NEGATIVE_TEST_CHECK_HOURS, TestKind, TestOutcome, TestResult, negative_within};
pub use policy::{ColourPolicy, RuleId};
pub use role::Role;
pub use staff::{StaffLogin, StaffRoles, StaffScope, StaffState};
pub use status::{Actor, Basis, ChangeEvent, Evidence, HealthStatus, Quarantine, StatusChange};
pub use transition::{
    ReportContext, ReportRejected, StandingFacts, Transition, apply_finding, apply_report, local_date,
};
pub use values::{
    Contact, DistrictCode, DocumentNumber, DocumentType, Email, PersonName, PhoneNumber, RegionCode, Temperature,
};
pub use venue::{DEFAULT_MAX_STAY_MINUTES, VenueCategory, VenueEntryCode, VenueProfile, VenueState};
pub use visit::{AttemptedEntry, ExitKind, ScanDecision, Visit, VisitSource, decide_scan, may_enter};
