//! Every default rule, table-driven.

use crate::story::{Person, declaration, declaration_with, morning};
use healthcode_domain::Colour;
use healthcode_domain::dcc_rules::DccKind;
use healthcode_domain::policy::{CaseKind, ColourPolicy, ContactKind};
use healthcode_domain::{Basis, StandingFacts};
use rstest::rstest;

#[rstest]
#[case::healthy(declaration(36.6, &[]), Colour::Green, None, None)]
#[case::fever_at_threshold(declaration(37.3, &[]), Colour::Yellow, Some("Y-FEVER"), Some(7))]
#[case::just_below_threshold(declaration(37.2, &[]), Colour::Green, None, None)]
#[case::cough(declaration(36.6, &["cough"]), Colour::Yellow, Some("Y-SYMPTOMS"), Some(7))]
#[case::loss_of_taste(declaration(36.6, &["loss_of_taste_smell"]), Colour::Yellow, Some("Y-SYMPTOMS"), Some(7))]
#[case::fever_and_cough_cites_fever_first(declaration(38.5, &["cough"]), Colour::Yellow, Some("Y-FEVER"), Some(7))]
#[case::risk_region(declaration_with(&["CN-HB"], false), Colour::Yellow, Some("Y-RISK-REGION"), Some(7))]
#[case::risk_sub_region(declaration_with(&["CN-HB-WUHAN"], false), Colour::Yellow, Some("Y-RISK-REGION"), Some(7))]
#[case::safe_region(declaration_with(&["CN-ZJ"], false), Colour::Green, None, None)]
#[case::declared_contact(declaration_with(&[], true), Colour::Red, Some("R-CLOSE-CONTACT"), Some(14))]
#[case::contact_beats_symptoms(declaration_with(&["CN-HB"], true), Colour::Red, Some("R-CLOSE-CONTACT"), Some(14))]
fn first_declaration_gets_colour_by_rule(
    #[case] report: healthcode_domain::Report,
    #[case] colour: Colour,
    #[case] rule: Option<&str>,
    #[case] days: Option<u16>,
) {
    let mut p = Person::new();
    let t = p.report(report, morning(2)).unwrap();
    assert_eq!(t.status.colour, colour);
    assert_eq!(t.status.basis.rule_id(), rule);
    assert_eq!(t.status.quarantine.map(|q| q.required_days), days);
    assert_eq!(t.changes.len(), 1, "the first status is always recorded");
    assert_eq!(t.changes[0].basis.policy_version(), "hangzhou-2020.1");
}

#[rstest]
#[case::confirmed(Some(CaseKind::Confirmed), &[], false, Colour::Red, "R-CASE")]
#[case::suspected(Some(CaseKind::Suspected), &[], false, Colour::Red, "R-CASE")]
#[case::close_contact(None, &[ContactKind::Close], false, Colour::Red, "R-CLOSE-CONTACT")]
#[case::secondary_contact(None, &[ContactKind::Secondary], false, Colour::Yellow, "Y-SECONDARY-CONTACT")]
#[case::false_declaration(None, &[], true, Colour::Red, "R-FALSE-DECLARATION")]
fn standing_facts_from_the_authority(
    #[case] case: Option<CaseKind>,
    #[case] contacts: &[ContactKind],
    #[case] false_declaration: bool,
    #[case] colour: Colour,
    #[case] rule: &str,
) {
    let standing =
        StandingFacts { case, contacts: contacts.iter().copied().collect(), false_declaration, ..Default::default() };
    let mut p = Person::new();
    let t = p.report_with(declaration(36.6, &[]), morning(2), &standing).unwrap();
    assert_eq!(t.status.colour, colour);
    assert_eq!(t.status.basis, Basis::Rule { rule_id: rule.into(), policy_version: "hangzhou-2020.1".into() });
}

