//! The stored shape of the domain values some columns keep as JSON: a
//! report's body (`reports.body`), a status change's basis, evidence and actor
//! (`status_changes`), an application's sites (`enterprises.sites`).
//!
//! The domain types derive serde for the API; their stored form is fixed here
//! instead, so renaming a domain field or variant cannot silently make old
//! rows unreadable: the conversion below stops compiling, and the fixture test
//! (`crates/server/tests/it/release_fixture.rs`, rows written by an earlier
//! release) fails. Changing a stored shape means a new variant or an optional
//! field here, or a migration that rewrites the rows.
//!
//! Values are checked again on the way out of the store (a code, a name, a
//! temperature), so a row edited by hand is an error naming its column, never
//! a domain value that could not have been made.

use healthcode_domain::{
    Actor, Basis, CaseId, ClockIn, Declaration, DistrictCode, Evidence, RegionCode, Report, ReportId, ResidentId, Site,
    SymptomSet, Temperature, VenueId,
};
use healthcode_store::{StoreError, StoreResult};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

fn invalid(column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(format!("stored {column} is invalid: {e}"))
}

/// `status_changes.basis`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoredBasis {
    NoRuleMatched { policy_version: String },
    Rule { rule_id: String, policy_version: String },
    Override { reason_code: String, policy_version: String },
}

impl From<&Basis> for StoredBasis {
    fn from(basis: &Basis) -> Self {
        match basis.clone() {
            Basis::NoRuleMatched { policy_version } => Self::NoRuleMatched { policy_version },
            Basis::Rule { rule_id, policy_version } => Self::Rule { rule_id, policy_version },
            Basis::Override { reason_code, policy_version } => Self::Override { reason_code, policy_version },
        }
    }
}

impl From<StoredBasis> for Basis {
    fn from(stored: StoredBasis) -> Self {
        match stored {
            StoredBasis::NoRuleMatched { policy_version } => Basis::NoRuleMatched { policy_version },
            StoredBasis::Rule { rule_id, policy_version } => Basis::Rule { rule_id, policy_version },
            StoredBasis::Override { reason_code, policy_version } => Basis::Override { reason_code, policy_version },
        }
    }
}

/// `status_changes.actor`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum StoredActor {
    Resident(Uuid),
    System,
    Staff(String),
}

impl From<&Actor> for StoredActor {
    fn from(actor: &Actor) -> Self {
        match actor {
            Actor::Resident(id) => Self::Resident(id.as_uuid()),
            Actor::System => Self::System,
            Actor::Staff(name) => Self::Staff(name.clone()),
        }
    }
}

impl From<StoredActor> for Actor {
    fn from(stored: StoredActor) -> Self {
        match stored {
            StoredActor::Resident(id) => Actor::Resident(ResidentId::from_uuid(id)),
            StoredActor::System => Actor::System,
            StoredActor::Staff(name) => Actor::Staff(name),
        }
    }
}

/// One item of `status_changes.evidence` (a JSON array of them).
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StoredEvidence {
    Report { report_id: Uuid, summary: String },
    MissedDays { from: Date, to: Date },
    Streak { days: u16, from: Date, to: Date },
    Case { case: Uuid, case_kind: String },
    SharedStay { case: Uuid, venue: Uuid, from: Timestamp, to: Timestamp, minutes: i64, contact: String },
    Override { override_id: String, basis: String, requested_by: String, approved_by: String },
    Appeal { appeal_id: String, answer: String, answered_by: String },
    TestResult { result_id: String, test_kind: String, outcome: String, sampled_at: Timestamp, lab: String },
    FalseDeclaration { declaration_id: String, evidence: String, requested_by: String, approved_by: String },
}

