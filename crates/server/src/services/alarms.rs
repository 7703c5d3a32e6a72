//! The anomaly alarm. Right after a manual status change commits (an
//! approved override, from `services::overrides`; an upheld appeal may call
//! it the same way) [`check_after_manual_change`] looks for the signs of
//! Zhengzhou 2022, where codes were turned red in bulk with no health basis:
//!
//! - `MANUAL_CHANGES_BURST`: at least `alarm_manual_changes_per_hour` manual
//!   changes in the last hour across everyone, or at least
//!   `alarm_manual_changes_per_approver_per_hour` by one approver (named).
//!   At most one unacknowledged alarm of this kind per hour, so a burst does
//!   not bury the authority in alarms.
//! - `RED_WITHOUT_CASE_OR_PRESENCE`: the change turned someone red whose
//!   record holds no basis for red ([`recorded_basis`], the rules in
//!   `healthcode_domain::basis`): no case, no tracing link to a case in the
//!   last 14 days, no presence in a marked risk area while it was marked. A
//!   visit to an ordinary venue is no basis (in 2022, 871 of the 1,317 had
//!   only scanned a venue code). The alarm names the person by their
//!   pseudonymous id only; at most one open alarm per person per hour.
//!
//! Raising an alarm stores it and writes `alarm.raised` to the audit log.
//! The authority or a supervisor acknowledges it with a note (audited too).

use healthcode_domain::basis::BASIS_WINDOW;
use healthcode_domain::{
    Actor, BasisFacts, Colour, Presence, RedBasis, RegionCode, Report, ResidentId, RiskWindow, Role, StatusChange,
    VenueId, red_basis,
};
use healthcode_store::{Alarm, AlarmKind, AuditAction, AuditActor, MANUAL_CHANGE_EVENTS, StoreError};
use jiff::{SignedDuration, Timestamp};
use std::collections::{HashMap, HashSet};

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::audit;
use crate::state::AppState;

/// The window the burst is counted in, and in which an open alarm of the
/// same kind silences a new one.
pub const BURST_WINDOW: SignedDuration = SignedDuration::from_hours(1);
/// The subject of a city-wide burst.
pub const EVERYONE: &str = "all";
/// How many alarms the list shows.
const LIST_LIMIT: u32 = 500;
/// How much of a person's history is searched for case evidence.
const HISTORY_LIMIT: u32 = 1_000;
/// How many of a person's latest visits and reports are read for presence
/// in a risk area (14 days of a busy commuter's scans fit).
const VISIT_LIMIT: u32 = 200;
const REPORT_LIMIT: u32 = 60;

fn actor_text(actor: &Actor) -> String {
    match actor {
        Actor::Staff(name) => format!("staff:{name}"),
        Actor::System => "system".into(),
        Actor::Resident(id) => format!("resident:{id}"),
    }
}

fn ago(now: Timestamp, d: SignedDuration) -> Timestamp {
    now.checked_sub(d).unwrap_or(Timestamp::MIN)
}

/// Runs the checks after a manual status change was committed; returns the
/// alarms it raised. Changes that are not manual raise nothing.
pub async fn check_after_manual_change(state: &AppState, change: &StatusChange) -> Result<Vec<Alarm>, ApiError> {
    if !MANUAL_CHANGE_EVENTS.contains(&change.event.as_str()) {
        return Ok(Vec::new());
    }
    let now = state.clock.now();
    let mut raised = Vec::new();
    if let Some(a) = burst(state, change, now).await? {
        raised.push(a);
    }
    if let Some(a) = red_without_case_or_presence(state, change, now).await? {
        raised.push(a);
    }
    Ok(raised)
}

