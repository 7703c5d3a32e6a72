//! The wire form of a resident's status, shared by `/me/status`, the
//! declaration and clock-in responses, and the pages.

use healthcode_domain::{Evidence, HealthStatus, StatusChange, local_date};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;
use crate::web::i18n::Lang;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reason {
    /// Rule id, e.g. `Y-FEVER`; absent when no rule matched.
    pub rule_id: Option<String>,
    pub policy_version: String,
    /// The rule's description in the request's language.
    pub text: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuarantineView {
    pub required_days: u16,
    /// Counted consecutive normal clock-ins (0 once a day was missed).
    pub streak: u16,
    pub remaining_days: u16,
    /// Local date of the next clock-in that counts.
    pub next_due: String,
    /// True when a day was missed and the streak restarts with the next clock-in.
    pub broken: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub at: String,
    /// `initial`, `colour_raised`, `streak_restarted` or `quarantine_completed`.
    pub event: String,
    pub from: Option<String>,
    pub to: String,
    pub reason: Reason,
    /// Human summaries of the evidence.
    pub evidence: Vec<String>,
    /// `resident`, `system` or `staff:<name>`.
    pub actor: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusResponse {
    pub resident_id: String,
    /// `green`, `yellow` or `red`.
    pub colour: String,
    pub since: String,
    pub reason: Reason,
    pub quarantine: Option<QuarantineView>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
    /// Increases by one with every recorded report: a client can tell whether
    /// anything changed since it last looked.
    pub version: i64,
}

pub fn reason(state: &AppState, basis: &healthcode_domain::Basis, lang: Lang) -> Reason {
    let policy = &state.config.policy;
    let rule_id = basis.rule_id().map(str::to_string);
    if let healthcode_domain::Basis::Override { reason_code, policy_version } = basis {
        return Reason {
            rule_id: Some(format!("OVERRIDE:{reason_code}")),
            policy_version: policy_version.clone(),
            text: lang.tf("override.reason", &[("code", reason_code)]),
        };
    }
    let text = match basis.rule_id() {
        None => lang.t("code.no_rule").to_string(),
        Some(id) if id == policy.quarantine.completion_rule => {
            policy.quarantine.completion_description.get(lang.key()).to_string()
        }
        Some(id) if id == policy.quarantine.missed_day_rule => {
            policy.quarantine.missed_day_description.get(lang.key()).to_string()
        }
        Some(id) => match (policy.rule(id), policy.exemption(id)) {
            (Some(r), _) => r.description.get(lang.key()).to_string(),
            (None, Some(e)) => e.description.get(lang.key()).to_string(),
            (None, None) => id.to_string(),
        },
    };
    Reason { rule_id, policy_version: basis.policy_version().to_string(), text }
}

/// Evidence in the reader's language: one catalogue message per kind, the
/// values placed where each language's grammar wants them.
fn evidence_text(e: &Evidence, lang: Lang) -> String {
    match e {
        Evidence::Report { summary, .. } => summary.clone(),
        Evidence::MissedDays { from, to } => {
            lang.tf("evidence.missed_days", &[("from", &from.to_string()), ("to", &to.to_string())])
        }
        Evidence::Streak { days, from, to } => {
            lang.tf("evidence.streak", &[("days", days), ("from", &from.to_string()), ("to", &to.to_string())])
        }
        Evidence::Case { case_kind, .. } => {
            let kind = lang.t_opt(&format!("case.{case_kind}")).unwrap_or(case_kind);
            lang.tf("evidence.case", &[("kind", &kind)])
        }
        Evidence::Override { basis, requested_by, approved_by, .. } => lang
            .tf("evidence.override", &[("basis", basis), ("requested_by", requested_by), ("approved_by", approved_by)]),
        Evidence::Appeal { answer, .. } => lang.tf("evidence.appeal", &[("answer", answer)]),
        Evidence::TestResult { test_kind, outcome, sampled_at, lab, .. } => {
            let test = lang.t_opt(&format!("lab.test.{test_kind}")).unwrap_or(test_kind);
            let outcome = lang.t_opt(&format!("evidence.outcome.{outcome}")).unwrap_or(outcome);
            lang.tf(
                "evidence.test_result",
                &[("test", &test), ("outcome", &outcome), ("sampled", &sampled_at.to_string()), ("lab", lab)],
            )
        }
        Evidence::FalseDeclaration { evidence, requested_by, approved_by, .. } => lang.tf(
            "evidence.false_declaration",
            &[("evidence", evidence), ("requested_by", requested_by), ("approved_by", approved_by)],
        ),
        // The case is never named to the contact: only the place and the time.
        Evidence::SharedStay { from, to, minutes, contact, .. } => {
            let (from, to) = (from.to_string(), to.to_string());
            match contact.as_str() {
                "close" => lang.tf("evidence.shared_stay_close", &[("minutes", minutes), ("from", &from), ("to", &to)]),
                "secondary" => {
                    lang.tf("evidence.shared_stay_secondary", &[("minutes", minutes), ("from", &from), ("to", &to)])
                }
                _ => lang.tf(
                    "evidence.shared_stay",
                    &[("contact", contact), ("minutes", minutes), ("from", &from), ("to", &to)],
                ),
            }
        }
    }
}

pub fn history_entry(state: &AppState, c: &StatusChange, lang: Lang) -> HistoryEntry {
    HistoryEntry {
        at: c.at.to_string(),
        event: c.event.as_str().to_string(),
        from: c.from.map(|f| f.as_str().to_string()),
        to: c.to.as_str().to_string(),
        reason: reason(state, &c.basis, lang),
        evidence: c.evidence.iter().map(|e| evidence_text(e, lang)).collect(),
        actor: match &c.actor {
            healthcode_domain::Actor::Resident(_) => "resident".into(),
            healthcode_domain::Actor::System => "system".into(),
            healthcode_domain::Actor::Staff(name) => format!("staff:{name}"),
        },
    }
}

pub fn status_response(state: &AppState, s: &HealthStatus, history: &[StatusChange], lang: Lang) -> StatusResponse {
    let today = local_date(state.clock.now(), &state.config.time_zone);
    StatusResponse {
        resident_id: s.resident.to_string(),
        colour: s.colour.as_str().to_string(),
        since: s.since.to_string(),
        reason: reason(state, &s.basis, lang),
        quarantine: s.quarantine.map(|q| {
            let streak = q.streak_on(today);
            QuarantineView {
                required_days: q.required_days,
                streak,
                remaining_days: q.required_days.saturating_sub(streak),
                next_due: if q.is_broken_on(today) { today.to_string() } else { q.next_due().to_string() },
                broken: q.is_broken_on(today),
            }
        }),
        history: history.iter().map(|c| history_entry(state, c, lang)).collect(),
        version: s.version,
    }
}
