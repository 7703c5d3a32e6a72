//! The stay index against the long way ([`contacts_among`], [`secondary_among`]) on random
//! visits: some loaded, some inserted late, ends updated by check-outs and repeat inserts,
//! stays at the 49-day edge of the index's base, ids of every kind it packs.

use healthcode_domain::exposure::{ExposureRules, contacts_among, secondary_among};
use healthcode_domain::stays::{Inserted, SourceStay, StayIndex, StayLoader};
use healthcode_domain::{Colour, ExitKind, ResidentId, VenueId, Visit, VisitId, VisitSource};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// The last entry offset the index holds (milliseconds after its base).
const EDGE_MS: i64 = u32::MAX as i64;
const MINUTE: i64 = 60_000;

fn base() -> Timestamp {
    Timestamp::from_second(1_795_000_000).unwrap()
}

fn ms(offset: i64) -> Timestamp {
    Timestamp::from_millisecond(base().as_millisecond() + offset).unwrap()
}

/// A visit id: a version-7 UUID whose time is `gap` ms after the entry, or (no gap) one whose
/// first bytes are nowhere near it. `n` keeps ids distinct.
fn visit_id(n: u32, entered_ms: i64, gap: Option<i64>) -> VisitId {
    let mut b = [0x5a; 16];
    b[6..10].copy_from_slice(&n.to_be_bytes());
    match gap {
        Some(gap) => b[..6].copy_from_slice(&((entered_ms + gap) as u64).to_be_bytes()[2..]),
        None => b[..6].copy_from_slice(&[0xff, 0, 0, 0, 0, n as u8]),
    }
    VisitId::from_bytes(b)
}

/// Where a stay begins: 0 near the base, 1 near the 49-day edge (some just past it), 2 before
/// the base.
fn entry_offset(zone: u8, minute: i64, milli: i64) -> i64 {
    match zone {
        0 => minute * MINUTE + milli,
        1 => EDGE_MS - 400 * MINUTE + minute * MINUTE + milli,
        _ => -minute * MINUTE - milli - 1,
    }
}

fn held(v: &Visit, from: Timestamp) -> bool {
    v.entered_at >= from && v.entered_at.as_millisecond() - base().as_millisecond() <= EDGE_MS
}

type Raw = (u8, u8, u8, i64, i64, Option<i64>, u8);

fn visits(raw: &[Raw]) -> Vec<Visit> {
    let gaps = [Some(0), Some(3), Some(-7), Some(32_767), Some(-32_767), Some(-32_768), Some(40_000), None];
    raw.iter()
        .enumerate()
        .map(|(i, &(who, venue, zone, minute, milli, len, gap))| {
            let entered = entry_offset(zone % 3, minute, milli);
            let entered_at = ms(entered);
            Visit {
                id: visit_id(i as u32, entered_at.as_millisecond(), gaps[gap as usize % gaps.len()]),
                resident: ResidentId::from_bytes([who + 1; 16]),
                venue: VenueId::from_bytes([venue + 1; 16]),
                entered_at,
                exited_at: len.map(|l| ms(entered + l)),
                exit_kind: len.map(|_| ExitKind::Scan),
                source: VisitSource::SelfScan,
                max_stay: SignedDuration::from_mins(240),
                colour: Colour::Green,
            }
        })
        .collect()
}

