//! Loading a [`StayIndex`] from the store in one go ([`StayLoader`]).

use jiff::Timestamp;
use std::collections::HashMap;

use super::{AtVenue, MAX_VENUES, OfResident, StayIndex};
use crate::ids::{ResidentId, VenueId, VisitId};
use crate::visit::Visit;

/// Builds a [`StayIndex`] from many visits at once (a load from the store):
/// each log is sorted once at the end instead of kept sorted on every
/// insert, people are numbered in id order, and their stays are found
/// through one flat array. The visits must be distinct (the store's rows
/// are).
///
/// Stays wait in one flat array until the end, where each venue's log is
/// made at its size, one after another. Logs grown stay by stay left the
/// allocator's heaps strewn with the space of their smaller copies, held
/// resident between live logs: about 100 MB at scale M that
/// `malloc_trim` could not give back (docs/BENCHMARKS.md).
#[derive(Debug)]
pub struct StayLoader {
    index: StayIndex,
    /// The stays added, with their venue's number.
    stays: Vec<(u32, AtVenue)>,
}

impl StayLoader {
    pub fn new(base: Timestamp) -> Self {
        Self { index: StayIndex::new(base), stays: Vec::new() }
    }

    /// Adds a visit; one that began before the base is left out.
    pub fn add(&mut self, visit: &Visit) {
        self.add_stay(visit.resident, visit.venue, visit.id, visit.entered_at, visit.effective_end());
    }

    pub(super) fn add_stay(
        &mut self,
        resident: ResidentId,
        venue: VenueId,
        id: VisitId,
        entered_at: Timestamp,
        end: Timestamp,
    ) {
        let index = &mut self.index;
        let Ok((entered, length)) = index.span(entered_at, end) else { return };
        let resident = index.resident_number(resident);
        let venue = index.venue_number(venue);
        if venue >= MAX_VENUES {
            index.overflowed = true;
            return;
        }
        let id = index.hold(id, entered);
        self.stays.push((venue, AtVenue { entered, length, resident, id }));
        index.longest[venue as usize] = index.longest[venue as usize].max(length);
        index.stays += 1;
    }

    /// How many stays were added.
    pub fn len(&self) -> usize {
        self.index.stays
    }

    pub fn is_empty(&self) -> bool {
        self.index.stays == 0
    }

    /// The index: people numbered in id order, every log sorted and trimmed
    /// to its length, each person's stays in one flat array.
    pub fn finish(self) -> StayIndex {
        let Self { mut index, mut stays } = self;
        // People in id order: a number is then a position found by binary search.
        let mut order: Vec<u32> = (0..index.residents.len() as u32).collect();
        order.sort_unstable_by_key(|&n| index.residents[n as usize]);
        let mut renumber = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old as usize] = new as u32;
        }
        index.residents = order.iter().map(|&old| index.residents[old as usize]).collect();
        drop(order);
        index.sorted_residents = index.residents.len();
        index.resident_numbers = HashMap::new();
        let mut sizes = vec![0usize; index.by_venue.len()];
        for (venue, _) in &stays {
            sizes[*venue as usize] += 1;
        }
        for (log, size) in index.by_venue.iter_mut().zip(sizes) {
            *log = Vec::with_capacity(size);
        }
        let mut counts = vec![0u32; index.residents.len() + 1];
        for (venue, mut s) in stays.drain(..) {
            s.resident = renumber[s.resident as usize];
            counts[s.resident as usize + 1] += 1;
            index.by_venue[venue as usize].push(s);
        }
        drop(stays);
        drop(renumber);
        for log in &mut index.by_venue {
            log.sort_unstable_by_key(|s| (s.entered, s.resident));
        }
        for n in 1..counts.len() {
            counts[n] += counts[n - 1];
        }
        let mut next = counts.clone();
        index.loaded = vec![OfResident::default(); index.stays];
        for (venue, log) in index.by_venue.iter().enumerate() {
            for s in log {
                let at = &mut next[s.resident as usize];
                index.loaded[*at as usize] = OfResident::new(s.entered, venue as u32);
                *at += 1;
            }
        }
        drop(next);
        for n in 0..index.residents.len() {
            index.loaded[counts[n] as usize..counts[n + 1] as usize].sort_unstable();
        }
        index.starts = counts;
        index.other_ids.shrink_to_fit();
        index.odd_ids.shrink_to_fit();
        index.venues.shrink_to_fit();
        index.longest.shrink_to_fit();
        index.by_venue.shrink_to_fit();
        index.venue_numbers.shrink_to_fit();
        index
    }
}
