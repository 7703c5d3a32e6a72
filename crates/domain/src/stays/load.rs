//! Loading a [`StayIndex`] from the store in one go ([`StayLoader`]).

use jiff::Timestamp;
use std::collections::HashMap;

use super::{AtVenue, OfResident, PackedId, StayIndex};
use crate::ids::{ResidentId, VenueId, VisitId};
use crate::visit::Visit;

/// Builds a [`StayIndex`] from many visits at once (a load from the store):
/// each log is sorted once at the end instead of kept sorted on every
/// insert, people are numbered in id order, and their stays are found
/// through one flat array. The visits must be distinct (the store's rows
/// are). Visits read venue by venue fill one log at a time.
#[derive(Debug)]
pub struct StayLoader {
    index: StayIndex,
}

impl StayLoader {
    pub fn new(base: Timestamp) -> Self {
        Self { index: StayIndex::new(base) }
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
        let id = PackedId::pack(id, index.base_ms + i64::from(entered), &mut index.odd_ids);
        index.by_venue[venue as usize].push(AtVenue { entered, length, resident, id });
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
        let Self { mut index } = self;
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
        let mut counts = vec![0u32; index.residents.len() + 1];
        for log in &mut index.by_venue {
            log.shrink_to_fit();
            for s in log.iter_mut() {
                s.resident = renumber[s.resident as usize];
                counts[s.resident as usize + 1] += 1;
            }
            log.sort_unstable_by_key(|s| (s.entered, s.resident));
        }
        drop(renumber);
        for n in 1..counts.len() {
            counts[n] += counts[n - 1];
        }
        let mut next = counts.clone();
        index.loaded = vec![OfResident::default(); index.stays];
        for (venue, log) in index.by_venue.iter().enumerate() {
            for s in log {
                let at = &mut next[s.resident as usize];
                index.loaded[*at as usize] = OfResident { entered: s.entered, venue: venue as u32 };
                *at += 1;
            }
        }
        drop(next);
        for n in 0..index.residents.len() {
            index.loaded[counts[n] as usize..counts[n + 1] as usize].sort_unstable();
        }
        index.starts = counts;
        index.odd_ids.shrink_to_fit();
        index.venues.shrink_to_fit();
        index.longest.shrink_to_fit();
        index.by_venue.shrink_to_fit();
        index.venue_numbers.shrink_to_fit();
        index
    }
}
