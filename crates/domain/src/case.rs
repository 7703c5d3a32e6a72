//! Confirmed and suspected cases, as the health authority records them.

use jiff::Timestamp;
use jiff::civil::Date;

use crate::ids::{CaseId, ResidentId};
use crate::policy::CaseKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub resident: ResidentId,
    pub kind: CaseKind,
    /// Symptom onset (or the test date when there were no symptoms).
    pub onset: Date,
    /// When the person was isolated; the exposure window closes then.
    pub isolated_on: Option<Date>,
    /// The staff member who recorded it.
    pub recorded_by: String,
    pub recorded_at: Timestamp,
    /// When the trace was applied (colours changed, notices sent).
    pub applied_at: Option<Timestamp>,
}

impl CaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Confirmed => "confirmed",
            CaseKind::Suspected => "suspected",
        }
    }

    pub fn parse(s: &str) -> Result<Self, crate::ParseError> {
        match s.trim() {
            "confirmed" => Ok(CaseKind::Confirmed),
            "suspected" => Ok(CaseKind::Suspected),
            _ => Err(crate::ParseError::new("CASE_KIND_INVALID", "kind must be confirmed or suspected")),
        }
    }
}
