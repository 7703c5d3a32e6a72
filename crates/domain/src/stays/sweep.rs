//! The sweeps of a [`StayIndex`]: the close contacts of given stays
//! ([`StayIndex::contacts`]), the secondary contacts of given stays
//! ([`StayIndex::secondary`]), and both hops at once
//! ([`StayIndex::two_hops`]), where the close contacts' own stays are read
//! where they lie, in the venue logs, and never made into [`SourceStay`]s.

use jiff::Timestamp;

use super::contact_list::{Built, ContactList, Sink, SourceRef};
use super::{SPAN_MS, SourceStay, StayIndex};
use crate::exposure::{Contact, ExposureRules, LatestEnd};
use crate::ids::{ResidentId, VisitId};

/// A source stay at one venue as a secondary sweep reads it: entry and end
/// with the buffer (offsets), and where it is.
#[derive(Debug, Clone, Copy)]
struct Source {
    entered: i64,
    end: i64,
    at: SourceRef,
}

/// The rules in milliseconds, and the range as offsets.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    from: i64,
    to: i64,
    buffer: i64,
    min_overlap: i64,
}

impl StayIndex {
    fn bounds(&self, range: (Timestamp, Timestamp), rules: &ExposureRules) -> Bounds {
        Bounds {
            from: self.offset(range.0),
            to: self.offset(range.1),
            buffer: rules.buffer_after.as_millis() as i64,
            min_overlap: rules.min_overlap.as_millis() as i64,
        }
    }

    /// The contacts of `sources` among the stays that began in `range`:
    /// what [`exposure::contacts_among`](crate::exposure::contacts_among)
    /// reports for the sources and those candidates. The sources' people and
    /// `exclude` are never contacts. By person, each person's shared stays
    /// sorted.
    pub fn contacts(
        &self,
        sources: &[SourceStay],
        source_people: &[ResidentId],
        exclude: &[ResidentId],
        range: (Timestamp, Timestamp),
        rules: &ExposureRules,
    ) -> Vec<Contact> {
        self.contact_list(sources, source_people, exclude, range, rules).into_contacts()
    }

    /// [`StayIndex::contacts`] as a [`ContactList`].
    pub fn contact_list(
        &self,
        sources: &[SourceStay],
        source_people: &[ResidentId],
        exclude: &[ResidentId],
        range: (Timestamp, Timestamp),
        rules: &ExposureRules,
    ) -> ContactList {
        let skip = self.skip_list(source_people, exclude);
        self.close_sweep(sources, &skip, self.bounds(range, rules)).list
    }

    fn close_sweep(&self, sources: &[SourceStay], skip: &[bool], b: Bounds) -> Built {
        // By venue id and visit id: each person's shared stays come out in
        // their order but where a person shared one source stay twice.
        let mut sources: Vec<(u32, &SourceStay)> =
            sources.iter().filter_map(|s| Some((*self.venue_numbers.get(&s.venue)?, s))).collect();
        sources.sort_by_key(|a| (a.1.venue, a.1.id));
        let listed: Vec<VisitId> = sources.iter().map(|(_, s)| s.id).collect();
        self.collect(listed, |sink| {
            for (i, &(venue, s)) in sources.iter().enumerate() {
                let log = &self.by_venue[venue as usize];
                let s_in = self.offset(s.entered_at);
                let s_end = self.offset(s.end).saturating_add(b.buffer);
                let from = b.from.max(s_in - i64::from(self.longest[venue as usize]));
                let to = b.to.min(s_end);
                if to <= from || to <= 0 {
                    continue;
                }
                let from = from.clamp(0, SPAN_MS + 1);
                let first = log.partition_point(|c| i64::from(c.entered) < from);
                for c in log[first..].iter().take_while(|c| i64::from(c.entered) < to) {
                    if skip[c.resident as usize] {
                        continue;
                    }
                    let c_in = i64::from(c.entered);
                    let start = s_in.max(c_in);
                    let end = s_end.min(c_in + i64::from(c.length));
                    if end > start && end - start >= b.min_overlap {
                        sink.hit(venue, c, SourceRef::Listed(i as u32), start, end);
                    }
                }
            }
        })
    }

