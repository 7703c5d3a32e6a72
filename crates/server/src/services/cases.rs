//! Cases and contact tracing: record a case (its colour turns by rule),
//! trace who shared a place with it, apply the trace (colours change with the
//! shared stays as evidence, people get notices, the places are published).

use healthcode_domain::exposure::{self, ExposureRules, in_window};
use healthcode_domain::policy::{CaseKind, ContactKind};
use healthcode_domain::stays::{ContactList, SourceStay, StayIndex};
use healthcode_domain::{
    Actor, Case, CaseId, Evidence, ResidentId, SharedStay, StandingFacts, TraceContact, VenueId, Visit, apply_finding,
};
use healthcode_store::{AuditAction, AuditActor, ExposureSite, Notice, StoreError};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::trace_cache::ReadTrace;
use crate::state::AppState;

/// Visits are at most this long (the longest maximum stay), which bounds
/// how far back a visit overlapping a case's stay can have begun.
pub const LONGEST_STAY: SignedDuration = SignedDuration::from_hours(24);
const MAX_ATTEMPTS: usize = 5;

#[derive(Debug, Clone)]
pub struct TraceReport {
    pub case: Case,
    pub window: (Timestamp, Timestamp),
    pub case_visits: Vec<Visit>,
    /// The case's attempted entries in the window (turned away at a venue's
    /// door while yellow or red): where they went, shown as evidence. Not a
    /// contact source: an attempt is an instant with no stay to overlap
    /// (`healthcode_domain::AttemptedEntry`).
    pub case_attempts: Vec<healthcode_domain::AttemptedEntry>,
    pub close: Vec<TraceContact>,
    pub secondary: Vec<TraceContact>,
    /// Where the contacts came from.
    pub read_from: TraceSource,
}

/// Where a trace read the stays of other people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceSource {
    /// The in-memory stay index ([`crate::services::trace_index`]).
    Index,
    /// The store, many people or venues per statement.
    Store,
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
    record_with_evidence(state, resident, kind, onset, isolated_on, by, Vec::new()).await
}

/// [`record`], citing `more` evidence beside the case in the status change
/// (a positive test result that opened it).
pub async fn record_with_evidence(
    state: &AppState,
    resident: ResidentId,
    kind: CaseKind,
    onset: Date,
    isolated_on: Option<Date>,
    by: &str,
    more: Vec<Evidence>,
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
    state.trace_cache.changed();
    let standing = StandingFacts { case: Some(kind), ..StandingFacts::default() };
    let mut evidence = vec![Evidence::Case { case: case.id, case_kind: kind.as_str().into() }];
    evidence.extend(more);
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
        AuditActor::authority(by),
        AuditAction::CaseRecorded,
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

/// How far a trace goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Depth {
    /// The case's close contacts only.
    Close,
    /// Close contacts and, through their later visits, secondary contacts.
    Secondary,
}

/// Visits at each venue over the whole trace window, read once per venue
/// (many venues per statement): a busy venue appears in many stays of the
/// case and its contacts, and its visits are lent, never copied.
struct VenueVisits {
    range: (Timestamp, Timestamp),
    by_venue: HashMap<VenueId, Vec<Visit>>,
}

impl VenueVisits {
    fn new(window: (Timestamp, Timestamp), rules: &ExposureRules) -> Self {
        Self { range: venue_range(window, rules), by_venue: HashMap::new() }
    }

    /// Reads the venues of `sources` not read yet; returns those venues.
    async fn read_for(&mut self, state: &AppState, sources: &[Visit]) -> Result<BTreeSet<VenueId>, ApiError> {
        let venues: BTreeSet<VenueId> = sources.iter().map(|v| v.venue).collect();
        let missing: Vec<VenueId> = venues.iter().filter(|v| !self.by_venue.contains_key(v)).copied().collect();
        if !missing.is_empty() {
            let visits = state.store.venues_visits_between(&missing, self.range.0, self.range.1).await?;
            for venue in missing {
                self.by_venue.entry(venue).or_default();
            }
            for v in visits {
                self.by_venue.entry(v.venue).or_default().push(v);
            }
        }
        Ok(venues)
    }

    /// Every visit read at `venues`.
    fn at<'a>(&'a self, venues: &'a BTreeSet<VenueId>) -> impl Iterator<Item = &'a Visit> + 'a {
        venues.iter().flat_map(|v| self.by_venue.get(v).into_iter().flatten())
    }
}

