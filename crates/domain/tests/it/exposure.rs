//! Overlap semantics, case by case.

use healthcode_domain::exposure::{ExposureRules, contacts, in_window, overlap, secondary_among, window};
use healthcode_domain::stays::{SourceStay, StayIndex, StayLoader};
use healthcode_domain::{Colour, ExitKind, ResidentId, VenueId, Visit, VisitId, VisitSource};
use healthcode_domain::{SharedStay, TraceContact};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use rstest::rstest;
use std::collections::BTreeSet;

fn t(mins: i64) -> Timestamp {
    Timestamp::from_second(1_795_000_000 + mins * 60).unwrap()
}

fn stay(id: u8, who: u8, venue: u8, from: i64, to: Option<i64>) -> Visit {
    Visit {
        id: VisitId::from_bytes([id; 16]),
        resident: ResidentId::from_bytes([who; 16]),
        venue: VenueId::from_bytes([venue; 16]),
        entered_at: t(from),
        exited_at: to.map(t),
        exit_kind: to.map(|_| ExitKind::Scan),
        source: VisitSource::SelfScan,
        max_stay: SignedDuration::from_mins(240),
        colour: Colour::Green,
    }
}

/// The case was at venue 1 from minute 0 to 60 (buffer 30 min, minimum 15 min).
#[rstest]
#[case::touching_before(stay(2, 2, 1, -30, Some(0)), None)]
#[case::partial(stay(2, 2, 1, 40, Some(100)), Some((40, 90)))]
#[case::contained(stay(2, 2, 1, 10, Some(30)), Some((10, 30)))]
#[case::containing(stay(2, 2, 1, -60, Some(200)), Some((0, 90)))]
#[case::within_buffer(stay(2, 2, 1, 70, Some(100)), Some((70, 90)))]
#[case::too_short_in_buffer(stay(2, 2, 1, 80, Some(100)), None)]
#[case::exactly_the_minimum(stay(2, 2, 1, 45, Some(60)), Some((45, 60)))]
#[case::one_minute_short(stay(2, 2, 1, -20, Some(14)), None)]
#[case::touching_after_buffer(stay(2, 2, 1, 90, Some(120)), None)]
#[case::other_venue(stay(2, 2, 9, 0, Some(60)), None)]
#[case::open_visit_auto_closed_before_the_case_came(stay(2, 2, 1, -300, None), None)]
fn overlap_with_a_case_stay(#[case] other: Visit, #[case] expected: Option<(i64, i64)>) {
    let case = stay(1, 1, 1, 0, Some(60));
    let rules = ExposureRules::default();
    let expected = expected.map(|(a, b)| (t(a), t(b)));
    assert_eq!(overlap(&case, &other, &rules), expected);
}

#[test]
fn an_open_visit_overlaps_until_its_automatic_check_out() {
    let case = stay(1, 1, 1, 0, Some(60));
    let open = stay(2, 2, 1, -200, None); // auto check-out at +40
    assert_eq!(overlap(&case, &open, &ExposureRules::default()), Some((t(0), t(40))));
    let open_case = stay(3, 1, 1, 0, None); // the case itself never checked out: 0..240 (+30)
    let late = stay(4, 2, 1, 250, Some(300));
    assert_eq!(overlap(&open_case, &late, &ExposureRules::default()), Some((t(250), t(270))));
}

#[test]
fn across_local_midnight_is_just_time() {
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let at = |h: i8, m: i8, day: i8| {
        jiff::civil::date(2026, 11, day).at(h, m, 0, 0).to_zoned(tz.clone()).unwrap().timestamp()
    };
    let mut case = stay(1, 1, 1, 0, Some(1));
    (case.entered_at, case.exited_at) = (at(23, 30, 2), Some(at(0, 30, 3)));
    let mut other = stay(2, 2, 1, 0, Some(1));
    (other.entered_at, other.exited_at) = (at(23, 50, 2), Some(at(1, 30, 3)));
    let (start, end) = overlap(&case, &other, &ExposureRules::default()).unwrap();
    assert_eq!((start, end), (at(23, 50, 2), at(1, 0, 3)));
}

#[test]
fn contacts_group_by_person_exclude_sources_and_are_deterministic() {
    let rules = ExposureRules::default();
    let case = vec![stay(1, 1, 1, 0, Some(60)), stay(2, 1, 2, 120, Some(180))];
    let candidates = vec![
        stay(10, 2, 1, 10, Some(50)),   // close: 40 min at venue 1
        stay(11, 2, 2, 130, Some(170)), // and 40 min at venue 2
        stay(12, 3, 1, 55, Some(65)),   // 10 min: below the minimum... but the buffer makes it 10 -> still short
        stay(13, 4, 2, 200, Some(260)), // within the buffer after 180: 10 min, short
        stay(14, 1, 1, 0, Some(60)),    // the case's own other record: never a contact
        stay(15, 5, 1, 30, Some(100)),  // 60 min (30..90)
    ];
    let found = contacts(&case, &candidates, &BTreeSet::new(), &rules);
    let people: Vec<u8> = found.iter().map(|c| c.resident.as_bytes()[0]).collect();
    assert_eq!(people, vec![2, 5]);
    assert_eq!(found[0].shared.len(), 2);
    assert_eq!(found[0].total_minutes(), 80);
    assert_eq!(found[1].total_minutes(), 60);
    let mut reversed = candidates.clone();
    reversed.reverse();
    assert_eq!(contacts(&case, &reversed, &BTreeSet::new(), &rules), found, "input order does not matter");

    // Secondary contacts: from the close contacts' stays, never the case or a close contact again.
    let close_visits = vec![stay(20, 2, 3, 500, Some(560)), stay(21, 5, 3, 500, Some(560))];
    let later = vec![stay(22, 6, 3, 510, Some(540)), stay(23, 1, 3, 500, Some(560)), stay(24, 5, 3, 500, Some(560))];
    let exclude: BTreeSet<ResidentId> = [1u8, 2, 5].iter().map(|n| ResidentId::from_bytes([*n; 16])).collect();
    let secondary = contacts(&close_visits, &later, &exclude, &rules);
    assert_eq!(secondary.iter().map(|c| c.resident.as_bytes()[0]).collect::<Vec<_>>(), vec![6]);
}

