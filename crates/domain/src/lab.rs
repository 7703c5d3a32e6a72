//! Laboratory test results: what a lab or the health authority records
//! ([`TestResult`]: PCR or antigen, positive or negative, the sample's
//! instant, the lab), and the one question checkpoints ask of them
//! ([`negative_within`]: a negative sample in the last N hours).
//!
//! A positive result opens a case (the server's `services::lab`); a negative
//! one is what a policy's `no_negative_test_within_hours` condition looks
//! for. Results never carry more than this: no values, no free text.

use jiff::{SignedDuration, Timestamp};

use crate::error::ParseError;
use crate::ids::{CaseId, ResidentId, TestResultId};

/// The window checkpoints ask about: "negative test within 72 h: yes/no".
pub const NEGATIVE_TEST_CHECK_HOURS: i64 = 72;

/// The kind of test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TestKind {
    Pcr,
    Antigen,
}

impl TestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TestKind::Pcr => "pcr",
            TestKind::Antigen => "antigen",
        }
    }

    /// `pcr` or `antigen` (case-insensitive).
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pcr" => Ok(TestKind::Pcr),
            "antigen" => Ok(TestKind::Antigen),
            _ => Err(ParseError::new("TEST_KIND_INVALID", "test kind must be pcr or antigen")),
        }
    }
}

/// The outcome of a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TestOutcome {
    Positive,
    Negative,
}

impl TestOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            TestOutcome::Positive => "positive",
            TestOutcome::Negative => "negative",
        }
    }

    /// `positive` or `negative` (case-insensitive).
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "positive" => Ok(TestOutcome::Positive),
            "negative" => Ok(TestOutcome::Negative),
            _ => Err(ParseError::new("TEST_OUTCOME_INVALID", "outcome must be positive or negative")),
        }
    }
}

/// The laboratory that analysed a sample: 1 to 80 characters, no control
/// characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LabName(String);

impl LabName {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let s = s.trim();
        if s.is_empty() || s.chars().count() > 80 || s.chars().any(char::is_control) {
            return Err(ParseError::new("LAB_INVALID", "name the lab in 1 to 80 characters"));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One recorded result. The same sample (person, kind, sample instant, lab)
/// is recorded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub id: TestResultId,
    pub resident: ResidentId,
    pub kind: TestKind,
    pub outcome: TestOutcome,
    /// When the sample was taken.
    pub sampled_at: Timestamp,
    pub lab: LabName,
    /// The staff account (a lab's token or an authority member) that recorded it.
    pub recorded_by: String,
    pub recorded_at: Timestamp,
    /// How it arrived: `api`, `page` or `csv`.
    pub channel: String,
    /// The case this result opened, if it opened one.
    pub case: Option<CaseId>,
}

/// Whether a negative sample taken at `latest_negative` is within `hours`
/// before `now` (a sample "in the future" of `now` does not count).
pub fn negative_within(latest_negative: Option<Timestamp>, now: Timestamp, hours: i64) -> bool {
    latest_negative.is_some_and(|t| {
        let age = now.duration_since(t);
        age >= SignedDuration::ZERO && age <= SignedDuration::from_hours(hours)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(hours: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + hours * 3600).unwrap()
    }

    #[test]
    fn a_negative_counts_for_72_hours_and_not_from_the_future() {
        assert!(negative_within(Some(t(-72)), t(0), 72));
        assert!(negative_within(Some(t(0)), t(0), 72));
        assert!(!negative_within(Some(t(-73)), t(0), 72));
        assert!(!negative_within(Some(t(1)), t(0), 72));
        assert!(!negative_within(None, t(0), 72));
    }

    #[test]
    fn kinds_outcomes_and_labs_parse_strictly() {
        assert_eq!(TestKind::parse(" PCR ").unwrap(), TestKind::Pcr);
        assert_eq!(TestKind::parse("antigen").unwrap(), TestKind::Antigen);
        assert_eq!(TestKind::parse("blood").unwrap_err().code, "TEST_KIND_INVALID");
        assert_eq!(TestOutcome::parse("Negative").unwrap(), TestOutcome::Negative);
        assert_eq!(TestOutcome::parse("maybe").unwrap_err().code, "TEST_OUTCOME_INVALID");
        assert_eq!(LabName::parse(" Hanoi CDC ").unwrap().as_str(), "Hanoi CDC");
        assert_eq!(LabName::parse("").unwrap_err().code, "LAB_INVALID");
        assert_eq!(LabName::parse("a\nb").unwrap_err().code, "LAB_INVALID");
        assert_eq!(LabName::parse(&"x".repeat(81)).unwrap_err().code, "LAB_INVALID");
    }
}