/// When the visits at a venue that could overlap a stay in `window` began:
/// from a longest stay before it until the buffer after it.
fn venue_range(window: (Timestamp, Timestamp), rules: &ExposureRules) -> (Timestamp, Timestamp) {
    let from = window.0.checked_sub(LONGEST_STAY).unwrap_or(window.0);
    let to = window.1.checked_add(rules.buffer_after).unwrap_or(Timestamp::MAX);
    (from, to)
}

/// The visits at the case's venues that could overlap the case's stays: for
/// each stay, those that began within its own venue range (inside the
/// window's), so a few hours of a busy venue's log instead of two weeks.
async fn candidates_near(
    state: &AppState,
    stays: &[Visit],
    window: (Timestamp, Timestamp),
    rules: &ExposureRules,
) -> Result<Vec<Visit>, ApiError> {
    let outer = venue_range(window, rules);
    let mut out = Vec::new();
    for s in stays {
        let (from, to) = venue_range((s.entered_at, s.effective_end()), rules);
        let (from, to) = (from.max(outer.0), to.min(outer.1));
        if from < to {
            out.extend(state.store.venues_visits_between(&[s.venue], from, to).await?);
        }
    }
    Ok(out)
}

/// People's visits touching `[first, to)`, each person with their own
/// `first`, read for many people per statement; by person, then entry.
async fn visits_of(
    state: &AppState,
    firsts: &HashMap<ResidentId, Timestamp>,
    to: Timestamp,
) -> Result<Vec<Visit>, ApiError> {
    let Some(earliest) = firsts.values().min().copied() else { return Ok(Vec::new()) };
    // A visit lasts at most LONGEST_STAY, so one touching `first` began after this.
    let from = earliest.checked_sub(LONGEST_STAY).unwrap_or(earliest);
    let people: Vec<ResidentId> = firsts.keys().copied().collect();
    let mut visits = state.store.residents_visits_between(&people, from, to).await?;
    visits.retain(|v| firsts.get(&v.resident).is_some_and(|first| in_window(v, (*first, to))));
    visits.sort_unstable_by_key(|v| (v.resident, v.entered_at, v.id));
    Ok(visits)
}

/// The case's exposure window as of now.
pub fn trace_window(state: &AppState, case: &Case) -> (Timestamp, Timestamp) {
    window_of(state, case, &ExposureRules::default())
}

fn window_of(state: &AppState, case: &Case, rules: &ExposureRules) -> (Timestamp, Timestamp) {
    let isolated = case.isolated_on.map(|d| start_of(d, state));
    exposure::window(start_of(case.onset, state), isolated, state.clock.now(), rules)
}

/// Who shared a place with the case (close), and with those (secondary).
pub async fn trace(state: &AppState, id: CaseId) -> Result<TraceReport, ApiError> {
    trace_case(state, find(state, id).await?).await
}

/// A case's trace as the staff pages read it (the report, who already holds
/// a notice, the venues): the one computed moments ago when nothing it read
/// has changed since ([`crate::services::trace_cache`]), else traced now and
/// kept. For reading only: [`apply`] traces again.
pub async fn read_trace(state: &AppState, id: CaseId) -> Result<Arc<ReadTrace>, ApiError> {
    let depth = Depth::Secondary;
    if let Some(kept) = state.trace_cache.get(id, depth, state.clock.now()) {
        return Ok(kept);
    }
    trace_and_keep(state, id).await
}

/// A case's trace as [`read_trace`] gives it, but traced now whatever is
/// kept, and kept for the reads that follow (the API's first page).
pub async fn trace_and_keep(state: &AppState, id: CaseId) -> Result<Arc<ReadTrace>, ApiError> {
    let depth = Depth::Secondary;
    // Read before tracing: a change during the trace leaves the report unkept.
    let version = state.trace_cache.version();
    let report = trace_case_to(state, find(state, id).await?, depth).await?;
    let people: Vec<ResidentId> = report.close.iter().chain(&report.secondary).map(|c| c.resident).collect();
    let notified = notified_among(state, &people).await?;
    let venues = venues_of(state, &report).await?;
    let read = Arc::new(ReadTrace::new(report, notified, venues));
    state.trace_cache.put(id, depth, version, state.clock.now(), read.clone());
    Ok(read)
}

/// Traces a case record (stored or not: benchmarks trace hypothetical cases).
pub async fn trace_case(state: &AppState, case: Case) -> Result<TraceReport, ApiError> {
    trace_case_to(state, case, Depth::Secondary).await
}

