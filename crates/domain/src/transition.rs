//! How one health report moves a status: [`apply_report`]. Pure: the policy,
//! the current status, the report, the time and the time zone come in; the new
//! status and the change records to store go out.
//!
//! Rules of thumb the code below implements:
//! - a report can raise a colour or restart a streak, never lower a colour;
//! - the first normal report of a local day counts toward the streak; a
//!   second normal clock-in that day is refused, an abnormal one never is;
//! - a missed day restarts the streak (the late clock-in counts as day 1);
//! - reaching the required streak turns the code green.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::collections::BTreeSet;

use crate::colour::Colour;
use crate::dcc_rules::DccKind;
use crate::declaration::Report;
use crate::ids::{ReportId, ResidentId};
use crate::policy::{CaseKind, ColourPolicy, ContactKind, Facts};
use crate::status::{Actor, Basis, ChangeEvent, Evidence, HealthStatus, Quarantine, StatusChange};
use crate::values::RegionCode;

/// Standing facts about a person that do not come from their own report
/// (recorded by the health authority).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StandingFacts {
    pub case: Option<CaseKind>,
    pub contacts: BTreeSet<ContactKind>,
    pub false_declaration: bool,
    /// When the latest negative test's sample was taken, if any (for rules
    /// with `no_negative_test_within_hours`).
    pub latest_negative_test: Option<Timestamp>,
    /// The attached EU DCCs the acceptance rules accept, each with its
    /// window `[from, until)` (for policy exemptions).
    pub dcc_windows: Vec<(DccKind, Timestamp, Timestamp)>,
}

impl StandingFacts {
    /// The certificate types whose window holds `now`.
    pub fn accepted_dcc_at(&self, now: Timestamp) -> BTreeSet<DccKind> {
        self.dcc_windows.iter().filter(|(_, from, until)| *from <= now && now < *until).map(|(k, ..)| *k).collect()
    }
}

/// Everything [`apply_report`] needs besides the policy and current status.
#[derive(Debug, Clone)]
pub struct ReportContext<'a> {
    pub resident: ResidentId,
    pub report_id: ReportId,
    pub report: &'a Report,
    pub now: Timestamp,
    pub time_zone: &'a TimeZone,
    pub standing: &'a StandingFacts,
    /// Risk areas currently marked by the authority (added to the policy's).
    pub risk_areas: &'a [RegionCode],
}

/// The result of applying a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub status: HealthStatus,
    pub changes: Vec<StatusChange>,
    /// Whether the report counted toward a quarantine streak.
    pub counted: bool,
}

/// A report that must not be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReportRejected {
    #[error("a normal clock-in was already recorded today (local date {0})")]
    AlreadyReportedToday(Date),
}

impl ReportRejected {
    pub fn code(&self) -> &'static str {
        match self {
            ReportRejected::AlreadyReportedToday(_) => "CLOCK_IN_ALREADY_TODAY",
        }
    }
}

/// The local calendar date of an instant in the deployment's time zone.
pub fn local_date(now: Timestamp, tz: &TimeZone) -> Date {
    now.to_zoned(tz.clone()).date()
}

/// A one-line human summary of a report, kept as evidence.
pub fn summarise(report: &Report) -> String {
    let mut parts = Vec::new();
    if let Some(t) = report.temperature() {
        parts.push(format!("temperature {t}"));
    }
    let symptoms = report.symptoms();
    parts.push(if symptoms.is_empty() { "no symptoms".to_string() } else { format!("symptoms: {symptoms}") });
    if let Report::Declaration(d) = report {
        if !d.visited_regions.is_empty() {
            let regions: Vec<&str> = d.visited_regions.iter().map(RegionCode::as_str).collect();
            parts.push(format!("visited: {}", regions.join(", ")));
        }
        if d.contact_with_case {
            parts.push("declared contact with a case".to_string());
        }
    }
    format!("{}: {}", report.kind().as_str(), parts.join("; "))
}

