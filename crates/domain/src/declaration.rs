//! What a person declares: identity, health and travel ([`Declaration`]), and
//! the short daily [`ClockIn`]. Both are health reports that feed the policy.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ParseError;
use crate::values::{DistrictCode, DocumentNumber, DocumentType, PersonName, RegionCode, Temperature};

/// The fixed list of symptoms a person can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Symptom {
    Fever,
    Cough,
    DifficultyBreathing,
    Fatigue,
    SoreThroat,
    LossOfTasteSmell,
}

impl Symptom {
    pub const ALL: [Symptom; 6] = [
        Symptom::Fever,
        Symptom::Cough,
        Symptom::DifficultyBreathing,
        Symptom::Fatigue,
        Symptom::SoreThroat,
        Symptom::LossOfTasteSmell,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Symptom::Fever => "fever",
            Symptom::Cough => "cough",
            Symptom::DifficultyBreathing => "difficulty_breathing",
            Symptom::Fatigue => "fatigue",
            Symptom::SoreThroat => "sore_throat",
            Symptom::LossOfTasteSmell => "loss_of_taste_smell",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Symptom::ALL
            .into_iter()
            .find(|s| s.as_str() == input.trim())
            .ok_or_else(|| {
                ParseError::new(
                    "SYMPTOM_UNKNOWN",
                    format!(
                        "unknown symptom '{}'; known: fever, cough, difficulty_breathing, fatigue, sore_throat, loss_of_taste_smell",
                        input.trim()
                    ),
                )
            })
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of symptoms, stored as a bit set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "Vec<Symptom>", from = "Vec<Symptom>")]
pub struct SymptomSet(u8);

impl SymptomSet {
    pub fn empty() -> Self {
        Self(0)
    }

    pub fn insert(&mut self, s: Symptom) {
        self.0 |= s.bit();
    }

    pub fn contains(self, s: Symptom) -> bool {
        self.0 & s.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn intersects(self, other: SymptomSet) -> bool {
        self.0 & other.0 != 0
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn from_bits(bits: u8) -> Self {
        Self(bits & 0b0011_1111)
    }

    pub fn iter(self) -> impl Iterator<Item = Symptom> {
        Symptom::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// Parses a list of symptom names; duplicates are merged.
    pub fn parse_all<S: AsRef<str>>(names: &[S]) -> Result<Self, ParseError> {
        let mut set = Self::empty();
        for n in names {
            set.insert(Symptom::parse(n.as_ref())?);
        }
        Ok(set)
    }
}

impl FromIterator<Symptom> for SymptomSet {
    fn from_iter<I: IntoIterator<Item = Symptom>>(iter: I) -> Self {
        let mut set = Self::empty();
        for s in iter {
            set.insert(s);
        }
        set
    }
}

impl From<Vec<Symptom>> for SymptomSet {
    fn from(v: Vec<Symptom>) -> Self {
        v.into_iter().collect()
    }
}

impl From<SymptomSet> for Vec<Symptom> {
    fn from(s: SymptomSet) -> Self {
        s.iter().collect()
    }
}

impl fmt::Display for SymptomSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Symptom::as_str).collect();
        f.write_str(&names.join(", "))
    }
}

/// Who a person is, as declared. Held on the resident's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub name: PersonName,
    pub document_type: DocumentType,
    pub document_number: DocumentNumber,
    pub district: DistrictCode,
}

/// The health part of a full declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Declaration {
    pub symptoms: SymptomSet,
    pub temperature: Option<Temperature>,
    /// Regions visited in the last 14 days.
    pub visited_regions: Vec<RegionCode>,
    /// The person declares contact with a confirmed or suspected case.
    pub contact_with_case: bool,
    /// Free text, at most 500 characters.
    pub travel_plan: String,
}

impl Declaration {
    pub const MAX_TRAVEL_PLAN: usize = 500;
    pub const MAX_REGIONS: usize = 50;

    /// Checks the sizes that the type system does not.
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.travel_plan.chars().count() > Self::MAX_TRAVEL_PLAN {
            return Err(ParseError::new("TRAVEL_PLAN_TOO_LONG", "travel plan is limited to 500 characters"));
        }
        if self.visited_regions.len() > Self::MAX_REGIONS {
            return Err(ParseError::new("TOO_MANY_REGIONS", "at most 50 visited regions"));
        }
        Ok(())
    }
}

/// The short daily clock-in during quarantine (or for employees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockIn {
    pub temperature: Temperature,
    pub symptoms: SymptomSet,
}

/// A health report: either kind feeds the colour rules and the streak.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Report {
    Declaration(Declaration),
    ClockIn(ClockIn),
}

impl Report {
    pub fn kind(&self) -> ReportKind {
        match self {
            Report::Declaration(_) => ReportKind::Declaration,
            Report::ClockIn(_) => ReportKind::ClockIn,
        }
    }

    pub fn symptoms(&self) -> SymptomSet {
        match self {
            Report::Declaration(d) => d.symptoms,
            Report::ClockIn(c) => c.symptoms,
        }
    }

    pub fn temperature(&self) -> Option<Temperature> {
        match self {
            Report::Declaration(d) => d.temperature,
            Report::ClockIn(c) => Some(c.temperature),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Declaration,
    ClockIn,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Declaration => "declaration",
            ReportKind::ClockIn => "clock_in",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symptom_set_round_trips() {
        let set = SymptomSet::parse_all(&["cough", "fever", "cough"]).unwrap();
        assert!(set.contains(Symptom::Fever) && set.contains(Symptom::Cough));
        assert!(!set.contains(Symptom::Fatigue));
        assert_eq!(set.to_string(), "fever, cough");
        assert_eq!(SymptomSet::from_bits(set.bits()), set);
        assert_eq!(SymptomSet::parse_all(&["sneeze"]).unwrap_err().code, "SYMPTOM_UNKNOWN");
    }
}

/// How a report reached the system (the Hanoi figures were reported by
/// channel). `Web`: the resident's own pages; `App`: the JSON API (phone apps
/// and scripts); `StaffAssisted`: entered by staff for someone without a
/// phone; `HotlineImport`: taken by the hotline and imported in bulk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportChannel {
    Web,
    App,
    StaffAssisted,
    HotlineImport,
}

impl ReportChannel {
    pub const ALL: [ReportChannel; 4] =
        [ReportChannel::Web, ReportChannel::App, ReportChannel::StaffAssisted, ReportChannel::HotlineImport];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportChannel::Web => "web",
            ReportChannel::App => "app",
            ReportChannel::StaffAssisted => "staff_assisted",
            ReportChannel::HotlineImport => "hotline_import",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ReportChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