    /// The secondary contacts of `sources` (close contacts' stays) among the
    /// stays that began in `range`: what
    /// [`exposure::secondary_among`](crate::exposure::secondary_among)
    /// reports for the sources and those candidates, each contact stay once
    /// with the overlapping source stay that ends latest. Each venue's log is
    /// read once, only near its sources' stays. The sources' people and
    /// `exclude` are never contacts.
    pub fn secondary(
        &self,
        sources: &[SourceStay],
        source_people: &[ResidentId],
        exclude: &[ResidentId],
        range: (Timestamp, Timestamp),
        rules: &ExposureRules,
    ) -> Vec<Contact> {
        let skip = self.skip_list(source_people, exclude);
        let b = self.bounds(range, rules);
        // By venue and then as LatestEnd breaks ties: entry, then visit id.
        let mut at_venues: Vec<(u32, Source)> = sources
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let venue = *self.venue_numbers.get(&s.venue)?;
                let (entered, end) = (self.offset(s.entered_at), self.offset(s.end).saturating_add(b.buffer));
                let at = SourceRef::Listed(i as u32);
                (end - entered >= b.min_overlap).then_some((venue, Source { entered, end, at }))
            })
            .collect();
        let id = |s: &Source| match s.at {
            SourceRef::Listed(i) | SourceRef::Logged(i) => sources[i as usize].id,
        };
        at_venues
            .sort_unstable_by(|(va, a), (vb, b)| (va, a.entered).cmp(&(vb, b.entered)).then_with(|| id(a).cmp(&id(b))));
        let (venues, groups): (Vec<u32>, Vec<Source>) = at_venues.into_iter().unzip();
        let listed = sources.iter().map(|s| s.id).collect();
        let built = self.collect(listed, |sink| {
            let mut at = 0;
            for run in venues.chunk_by(|a, b| a == b) {
                self.sweep_venue(run[0], &groups[at..at + run.len()], &skip, b, sink);
                at += run.len();
            }
        });
        built.list.into_contacts()
    }

    /// Both hops at once: the close contacts of `sources` (as
    /// [`StayIndex::contact_list`]) and the secondary contacts of their
    /// stays from their first shared stay on that began before `until` (as
    /// [`StayIndex::secondary`] of each close contact's
    /// [`StayIndex::stays_of`], with the close contacts, the sources' people
    /// and `exclude` never contacts).
    pub fn two_hops(
        &self,
        sources: &[SourceStay],
        source_people: &[ResidentId],
        exclude: &[ResidentId],
        range: (Timestamp, Timestamp),
        until: Timestamp,
        rules: &ExposureRules,
    ) -> (ContactList, ContactList) {
        let mut skip = self.skip_list(source_people, exclude);
        let b = self.bounds(range, rules);
        let close = self.close_sweep(sources, &skip, b);
        let their_stays: usize = close.numbers.iter().map(|&n| self.own_count(n)).sum();
        let reading = if their_stays.saturating_mul(8) < self.stays { Reading::Own } else { Reading::Logs };
        let secondary = self.secondary_of(&close, &mut skip, self.offset(until), b, reading);
        (close.list, secondary.list)
    }

    /// The secondary sweep of a two-hop trace: `close`'s people's stays from
    /// their first shared stay on that began before `until` are the
    /// sources; `skip` gets the close contacts.
    fn secondary_of(&self, close: &Built, skip: &mut [bool], until: i64, b: Bounds, reading: Reading) -> Built {
        // From when each person's stays are sources (i64::MAX: none are).
        let mut after = vec![i64::MAX; self.residents.len()];
        for (&n, &first) in close.numbers.iter().zip(&close.first) {
            after[n as usize] = first;
            skip[n as usize] = true;
        }
        let skip = &*skip;
        let pick = Pick { after: &after, until, b };
        let mut group: Vec<Source> = Vec::new();
        match reading {
            Reading::Own => {
                // Each close contact's stays, found through their own list.
                let mut held: Vec<u64> = Vec::new();
                for &n in &close.numbers {
                    for s in self.own(n) {
                        if s.entered().start < until {
                            held.extend(self.positions(s, n).map(|i| u64::from(s.venue()) << 32 | i as u64));
                        }
                    }
                }
                held.sort_unstable();
                held.dedup();
                self.collect(Vec::new(), |sink| {
                    for run in held.chunk_by(|a, b| a >> 32 == b >> 32) {
                        let venue = (run[0] >> 32) as u32;
                        self.pick_sources(venue, run.iter().map(|k| *k as u32 as usize), &pick, &mut group);
                        self.sweep_venue(venue, &group, skip, b, sink);
                    }
                })
            }
            Reading::Logs => {
                // Venues in id order: each person's shared stays then come
                // out nearly in order.
                let mut venues: Vec<u32> = (0..self.venues.len() as u32).collect();
                venues.sort_unstable_by_key(|&v| self.venues[v as usize]);
                self.collect(Vec::new(), |sink| {
                    for &venue in &venues {
                        let log = &self.by_venue[venue as usize];
                        let before = log.partition_point(|c| i64::from(c.entered) < until);
                        self.pick_sources(venue, 0..before, &pick, &mut group);
                        self.sweep_venue(venue, &group, skip, b, sink);
                    }
                })
            }
        }
    }

    /// Into `group`, the stays at `positions` of venue `venue`'s log (in
    /// log order) that are sources: a close contact's, from their first
    /// shared stay, long enough; equal entries ordered by visit id.
    fn pick_sources(
        &self,
        venue: u32,
        positions: impl Iterator<Item = usize>,
        pick: &Pick<'_>,
        group: &mut Vec<Source>,
    ) {
        let log = &self.by_venue[venue as usize];
        group.clear();
        for at in positions {
            let c = &log[at];
            let (entered, end) = (i64::from(c.entered), i64::from(c.entered) + i64::from(c.length));
            if end <= pick.after[c.resident as usize] || entered >= pick.until {
                continue;
            }
            let end = end.saturating_add(pick.b.buffer);
            if end - entered >= pick.b.min_overlap {
                group.push(Source { entered, end, at: SourceRef::Logged(at as u32) });
            }
        }
        let position = |s: &Source| match s.at {
            SourceRef::Listed(i) | SourceRef::Logged(i) => i as usize,
        };
        for run in group.chunk_by_mut(|a, b| a.entered == b.entered) {
            if run.len() > 1 {
                run.sort_unstable_by_key(|s| self.visit_id(&log[position(s)]));
            }
        }
    }

    /// The secondary sweep of one venue: `group` are its source stays by
    /// entry (ties as [`LatestEnd`] breaks them); each log entry near them is
    /// read once and, when a source overlaps it by the minimum, shared with
    /// the one that ends latest.
    fn sweep_venue(&self, venue: u32, group: &[Source], skip: &[bool], b: Bounds, sink: &mut Sink<'_>) {
        if group.is_empty() {
            return;
        }
        let log = &self.by_venue[venue as usize];
        let latest = LatestEnd::new(group.iter().map(|s| (s.entered, s.end)));
        let longest = i64::from(self.longest[venue as usize]);
        // The log read in runs around the sources' stays, each entry once.
        let mut read_to = b.from.max(0);
        let mut cursor = 0;
        for s in group {
            let from = read_to.max(s.entered - longest);
            let to = b.to.min(s.end).min(SPAN_MS + 1);
            if to <= from {
                continue;
            }
            read_to = to;
            let first = cursor + log[cursor..].partition_point(|c| i64::from(c.entered) < from);
            cursor = first;
            for c in log[first..].iter().take_while(|c| i64::from(c.entered) < to) {
                cursor += 1;
                let (c_in, c_end) = (i64::from(c.entered), i64::from(c.entered) + i64::from(c.length));
                if skip[c.resident as usize] || c_end - c_in < b.min_overlap {
                    continue;
                }
                let Some(at) = latest.find(c_end - b.min_overlap, c_in + b.min_overlap) else { continue };
                let source = &group[at];
                let (start, end) = (source.entered.max(c_in), source.end.min(c_end));
                sink.hit(venue, c, source.at, start, end);
            }
        }
    }

    /// Who is never a contact, by person number.
    pub(super) fn skip_list(&self, source_people: &[ResidentId], exclude: &[ResidentId]) -> Vec<bool> {
        let mut skip = vec![false; self.residents.len()];
        for r in source_people.iter().chain(exclude) {
            if let Some(n) = self.number_of(*r) {
                skip[n as usize] = true;
            }
        }
        skip
    }
}

