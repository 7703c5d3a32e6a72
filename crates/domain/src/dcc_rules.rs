//! Acceptance rules for EU Digital COVID Certificates ([`DccRules`]): which
//! vaccination, test or recovery certificate lets a visitor pass, as
//! versioned rules with stable ids, configured in the `[dcc]` section of the
//! config file. [`DccRules::evaluate`] is pure: the certificate's facts and
//! `now` are passed in.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

/// The three certificate types of the DCC specification (in policy files:
/// `vaccination`, `test`, `recovery`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DccKind {
    Vaccination,
    Test,
    Recovery,
}

impl DccKind {
    /// The schema's key: `v`, `t` or `r`.
    pub fn code(self) -> &'static str {
        match self {
            DccKind::Vaccination => "v",
            DccKind::Test => "t",
            DccKind::Recovery => "r",
        }
    }

    pub fn from_code(code: &str) -> Option<DccKind> {
        match code {
            "v" => Some(DccKind::Vaccination),
            "t" => Some(DccKind::Test),
            "r" => Some(DccKind::Recovery),
            _ => None,
        }
    }

    pub const ALL: [DccKind; 3] = [DccKind::Vaccination, DccKind::Test, DccKind::Recovery];
}

/// SNOMED CT code of COVID-19, the only disease the rules accept.
pub const COVID_19: &str = "840539006";
/// Test results (SNOMED CT): not detected / detected.
pub const TEST_NOT_DETECTED: &str = "260415000";
/// Test types: NAAT (PCR) and rapid antigen test.
pub const TEST_TYPE_NAAT: &str = "LP6464-4";
pub const TEST_TYPE_RAT: &str = "LP217198-3";

/// The facts of one certificate entry that the rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DccFacts {
    Vaccination { disease: String, dose: u32, series: u32, date: Date },
    Test { disease: String, test_type: String, sampled_at: Timestamp, result: String },
    Recovery { disease: String, first_positive: Date, valid_from: Date, valid_until: Date },
}

impl DccFacts {
    pub fn kind(&self) -> DccKind {
        match self {
            DccFacts::Vaccination { .. } => DccKind::Vaccination,
            DccFacts::Test { .. } => DccKind::Test,
            DccFacts::Recovery { .. } => DccKind::Recovery,
        }
    }

    /// The date that matters for the rule: the last dose, the sample, the
    /// first positive test.
    pub fn date(&self) -> Date {
        match self {
            DccFacts::Vaccination { date, .. } => *date,
            DccFacts::Test { sampled_at, .. } => sampled_at.to_zoned(jiff::tz::TimeZone::UTC).date(),
            DccFacts::Recovery { first_positive, .. } => *first_positive,
        }
    }
}

/// Vaccination: a full course (dose number at least the series length),
/// counted from `min_days` after the last dose until `max_days` after it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VaccinationRule {
    pub accept: bool,
    pub min_days: u32,
    pub max_days: u32,
}

/// Test: a negative result, sampled at most `naat_max_hours` (PCR) or
/// `rat_max_hours` (rapid antigen) before the scan.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TestRule {
    pub accept: bool,
    pub naat_max_hours: u32,
    pub rat_max_hours: u32,
}

/// Recovery: within the certificate's own validity, and at most `max_days`
/// after the first positive test.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecoveryRule {
    pub accept: bool,
    pub max_days: u32,
}

impl Default for VaccinationRule {
    fn default() -> Self {
        VaccinationRule { accept: true, min_days: 14, max_days: 270 }
    }
}

impl Default for TestRule {
    fn default() -> Self {
        TestRule { accept: true, naat_max_hours: 72, rat_max_hours: 48 }
    }
}

impl Default for RecoveryRule {
    fn default() -> Self {
        RecoveryRule { accept: true, max_days: 180 }
    }
}

/// The configured rules, one per certificate type, under one version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DccRules {
    /// Recorded with every verdict, like the colour policy's version.
    pub version: String,
    pub vaccination: VaccinationRule,
    pub test: TestRule,
    pub recovery: RecoveryRule,
}