async fn burst(state: &AppState, change: &StatusChange, now: Timestamp) -> Result<Option<Alarm>, ApiError> {
    let since = ago(now, BURST_WINDOW);
    let kind = AlarmKind::ManualChangesBurst;
    if state.store.open_alarm_since(kind, None, since).await?.is_some() {
        return Ok(None);
    }
    let everyone = state.store.manual_changes_since(since, None).await?;
    let limit = u64::from(state.config.alarm_manual_changes_per_hour);
    if everyone >= limit {
        let detail = format!("{everyone} manual status changes in the last hour (threshold {limit})");
        return raise(state, kind, EVERYONE.into(), detail, now).await.map(Some);
    }
    if let Actor::Staff(name) = &change.actor {
        let theirs = state.store.manual_changes_since(since, Some(&change.actor)).await?;
        let limit = u64::from(state.config.alarm_manual_changes_per_approver_per_hour);
        if theirs >= limit {
            let detail = format!("{name} approved {theirs} manual status changes in the last hour (threshold {limit})");
            return raise(state, kind, format!("staff:{name}"), detail, now).await.map(Some);
        }
    }
    Ok(None)
}

async fn red_without_case_or_presence(
    state: &AppState,
    change: &StatusChange,
    now: Timestamp,
) -> Result<Option<Alarm>, ApiError> {
    if change.to != Colour::Red {
        return Ok(None);
    }
    let person = change.resident;
    if let Some(basis) = recorded_basis(state, person, now).await? {
        tracing::debug!(basis = basis.as_str(), "red change has a recorded basis");
        return Ok(None);
    }
    let kind = AlarmKind::RedWithoutCaseOrPresence;
    let subject = person.to_string();
    if state.store.open_alarm_since(kind, Some(&subject), ago(now, BURST_WINDOW)).await?.is_some() {
        return Ok(None);
    }
    let detail = format!(
        "resident {subject} turned red by {} ({}) with no recorded basis: no case, no tracing link to a case \
         in the last 14 days, no presence in a marked risk area while it was marked (visits to ordinary venues \
         are no basis)",
        change.event.as_str(),
        actor_text(&change.actor),
    );
    raise(state, kind, subject, detail, now).await.map(Some)
}

/// Gathers what the record says about a person and asks the domain whether
/// it holds a basis for red ([`healthcode_domain::red_basis`]): a case, a
/// tracing link, presence in a marked risk area during its period (visits at
/// venues there, declarations naming it). A positive test result, once
/// recorded, is one more fact gathered here.
pub async fn recorded_basis(
    state: &AppState,
    person: ResidentId,
    now: Timestamp,
) -> Result<Option<RedBasis>, ApiError> {
    let case_recorded = state.store.case_of(person).await?.is_some();
    let history = if case_recorded { Vec::new() } else { state.store.status_history(person, HISTORY_LIMIT).await? };
    let since = ago(now, BASIS_WINDOW);
    let mut presence = Vec::new();
    // Newest first: stop at the first that ended before the window. Their
    // venues are read in one go.
    let visits: Vec<_> = state
        .store
        .resident_visits(person, VISIT_LIMIT)
        .await?
        .into_iter()
        .take_while(|visit| visit.effective_end() >= since)
        .collect();
    let venue_ids: Vec<VenueId> = visits.iter().map(|v| v.venue).collect();
    let venues: HashMap<VenueId, Vec<RegionCode>> = crate::services::venues::by_id(state, venue_ids)
        .await?
        .into_iter()
        .map(|(id, v)| {
            let mut r = vec![v.profile.province.clone()];
            r.extend(RegionCode::parse(v.profile.district.as_str()).ok());
            (id, r)
        })
        .collect();
    for visit in visits {
        let regions = venues.get(&visit.venue).cloned().ok_or(ApiError::from(StoreError::NotFound))?;
        presence.push(Presence { regions, from: visit.entered_at, until: visit.effective_end() });
    }
    // A report places the person, when filed, in their declared district of
    // residence; a declaration also where they said they had been (as the
    // colour policy reads it: against the risk areas in force when filed).
    let home = state.store.resident(person).await?.identity.and_then(|i| RegionCode::parse(i.district.as_str()).ok());
    for report in state.store.reports(person, REPORT_LIMIT).await? {
        if report.at < since {
            break;
        }
        let mut regions: Vec<RegionCode> = home.iter().cloned().collect();
        if let Report::Declaration(d) = &report.report {
            regions.extend(d.visited_regions.iter().cloned());
        }
        if !regions.is_empty() {
            presence.push(Presence { regions, from: report.at, until: report.at });
        }
    }
    // The risk areas in force at each instant a presence begins or ends.
    let mut instants: Vec<Timestamp> = presence.iter().flat_map(|p| [p.from, p.until]).collect();
    instants.sort_unstable();
    instants.dedup();
    let mut risk_areas: Vec<RiskWindow> = Vec::new();
    let mut seen = HashSet::new();
    for at in instants {
        for area in state.store.risk_areas_at(at).await? {
            if seen.insert(area.id) {
                risk_areas.push(RiskWindow { code: area.code, from: area.from, until: area.until });
            }
        }
    }
    // lab: a positive test result is a basis too.
    let latest_positive_test = state.store.latest_sample(person, healthcode_domain::TestOutcome::Positive, now).await?;
    let facts = BasisFacts {
        now,
        case_recorded,
        history: &history,
        presence: &presence,
        risk_areas: &risk_areas,
        latest_positive_test,
    };
    Ok(red_basis(&facts))
}