/// Traces a case record as far as `depth` (secondary contacts stay empty at
/// [`Depth::Close`]): from the stay index when it holds every stay the trace
/// could read, else from the store. The case's own visits come from the store.
pub async fn trace_case_to(state: &AppState, case: Case, depth: Depth) -> Result<TraceReport, ApiError> {
    let rules = ExposureRules::default();
    let window = window_of(state, &case, &rules);
    let case_visits = visits_of(state, &HashMap::from([(case.resident, window.0)]), window.1).await?;
    let found = contacts_of(state, &[case.resident], &case_visits, window, depth, &rules).await?;
    let case_attempts = state.store.resident_attempts(case.resident, window.0, window.1, 1000).await?;
    Ok(TraceReport {
        case,
        window,
        case_visits,
        case_attempts,
        close: found.close.into_contacts(),
        secondary: found.secondary.into_contacts(),
        read_from: found.read_from,
    })
}

/// Several cases traced as one outbreak: the close contacts of any of them
/// (with every shared stay, whichever case it was with) and, at
/// [`Depth::Secondary`], the contacts of those. Each case's stays are those
/// in its own window; other people's are read over the span of all windows.
#[derive(Debug, Clone)]
pub struct OutbreakReport {
    pub cases: Vec<Case>,
    /// From the earliest window's start to the latest one's end.
    pub span: (Timestamp, Timestamp),
    pub case_visits: Vec<Visit>,
    /// The case's attempted entries in the window (turned away at a venue's
    /// door while yellow or red): where they went, shown as evidence. Not a
    /// contact source: an attempt is an instant with no stay to overlap
    /// (`healthcode_domain::AttemptedEntry`).
    pub case_attempts: Vec<healthcode_domain::AttemptedEntry>,
    /// Held as numbers until read: two hops from many cases reach most of
    /// a city, and a `Vec<TraceContact>` of them takes seconds to build.
    pub close: ContactList,
    pub secondary: ContactList,
    pub read_from: TraceSource,
}

/// Traces `cases` as one outbreak (see [`OutbreakReport`]): one sweep for
/// all of them, so a contact of many cases is found and listed once.
pub async fn trace_outbreak(state: &AppState, cases: Vec<Case>, depth: Depth) -> Result<OutbreakReport, ApiError> {
    let rules = ExposureRules::default();
    // A person recorded twice counts from the earliest of their windows.
    let mut windows: HashMap<ResidentId, (Timestamp, Timestamp)> = HashMap::new();
    for case in &cases {
        let (from, to) = window_of(state, case, &rules);
        let w = windows.entry(case.resident).or_insert((from, to));
        *w = (w.0.min(from), w.1.max(to));
    }
    let Some(span) = windows.values().copied().reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))) else {
        return Err(ApiError::bad_input("NO_CASES", "an outbreak needs at least one case"));
    };
    let firsts: HashMap<ResidentId, Timestamp> = windows.iter().map(|(r, w)| (*r, w.0)).collect();
    let mut case_visits = visits_of(state, &firsts, span.1).await?;
    case_visits.retain(|v| in_window(v, windows[&v.resident]));
    let mut people: Vec<ResidentId> = windows.into_keys().collect();
    people.sort_unstable();
    let found = contacts_of(state, &people, &case_visits, span, depth, &rules).await?;
    let mut case_attempts = Vec::new();
    for (who, window) in people.iter().filter_map(|p| firsts.get(p).map(|from| (*p, (*from, span.1)))) {
        case_attempts.extend(state.store.resident_attempts(who, window.0, window.1, 1000).await?);
    }
    Ok(OutbreakReport {
        cases,
        span,
        case_visits,
        case_attempts,
        close: found.close,
        secondary: found.secondary,
        read_from: found.read_from,
    })
}

/// The contacts of a trace and where they were read.
struct Found {
    close: ContactList,
    secondary: ContactList,
    read_from: TraceSource,
}

/// The close (and at [`Depth::Secondary`] secondary) contacts of `cases`,
/// whose stays are `case_visits`, over `window`: from the stay index when it
/// holds every stay the trace could read, else from the store.
async fn contacts_of(
    state: &AppState,
    cases: &[ResidentId],
    case_visits: &[Visit],
    window: (Timestamp, Timestamp),
    depth: Depth,
    rules: &ExposureRules,
) -> Result<Found, ApiError> {
    // The close contacts' stays are read from a day before their first shared
    // stay, which is at most a day before the window.
    let earliest = window.0.checked_sub(LONGEST_STAY * 2).unwrap_or(window.0);
    // On PostgreSQL: every server's visits committed so far are in the index first.
    let synced = crate::services::trace_index::sync(state).await;
    let indexed = synced
        .then(|| state.trace_index.read(earliest, |index| contacts_in(index, cases, case_visits, window, depth, rules)))
        .flatten();
    match indexed {
        Some((close, secondary)) => Ok(Found { close, secondary, read_from: TraceSource::Index }),
        None => trace_from_store(state, cases, case_visits, window, depth, rules).await,
    }
}

