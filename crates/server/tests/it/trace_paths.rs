//! The batched trace reports, contact for contact and minute for minute, what
//! the straightforward trace (one read per person, one per venue, every
//! venue's whole window) reports, on a generated city with Zipf venues; and
//! so does the trace from the in-memory stay index, before and after live
//! check-ins.

use healthcode_domain::VisitSource;
use healthcode_domain::exposure::{self, ExposureRules, in_window};
use healthcode_domain::policy::CaseKind;
use healthcode_domain::{Case, CaseId, ResidentId, SharedStay, TraceContact, VenueId, Visit};
use healthcode_server::AppState;
use healthcode_server::services::cases::{Depth, TraceSource, trace_case, trace_case_to, trace_outbreak, trace_window};
use healthcode_server::services::check_in::{ScanOutcome, scan_at};
use healthcode_server::services::trace_index::{IndexState, load};
use healthcode_server::synthetic::{CityPlan, resident_id_of, seed_city, seed_places};
use jiff::{SignedDuration, Span, Timestamp};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::harness::{TestApp, spawn_app_with};

/// Every visit of a person touching `window`, in entry order.
async fn visits_in(state: &AppState, who: ResidentId, window: (Timestamp, Timestamp)) -> Vec<Visit> {
    let mut visits = state.store.resident_visits(who, u32::MAX).await.unwrap();
    visits.retain(|v| in_window(v, window));
    visits.sort_by_key(|v| (v.entered_at, v.id));
    visits
}

/// Every visit at the venues of `sources` that began in `range`, each venue read once.
async fn at_venues_of(
    state: &AppState,
    cache: &mut HashMap<VenueId, Vec<Visit>>,
    sources: &[Visit],
    range: (Timestamp, Timestamp),
) -> Vec<Visit> {
    let venues: BTreeSet<VenueId> = sources.iter().map(|v| v.venue).collect();
    let mut out = Vec::new();
    for venue in venues {
        if let Entry::Vacant(slot) = cache.entry(venue) {
            slot.insert(state.store.venue_visits(venue, range.0, range.1, u32::MAX).await.unwrap());
        }
        out.extend(cache[&venue].iter().cloned());
    }
    out
}

/// The trace as first written: (the case's visits, close, secondary).
async fn straightforward(state: &AppState, case: &Case) -> (Vec<Visit>, Vec<TraceContact>, Vec<TraceContact>) {
    let rules = ExposureRules::default();
    let window = trace_window(state, case);
    let mut cache = HashMap::new();
    let case_visits = visits_in(state, case.resident, window).await;
    let near = at_venues_of(state, &mut cache, &case_visits, range_of(window)).await;
    let close = exposure::contacts(&case_visits, &near, &BTreeSet::new(), &rules);
    let secondary = secondary_of(state, &mut cache, &close, BTreeSet::from([case.resident]), window).await;
    (case_visits, close, secondary)
}

/// When the visits that could overlap a stay in the window began.
fn range_of(window: (Timestamp, Timestamp)) -> (Timestamp, Timestamp) {
    (window.0 - SignedDuration::from_hours(24), window.1 + ExposureRules::default().buffer_after)
}

/// The contacts of the close contacts (each from their first shared stay),
/// people in `exclude` and the close contacts left out.
async fn secondary_of(
    state: &AppState,
    cache: &mut HashMap<VenueId, Vec<Visit>>,
    close: &[TraceContact],
    mut exclude: BTreeSet<ResidentId>,
    window: (Timestamp, Timestamp),
) -> Vec<TraceContact> {
    let rules = ExposureRules::default();
    exclude.extend(close.iter().map(|c| c.resident));
    let mut close_visits = Vec::new();
    for c in close {
        let first = c.shared.iter().map(|s| s.overlap_start).min().unwrap();
        close_visits.extend(visits_in(state, c.resident, (first, window.1)).await);
    }
    let around = at_venues_of(state, cache, &close_visits, range_of(window)).await;
    let pairs = exposure::contacts(&close_visits, &around, &exclude, &rules);
    one_per_stay(pairs, &close_visits, &rules)
}

