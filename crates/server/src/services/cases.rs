//! Cases and contact tracing: record a case (its colour turns by rule),
//! trace who shared a place with it, apply the trace (colours change with the
//! shared stays as evidence, people get notices, the places are published).

use healthcode_domain::exposure::{self, ExposureRules, in_window};
use healthcode_domain::policy::{CaseKind, ContactKind};
use healthcode_domain::{
    Actor, Case, CaseId, Evidence, ResidentId, SharedStay, StandingFacts, TraceContact, VenueId, Visit, apply_finding,
};
use healthcode_store::{ExposureSite, Notice, StoreError};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::state::AppState;

/// Visits are at most this long (the longest maximum stay), which bounds
/// how far back a visit overlapping a case's stay can have begun.
const LONGEST_STAY: SignedDuration = SignedDuration::from_hours(24);
const MAX_ATTEMPTS: usize = 5;

#[derive(Debug, Clone)]
pub struct TraceReport {
    pub case: Case,
    pub window: (Timestamp, Timestamp),
    pub case_visits: Vec<Visit>,
    pub close: Vec<TraceContact>,
    pub secondary: Vec<TraceContact>,
}

pub async fn find(state: &AppState, id: CaseId) -> Result<Case, ApiError> {
    match state.store.case(id).await {
        Ok(c) => Ok(c),
        Err(StoreError::NotFound) => Err(ApiError::new(ErrorKind::NotFound, "CASE_NOT_FOUND", "no such case")),
        Err(e) => Err(e.into()),
    }
}

/// The standing facts the authority has recorded about a person.
pub async fn standing_of(state: &AppState, resident: ResidentId) -> Result<StandingFacts, ApiError> {
    Ok(match state.store.case_of(resident).await? {
        Some(case) => StandingFacts { case: Some(case.kind), ..StandingFacts::default() },
        None => StandingFacts::default(),
    })
}

/// Applies an authority finding to one person, retrying lost races.
async fn apply_to(
    state: &AppState,
    resident: ResidentId,
    standing: &StandingFacts,
    evidence: Vec<Evidence>,
    by: &str,
) -> Result<bool, ApiError> {
    for _ in 0..MAX_ATTEMPTS {
        let now = state.clock.now();
        let current = state.store.status(resident).await?;
        let Some(t) = apply_finding(
            &state.config.policy,
            current.as_ref(),
            resident,
            standing,
            now,
            &state.config.time_zone,
            evidence.clone(),
            Actor::Staff(by.to_string()),
        ) else {
            return Ok(false);
        };
        match state.store.commit_status(current.as_ref().map(|s| s.version), &t.status, &t.changes).await {
            Ok(_) => return Ok(true),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(ErrorKind::Conflict, "STATUS_CHANGED_CONCURRENTLY", "the status kept changing; retry"))
}

async fn notify(
    state: &AppState,
    resident: ResidentId,
    case: CaseId,
    kind: &str,
    message: &str,
) -> Result<(), ApiError> {
    let now = state.clock.now();
    let notice = Notice { id: new_uuid_v7(now), resident, at: now, case, kind: kind.into(), message: message.into() };
    state.store.push_notice(&notice).await?;
    Ok(())
}

/// Records a case; the person's colour turns by rule at once.
pub async fn record(
    state: &AppState,
    resident: ResidentId,
    kind: CaseKind,
    onset: Date,
    isolated_on: Option<Date>,
    by: &str,
) -> Result<Case, ApiError> {
    state.store.resident(resident).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::new(ErrorKind::NotFound, "RESIDENT_NOT_FOUND", "no such resident"),
        e => e.into(),
    })?;
    if isolated_on.is_some_and(|d| d < onset.checked_sub(jiff::Span::new().days(2)).unwrap_or(onset)) {
        return Err(ApiError::bad_input("ISOLATION_BEFORE_WINDOW", "isolation date is before the exposure window"));
    }
    let now = state.clock.now();
    let case = Case {
        id: CaseId::from_uuid(new_uuid_v7(now)),
        resident,
        kind,
        onset,
        isolated_on,
        recorded_by: by.to_string(),
        recorded_at: now,
        applied_at: None,
    };
    state.store.create_case(&case).await?;
    let standing = StandingFacts { case: Some(kind), ..StandingFacts::default() };
    let evidence = vec![Evidence::Case { case: case.id, case_kind: kind.as_str().into() }];
    apply_to(state, resident, &standing, evidence, by).await?;
    notify(
        state,
        resident,
        case.id,
        "case",
        "You are recorded as a case: stay isolated and follow the health authority's instructions.",
    )
    .await?;
    crate::services::audit::record(
        state,
        &format!("authority:{by}"),
        "case.recorded",
        &case.id.to_string(),
        kind.as_str(),
    )
    .await?;
    tracing::info!(case = %case.id, "case recorded");
    Ok(case)
}