async fn raise(
    state: &AppState,
    kind: AlarmKind,
    subject: String,
    detail: String,
    now: Timestamp,
) -> Result<Alarm, ApiError> {
    let alarm =
        Alarm { id: new_uuid_v7(now), at: now, kind, subject, detail, acknowledged_by: None, acknowledged_at: None };
    state.store.raise_alarm(&alarm).await?;
    let audited = format!("{} {}: {}", kind.as_str(), alarm.subject, alarm.detail);
    audit::record(state, AuditActor::System, AuditAction::AlarmRaised, &alarm.id.to_string(), &audited).await?;
    tracing::warn!(kind = kind.as_str(), subject = %alarm.subject, "alarm raised");
    Ok(alarm)
}

/// Every alarm, open ones first, newest first.
pub async fn list(state: &AppState) -> Result<Vec<Alarm>, ApiError> {
    Ok(state.store.alarms(LIST_LIMIT).await?)
}

fn not_found() -> ApiError {
    ApiError::new(ErrorKind::NotFound, "ALARM_NOT_FOUND", "no such alarm")
}

fn already() -> ApiError {
    ApiError::new(ErrorKind::Conflict, "ALARM_ALREADY_ACKNOWLEDGED", "this alarm was already acknowledged")
}

/// Parses an alarm id from a path; anything else is the same 404 as a missing alarm.
pub fn parse_id(id: &str) -> Result<uuid::Uuid, ApiError> {
    id.parse().map_err(|_| not_found())
}

/// A staff member acknowledges an alarm, saying what they checked or did.
/// Once only; the note goes to the audit log.
pub async fn acknowledge(
    state: &AppState,
    role: Role,
    name: &str,
    id: uuid::Uuid,
    note: &str,
) -> Result<Alarm, ApiError> {
    let note = note.trim();
    if !(3..=1000).contains(&note.chars().count()) {
        return Err(ApiError::bad_input("ALARM_NOTE_REQUIRED", "say what was checked or done in 3 to 1000 characters"));
    }
    let alarm = state.store.alarm(id).await.map_err(|e| match e {
        StoreError::NotFound => not_found(),
        e => e.into(),
    })?;
    if alarm.acknowledged_at.is_some() {
        return Err(already());
    }
    let by = format!("{}:{name}", role.as_str());
    state.store.acknowledge_alarm(id, &by, state.clock.now()).await.map_err(|e| match e {
        StoreError::NotFound => not_found(),
        StoreError::Conflict(_) => already(),
        e => e.into(),
    })?;
    let actor = AuditActor::Staff { role, name: name.to_string() };
    audit::record(state, actor, AuditAction::AlarmAcknowledged, &id.to_string(), note).await?;
    Ok(state.store.alarm(id).await?)
}
