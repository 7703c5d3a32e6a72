//! Contact tracing maths: who shared a venue with a case, for how long.
//!
//! A case's stay at a venue is extended by a buffer after they left (the air
//! stays); another person's stay at the same venue is a contact when the two
//! overlap for at least the minimum. Open stays count up to their automatic
//! check-out. Pure: the visits come in, the report goes out, the same input
//! gives the same report.

use jiff::{SignedDuration, Timestamp};
use std::collections::{BTreeSet, HashMap, HashSet};

use crate::ids::{ResidentId, VenueId, VisitId};
use crate::visit::Visit;

/// The tracing parameters (from the deployment's configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExposureRules {
    /// How long after the case left the place still counts (default 30 min).
    pub buffer_after: SignedDuration,
    /// The shortest overlap that makes a contact (default 15 min).
    pub min_overlap: SignedDuration,
    /// How far before symptom onset (or the test) the window opens (default 2 days).
    pub before_onset: SignedDuration,
}

impl Default for ExposureRules {
    fn default() -> Self {
        Self {
            buffer_after: SignedDuration::from_mins(30),
            min_overlap: SignedDuration::from_mins(15),
            before_onset: SignedDuration::from_hours(48),
        }
    }
}

/// One shared stay: the evidence behind a contact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SharedStay {
    pub venue: VenueId,
    /// The source's visit (the case's, or the close contact's for secondary contacts).
    pub source_visit: VisitId,
    pub contact_visit: VisitId,
    pub overlap_start: Timestamp,
    pub overlap_end: Timestamp,
}

impl SharedStay {
    pub fn minutes(&self) -> i64 {
        self.overlap_end.duration_since(self.overlap_start).as_secs() / 60
    }
}

/// A person found by tracing, with every shared stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub resident: ResidentId,
    pub shared: Vec<SharedStay>,
}

impl Contact {
    pub fn total_minutes(&self) -> i64 {
        self.shared.iter().map(SharedStay::minutes).sum()
    }
}

/// The part of `[start, end)` of a source stay (extended by the buffer) that
/// another stay covers, if it reaches the minimum.
pub fn overlap(source: &Visit, other: &Visit, rules: &ExposureRules) -> Option<(Timestamp, Timestamp)> {
    if source.venue != other.venue || source.id == other.id {
        return None;
    }
    let source_end = source.effective_end().saturating_add(rules.buffer_after).unwrap_or(Timestamp::MAX);
    let start = source.entered_at.max(other.entered_at);
    let end = source_end.min(other.effective_end());
    if end <= start {
        return None;
    }
    (end.duration_since(start) >= rules.min_overlap).then_some((start, end))
}

/// The window to trace: from `before_onset` before the onset (or test) until
/// isolation (or `now` if not isolated yet).
pub fn window(
    onset: Timestamp,
    isolated: Option<Timestamp>,
    now: Timestamp,
    rules: &ExposureRules,
) -> (Timestamp, Timestamp) {
    let from = onset.checked_sub(rules.before_onset).unwrap_or(onset);
    (from, isolated.unwrap_or(now).max(from))
}

/// Whether a visit touches the window.
pub fn in_window(v: &Visit, (from, to): (Timestamp, Timestamp)) -> bool {
    v.entered_at < to && v.effective_end() > from
}

/// Contacts of the people in `sources` (their visits in `source_visits`),
/// among `candidates` (other visits at the same venues around those times).
/// People in `exclude` (and the sources themselves) are never contacts.
pub fn contacts(
    source_visits: &[Visit],
    candidates: &[Visit],
    exclude: &BTreeSet<ResidentId>,
    rules: &ExposureRules,
) -> Vec<Contact> {
    contacts_among(source_visits, candidates, exclude, rules)
}

/// [`contacts`] over borrowed candidates (from any collection, in any order,
/// repeats allowed): the same report, without copying the visits.
pub fn contacts_among<'a>(
    source_visits: &[Visit],
    candidates: impl IntoIterator<Item = &'a Visit>,
    exclude: &BTreeSet<ResidentId>,
    rules: &ExposureRules,
) -> Vec<Contact> {
    // Hash lookups for the hot loops (one per candidate, one per shared stay);
    // the report is sorted at the end, so it does not depend on hashing.
    let mut skip: HashSet<ResidentId> = source_visits.iter().map(|v| v.resident).collect();
    skip.extend(exclude.iter().copied());
    // Per venue: candidates by entry time, and the longest stay among them, so
    // each source stay only looks at the candidates that could overlap it.
    let mut by_venue: HashMap<VenueId, (Vec<&Visit>, SignedDuration)> = HashMap::new();
    for c in candidates {
        if !skip.contains(&c.resident) {
            let entry = by_venue.entry(c.venue).or_insert_with(|| (Vec::new(), SignedDuration::ZERO));
            entry.0.push(c);
            entry.1 = entry.1.max(c.effective_end().duration_since(c.entered_at));
        }
    }
    for (list, _) in by_venue.values_mut() {
        list.sort_unstable_by_key(|v| (v.entered_at, v.id));
        list.dedup_by_key(|v| v.id);
    }
    let mut found: HashMap<ResidentId, Vec<SharedStay>> = HashMap::new();
    for s in source_visits {
        let Some((list, longest)) = by_venue.get(&s.venue) else { continue };
        let earliest = s.entered_at.checked_sub(*longest).unwrap_or(Timestamp::MIN);
        let latest = s.effective_end().saturating_add(rules.buffer_after).unwrap_or(Timestamp::MAX);
        let first = list.partition_point(|c| c.entered_at < earliest);
        for c in list[first..].iter().take_while(|c| c.entered_at < latest) {
            if let Some((overlap_start, overlap_end)) = overlap(s, c, rules) {
                found.entry(c.resident).or_default().push(SharedStay {
                    venue: s.venue,
                    source_visit: s.id,
                    contact_visit: c.id,
                    overlap_start,
                    overlap_end,
                });
            }
        }
    }
    let mut found: Vec<(ResidentId, Vec<SharedStay>)> = found.into_iter().collect();
    found.sort_unstable_by_key(|(resident, _)| *resident);
    found
        .into_iter()
        .map(|(resident, mut shared)| {
            shared.sort();
            shared.dedup();
            Contact { resident, shared }
        })
        .collect()
}