#[test]
fn default_policy_parses_and_has_all_languages() {
    let p = ColourPolicy::default_policy();
    assert_eq!(p.version, "hangzhou-2020.1");
    for r in &p.rules {
        assert!(r.description.zh.is_some() && r.description.vi.is_some(), "rule {} lacks a translation", r.id);
    }
    assert_eq!(p.rule("Y-FEVER").unwrap().description.get("zh"), "体温达到或超过37.3°C");
    assert_eq!(p.rule("Y-FEVER").unwrap().description.get("fr"), "Fever of 37.3 °C or more");
}

#[rstest]
#[case::duplicate_id("R-CASE", "R-CASE", "appears twice")]
#[case::unknown_field("A", "B", "unknown field")]
fn invalid_policies_are_refused(#[case] a: &str, #[case] b: &str, #[case] needle: &str) {
    let extra = if needle == "unknown field" { "bogus = 1\n" } else { "" };
    let text = format!(
        r#"version = "t1"
fever_threshold_c = 37.3
[quarantine]
yellow_days = 7
red_days = 14
completion_rule = "Q"
missed_day_rule = "M"
completion_description = {{ en = "done" }}
missed_day_description = {{ en = "missed" }}
[[rules]]
id = "{a}"
colour = "red"
when = {{ fever = true }}
description = {{ en = "x" }}
{extra}[[rules]]
id = "{b}"
colour = "yellow"
when = {{ fever = true }}
description = {{ en = "y" }}
"#
    );
    let err = ColourPolicy::from_toml(&text).unwrap_err();
    assert_eq!(err.code, "POLICY_INVALID");
    assert!(err.message.contains(needle), "{}", err.message);
}

#[test]
fn a_rule_without_condition_is_refused() {
    let text = ColourPolicy::default_policy();
    assert!(text.rules.iter().all(|r| r.when != Default::default()));
    let bad = healthcode_domain::policy::DEFAULT_POLICY_TOML.replace("when = { fever = true }", "when = {}");
    assert!(ColourPolicy::from_toml(&bad).unwrap_err().message.contains("no condition"));
}

// lab: the negative-test requirement on arrivals from risk regions.
#[rstest]
#[case::no_test(None, Colour::Yellow, Some("Y-RISK-ARRIVAL-UNTESTED"))]
#[case::negative_10_hours_ago(Some(10), Colour::Green, None)]
#[case::negative_exactly_72_hours_ago(Some(72), Colour::Green, None)]
#[case::negative_80_hours_ago(Some(80), Colour::Yellow, Some("Y-RISK-ARRIVAL-UNTESTED"))]
fn arrivals_from_risk_regions_need_a_recent_negative_test(
    #[case] hours_ago: Option<i64>,
    #[case] colour: Colour,
    #[case] rule: Option<&str>,
) {
    let policy = ColourPolicy::from_toml(healthcode_domain::policy::ARRIVAL_TEST_POLICY_TOML).unwrap();
    assert!(policy.rule("Y-RISK-REGION").is_none());
    let now = morning(2);
    let standing = StandingFacts {
        latest_negative_test: hours_ago.map(|h| now.checked_sub(jiff::SignedDuration::from_hours(h)).unwrap()),
        ..Default::default()
    };
    let mut p = Person::new();
    p.policy = policy;
    let t = p.report_with(declaration_with(&["CN-HB-WUHAN"], false), now, &standing).unwrap();
    assert_eq!(t.status.colour, colour);
    assert_eq!(t.status.basis.rule_id(), rule);
    assert_eq!(t.status.basis.policy_version(), "hangzhou-2020.1+arrival-test.1");
    // Without the arrival, a test changes nothing.
    let mut q = Person::new();
    let t = q.report_with(declaration_with(&["CN-ZJ"], false), now, &standing).unwrap();
    assert_eq!(t.status.colour, Colour::Green);
}