/// The close and secondary contacts from the stay index: the same question
/// the store path asks, of the same stays (the close contacts' stays from
/// their first shared one until the window's end are the secondary sources).
fn contacts_in(
    index: &StayIndex,
    cases: &[ResidentId],
    case_visits: &[Visit],
    window: (Timestamp, Timestamp),
    depth: Depth,
    rules: &ExposureRules,
) -> (ContactList, ContactList) {
    let range = venue_range(window, rules);
    let sources: Vec<SourceStay> = case_visits.iter().map(SourceStay::of).collect();
    match depth {
        Depth::Close => (index.contact_list(&sources, cases, &[], range, rules), ContactList::default()),
        Depth::Secondary => index.two_hops(&sources, cases, &[], range, window.1, rules),
    }
}

/// When a close contact first shared a stay: before it they could not have
/// carried the infection on.
fn first_shared(c: &TraceContact, window: (Timestamp, Timestamp)) -> Timestamp {
    c.shared.iter().map(|s| s.overlap_start).min().unwrap_or(window.0)
}

async fn trace_from_store(
    state: &AppState,
    cases: &[ResidentId],
    case_visits: &[Visit],
    window: (Timestamp, Timestamp),
    depth: Depth,
    rules: &ExposureRules,
) -> Result<Found, ApiError> {
    let near = candidates_near(state, case_visits, window, rules).await?;
    let mut exclude: BTreeSet<ResidentId> = cases.iter().copied().collect();
    let close = exposure::contacts(case_visits, &near, &exclude, rules);
    if depth == Depth::Close {
        return Ok(Found { close: close.into(), secondary: ContactList::default(), read_from: TraceSource::Store });
    }
    exclude.extend(close.iter().map(|c| c.resident));
    let firsts: HashMap<ResidentId, Timestamp> = close.iter().map(|c| (c.resident, first_shared(c, window))).collect();
    let close_visits = visits_of(state, &firsts, window.1).await?;
    let mut venues = VenueVisits::new(window, rules);
    let read = venues.read_for(state, &close_visits).await?;
    let secondary = exposure::secondary_among(&close_visits, venues.at(&read), &exclude, rules);
    Ok(Found { close: close.into(), secondary: secondary.into(), read_from: TraceSource::Store })
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
    // Claim the case first, with its audit entry in the same transaction: of
    // two appliers at once, one applies and the other is told so, and
    // nobody's colour changes twice for one case.
    let detail = format!("close={} secondary={} sites={}", report.close.len(), report.secondary.len(), sites.len());
    let audit = crate::services::audit::entry(
        state,
        AuditActor::authority(by),
        AuditAction::CaseApplied,
        &id.to_string(),
        &detail,
    );
    let applied = state.store.mark_case_applied(id, state.clock.now(), &sites, &audit).await;
    // The case's record, and who holds a notice, change from here on.
    state.trace_cache.changed();
    match applied {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::new(
                ErrorKind::Conflict,
                "CASE_ALREADY_APPLIED",
                "this case has already been applied; its contacts' colours and notices are in place",
            ));
        }
        Err(e) => return Err(e.into()),
    }
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
    state.trace_cache.changed();
    tracing::info!(case = %id, close = report.close.len(), secondary = report.secondary.len(), "trace applied");
    Ok(ApplyReport { close: report.close.len(), secondary: report.secondary.len(), changed, sites: sites.len() })
}

/// How far back the public list of exposure sites reaches.
pub const EXPOSURE_SITES_SPAN: SignedDuration = SignedDuration::from_hours(24 * 14);

/// The exposure sites of the last 14 days, each with its venue, the venues
/// read in one go; a site whose venue is gone is left out.
pub async fn recent_exposure_sites(state: &AppState) -> Result<Vec<(ExposureSite, healthcode_store::Venue)>, ApiError> {
    let now = state.clock.now();
    let since = now.checked_sub(EXPOSURE_SITES_SPAN).unwrap_or(now);
    let sites = state.store.exposure_sites(since, 1000).await?;
    let venues = crate::services::venues::by_id(state, sites.iter().map(|s| s.venue)).await?;
    Ok(sites.into_iter().filter_map(|s| venues.get(&s.venue).cloned().map(|v| (s, v))).collect())
}