/// Secondary contacts from every shared pair: each contact stay once, with
/// the source stay that ends latest (ties: earlier entry, smaller id).
fn one_per_stay(pairs: Vec<TraceContact>, sources: &[Visit], rules: &ExposureRules) -> Vec<TraceContact> {
    let by_id: HashMap<_, _> = sources.iter().map(|v| (v.id, v)).collect();
    let rank = |s: &SharedStay| {
        let v = by_id[&s.source_visit];
        (std::cmp::Reverse(v.effective_end() + rules.buffer_after), v.entered_at, v.id)
    };
    pairs
        .into_iter()
        .map(|mut c| {
            c.shared.sort_by_key(|s| (s.contact_visit, rank(s)));
            c.shared.dedup_by_key(|s| s.contact_visit);
            c.shared.sort();
            c
        })
        .collect()
}

/// Seeds the generated city (2,000 residents, 14 days of Zipf visits).
async fn seed(app: &TestApp) -> CityPlan {
    let state = &app.state;
    let (policy, tz) = (&state.config.policy, &state.config.time_zone);
    let plan = CityPlan::new(11, 2_000, 14);
    let now = app.clock_now();
    seed_city(state.store.as_ref(), &plan, policy, tz, now, |_| {}).await.unwrap();
    let sign =
        |id: VenueId, generation: u32| healthcode_server::services::venues::sign_token(state, id, generation).ok();
    let (_, visits) = seed_places(state.store.as_ref(), &plan, tz, now, &sign, |_, _| {}).await.unwrap();
    assert!(visits > 10_000, "{visits} visits");
    plan
}

/// Case `n`: resident `i`, with symptoms 12 days ago, or 9 days ago and
/// isolated five days ago.
fn case_of(app: &TestApp, plan: &CityPlan, n: usize, i: u32, isolated: bool) -> Case {
    let today = app.clock_now().to_zoned(app.state.config.time_zone.clone()).date();
    Case {
        id: CaseId::from_bytes([u8::try_from(n).unwrap(); 16]),
        resident: resident_id_of(plan, i),
        kind: CaseKind::Confirmed,
        onset: today.checked_sub(Span::new().days(if isolated { 9 } else { 12 })).unwrap(),
        isolated_on: isolated.then(|| today.checked_sub(Span::new().days(5)).unwrap()),
        recorded_by: "test".into(),
        recorded_at: app.clock_now(),
        applied_at: None,
    }
}

/// Six cases with the same window traced as one outbreak: the close contacts
/// are the cases' own merged (the cases left out), the secondary contacts
/// those of the merged close contacts; every trace read from `expected`.
async fn outbreak_matches(app: &TestApp, plan: &CityPlan, expected: TraceSource) {
    let state = &app.state;
    let cases: Vec<Case> = (0..6).map(|n| case_of(app, plan, 100 + n, 13 + 211 * n as u32, false)).collect();
    let report = trace_outbreak(state, cases.clone(), Depth::Secondary).await.unwrap();
    assert_eq!(report.read_from, expected, "where the outbreak's trace read");
    let people: BTreeSet<ResidentId> = cases.iter().map(|c| c.resident).collect();
    let mut merged: BTreeMap<ResidentId, Vec<SharedStay>> = BTreeMap::new();
    let mut case_visits = Vec::new();
    for case in &cases {
        let (visits, close, _) = straightforward(state, case).await;
        case_visits.extend(visits);
        for c in close.into_iter().filter(|c| !people.contains(&c.resident)) {
            merged.entry(c.resident).or_default().extend(c.shared);
        }
    }
    let close: Vec<TraceContact> = merged
        .into_iter()
        .map(|(resident, mut shared)| {
            shared.sort();
            shared.dedup();
            TraceContact { resident, shared }
        })
        .collect();
    assert_eq!(report.close.len(), close.len(), "the outbreak's close contacts, counted");
    assert_eq!(report.close.shared_stays(), close.iter().map(|c| c.shared.len()).sum::<usize>());
    assert_eq!(report.close.clone().into_contacts(), close, "the outbreak's close contacts are the cases' merged");
    let secondary = secondary_of(state, &mut HashMap::new(), &close, people, trace_window(state, &cases[0])).await;
    assert_eq!(report.secondary.clone().into_contacts(), secondary, "the outbreak's secondary contacts");
    case_visits.sort_by_key(|v| (v.resident, v.entered_at, v.id));
    assert_eq!(report.case_visits, case_visits, "the cases' visits");
    assert!(close.len() > 30 && secondary.len() > 300, "{} close, {} secondary", close.len(), secondary.len());
}

