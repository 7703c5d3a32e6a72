//! The declarative, versioned colour policy ([`ColourPolicy`]), loaded from
//! TOML. A rule matches when every condition it names holds; the most severe
//! matching colour wins and, among rules of that colour, the first in the file
//! is the one cited.

use jiff::SignedDuration;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

use crate::colour::Colour;
use crate::dcc_rules::DccKind;
use crate::declaration::{ReportKind, Symptom, SymptomSet};
use crate::error::ParseError;
use crate::values::{RegionCode, Temperature};

/// The policy the binary ships with (Hangzhou 2020).
pub const DEFAULT_POLICY_TOML: &str = include_str!("../policy/default.toml");

/// An example policy that requires a negative test from arrivals: the
/// default rules, with `Y-RISK-ARRIVAL-UNTESTED` (yellow unless a negative
/// test was sampled within 72 hours) in place of `Y-RISK-REGION`.
pub const ARRIVAL_TEST_POLICY_TOML: &str = include_str!("../policy/arrival-test.toml");

/// An example policy that lets an accepted EU DCC stand in for the arrival
/// rule: the default rules, with the exemption `G-DCC-ARRIVAL` (an accepted
/// test, vaccination or recovery certificate, attached by the visitor and
/// inside its rule's window, waives `Y-RISK-REGION`).
pub const ARRIVAL_DCC_POLICY_TOML: &str = include_str!("../policy/arrival-dcc.toml");

/// A rule id as written in the policy, e.g. `Y-FEVER`.
pub type RuleId = String;

/// Text in the three deployment languages; `en` is required.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Localised {
    pub en: String,
    #[serde(default)]
    pub zh: Option<String>,
    #[serde(default)]
    pub vi: Option<String>,
}

impl Localised {
    /// The text for a language tag (`en`, `zh`, `vi`), falling back to English.
    pub fn get(&self, lang: &str) -> &str {
        let pick = match lang {
            "zh" => self.zh.as_deref(),
            "vi" => self.vi.as_deref(),
            _ => None,
        };
        pick.unwrap_or(&self.en)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Confirmed,
    Suspected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// Found by tracing to have shared a place with a case.
    Close,
    /// Found by tracing to have shared a place with a close contact.
    Secondary,
    /// The person declared contact with a case themselves.
    Declared,
}

/// What a rule looks at. Every field given must hold.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub case: Option<BTreeSet<CaseKind>>,
    pub contact: Option<BTreeSet<ContactKind>>,
    pub false_declaration: Option<bool>,
    pub symptoms_any: Option<Vec<Symptom>>,
    /// Temperature at or above the policy's fever threshold.
    pub fever: Option<bool>,
    /// Temperature at or above this value (°C): for escalation rules.
    pub temperature_at_least: Option<f64>,
    pub visited_risk_region: Option<bool>,
    /// Restrict the rule to one kind of report.
    pub report: Option<ReportKind>,
    /// No negative test sampled within this many hours before the
    /// evaluation (e.g. 72, with `visited_risk_region = true`: arrivals from
    /// risk areas must show a recent negative test).
    pub no_negative_test_within_hours: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: RuleId,
    pub colour: Colour,
    /// Consecutive normal clock-ins needed to turn green; defaults by colour.
    pub quarantine_days: Option<u16>,
    pub when: Condition,
    pub description: Localised,
}

/// A rule that keeps other rules from applying: when the person holds an
/// accepted EU DCC of one of the `dcc` types (inside the window of its
/// acceptance rule), the rules named in `waives` do not match. A colour that
/// stays green because of it names the exemption's id.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    pub id: RuleId,
    pub waives: Vec<RuleId>,
    pub dcc: BTreeSet<DccKind>,
    pub description: Localised,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuarantinePolicy {
    pub yellow_days: u16,
    pub red_days: u16,
    pub completion_rule: RuleId,
    pub missed_day_rule: RuleId,
    pub completion_description: Localised,
    pub missed_day_description: Localised,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColourPolicy {
    pub version: String,
    pub fever_threshold_c: f64,
    #[serde(default)]
    pub risk_regions: Vec<RegionCode>,
    pub quarantine: QuarantinePolicy,
    pub rules: Vec<Rule>,
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
}

/// The facts about a person that rules look at, gathered for one evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub case: Option<CaseKind>,
    pub contacts: BTreeSet<ContactKind>,
    pub false_declaration: bool,
    pub symptoms: SymptomSet,
    pub temperature: Option<Temperature>,
    pub visited_risk_region: bool,
    pub report: Option<ReportKind>,
    /// How long ago the latest negative test's sample was taken (None: no
    /// negative test on record).
    pub negative_test_age: Option<SignedDuration>,
    /// The types of the EU DCCs the person attached whose acceptance rule
    /// holds now.
    pub accepted_dcc: BTreeSet<DccKind>,
}

/// The outcome of evaluating the rules against facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment<'p> {
    pub colour: Colour,
    /// The rule that decided the colour; `None` when nothing matched (green).
    pub rule: Option<&'p Rule>,
    /// Every rule that matched, in file order (waived ones left out).
    pub matched: Vec<&'p Rule>,
    /// The first exemption that waived a rule which would have matched.
    pub exempted_by: Option<&'p Exemption>,
}

impl ColourPolicy {
    /// The built-in Hangzhou 2020 policy.
    pub fn default_policy() -> Self {
        // The default file is part of the crate and covered by tests.
        match Self::from_toml(DEFAULT_POLICY_TOML) {
            Ok(p) => p,
            Err(e) => unreachable!("built-in policy is invalid: {e}"),
        }
    }

