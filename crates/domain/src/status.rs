//! A resident's current [`HealthStatus`], its [`Quarantine`] streak, and the
//! [`StatusChange`] records that explain every change.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::colour::Colour;
use crate::ids::{CaseId, ReportId, ResidentId, VenueId};

/// Why a status is what it is: a rule of a policy version, or (later) an
/// approved manual override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Basis {
    /// No rule matched the first declaration: green.
    NoRuleMatched {
        policy_version: String,
    },
    Rule {
        rule_id: String,
        policy_version: String,
    },
    /// A manual override, approved by a second person (four eyes).
    Override {
        reason_code: String,
        policy_version: String,
    },
}

impl Basis {
    pub fn rule_id(&self) -> Option<&str> {
        match self {
            Basis::Rule { rule_id, .. } => Some(rule_id),
            Basis::NoRuleMatched { .. } | Basis::Override { .. } => None,
        }
    }

    pub fn policy_version(&self) -> &str {
        match self {
            Basis::Rule { policy_version, .. }
            | Basis::NoRuleMatched { policy_version }
            | Basis::Override { policy_version, .. } => policy_version,
        }
    }
}

/// The quarantine a yellow or red code is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantine {
    /// Consecutive normal daily clock-ins needed to turn green.
    pub required_days: u16,
    /// Normal daily clock-ins counted so far in the current streak.
    pub streak: u16,
    /// Local date the current streak started (quarantine start or last restart).
    pub started_on: Date,
    /// Local date of the last clock-in counted in the streak.
    pub last_counted_on: Option<Date>,
}

impl Quarantine {
    pub fn new(required_days: u16, today: Date) -> Self {
        Self { required_days, streak: 0, started_on: today, last_counted_on: None }
    }

    /// The day the next counted clock-in is due.
    pub fn next_due(&self) -> Date {
        self.last_counted_on.unwrap_or(self.started_on).tomorrow().unwrap_or(Date::MAX)
    }

    /// True when a day has passed without a clock-in: the streak will restart
    /// with the next clock-in.
    pub fn is_broken_on(&self, today: Date) -> bool {
        today > self.next_due()
    }

    /// The streak as a person should see it today (0 once a day was missed).
    pub fn streak_on(&self, today: Date) -> u16 {
        if self.is_broken_on(today) { 0 } else { self.streak }
    }
}

/// The current status of a resident who has declared at least once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthStatus {
    pub resident: ResidentId,
    pub colour: Colour,
    pub since: Timestamp,
    pub basis: Basis,
    pub quarantine: Option<Quarantine>,
    /// Local date of the last health report (declaration or clock-in).
    pub last_report_on: Option<Date>,
    /// Optimistic-concurrency version; the store bumps it on every write.
    pub version: i64,
}

/// What kind of change a history entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeEvent {
    /// First status, from the first declaration.
    Initial,
    ColourRaised,
    /// Same colour, but an abnormal report or a missed day restarted the streak.
    StreakRestarted,
    QuarantineCompleted,
    /// An approved manual override set the colour.
    Override,
    /// The health authority upheld the person's appeal: the contested change is reversed.
    AppealUpheld,
}

impl ChangeEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeEvent::Initial => "initial",
            ChangeEvent::ColourRaised => "colour_raised",
            ChangeEvent::StreakRestarted => "streak_restarted",
            ChangeEvent::QuarantineCompleted => "quarantine_completed",
            ChangeEvent::Override => "override",
            ChangeEvent::AppealUpheld => "appeal_upheld",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Initial,
            Self::ColourRaised,
            Self::StreakRestarted,
            Self::QuarantineCompleted,
            Self::Override,
            Self::AppealUpheld,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

/// Who caused a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// The resident, through their own report.
    Resident(ResidentId),
    /// A scheduled job of the system (e.g. the daily streak check).
    System,
    /// A named staff account.
    Staff(String),
}

/// One piece of evidence behind a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A declaration or clock-in, with a human summary of what it said.
    Report { report_id: ReportId, summary: String },
    /// The local days on which no clock-in was received.
    MissedDays { from: Date, to: Date },
    /// The counted streak that completed a quarantine.
    Streak { days: u16, from: Date, to: Date },
    /// The person is a recorded case.
    Case { case: CaseId, case_kind: String },
    /// The person shared a venue with a case (or a close contact of one).
    SharedStay { case: CaseId, venue: VenueId, from: Timestamp, to: Timestamp, minutes: i64, contact: String },
    /// The approved override: its basis, who asked and who approved.
    Override { override_id: String, basis: String, requested_by: String, approved_by: String },
    /// An upheld appeal: the person's message was found right; the answer says why.
    Appeal { appeal_id: String, answer: String, answered_by: String },
    /// A laboratory test result (a positive one opens a case).
    TestResult { result_id: String, test_kind: String, outcome: String, sampled_at: Timestamp, lab: String },
    /// A false declaration the authority recorded and a second person approved.
    FalseDeclaration { declaration_id: String, evidence: String, requested_by: String, approved_by: String },
}

/// A recorded status change: what changed, why, on what evidence, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub resident: ResidentId,
    pub at: Timestamp,
    pub event: ChangeEvent,
    pub from: Option<Colour>,
    pub to: Colour,
    pub basis: Basis,
    pub evidence: Vec<Evidence>,
    pub actor: Actor,
}