impl From<&Evidence> for StoredEvidence {
    fn from(evidence: &Evidence) -> Self {
        match evidence.clone() {
            Evidence::Report { report_id, summary } => Self::Report { report_id: report_id.as_uuid(), summary },
            Evidence::MissedDays { from, to } => Self::MissedDays { from, to },
            Evidence::Streak { days, from, to } => Self::Streak { days, from, to },
            Evidence::Case { case, case_kind } => Self::Case { case: case.as_uuid(), case_kind },
            Evidence::SharedStay { case, venue, from, to, minutes, contact } => {
                Self::SharedStay { case: case.as_uuid(), venue: venue.as_uuid(), from, to, minutes, contact }
            }
            Evidence::Override { override_id, basis, requested_by, approved_by } => {
                Self::Override { override_id, basis, requested_by, approved_by }
            }
            Evidence::Appeal { appeal_id, answer, answered_by } => Self::Appeal { appeal_id, answer, answered_by },
            Evidence::TestResult { result_id, test_kind, outcome, sampled_at, lab } => {
                Self::TestResult { result_id, test_kind, outcome, sampled_at, lab }
            }
            Evidence::FalseDeclaration { declaration_id, evidence, requested_by, approved_by } => {
                Self::FalseDeclaration { declaration_id, evidence, requested_by, approved_by }
            }
        }
    }
}

impl From<StoredEvidence> for Evidence {
    fn from(stored: StoredEvidence) -> Self {
        match stored {
            StoredEvidence::Report { report_id, summary } => {
                Evidence::Report { report_id: ReportId::from_uuid(report_id), summary }
            }
            StoredEvidence::MissedDays { from, to } => Evidence::MissedDays { from, to },
            StoredEvidence::Streak { days, from, to } => Evidence::Streak { days, from, to },
            StoredEvidence::Case { case, case_kind } => Evidence::Case { case: CaseId::from_uuid(case), case_kind },
            StoredEvidence::SharedStay { case, venue, from, to, minutes, contact } => Evidence::SharedStay {
                case: CaseId::from_uuid(case),
                venue: VenueId::from_uuid(venue),
                from,
                to,
                minutes,
                contact,
            },
            StoredEvidence::Override { override_id, basis, requested_by, approved_by } => {
                Evidence::Override { override_id, basis, requested_by, approved_by }
            }
            StoredEvidence::Appeal { appeal_id, answer, answered_by } => {
                Evidence::Appeal { appeal_id, answer, answered_by }
            }
            StoredEvidence::TestResult { result_id, test_kind, outcome, sampled_at, lab } => {
                Evidence::TestResult { result_id, test_kind, outcome, sampled_at, lab }
            }
            StoredEvidence::FalseDeclaration { declaration_id, evidence, requested_by, approved_by } => {
                Evidence::FalseDeclaration { declaration_id, evidence, requested_by, approved_by }
            }
        }
    }
}

/// `status_changes.evidence`.
pub fn evidence_to_stored(evidence: &[Evidence]) -> Vec<StoredEvidence> {
    evidence.iter().map(StoredEvidence::from).collect()
}

pub fn evidence_from_stored(stored: Vec<StoredEvidence>) -> Vec<Evidence> {
    stored.into_iter().map(Evidence::from).collect()
}

/// `reports.body`. Symptoms are their names; temperatures in tenths of a degree.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReportBody {
    Declaration {
        symptoms: Vec<String>,
        temperature: Option<u16>,
        visited_regions: Vec<String>,
        contact_with_case: bool,
        travel_plan: String,
    },
    ClockIn {
        temperature: u16,
        symptoms: Vec<String>,
    },
}

fn symptom_names(set: SymptomSet) -> Vec<String> {
    set.iter().map(|s| s.as_str().to_owned()).collect()
}

impl From<&Report> for ReportBody {
    fn from(report: &Report) -> Self {
        match report {
            Report::Declaration(d) => Self::Declaration {
                symptoms: symptom_names(d.symptoms),
                temperature: d.temperature.map(Temperature::tenths),
                visited_regions: d.visited_regions.iter().map(|r| r.as_str().to_owned()).collect(),
                contact_with_case: d.contact_with_case,
                travel_plan: d.travel_plan.clone(),
            },
            Report::ClockIn(c) => {
                Self::ClockIn { temperature: c.temperature.tenths(), symptoms: symptom_names(c.symptoms) }
            }
        }
    }
}

impl TryFrom<ReportBody> for Report {
    type Error = StoreError;