fn facts(policy: &ColourPolicy, ctx: &ReportContext<'_>) -> Facts {
    let mut contacts = ctx.standing.contacts.clone();
    let mut visited_risk_region = false;
    if let Report::Declaration(d) = ctx.report {
        if d.contact_with_case {
            contacts.insert(ContactKind::Declared);
        }
        visited_risk_region = policy.any_risk_region(&d.visited_regions, ctx.risk_areas);
    }
    Facts {
        case: ctx.standing.case,
        contacts,
        false_declaration: ctx.standing.false_declaration,
        symptoms: ctx.report.symptoms(),
        temperature: ctx.report.temperature(),
        visited_risk_region,
        report: Some(ctx.report.kind()),
        negative_test_age: ctx.standing.latest_negative_test.map(|t| ctx.now.duration_since(t)),
        accepted_dcc: ctx.standing.accepted_dcc_at(ctx.now),
    }
}

/// Applies one report to the current status (None before the first report).
pub fn apply_report(
    policy: &ColourPolicy,
    current: Option<&HealthStatus>,
    ctx: &ReportContext<'_>,
) -> Result<Transition, ReportRejected> {
    let today = local_date(ctx.now, ctx.time_zone);
    let assessment = policy.evaluate(&facts(policy, ctx));
    let report_evidence = Evidence::Report { report_id: ctx.report_id, summary: summarise(ctx.report) };
    let change = |event, from, to, basis: Basis, evidence| StatusChange {
        resident: ctx.resident,
        at: ctx.now,
        event,
        from,
        to,
        basis,
        evidence,
        actor: Actor::Resident(ctx.resident),
    };
    let rule_basis =
        |rule_id: &str| Basis::Rule { rule_id: rule_id.to_string(), policy_version: policy.version.clone() };

    let Some(cur) = current else {
        let (colour, basis, quarantine) = match assessment.rule {
            Some(rule) => {
                (rule.colour, rule_basis(&rule.id), Some(Quarantine::new(policy.quarantine_days(rule), today)))
            }
            // Green because an exemption waived the rule that would have matched: it is named.
            None => match assessment.exempted_by {
                Some(exemption) => (Colour::Green, rule_basis(&exemption.id), None),
                None => (Colour::Green, Basis::NoRuleMatched { policy_version: policy.version.clone() }, None),
            },
        };
        let status = HealthStatus {
            resident: ctx.resident,
            colour,
            since: ctx.now,
            basis: basis.clone(),
            quarantine,
            last_report_on: Some(today),
            version: 0,
        };
        let first = change(ChangeEvent::Initial, None, colour, basis, vec![report_evidence]);
        return Ok(Transition { status, changes: vec![first], counted: false });
    };

    let already_today = cur.last_report_on.is_some_and(|d| d >= today);
    let mut status = cur.clone();
    status.last_report_on = Some(cur.last_report_on.map_or(today, |d| d.max(today)));
    let mut changes = Vec::new();
    let mut counted = false;

    if let Some(rule) = assessment.rule {
        // Abnormal report: raise the colour, or restart the streak.
        let days = policy.quarantine_days(rule);
        if rule.colour > cur.colour {
            status.colour = rule.colour;
            status.since = ctx.now;
            status.basis = rule_basis(&rule.id);
            let required = cur.quarantine.map_or(days, |q| q.required_days.max(days));
            status.quarantine = Some(Quarantine::new(required, today));
            changes.push(change(
                ChangeEvent::ColourRaised,
                Some(cur.colour),
                rule.colour,
                rule_basis(&rule.id),
                vec![report_evidence],
            ));
        } else {
            let required = cur.quarantine.map_or(days, |q| q.required_days.max(days));
            status.quarantine = Some(Quarantine::new(required, today));
            changes.push(change(
                ChangeEvent::StreakRestarted,
                Some(cur.colour),
                cur.colour,
                rule_basis(&rule.id),
                vec![report_evidence],
            ));
        }
        return Ok(Transition { status, changes, counted });
    }

    if already_today {
        if matches!(ctx.report, Report::ClockIn(_)) {
            return Err(ReportRejected::AlreadyReportedToday(today));
        }
        return Ok(Transition { status, changes, counted });
    }

    if let Some(mut q) = cur.quarantine {
        if q.is_broken_on(today) {
            let missed_from = q.next_due();
            let missed_to = today.yesterday().unwrap_or(today);
            q = Quarantine { required_days: q.required_days, streak: 0, started_on: missed_to, last_counted_on: None };
            changes.push(change(
                ChangeEvent::StreakRestarted,
                Some(cur.colour),
                cur.colour,
                rule_basis(&policy.quarantine.missed_day_rule),
                vec![Evidence::MissedDays { from: missed_from, to: missed_to }, report_evidence.clone()],
            ));
        }
        q.streak = q.streak.saturating_add(1);
        q.last_counted_on = Some(today);
        counted = true;
        // A recorded case is released by the authority, not by clock-ins.
        if q.streak >= q.required_days && ctx.standing.case.is_none() {
            let from = q.started_on.tomorrow().unwrap_or(q.started_on);
            status.colour = Colour::Green;
            status.since = ctx.now;
            status.basis = rule_basis(&policy.quarantine.completion_rule);
            status.quarantine = None;
            changes.push(change(
                ChangeEvent::QuarantineCompleted,
                Some(cur.colour),
                Colour::Green,
                rule_basis(&policy.quarantine.completion_rule),
                vec![Evidence::Streak { days: q.streak, from, to: today }, report_evidence],
            ));
        } else {
            status.quarantine = Some(q);
        }
    }
    Ok(Transition { status, changes, counted })
}