#[test]
fn a_negative_test_window_out_of_range_is_refused() {
    let bad = healthcode_domain::policy::ARRIVAL_TEST_POLICY_TOML
        .replace("no_negative_test_within_hours = 72", "no_negative_test_within_hours = 0");
    assert!(ColourPolicy::from_toml(&bad).unwrap_err().message.contains("no_negative_test_within_hours"));
}

#[rstest]
#[case::no_certificate(vec![], &["CN-HB-WUHAN"], Colour::Yellow, Some("Y-RISK-REGION"))]
#[case::test_inside_window(vec![(DccKind::Test, -10, 62)], &["CN-HB-WUHAN"], Colour::Green, Some("G-DCC-ARRIVAL"))]
#[case::vaccination_inside_window(vec![(DccKind::Vaccination, -500, 5000)], &["CN-HB"], Colour::Green, Some("G-DCC-ARRIVAL"))]
#[case::window_over(vec![(DccKind::Test, -80, -8)], &["CN-HB"], Colour::Yellow, Some("Y-RISK-REGION"))]
#[case::window_not_begun(vec![(DccKind::Vaccination, 24, 5000)], &["CN-HB"], Colour::Yellow, Some("Y-RISK-REGION"))]
#[case::no_arrival_no_exemption(vec![(DccKind::Test, -10, 62)], &["CN-ZJ"], Colour::Green, None)]
fn an_accepted_dcc_waives_the_arrival_rule_and_is_named(
    #[case] windows: Vec<(DccKind, i64, i64)>,
    #[case] visited: &[&str],
    #[case] colour: Colour,
    #[case] rule: Option<&str>,
) {
    let policy = ColourPolicy::from_toml(healthcode_domain::policy::ARRIVAL_DCC_POLICY_TOML).unwrap();
    let now = morning(2);
    let hours = |h: i64| now.checked_add(jiff::SignedDuration::from_hours(h)).unwrap();
    let standing = StandingFacts {
        dcc_windows: windows.into_iter().map(|(k, from, until)| (k, hours(from), hours(until))).collect(),
        ..Default::default()
    };
    let mut p = Person::new();
    p.policy = policy;
    let t = p.report_with(declaration_with(visited, false), now, &standing).unwrap();
    assert_eq!(t.status.colour, colour);
    assert_eq!(t.status.basis.rule_id(), rule);
    assert_eq!(t.changes[0].basis.rule_id(), rule);
    assert_eq!(t.status.basis.policy_version(), "hangzhou-2020.1+arrival-dcc.1");
}

#[test]
fn an_accepted_dcc_waives_only_the_named_rules() {
    let policy = ColourPolicy::from_toml(healthcode_domain::policy::ARRIVAL_DCC_POLICY_TOML).unwrap();
    let now = morning(2);
    let later = now.checked_add(jiff::SignedDuration::from_hours(10)).unwrap();
    let standing = StandingFacts { dcc_windows: vec![(DccKind::Test, now, later)], ..Default::default() };
    let mut p = Person::new();
    p.policy = policy;
    let t = p.report_with(declaration(38.4, &[]), now, &standing).unwrap();
    assert_eq!((t.status.colour, t.status.basis.rule_id()), (Colour::Yellow, Some("Y-FEVER")));
}

#[rstest]
#[case::unknown_rule("waives = [\"Y-RISK-REGION\"]", "waives = [\"Y-NOPE\"]", "not a rule")]
#[case::no_type("dcc = [\"vaccination\", \"test\", \"recovery\"]", "dcc = []", "at least one certificate type")]
#[case::id_taken("id = \"G-DCC-ARRIVAL\"", "id = \"Y-FEVER\"", "already used")]
fn a_broken_exemption_is_refused(#[case] from: &str, #[case] to: &str, #[case] message: &str) {
    let bad = healthcode_domain::policy::ARRIVAL_DCC_POLICY_TOML.replace(from, to);
    let err = ColourPolicy::from_toml(&bad).unwrap_err();
    assert!(err.message.contains(message), "{}", err.message);
}
