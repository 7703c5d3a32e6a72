//! The batched trace reports, contact for contact and minute for minute, what
//! the straightforward trace (one read per person, one per venue, every
//! venue's whole window) reports, on a generated city with Zipf venues.

use healthcode_domain::exposure::{self, ExposureRules, in_window};
use healthcode_domain::policy::CaseKind;
use healthcode_domain::{Case, CaseId, ResidentId, TraceContact, VenueId, Visit};
use healthcode_server::AppState;
use healthcode_server::services::cases::{Depth, trace_case, trace_case_to, trace_window};
use healthcode_server::synthetic::{CityPlan, resident_id_of, seed_city, seed_places};
use jiff::{SignedDuration, Span, Timestamp};
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use crate::harness::spawn_app;

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
    let range = (window.0 - SignedDuration::from_hours(24), window.1 + rules.buffer_after);
    let mut cache = HashMap::new();
    let case_visits = visits_in(state, case.resident, window).await;
    let near = at_venues_of(state, &mut cache, &case_visits, range).await;
    let close = exposure::contacts(&case_visits, &near, &BTreeSet::new(), &rules);
    let mut exclude: BTreeSet<ResidentId> = close.iter().map(|c| c.resident).collect();
    exclude.insert(case.resident);
    let mut close_visits = Vec::new();
    for c in &close {
        let first = c.shared.iter().map(|s| s.overlap_start).min().unwrap();
        close_visits.extend(visits_in(state, c.resident, (first, window.1)).await);
    }
    let around = at_venues_of(state, &mut cache, &close_visits, range).await;
    let secondary = exposure::contacts(&close_visits, &around, &exclude, &rules);
    (case_visits, close, secondary)
}

#[tokio::test]
async fn the_batched_trace_reports_what_the_straightforward_one_does() {
    let app = spawn_app().await;
    let state = &app.state;
    let (policy, tz) = (&state.config.policy, &state.config.time_zone);
    let plan = CityPlan { seed: 11, residents: 2_000, days: 14 };
    let now = app.clock_now();
    seed_city(state.store.as_ref(), &plan, policy, tz, now, |_| {}).await.unwrap();
    let sign =
        |id: VenueId, generation: u32| healthcode_server::services::venues::sign_token(state, id, generation).ok();
    let (_, visits) = seed_places(state.store.as_ref(), &plan, tz, now, &sign, |_, _| {}).await.unwrap();
    assert!(visits > 10_000, "{visits} visits");

    let today = now.to_zoned(tz.clone()).date();
    let (mut close_total, mut secondary_total) = (0, 0);
    for (n, i) in (0..plan.residents).step_by(97).enumerate() {
        // Every other case isolated five days ago: the window ends in the past.
        let isolated = n % 2 == 1;
        let case = Case {
            id: CaseId::from_bytes([u8::try_from(n).unwrap(); 16]),
            resident: resident_id_of(&plan, i),
            kind: CaseKind::Confirmed,
            onset: today.checked_sub(Span::new().days(if isolated { 9 } else { 12 })).unwrap(),
            isolated_on: isolated.then(|| today.checked_sub(Span::new().days(5)).unwrap()),
            recorded_by: "test".into(),
            recorded_at: now,
            applied_at: None,
        };
        let (case_visits, close, secondary) = straightforward(state, &case).await;
        let report = trace_case(state, case.clone()).await.unwrap();
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