/// Applies what the authority found (a case, a contact) to a status: the
/// colour rises by rule, or the streak restarts when the colour already is
/// that high. `None` when nothing changes (the person is already worse off).
#[allow(clippy::too_many_arguments)]
pub fn apply_finding(
    policy: &ColourPolicy,
    current: Option<&HealthStatus>,
    resident: ResidentId,
    standing: &StandingFacts,
    now: Timestamp,
    time_zone: &TimeZone,
    evidence: Vec<Evidence>,
    actor: Actor,
) -> Option<Transition> {
    let today = local_date(now, time_zone);
    let facts = Facts {
        case: standing.case,
        contacts: standing.contacts.clone(),
        false_declaration: standing.false_declaration,
        negative_test_age: standing.latest_negative_test.map(|t| now.duration_since(t)),
        ..Facts::default()
    };
    let rule = policy.evaluate(&facts).rule?;
    let basis = Basis::Rule { rule_id: rule.id.clone(), policy_version: policy.version.clone() };
    let days = policy.quarantine_days(rule);
    let change = |event, from| StatusChange {
        resident,
        at: now,
        event,
        from,
        to: rule.colour,
        basis: basis.clone(),
        evidence: evidence.clone(),
        actor: actor.clone(),
    };
    match current {
        None => Some(Transition {
            status: HealthStatus {
                resident,
                colour: rule.colour,
                since: now,
                basis: basis.clone(),
                quarantine: Some(Quarantine::new(days, today)),
                last_report_on: None,
                version: 0,
            },
            changes: vec![change(ChangeEvent::Initial, None)],
            counted: false,
        }),
        Some(cur) if rule.colour > cur.colour => {
            let mut status = cur.clone();
            status.colour = rule.colour;
            status.since = now;
            status.basis = basis.clone();
            let required = cur.quarantine.map_or(days, |q| q.required_days.max(days));
            status.quarantine = Some(Quarantine::new(required, today));
            Some(Transition {
                status,
                changes: vec![change(ChangeEvent::ColourRaised, Some(cur.colour))],
                counted: false,
            })
        }
        Some(cur) if rule.colour == cur.colour => {
            let mut status = cur.clone();
            let required = cur.quarantine.map_or(days, |q| q.required_days.max(days));
            status.quarantine = Some(Quarantine::new(required, today));
            let mut c = change(ChangeEvent::StreakRestarted, Some(cur.colour));
            c.to = cur.colour;
            Some(Transition { status, changes: vec![c], counted: false })
        }
        Some(_) => None,
    }
}
