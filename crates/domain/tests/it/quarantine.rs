//! Streak edge cases: the road from yellow or red back to green.

use crate::story::{Person, at, clock_in, declaration, declaration_with, morning};
use healthcode_domain::{ChangeEvent, Colour, Evidence};

#[test]
fn seven_normal_days_turn_yellow_green() {
    let mut p = Person::new();
    p.report(declaration(38.1, &["fever"]), morning(1)).unwrap();
    assert_eq!(p.colour(), Colour::Yellow);
    for day in 2..=7 {
        p.report(clock_in(36.6, &[]), morning(day)).unwrap();
        assert_eq!(p.colour(), Colour::Yellow, "still yellow on day {}", day - 1);
    }
    let t = p.report(clock_in(36.5, &[]), morning(8)).unwrap();
    assert_eq!(t.status.colour, Colour::Green);
    assert_eq!(t.changes[0].event, ChangeEvent::QuarantineCompleted);
    assert_eq!(t.changes[0].basis.rule_id(), Some("Q-COMPLETE"));
    assert!(matches!(t.changes[0].evidence[0], Evidence::Streak { days: 7, .. }));
}

#[test]
fn red_needs_fourteen_days() {
    let mut p = Person::new();
    p.report(declaration_with(&[], true), morning(1)).unwrap();
    for day in 2..=14 {
        p.report(clock_in(36.6, &[]), morning(day)).unwrap();
    }
    assert_eq!((p.colour(), p.streak()), (Colour::Red, Some(13)));
    p.report(clock_in(36.6, &[]), morning(15)).unwrap();
    assert_eq!(p.colour(), Colour::Green);
}

#[test]
fn missed_day_restarts_the_streak() {
    let mut p = Person::new();
    p.report(declaration(38.1, &[]), morning(1)).unwrap();
    for day in 2..=5 {
        p.report(clock_in(36.6, &[]), morning(day)).unwrap();
    }
    assert_eq!(p.streak(), Some(4));
    let q = p.status.as_ref().unwrap().quarantine.unwrap();
    assert!(!q.is_broken_on(jiff::civil::date(2026, 11, 6)));
    assert!(q.is_broken_on(jiff::civil::date(2026, 11, 7)));
    assert_eq!(q.streak_on(jiff::civil::date(2026, 11, 7)), 0);
    // Day 6 missed; the clock-in on day 7 starts a new streak as day 1.
    let t = p.report(clock_in(36.6, &[]), morning(7)).unwrap();
    assert_eq!(t.changes[0].event, ChangeEvent::StreakRestarted);
    assert_eq!(t.changes[0].basis.rule_id(), Some("Q-MISSED-DAY"));
    assert!(matches!(t.changes[0].evidence[0], Evidence::MissedDays { .. }));
    assert_eq!(p.streak(), Some(1));
    for day in 8..=13 {
        p.report(clock_in(36.6, &[]), morning(day)).unwrap();
    }
    assert_eq!(p.colour(), Colour::Green, "7 consecutive days after the restart");
}

#[test]
fn fever_on_day_six_restarts_the_streak() {
    let mut p = Person::new();
    p.report(declaration(36.6, &["cough"]), morning(1)).unwrap();
    for day in 2..=6 {
        p.report(clock_in(36.6, &[]), morning(day)).unwrap();
    }
    assert_eq!(p.streak(), Some(5));
    let t = p.report(clock_in(37.8, &[]), morning(7)).unwrap();
    assert_eq!(t.changes[0].event, ChangeEvent::StreakRestarted);
    assert_eq!(t.changes[0].basis.rule_id(), Some("Y-FEVER"));
    assert_eq!((p.colour(), p.streak()), (Colour::Yellow, Some(0)));
    for day in 8..=14 {
        p.report(clock_in(36.6, &[]), morning(day)).unwrap();
    }
    assert_eq!(p.colour(), Colour::Green);
}

#[test]
fn clock_ins_either_side_of_local_midnight_count_as_two_days() {
    let mut p = Person::new();
    p.report(declaration(38.0, &[]), morning(1)).unwrap();
    // 23:59 on the 2nd and 00:01 on the 3rd, Shanghai time (15:59 and 16:01 UTC on the 2nd).
    p.report(clock_in(36.6, &[]), at(2, 23, 59)).unwrap();
    p.report(clock_in(36.6, &[]), at(3, 0, 1)).unwrap();
    assert_eq!(p.streak(), Some(2));
}