impl Default for DccRules {
    fn default() -> Self {
        DccRules {
            version: "dcc-2026.1".into(),
            vaccination: VaccinationRule::default(),
            test: TestRule::default(),
            recovery: RecoveryRule::default(),
        }
    }
}

/// Stable rule ids, one per certificate type.
pub const RULE_VACCINATION: &str = "DCC_V_FULL_COURSE";
pub const RULE_TEST: &str = "DCC_T_NEGATIVE_RECENT";
pub const RULE_RECOVERY: &str = "DCC_R_RECOVERED";

/// What a rule said about a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DccOutcome {
    pub kind: DccKind,
    pub rule_id: &'static str,
    pub rule_version: String,
    /// `None` when accepted; otherwise why not, for people.
    pub refusal: Option<String>,
}

impl DccOutcome {
    pub fn accepted(&self) -> bool {
        self.refusal.is_none()
    }
}

impl DccRules {
    /// Checks the values: a version, and windows that are not empty.
    pub fn validate(&self) -> Result<(), String> {
        if self.version.trim().is_empty() {
            return Err("dcc.version must not be empty".into());
        }
        if self.vaccination.min_days > self.vaccination.max_days {
            return Err("dcc.vaccination.min_days must not exceed max_days".into());
        }
        if self.test.naat_max_hours == 0 && self.test.rat_max_hours == 0 && self.test.accept {
            return Err("dcc.test accepts tests but both naat_max_hours and rat_max_hours are 0".into());
        }
        Ok(())
    }