/// How a two-hop trace finds the close contacts' stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Through each one's own list, then sorted by venue and position:
    /// when they are few.
    Own,
    /// Every venue log read whole: when they are many (at scale M two hops
    /// from many cases reach most of the city).
    Logs,
}

/// Which stays are a two-hop trace's secondary sources.
struct Pick<'a> {
    /// By person number: their stays that end after this are sources.
    after: &'a [i64],
    /// Sources began before this.
    until: i64,
    b: Bounds,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::Colour;
    use crate::ids::VenueId;
    use crate::stays::StayLoader;
    use crate::visit::{Visit, VisitSource};
    use jiff::SignedDuration;
    use proptest::prelude::*;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minutes * 60).unwrap()
    }

    fn visit(n: usize, (person, venue, from, length): (u8, u8, i64, Option<i64>)) -> Visit {
        let mut id = [0; 16];
        id[..8].copy_from_slice(&(n as u64).to_be_bytes());
        Visit {
            id: VisitId::from_bytes(id),
            resident: ResidentId::from_bytes([person + 1; 16]),
            venue: VenueId::from_bytes([venue + 1; 16]),
            entered_at: at(from),
            exited_at: length.map(|l| at(from + l)),
            exit_kind: None,
            source: VisitSource::SelfScan,
            max_stay: SignedDuration::from_hours(4),
            colour: Colour::Green,
        }
    }

    proptest! {
        #[test]
        fn both_readings_find_the_same_secondary_contacts(
            raw in prop::collection::vec((0u8..10, 0u8..4, 0i64..600, prop::option::of(0i64..300)), 1..60),
            loaded in 0usize..60,
        ) {
            let visits: Vec<Visit> = raw.iter().enumerate().map(|(n, r)| visit(n, *r)).collect();
            let (first, late) = visits.split_at(loaded.min(visits.len()));
            let mut loader = StayLoader::new(at(-1000));
            first.iter().for_each(|v| loader.add(v));
            let mut index = loader.finish();
            late.iter().for_each(|v| {
                index.insert(v);
            });
            let case = ResidentId::from_bytes([1; 16]);
            let sources: Vec<SourceStay> = visits.iter().filter(|v| v.resident == case).map(SourceStay::of).collect();
            let b = index.bounds((at(-1000), at(2000)), &ExposureRules::default());
            let skip = index.skip_list(&[case], &[]);
            let close = index.close_sweep(&sources, &skip, b);
            let until = index.offset(at(500));
            let own = index.secondary_of(&close, &mut skip.clone(), until, b, Reading::Own);
            let logs = index.secondary_of(&close, &mut skip.clone(), until, b, Reading::Logs);
            prop_assert_eq!(own.list.into_contacts(), logs.list.into_contacts());
        }
    }
}