/// Every answer of the index next to the long way's over the visits it should hold.
/// `until`: the close contacts' stays that began from then on are no sources (the window's end).
fn same_answers(
    index: &StayIndex,
    model: &[Visit],
    from: Timestamp,
    range: (i64, i64),
    until: i64,
) -> Result<(), TestCaseError> {
    let rules = ExposureRules::default();
    let held: Vec<&Visit> = model.iter().filter(|v| held(v, from)).collect();
    prop_assert_eq!(index.len(), held.len());
    let range = (ms(range.0), ms(range.1));
    let until = ms(until);
    let candidates = || held.iter().copied().filter(|v| v.entered_at >= range.0 && v.entered_at < range.1);
    let exclude = BTreeSet::from([ResidentId::from_bytes([7; 16])]);
    let excluded: Vec<ResidentId> = exclude.iter().copied().collect();
    // The case: person 1's stays (held or not: a case's visits come from the store).
    let case: Vec<Visit> = model.iter().filter(|v| v.resident == ResidentId::from_bytes([1; 16])).cloned().collect();
    let sources: Vec<SourceStay> = case.iter().map(SourceStay::of).collect();
    let people = [ResidentId::from_bytes([1; 16])];
    let close = contacts_among(&case, candidates(), &exclude, &rules);
    prop_assert_eq!(&index.contacts(&sources, &people, &excluded, range, &rules), &close);

    // Two hops: the close contacts' stays from the index, against the model's.
    let mut second: Vec<Visit> = Vec::new();
    let mut second_sources: Vec<SourceStay> = Vec::new();
    for c in &close {
        let after = c.shared.iter().map(|s| s.overlap_start).min().unwrap();
        let mut want: Vec<SourceStay> = held
            .iter()
            .filter(|v| v.resident == c.resident && v.entered_at < until && v.effective_end() > after)
            .map(|v| SourceStay::of(v))
            .collect();
        let mut got = index.stays_of(c.resident, after, until);
        want.sort_by_key(|s| (s.entered_at, s.id));
        got.sort_by_key(|s| (s.entered_at, s.id));
        prop_assert_eq!(&got, &want);
        second.extend(held.iter().filter(|v| want.iter().any(|s| s.id == v.id)).map(|v| (*v).clone()));
        second_sources.extend(got);
    }
    let mut second_people: Vec<ResidentId> = close.iter().map(|c| c.resident).collect();
    second_people.sort();
    // Every close contact is never a secondary one, whether or not any of their stays is a source.
    let mut skip = exclude.clone();
    skip.insert(people[0]);
    skip.extend(second_people.iter().copied());
    let secondary = secondary_among(&second, candidates(), &skip, &rules);
    let mut excluded_too = excluded.clone();
    excluded_too.push(people[0]);
    prop_assert_eq!(index.secondary(&second_sources, &second_people, &excluded_too, range, &rules), secondary.clone());

    // Both hops at once, as lists.
    let (close_list, secondary_list) = index.two_hops(&sources, &people, &excluded, range, until, &rules);
    prop_assert_eq!(close_list.len(), close.len());
    prop_assert_eq!(close_list.shared_stays(), close.iter().map(|c| c.shared.len()).sum::<usize>());
    prop_assert_eq!(close_list.residents().collect::<Vec<_>>(), close.iter().map(|c| c.resident).collect::<Vec<_>>());
    prop_assert_eq!(close_list.into_contacts(), close);
    prop_assert_eq!(secondary_list.into_contacts(), secondary);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_index_answers_what_the_long_way_does(
        raw in prop::collection::vec(
            (0u8..8, 0u8..3, 0u8..4, 0i64..400, 0i64..60_000, prop::option::of(0i64..300 * MINUTE), 0u8..8),
            1..50,
        ),
        loaded_share in 0usize..50,
        updates in prop::collection::vec((0usize..50, 0i64..300 * MINUTE, any::<bool>()), 0..12),
        range in (0i64..2, 0i64..2),
        until in 0usize..3,
        forget_minutes in 0i64..200,
    ) {
        let mut model = visits(&raw);
        let (loaded, late) = model.split_at(loaded_share.min(model.len()));
        let mut loader = StayLoader::new(base());
        for v in loaded.iter().rev() {
            loader.add(v);
        }
        let mut index = loader.finish();
        for v in late {
            let offset = v.entered_at.as_millisecond() - base().as_millisecond();
            let expected = if offset < 0 {
                Inserted::TooOld
            } else if offset > EDGE_MS {
                Inserted::TooLate
            } else {
                Inserted::Added
            };
            prop_assert_eq!(index.insert(v), expected);
        }
        let too_late = model.iter().any(|v| v.entered_at.as_millisecond() - base().as_millisecond() > EDGE_MS);
        prop_assert_eq!(index.covers(base()), !too_late);

        // Check-outs and repeat inserts with a new end.
        for &(which, length, by_close) in &updates {
            let Some(v) = model.get_mut(which) else { continue };
            let at = v.entered_at.checked_add(SignedDuration::from_millis(length)).unwrap();
            v.exited_at = Some(at);
            let is_held = held(v, base());
            if by_close {
                prop_assert_eq!(index.close(v.resident, v.id, at), is_held);
            } else {
                let answer = index.insert(v);
                prop_assert!(!is_held || answer == Inserted::Updated, "{:?}", answer);
            }
        }
        // A range of all, or of the first day only; near the edge, or near the base.
        let ranges = [(-EDGE_MS, 2 * EDGE_MS), (0, 24 * 60 * MINUTE), (EDGE_MS - 200 * MINUTE, EDGE_MS + 1)];
        let range = ranges[(range.0 + range.1) as usize];
        // The range's end, or a cut through the first day's stays or the edge's.
        let until = [range.1, 150 * MINUTE, EDGE_MS - 100 * MINUTE][until];
        same_answers(&index, &model, base(), range, until)?;

        let from = ms(forget_minutes * MINUTE);
        index.forget_before(from);
        same_answers(&index, &model, from, range, until)?;
    }
}