/// Traces 21 cases (every other one isolated five days ago) both ways and
/// compares; every trace must have read from `expected`.
async fn traces_match(app: &TestApp, plan: &CityPlan, expected: TraceSource) {
    let state = &app.state;
    let (mut close_total, mut secondary_total) = (0, 0);
    for (n, i) in (0..plan.residents).step_by(97).enumerate() {
        // Every other case isolated five days ago: the window ends in the past.
        let case = case_of(app, plan, n, i, n % 2 == 1);
        let (case_visits, close, secondary) = straightforward(state, &case).await;
        let report = trace_case(state, case.clone()).await.unwrap();
        assert_eq!(report.read_from, expected, "case {n}: where the trace read");
        assert_eq!(report.case_visits, case_visits, "case {n}: the case's visits");
        assert_eq!(report.close, close, "case {n}: close contacts, stays and minutes, in order");
        assert_eq!(report.secondary, secondary, "case {n}: secondary contacts");
        let shallow = trace_case_to(state, case, Depth::Close).await.unwrap();
        assert_eq!((shallow.close, shallow.secondary.len()), (close.clone(), 0), "case {n}: close only");
        close_total += close.len();
        secondary_total += secondary.len();
    }
    assert!(
        close_total > 100 && secondary_total > 1_000,
        "a busy city: {close_total} close, {secondary_total} secondary"
    );
}

#[tokio::test]
async fn the_batched_trace_reports_what_the_straightforward_one_does() {
    let app = spawn_app_with(|c| c.trace_index_days = Some(0)).await;
    let plan = seed(&app).await;
    traces_match(&app, &plan, TraceSource::Store).await;
    outbreak_matches(&app, &plan, TraceSource::Store).await;
}

#[tokio::test]
async fn the_stay_index_reports_what_the_straightforward_trace_does_and_follows_check_ins() {
    let app = spawn_app_with(|c| c.trace_index_days = Some(17)).await;
    let plan = seed(&app).await;
    let state = &app.state;
    // The city was imported behind the server's back: load it, as a start would.
    let stays = load(state).await.unwrap();
    assert!(stays > 10_000, "{stays} stays held");
    assert_eq!(state.trace_index.state(), IndexState::Ready { stays });
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains(&format!("healthcode_trace_index_stays {stays}\n")), "{metrics}");
    traces_match(&app, &plan, TraceSource::Index).await;
    outbreak_matches(&app, &plan, TraceSource::Index).await;

    // Live scans reach the index: two people meet at a venue for 40 minutes.
    let (case_person, other) = (resident_id_of(&plan, 5), resident_id_of(&plan, 6));
    let venue = state.store.venues_after(None, 1).await.unwrap().remove(0);
    app.clock.advance(SignedDuration::from_hours(1));
    for who in [case_person, other] {
        scan_at(state, who, venue.clone(), VisitSource::SelfScan).await.unwrap().into_recorded().unwrap();
    }
    app.clock.advance(SignedDuration::from_mins(40));
    let left =
        scan_at(state, case_person, venue.clone(), VisitSource::SelfScan).await.unwrap().into_recorded().unwrap();
    assert_eq!(left.outcome, ScanOutcome::Exited);
    let today = app.clock_now().to_zoned(state.config.time_zone.clone()).date();
    let case = Case {
        id: CaseId::from_bytes([200; 16]),
        resident: case_person,
        kind: CaseKind::Confirmed,
        onset: today,
        isolated_on: None,
        recorded_by: "test".into(),
        recorded_at: app.clock_now(),
        applied_at: None,
    };
    let (_, close, secondary) = straightforward(state, &case).await;
    let report = trace_case(state, case).await.unwrap();
    assert_eq!(report.read_from, TraceSource::Index);
    let met = report.close.iter().find(|c| c.resident == other).expect("the other person is a close contact");
    assert!(met.shared.iter().any(|s| s.source_visit == left.visit.id && s.minutes() >= 40), "{met:?}");
    assert_eq!((report.close, report.secondary), (close, secondary));
}