    fn try_from(stored: ReportBody) -> StoreResult<Self> {
        let column = "reports.body";
        let temperature = |t: u16| Temperature::from_tenths(t).map_err(|e| invalid(column, e));
        Ok(match stored {
            ReportBody::Declaration { symptoms, temperature: t, visited_regions, contact_with_case, travel_plan } => {
                Report::Declaration(Declaration {
                    symptoms: SymptomSet::parse_all(&symptoms).map_err(|e| invalid(column, e))?,
                    temperature: t.map(temperature).transpose()?,
                    visited_regions: visited_regions
                        .iter()
                        .map(|r| RegionCode::parse(r).map_err(|e| invalid(column, e)))
                        .collect::<StoreResult<_>>()?,
                    contact_with_case,
                    travel_plan,
                })
            }
            ReportBody::ClockIn { temperature: t, symptoms } => Report::ClockIn(ClockIn {
                temperature: temperature(t)?,
                symptoms: SymptomSet::parse_all(&symptoms).map_err(|e| invalid(column, e))?,
            }),
        })
    }
}

/// One item of `enterprises.sites` (a JSON array of them).
#[derive(Debug, Serialize, Deserialize)]
pub struct StoredSite {
    pub name: String,
    pub address: String,
    pub district: String,
}

pub fn sites_to_stored(sites: &[Site]) -> Vec<StoredSite> {
    sites
        .iter()
        .map(|s| StoredSite {
            name: s.name.clone(),
            address: s.address.clone(),
            district: s.district.as_str().to_owned(),
        })
        .collect()
}

pub fn sites_from_stored(stored: Vec<StoredSite>) -> StoreResult<Vec<Site>> {
    stored
        .into_iter()
        .map(|s| {
            let district = DistrictCode::parse(&s.district).map_err(|e| invalid("enterprises.sites", e))?;
            Ok(Site { name: s.name, address: s.address, district })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stored text of each shape, as the release of 2026-12-05 wrote it.
    #[test]
    fn the_stored_text_is_the_one_earlier_releases_wrote() {
        let report: ReportBody = serde_json::from_str(
            r#"{"kind":"declaration","symptoms":["fever","cough"],"temperature":382,"visited_regions":["420100"],"contact_with_case":true,"travel_plan":"train"}"#,
        )
        .unwrap();
        let report = Report::try_from(report).unwrap();
        assert_eq!(report.temperature().map(Temperature::tenths), Some(382));
        let again = serde_json::to_string(&ReportBody::from(&report)).unwrap();
        assert_eq!(
            again,
            r#"{"kind":"declaration","symptoms":["fever","cough"],"temperature":382,"visited_regions":["420100"],"contact_with_case":true,"travel_plan":"train"}"#
        );
        let actor: StoredActor = serde_json::from_str(r#"{"kind":"staff","id":"anh"}"#).unwrap();
        assert_eq!(Actor::from(actor), Actor::Staff("anh".into()));
        assert_eq!(serde_json::to_string(&StoredActor::from(&Actor::System)).unwrap(), r#"{"kind":"system"}"#);
        let basis: StoredBasis =
            serde_json::from_str(r#"{"kind":"rule","rule_id":"Q-MISSED-DAY","policy_version":"hangzhou-2020.1"}"#)
                .unwrap();
        assert_eq!(Basis::from(basis).rule_id(), Some("Q-MISSED-DAY"));
        let evidence: Vec<StoredEvidence> =
            serde_json::from_str(r#"[{"kind":"missed_days","from":"2026-12-04","to":"2026-12-04"}]"#).unwrap();
        assert!(matches!(evidence_from_stored(evidence)[0], Evidence::MissedDays { .. }));
    }

    #[test]
    fn a_row_edited_into_nonsense_is_an_error_naming_its_column() {
        let report: ReportBody =
            serde_json::from_str(r#"{"kind":"clock_in","temperature":999,"symptoms":["sneezing"]}"#).unwrap();
        let err = Report::try_from(report).unwrap_err().to_string();
        assert!(err.contains("reports.body"), "{err}");
        let sites = vec![StoredSite { name: "Main".into(), address: "1 Road".into(), district: "".into() }];
        assert!(sites_from_stored(sites).unwrap_err().to_string().contains("enterprises.sites"));
    }
}