/// A person's exposure notices, newest first.
pub async fn notices_of(state: &AppState, resident: ResidentId, limit: u32) -> Result<Vec<Notice>, ApiError> {
    Ok(state.store.notices_of(resident, limit).await?)
}

/// The cases, newest first.
pub async fn list(state: &AppState, limit: u32) -> Result<Vec<Case>, ApiError> {
    Ok(state.store.cases(limit).await?)
}

/// The names of the venues a traced case's contacts shared and the case
/// itself visited, in one read ("" for a venue gone since).
pub async fn venue_names_of(state: &AppState, report: &TraceReport) -> Result<HashMap<VenueId, String>, ApiError> {
    let ids = report
        .close
        .iter()
        .chain(&report.secondary)
        .flat_map(|c| c.shared.iter().map(|s| s.venue))
        .chain(report.case_visits.iter().map(|v| v.venue))
        .collect::<Vec<VenueId>>();
    let venues = crate::services::venues::by_id(state, ids).await?;
    Ok(venues.into_iter().map(|(id, v)| (id, v.profile.name)).collect())
}

/// One page of the authority's case list (district of residence and the
/// contacts each application notified), and how many cases match.
pub async fn list_page(
    state: &AppState,
    query: &healthcode_store::CaseListQuery,
) -> Result<(Vec<healthcode_store::CaseListRow>, u64), ApiError> {
    Ok(state.store.case_list(query).await?)
}

/// Which of `people` already hold a contact notice from any case.
pub async fn notified_among(
    state: &AppState,
    people: &[ResidentId],
) -> Result<std::collections::HashSet<ResidentId>, ApiError> {
    Ok(state.store.notified_among(people).await?)
}

/// The venues a traced case's contacts shared and the case visited, in one
/// read (a venue gone since is missing).
pub async fn venues_of(
    state: &AppState,
    report: &TraceReport,
) -> Result<HashMap<VenueId, healthcode_store::Venue>, ApiError> {
    let ids = report
        .close
        .iter()
        .chain(&report.secondary)
        .flat_map(|c| c.shared.iter().map(|s| s.venue))
        .chain(report.case_visits.iter().map(|v| v.venue))
        .collect::<Vec<VenueId>>();
    crate::services::venues::by_id(state, ids).await
}

/// Which contacts a trace report's summary line gathers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKind {
    Close,
    Secondary,
}

impl GroupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::Close => "close",
            GroupKind::Secondary => "secondary",
        }
    }
}

/// A trace report's summary line: the contacts found at one venue in one
/// time window. Close contacts are gathered per stay of the case there (the
/// window runs from the first overlap to the last); secondary contacts per
/// venue and local day. A person who shared several places is on several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceGroup {
    pub venue: VenueId,
    pub kind: GroupKind,
    pub from: Timestamp,
    pub to: Timestamp,
    /// Each person once.
    pub people: BTreeSet<ResidentId>,
    /// The overlaps' minutes, summed.
    pub minutes: i64,
}

/// The summary of a trace report, in no particular order.
pub fn summarise(report: &TraceReport, zone: &jiff::tz::TimeZone) -> Vec<TraceGroup> {
    #[derive(PartialEq, Eq, Hash)]
    enum Key {
        Stay(healthcode_domain::VisitId),
        Day(Date),
    }
    let mut groups: HashMap<(VenueId, GroupKind, Key), TraceGroup> = HashMap::new();
    for (kind, list) in [(GroupKind::Close, &report.close), (GroupKind::Secondary, &report.secondary)] {
        for contact in list {
            for s in &contact.shared {
                let key = match kind {
                    GroupKind::Close => Key::Stay(s.source_visit),
                    GroupKind::Secondary => Key::Day(s.overlap_start.to_zoned(zone.clone()).date()),
                };
                let g = groups.entry((s.venue, kind, key)).or_insert_with(|| TraceGroup {
                    venue: s.venue,
                    kind,
                    from: s.overlap_start,
                    to: s.overlap_end,
                    people: BTreeSet::new(),
                    minutes: 0,
                });
                g.from = g.from.min(s.overlap_start);
                g.to = g.to.max(s.overlap_end);
                g.people.insert(contact.resident);
                g.minutes += s.minutes();
            }
        }
    }
    groups.into_values().collect()
}