fn start_of(date: Date, state: &AppState) -> Timestamp {
    date.to_zoned(state.config.time_zone.clone()).map(|z| z.timestamp()).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Visits at each venue over the whole trace window, fetched once per venue:
/// a busy venue appears in many stays of the case and its contacts.
struct VenueVisits {
    range: (Timestamp, Timestamp),
    by_venue: HashMap<VenueId, Vec<Visit>>,
}

impl VenueVisits {
    fn new(window: (Timestamp, Timestamp), rules: &ExposureRules) -> Self {
        let from = window.0.checked_sub(LONGEST_STAY).unwrap_or(window.0);
        let to = window.1.checked_add(rules.buffer_after).unwrap_or(Timestamp::MAX);
        Self { range: (from, to), by_venue: HashMap::new() }
    }

    /// Every visit at the venues of `sources` that could overlap them.
    async fn candidates_for(&mut self, state: &AppState, sources: &[Visit]) -> Result<Vec<Visit>, ApiError> {
        let venues: BTreeSet<VenueId> = sources.iter().map(|v| v.venue).collect();
        let mut out = Vec::new();
        for venue in venues {
            if let Entry::Vacant(slot) = self.by_venue.entry(venue) {
                slot.insert(state.store.venue_visits(venue, self.range.0, self.range.1, u32::MAX).await?);
            }
            out.extend(self.by_venue.get(&venue).into_iter().flatten().cloned());
        }
        Ok(out)
    }
}

async fn visits_in(
    state: &AppState,
    resident: ResidentId,
    window: (Timestamp, Timestamp),
) -> Result<Vec<Visit>, ApiError> {
    let mut visits = state.store.resident_visits(resident, 1000).await?;
    visits.retain(|v| in_window(v, window));
    visits.sort_by_key(|v| (v.entered_at, v.id));
    Ok(visits)
}

/// Who shared a place with the case (close), and with those (secondary).
pub async fn trace(state: &AppState, id: CaseId) -> Result<TraceReport, ApiError> {
    trace_case(state, find(state, id).await?).await
}

/// Traces a case record (stored or not: benchmarks trace hypothetical cases).
pub async fn trace_case(state: &AppState, case: Case) -> Result<TraceReport, ApiError> {
    let rules = ExposureRules::default();
    let now = state.clock.now();
    let isolated = case.isolated_on.map(|d| start_of(d, state));
    let window = exposure::window(start_of(case.onset, state), isolated, now, &rules);
    let case_visits = visits_in(state, case.resident, window).await?;
    let mut venues = VenueVisits::new(window, &rules);
    let close =
        exposure::contacts(&case_visits, &venues.candidates_for(state, &case_visits).await?, &BTreeSet::new(), &rules);

    let mut exclude: BTreeSet<ResidentId> = close.iter().map(|c| c.resident).collect();
    exclude.insert(case.resident);
    let mut close_visits = Vec::new();
    for c in &close {
        // From the first shared stay on: before it they could not have carried it.
        let first = c.shared.iter().map(|s| s.overlap_start).min().unwrap_or(window.0);
        close_visits.extend(visits_in(state, c.resident, (first, window.1)).await?);
    }
    let secondary =
        exposure::contacts(&close_visits, &venues.candidates_for(state, &close_visits).await?, &exclude, &rules);
    Ok(TraceReport { case, window, case_visits, close, secondary })
}

fn stays_as_evidence(case: CaseId, shared: &[SharedStay], contact: &str) -> Vec<Evidence> {
    shared
        .iter()
        .map(|s| Evidence::SharedStay {
            case,
            venue: s.venue,
            from: s.overlap_start,
            to: s.overlap_end,
            minutes: s.minutes(),
            contact: contact.into(),
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplyReport {
    pub close: usize,
    pub secondary: usize,
    /// Statuses that actually changed (people already worse off are unchanged).
    pub changed: usize,
    pub sites: usize,
}

/// Applies a trace: colours by rule with the shared stays as evidence,
/// notices, and the exposure sites made public.
pub async fn apply(state: &AppState, id: CaseId, by: &str) -> Result<ApplyReport, ApiError> {
    let report = trace(state, id).await?;
    let rules = ExposureRules::default();
    let mut changed = 0;
    for (list, kind, label, message) in [
        (
            &report.close,
            ContactKind::Close,
            "close",
            "You were at a place at the same time as a case. Stay home, declare your health daily and follow the instructions on your code page.",
        ),
        (
            &report.secondary,
            ContactKind::Secondary,
            "secondary",
            "You were at a place with a close contact of a case. Watch your health and clock in daily.",
        ),
    ] {
        for contact in list {
            let standing = StandingFacts { contacts: [kind].into_iter().collect(), ..StandingFacts::default() };
            let evidence = stays_as_evidence(id, &contact.shared, label);
            if apply_to(state, contact.resident, &standing, evidence, by).await? {
                changed += 1;
            }
            notify(state, contact.resident, id, label, message).await?;
        }
    }
    let sites: Vec<ExposureSite> = report
        .case_visits
        .iter()
        .map(|v| ExposureSite {
            case: id,
            venue: v.venue,
            from: v.entered_at,
            to: v.effective_end().checked_add(rules.buffer_after).unwrap_or(v.effective_end()),
        })
        .collect();
    state.store.mark_case_applied(id, state.clock.now(), &sites).await?;
    let detail = format!("close={} secondary={} changed={changed}", report.close.len(), report.secondary.len());
    crate::services::audit::record(state, &format!("authority:{by}"), "case.applied", &id.to_string(), &detail).await?;
    tracing::info!(case = %id, close = report.close.len(), secondary = report.secondary.len(), "trace applied");
    Ok(ApplyReport { close: report.close.len(), secondary: report.secondary.len(), changed, sites: sites.len() })
}