    pub fn rule_id(kind: DccKind) -> &'static str {
        match kind {
            DccKind::Vaccination => RULE_VACCINATION,
            DccKind::Test => RULE_TEST,
            DccKind::Recovery => RULE_RECOVERY,
        }
    }

    /// Applies the rule for the certificate's type at `now`.
    pub fn evaluate(&self, facts: &DccFacts, now: Timestamp) -> DccOutcome {
        let kind = facts.kind();
        let refusal = self.refusal(facts, now);
        DccOutcome { kind, rule_id: Self::rule_id(kind), rule_version: self.version.clone(), refusal }
    }

    /// The instants during which [`evaluate`](Self::evaluate) accepts the
    /// certificate, `[from, until)`: from the dose's `min_days` to its
    /// `max_days`, from the sample to its last accepted hour, the recovery's
    /// own validity cut at `max_days` after the first positive. `None` when
    /// the rule never accepts it (a type switched off, another disease, an
    /// incomplete course, a positive or unknown test). Days are UTC days, as
    /// in `evaluate`. This is what an attached certificate keeps, so a later
    /// colour decision needs nothing else from the certificate.
    pub fn accepted_window(&self, facts: &DccFacts) -> Option<(Timestamp, Timestamp)> {
        let midnight = |d: Date| d.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp());
        let day_after = |d: Date| d.tomorrow().ok().and_then(midnight);
        let plus_days = |d: Date, n: u32| d.checked_add(jiff::Span::new().days(i64::from(n))).ok();
        let window = match facts {
            DccFacts::Vaccination { disease, dose, series, date } => {
                let rule = &self.vaccination;
                if !rule.accept || disease != COVID_19 || dose < series {
                    return None;
                }
                (midnight(plus_days(*date, rule.min_days)?)?, day_after(plus_days(*date, rule.max_days)?)?)
            }
            DccFacts::Test { disease, test_type, sampled_at, result } => {
                let rule = &self.test;
                if !rule.accept || disease != COVID_19 || result != TEST_NOT_DETECTED {
                    return None;
                }
                let max_hours = match test_type.as_str() {
                    TEST_TYPE_NAAT => rule.naat_max_hours,
                    TEST_TYPE_RAT => rule.rat_max_hours,
                    _ => return None,
                };
                let from = sampled_at.checked_sub(SignedDuration::from_mins(5)).ok()?;
                let until = sampled_at.checked_add(SignedDuration::from_hours(i64::from(max_hours))).ok()?;
                (from, until.checked_add(SignedDuration::from_secs(1)).ok()?)
            }
            DccFacts::Recovery { disease, first_positive, valid_from, valid_until } => {
                let rule = &self.recovery;
                if !rule.accept || disease != COVID_19 {
                    return None;
                }
                let last = (*valid_until).min(plus_days(*first_positive, rule.max_days)?);
                (midnight(*valid_from)?, day_after(last)?)
            }
        };
        (window.0 < window.1).then_some(window)
    }

    fn refusal(&self, facts: &DccFacts, now: Timestamp) -> Option<String> {
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        let days_since = |d: Date| i64::from((today - d).get_days());
        match facts {
            DccFacts::Vaccination { disease, dose, series, date } => {
                let rule = &self.vaccination;
                if !rule.accept {
                    return Some("vaccination certificates are not accepted here".into());
                }
                if disease != COVID_19 {
                    return Some(format!("the vaccination is not against COVID-19 (target {disease})"));
                }
                if dose < series {
                    return Some(format!("the course is not complete (dose {dose} of {series})"));
                }
                let days = days_since(*date);
                if days < i64::from(rule.min_days) {
                    return Some(format!("the last dose was {days} days ago; it counts from {} days", rule.min_days));
                }
                if days > i64::from(rule.max_days) {
                    return Some(format!("the last dose was {days} days ago; it counts for {} days", rule.max_days));
                }
                None
            }
            DccFacts::Test { disease, test_type, sampled_at, result } => {
                let rule = &self.test;
                if !rule.accept {
                    return Some("test certificates are not accepted here".into());
                }
                if disease != COVID_19 {
                    return Some(format!("the test is not for COVID-19 (target {disease})"));
                }
                if result != TEST_NOT_DETECTED {
                    return Some("the test result is not negative".into());
                }
                let max_hours = match test_type.as_str() {
                    TEST_TYPE_NAAT => rule.naat_max_hours,
                    TEST_TYPE_RAT => rule.rat_max_hours,
                    other => return Some(format!("test type {other:?} is not accepted")),
                };
                let age = now.duration_since(*sampled_at);
                if age < SignedDuration::from_mins(-5) {
                    return Some("the sample time lies in the future".into());
                }
                if age > SignedDuration::from_hours(i64::from(max_hours)) {
                    return Some(format!(
                        "the sample was taken {} hours ago; at most {max_hours} hours are accepted",
                        age.as_hours()
                    ));
                }
                None
            }
            DccFacts::Recovery { disease, first_positive, valid_from, valid_until } => {
                let rule = &self.recovery;
                if !rule.accept {
                    return Some("recovery certificates are not accepted here".into());
                }
                if disease != COVID_19 {
                    return Some(format!("the recovery is not from COVID-19 (target {disease})"));
                }
                if today < *valid_from || today > *valid_until {
                    return Some(format!("the certificate is valid from {valid_from} until {valid_until}"));
                }
                let days = days_since(*first_positive);
                if days > i64::from(rule.max_days) {
                    return Some(format!(
                        "the first positive test was {days} days ago; at most {} days are accepted",
                        rule.max_days
                    ));
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn vac(dose: u32, series: u32, d: &str) -> DccFacts {
        DccFacts::Vaccination { disease: COVID_19.into(), dose, series, date: date(d) }
    }

    fn test(kind: &str, sampled: &str, result: &str) -> DccFacts {
        DccFacts::Test {
            disease: COVID_19.into(),
            test_type: kind.into(),
            sampled_at: at(sampled),
            result: result.into(),
        }
    }

    #[rstest]
    #[case::full_course(vac(2, 2, "2026-11-01"), true)]
    #[case::booster(vac(3, 3, "2026-11-01"), true)]
    #[case::incomplete(vac(1, 2, "2026-11-01"), false)]
    #[case::too_recent(vac(2, 2, "2026-11-30"), false)]
    #[case::too_old(vac(2, 2, "2025-01-01"), false)]
    #[case::pcr_fresh(test(TEST_TYPE_NAAT, "2026-12-03T12:00:00Z", TEST_NOT_DETECTED), true)]
    #[case::pcr_old(test(TEST_TYPE_NAAT, "2026-12-01T11:00:00Z", TEST_NOT_DETECTED), false)]
    #[case::rat_50h(test(TEST_TYPE_RAT, "2026-12-02T10:00:00Z", TEST_NOT_DETECTED), false)]
    #[case::positive(test(TEST_TYPE_NAAT, "2026-12-04T12:00:00Z", "260373001"), false)]
    #[case::recovered(DccFacts::Recovery { disease: COVID_19.into(), first_positive: date("2026-10-01"), valid_from: date("2026-10-12"), valid_until: date("2027-03-30") }, true)]
    #[case::recovery_window(DccFacts::Recovery { disease: COVID_19.into(), first_positive: date("2026-11-28"), valid_from: date("2026-12-09"), valid_until: date("2027-05-27") }, false)]
    fn default_rules(#[case] facts: DccFacts, #[case] accepted: bool) {
        let outcome = DccRules::default().evaluate(&facts, at("2026-12-04T12:00:00Z"));
        assert_eq!(outcome.accepted(), accepted, "{outcome:?}");
        assert_eq!(outcome.kind, facts.kind());
        assert_eq!(outcome.rule_version, "dcc-2026.1");
    }

    #[rstest]
    #[case::full_course(vac(2, 2, "2026-11-01"))]
    #[case::too_recent(vac(2, 2, "2026-11-30"))]
    #[case::too_old(vac(2, 2, "2025-01-01"))]
    #[case::pcr_fresh(test(TEST_TYPE_NAAT, "2026-12-03T12:00:00Z", TEST_NOT_DETECTED))]
    #[case::pcr_old(test(TEST_TYPE_NAAT, "2026-12-01T11:00:00Z", TEST_NOT_DETECTED))]
    #[case::rat_fresh(test(TEST_TYPE_RAT, "2026-12-04T10:00:00Z", TEST_NOT_DETECTED))]
    #[case::recovered(DccFacts::Recovery { disease: COVID_19.into(), first_positive: date("2026-10-01"), valid_from: date("2026-10-12"), valid_until: date("2027-03-30") })]
    #[case::recovery_window(DccFacts::Recovery { disease: COVID_19.into(), first_positive: date("2026-11-28"), valid_from: date("2026-12-09"), valid_until: date("2027-05-27") })]
    fn the_window_agrees_with_evaluate(#[case] facts: DccFacts) {
        let rules = DccRules::default();
        let window = rules.accepted_window(&facts).unwrap();
        // Every hour of a long span: inside the window exactly when evaluate accepts.
        let mut now = at("2024-12-01T00:30:00Z");
        while now < at("2027-12-01T00:00:00Z") {
            let inside = window.0 <= now && now < window.1;
            assert_eq!(inside, rules.evaluate(&facts, now).accepted(), "{facts:?} at {now}: window {window:?}");
            now = now.checked_add(SignedDuration::from_hours(1)).unwrap();
        }
    }

    #[rstest]
    #[case::incomplete(vac(1, 2, "2026-11-01"))]
    #[case::positive(test(TEST_TYPE_NAAT, "2026-12-04T12:00:00Z", "260373001"))]
    fn never_accepted_has_no_window(#[case] facts: DccFacts) {
        assert_eq!(DccRules::default().accepted_window(&facts), None);
    }

    #[test]
    fn a_type_can_be_switched_off() {
        let rules: DccRules = toml::from_str("version = \"v2\"\n[test]\naccept = false\n").unwrap();
        let outcome = rules
            .evaluate(&test(TEST_TYPE_NAAT, "2026-12-04T10:00:00Z", TEST_NOT_DETECTED), at("2026-12-04T12:00:00Z"));
        assert_eq!(outcome.rule_id, RULE_TEST);
        assert_eq!(outcome.rule_version, "v2");
        assert!(!outcome.accepted());
        assert!(rules.validate().is_ok());
        let bad: DccRules = toml::from_str("[vaccination]\nmin_days = 300\nmax_days = 10\n").unwrap();
        assert!(bad.validate().is_err());
    }
}