/// Secondary contacts of the people in `sources` (close contacts, their
/// visits from their first shared stay on) among `candidates`: each
/// candidate stay that overlaps a source stay by the minimum is listed once,
/// with as its evidence the overlapping source stay that ends latest (ties:
/// the earlier entry, then the smaller visit id). A stay at a busy place
/// is not repeated once per close contact met there, so a person's evidence
/// is at most one shared stay per own stay and the report grows with the
/// stays, not with the pairs. People in `exclude` (and the sources) are never
/// contacts. By person, each person's shared stays sorted.
pub fn secondary_among<'a>(
    source_visits: &[Visit],
    candidates: impl IntoIterator<Item = &'a Visit>,
    exclude: &BTreeSet<ResidentId>,
    rules: &ExposureRules,
) -> Vec<Contact> {
    let mut skip: HashSet<ResidentId> = source_visits.iter().map(|v| v.resident).collect();
    skip.extend(exclude.iter().copied());
    let buffered = |v: &Visit| v.effective_end().saturating_add(rules.buffer_after).unwrap_or(Timestamp::MAX);
    let mut by_venue: HashMap<VenueId, Vec<&Visit>> = HashMap::new();
    for s in source_visits {
        if buffered(s).duration_since(s.entered_at) >= rules.min_overlap {
            by_venue.entry(s.venue).or_default().push(s);
        }
    }
    let by_venue: HashMap<VenueId, (Vec<&Visit>, LatestEnd<Timestamp>)> = by_venue
        .into_iter()
        .map(|(venue, mut list)| {
            list.sort_unstable_by_key(|s| (s.entered_at, s.id));
            let latest = LatestEnd::new(list.iter().map(|s| (s.entered_at, buffered(s))));
            (venue, (list, latest))
        })
        .collect();
    let mut seen: HashSet<VisitId> = HashSet::new();
    let mut found: HashMap<ResidentId, Vec<SharedStay>> = HashMap::new();
    for c in candidates {
        if skip.contains(&c.resident) || !seen.insert(c.id) {
            continue;
        }
        let Some((list, latest)) = by_venue.get(&c.venue) else { continue };
        let (c_in, c_end) = (c.entered_at, c.effective_end());
        if c_end.duration_since(c_in) < rules.min_overlap {
            continue;
        }
        let entered_by = c_end.checked_sub(rules.min_overlap).unwrap_or(Timestamp::MIN);
        let ends_from = c_in.checked_add(rules.min_overlap).unwrap_or(Timestamp::MAX);
        let Some(at) = latest.find(entered_by, ends_from) else { continue };
        let s = list[at];
        if let Some((overlap_start, overlap_end)) = overlap(s, c, rules) {
            found.entry(c.resident).or_default().push(SharedStay {
                venue: c.venue,
                source_visit: s.id,
                contact_visit: c.id,
                overlap_start,
                overlap_end,
            });
        }
    }
    let mut found: Vec<(ResidentId, Vec<SharedStay>)> = found.into_iter().collect();
    found.sort_unstable_by_key(|(resident, _)| *resident);
    found
        .into_iter()
        .map(|(resident, mut shared)| {
            shared.sort_unstable();
            Contact { resident, shared }
        })
        .collect()
}

/// Source stays at one place by entry, each with the one that ends latest
/// among it and those before it: which source stay overlaps a stay by the
/// minimum, if any does, is one binary search (see [`LatestEnd::find`]).
#[derive(Debug, Clone)]
pub(crate) struct LatestEnd<T> {
    entries: Vec<T>,
    /// Position and end of the latest-ending stay among the first `i + 1`
    /// (the first such on ties).
    latest: Vec<(u32, T)>,
}

impl<T: Ord + Copy> LatestEnd<T> {
    /// `stays` are (entry, end, the buffer included), sorted by entry and
    /// then by whatever breaks ties.
    pub(crate) fn new(stays: impl Iterator<Item = (T, T)>) -> Self {
        let mut entries = Vec::new();
        let mut latest: Vec<(u32, T)> = Vec::new();
        for (i, (entered, end)) in stays.enumerate() {
            entries.push(entered);
            let best = match latest.last() {
                Some(&(at, best)) if best >= end => (at, best),
                _ => (i as u32, end),
            };
            latest.push(best);
        }
        Self { entries, latest }
    }

    /// The position of the latest-ending stay among those that entered at
    /// or before `entered_by`, if it ends at or after `ends_from`. With
    /// `entered_by` a stay's end less the minimum and `ends_from` its entry
    /// plus the minimum, that is a source stay overlapping it by at least the
    /// minimum (when both stays last that long), and the one ending latest
    /// among all that do.
    pub(crate) fn find(&self, entered_by: T, ends_from: T) -> Option<usize> {
        let n = self.entries.partition_point(|e| *e <= entered_by);
        let (at, end) = *self.latest.get(n.checked_sub(1)?)?;
        (end >= ends_from).then_some(at as usize)
    }
}