    /// Parses and validates a policy file.
    pub fn from_toml(text: &str) -> Result<Self, ParseError> {
        let policy: ColourPolicy =
            toml::from_str(text).map_err(|e| ParseError::new("POLICY_INVALID", format!("policy file: {e}")))?;
        policy.validate()?;
        Ok(policy)
    }

    fn validate(&self) -> Result<(), ParseError> {
        let bad = |m: String| Err(ParseError::new("POLICY_INVALID", m));
        if self.version.trim().is_empty() {
            return bad("version must not be empty".into());
        }
        if !(35.0..=42.0).contains(&self.fever_threshold_c) {
            return bad("fever_threshold_c must be between 35 and 42".into());
        }
        if self.quarantine.yellow_days == 0 || self.quarantine.red_days == 0 {
            return bad("quarantine days must be at least 1".into());
        }
        let mut seen = BTreeMap::new();
        for rule in &self.rules {
            if seen.insert(rule.id.as_str(), ()).is_some() {
                return bad(format!("rule id {} appears twice", rule.id));
            }
            if rule.when == Condition::default() {
                return bad(format!("rule {} has no condition", rule.id));
            }
            if rule.colour == Colour::Green {
                return bad(format!(
                    "rule {}: rules assign yellow or red; green comes from completing quarantine",
                    rule.id
                ));
            }
            if rule.when.no_negative_test_within_hours.is_some_and(|h| !(1..=720).contains(&h)) {
                return bad(format!("rule {}: no_negative_test_within_hours must be 1 to 720", rule.id));
            }
            if rule.quarantine_days == Some(0) {
                return bad(format!("rule {}: quarantine_days must be at least 1", rule.id));
            }
        }
        let special = [&self.quarantine.completion_rule, &self.quarantine.missed_day_rule];
        for exemption in &self.exemptions {
            if seen.insert(exemption.id.as_str(), ()).is_some() || special.contains(&&exemption.id) {
                return bad(format!("exemption id {} is already used", exemption.id));
            }
            if exemption.dcc.is_empty() {
                return bad(format!("exemption {}: dcc must name at least one certificate type", exemption.id));
            }
            if exemption.waives.is_empty() {
                return bad(format!("exemption {}: waives must name at least one rule", exemption.id));
            }
            if let Some(unknown) = exemption.waives.iter().find(|id| self.rule(id).is_none()) {
                return bad(format!("exemption {}: waives {unknown}, which is not a rule", exemption.id));
            }
        }
        Ok(())
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn exemption(&self, id: &str) -> Option<&Exemption> {
        self.exemptions.iter().find(|e| e.id == id)
    }

    /// Days of consecutive normal clock-ins a rule's colour requires.
    pub fn quarantine_days(&self, rule: &Rule) -> u16 {
        rule.quarantine_days.unwrap_or(match rule.colour {
            Colour::Red => self.quarantine.red_days,
            _ => self.quarantine.yellow_days,
        })
    }

    pub fn is_fever(&self, t: Temperature) -> bool {
        // Compare in tenths to avoid float edge cases at exactly 37.3.
        f64::from(t.tenths()) >= (self.fever_threshold_c * 10.0).round()
    }

    /// Whether any of the regions is a risk region (policy list plus `extra`,
    /// the authority's current risk areas).
    pub fn any_risk_region(&self, visited: &[RegionCode], extra: &[RegionCode]) -> bool {
        visited.iter().any(|v| {
            self.risk_regions.iter().chain(extra).any(|r| v == r || v.as_str().starts_with(&format!("{}-", r.as_str())))
        })
    }

    fn matches(&self, c: &Condition, f: &Facts) -> bool {
        let case_ok = c.case.as_ref().is_none_or(|set| f.case.is_some_and(|k| set.contains(&k)));
        let contact_ok = c.contact.as_ref().is_none_or(|set| set.iter().any(|k| f.contacts.contains(k)));
        let false_ok = c.false_declaration.is_none_or(|want| f.false_declaration == want);
        let symptoms_ok =
            c.symptoms_any.as_ref().is_none_or(|list| f.symptoms.intersects(list.iter().copied().collect()));
        let fever = f.temperature.is_some_and(|t| self.is_fever(t));
        let fever_ok = c.fever.is_none_or(|want| fever == want);
        let temp_ok = c
            .temperature_at_least
            .is_none_or(|min| f.temperature.is_some_and(|t| f64::from(t.tenths()) >= (min * 10.0).round()));
        let region_ok = c.visited_risk_region.is_none_or(|want| f.visited_risk_region == want);
        let report_ok = c.report.is_none_or(|want| f.report == Some(want));
        let untested_ok = c.no_negative_test_within_hours.is_none_or(|hours| {
            !f.negative_test_age
                .is_some_and(|age| age >= SignedDuration::ZERO && age <= SignedDuration::from_hours(i64::from(hours)))
        });
        case_ok && contact_ok && false_ok && symptoms_ok && fever_ok && temp_ok && region_ok && report_ok && untested_ok
    }

    /// Evaluates every rule against the facts.
    pub fn evaluate(&self, facts: &Facts) -> Assessment<'_> {
        let mut matched: Vec<&Rule> = self.rules.iter().filter(|r| self.matches(&r.when, facts)).collect();
        let mut exempted_by = None;
        for exemption in self.exemptions.iter().filter(|e| !e.dcc.is_disjoint(&facts.accepted_dcc)) {
            let before = matched.len();
            matched.retain(|r| !exemption.waives.contains(&r.id));
            if matched.len() < before && exempted_by.is_none() {
                exempted_by = Some(exemption);
            }
        }
        let colour = matched.iter().map(|r| r.colour).max().unwrap_or(Colour::Green);
        let rule = matched.iter().copied().find(|r| r.colour == colour);
        Assessment { colour, rule, matched, exempted_by }
    }
}