#[test]
fn utc_midnight_does_not_split_a_local_day() {
    let mut p = Person::new();
    p.report(declaration(38.0, &[]), morning(1)).unwrap();
    // 07:00 and 09:00 Shanghai on the 2nd straddle 00:00 UTC: one local day.
    p.report(clock_in(36.6, &[]), at(2, 7, 0)).unwrap();
    let err = p.report(clock_in(36.6, &[]), at(2, 9, 0)).unwrap_err();
    assert_eq!(err.code(), "CLOCK_IN_ALREADY_TODAY");
}

#[test]
fn second_clock_in_the_same_day_is_refused_and_changes_nothing() {
    let mut p = Person::new();
    p.report(declaration(38.0, &[]), morning(1)).unwrap();
    p.report(clock_in(36.6, &[]), morning(2)).unwrap();
    let before = p.status.clone();
    assert!(p.report(clock_in(36.6, &[]), at(2, 20, 0)).is_err());
    assert_eq!(p.status, before);
    assert_eq!(p.streak(), Some(1));
}

#[test]
fn an_abnormal_second_report_the_same_day_is_accepted() {
    let mut p = Person::new();
    p.report(declaration(38.0, &[]), morning(1)).unwrap();
    p.report(clock_in(36.6, &[]), morning(2)).unwrap();
    let t = p.report(clock_in(38.2, &[]), at(2, 20, 0)).unwrap();
    assert_eq!(t.changes[0].event, ChangeEvent::StreakRestarted);
    assert_eq!(p.streak(), Some(0));
}

#[test]
fn clock_in_on_the_day_quarantine_began_is_refused() {
    let mut p = Person::new();
    p.report(declaration(38.0, &[]), morning(1)).unwrap();
    assert!(p.report(clock_in(36.6, &[]), at(1, 21, 0)).is_err());
}

#[test]
fn new_declarations_never_lower_a_colour() {
    let mut p = Person::new();
    p.report(declaration(38.0, &[]), morning(1)).unwrap();
    let t = p.report(declaration(36.6, &[]), morning(2)).unwrap();
    assert_eq!(t.status.colour, Colour::Yellow);
    assert!(t.changes.is_empty());
    assert_eq!(p.streak(), Some(1), "a normal declaration counts as that day's report");
}

#[test]
fn contact_while_yellow_escalates_to_red_with_a_fresh_fourteen_days() {
    let mut p = Person::new();
    p.report(declaration(38.0, &[]), morning(1)).unwrap();
    p.report(clock_in(36.6, &[]), morning(2)).unwrap();
    let t = p.report(declaration_with(&[], true), morning(3)).unwrap();
    assert_eq!(t.changes[0].event, ChangeEvent::ColourRaised);
    assert_eq!((t.changes[0].from, t.changes[0].to), (Some(Colour::Yellow), Colour::Red));
    let q = t.status.quarantine.unwrap();
    assert_eq!((q.required_days, q.streak), (14, 0));
}

#[test]
fn yellow_symptoms_while_red_keep_red_and_restart() {
    let mut p = Person::new();
    p.report(declaration_with(&[], true), morning(1)).unwrap();
    p.report(clock_in(36.6, &[]), morning(2)).unwrap();
    let t = p.report(clock_in(36.6, &["cough"]), morning(3)).unwrap();
    assert_eq!(t.status.colour, Colour::Red);
    assert_eq!(t.status.quarantine.unwrap().required_days, 14, "never shortened by a milder rule");
}

#[test]
fn green_resident_clocking_in_with_fever_turns_yellow() {
    let mut p = Person::new();
    p.report(declaration(36.6, &[]), morning(1)).unwrap();
    assert_eq!(p.colour(), Colour::Green);
    p.report(clock_in(36.7, &[]), morning(2)).unwrap();
    assert_eq!(p.colour(), Colour::Green);
    let t = p.report(clock_in(37.5, &[]), morning(3)).unwrap();
    assert_eq!(t.changes[0].event, ChangeEvent::ColourRaised);
    assert_eq!(p.colour(), Colour::Yellow);
}