#[test]
fn the_window_opens_two_days_before_onset() {
    let rules = ExposureRules::default();
    let (from, to) = window(t(3000), None, t(4000), &rules);
    assert_eq!((from, to), (t(3000 - 2880), t(4000)));
    assert!(in_window(&stay(1, 1, 1, 100, Some(200)), (from, to)));
    assert!(!in_window(&stay(1, 1, 1, 0, Some(100)), (from, to)), "ended before the window");
    assert_eq!(window(t(3000), Some(t(3500)), t(4000), &rules).1, t(3500), "isolation closes it");
}

/// Secondary contacts the long way: every shared pair, then each contact stay
/// once with the source stay that ends latest (ties: earlier entry, smaller id).
fn one_per_stay(sources: &[Visit], candidates: &[Visit], exclude: &BTreeSet<ResidentId>) -> Vec<TraceContact> {
    let rules = ExposureRules::default();
    let rank = |s: &SharedStay| {
        let v = sources.iter().find(|v| v.id == s.source_visit).unwrap();
        (std::cmp::Reverse(v.effective_end() + rules.buffer_after), v.entered_at, v.id)
    };
    contacts(sources, candidates, exclude, &rules)
        .into_iter()
        .map(|mut c| {
            c.shared.sort_by_key(|s| (s.contact_visit, rank(s)));
            c.shared.dedup_by_key(|s| s.contact_visit);
            c.shared.sort();
            c
        })
        .collect()
}

#[test]
fn a_secondary_contact_is_listed_once_per_own_stay_with_the_latest_ending_source() {
    let rules = ExposureRules::default();
    // Two close contacts at venue 3; person 6's stay overlaps both.
    let sources = vec![stay(20, 2, 3, 500, Some(560)), stay(21, 5, 3, 490, Some(600)), stay(25, 5, 4, 0, Some(60))];
    let others = vec![stay(22, 6, 3, 510, Some(540)), stay(23, 6, 4, 50, Some(100)), stay(24, 7, 3, 610, Some(700))];
    let found = secondary_among(&sources, &others, &BTreeSet::new(), &rules);
    assert_eq!(found.len(), 2, "{found:?}");
    let six = &found[0];
    assert_eq!(six.shared.len(), 2, "one shared stay per own stay: {six:?}");
    let at_three = six.shared.iter().find(|s| s.venue == VenueId::from_bytes([3; 16])).unwrap();
    assert_eq!(at_three.source_visit, VisitId::from_bytes([21; 16]), "the source that ends latest");
    assert_eq!((at_three.overlap_start, at_three.overlap_end), (t(510), t(540)));
    // Person 7 came 10 minutes after 5 left: 20 minutes inside the buffer.
    assert_eq!(found[1].shared[0].minutes(), 20);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// On ten-minute steps (many ties), the sweep reports what the long way does,
    /// and so does the stay index.
    #[test]
    fn secondary_contacts_match_the_long_way(
        raw in prop::collection::vec((0u8..12, 0u8..3, 0i64..60, prop::option::of(0i64..30)), 1..60),
        sources_share in 1usize..20,
    ) {
        let visits: Vec<Visit> = raw
            .iter()
            .enumerate()
            .map(|(i, &(who, venue, from, len))| stay(i as u8 + 1, who + 1, venue + 1, from * 10, len.map(|l| (from + l) * 10)))
            .collect();
        let cut = sources_share.min(visits.len());
        let (sources, candidates) = visits.split_at(cut);
        let rules = ExposureRules::default();
        let exclude = BTreeSet::from([ResidentId::from_bytes([12; 16])]);
        let expected = one_per_stay(sources, candidates, &exclude);
        prop_assert_eq!(&secondary_among(sources, candidates, &exclude, &rules), &expected);

        let mut index = StayIndex::new(t(-10_000));
        for v in &visits {
            index.insert(v);
        }
        let sources: Vec<SourceStay> = sources.iter().map(SourceStay::of).collect();
        let mut people: Vec<ResidentId> = visits[..cut].iter().map(|v| v.resident).collect();
        people.sort();
        people.dedup();
        let excluded: Vec<ResidentId> = exclude.iter().copied().collect();
        let range = (t(-10_000), t(10_000));
        let got = index.secondary(&sources, &people, &excluded, range, &rules);
        prop_assert_eq!(&got, &expected);

        // Loaded in one go (exact-size lists, sorted once), the index answers the same.
        let mut loader = StayLoader::new(t(-10_000));
        for v in visits.iter().rev() {
            loader.add(v);
        }
        prop_assert_eq!(loader.len(), visits.len());
        let loaded = loader.finish();
        prop_assert_eq!(loaded.len(), visits.len());
        prop_assert_eq!(loaded.secondary(&sources, &people, &excluded, range, &rules), expected);
        prop_assert_eq!(
            loaded.contacts(&sources, &people, &excluded, range, &rules),
            index.contacts(&sources, &people, &excluded, range, &rules)
        );
    }
}
