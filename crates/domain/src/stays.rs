//! An in-memory index of stays for contact tracing.
//!
//! [`StayIndex`] holds every visit that began since a point in time. Each
//! stay is held once, in its venue's log (`AtVenue`, 16 bytes: entry and
//! length in whole milliseconds after the index's base, the person's number,
//! and the visit id in 4 bytes), sorted by entry, so a tracer reads a few
//! hours of a busy place's log as one run of memory. A person's stays are
//! found through 4 bytes a stay (the entry's hour and the venue's number,
//! `OfResident`): for the stays of the load, one flat array with each
//! person's start in it (4 bytes a person), for the stays inserted after, a
//! small list a person. So 20 bytes a stay on SQLite (32 before 2026-12-07,
//! 48 before 2026-12-06).
//!
//! A visit id is held as what it is made from. The SQLite store's ids are
//! numbers ([`VisitId::from_number`]): a stay holds the number less a base
//! (4 bytes). The PostgreSQL store's are version-7 UUIDs whose first 48 bits
//! are the milliseconds of the check-in: a stay holds their position in a
//! side list (4 bytes) where the id is the difference between those
//! milliseconds and the entry (2 bytes, within ±32 s) and the 10 other bytes
//! (32 bytes a stay on PostgreSQL, as before). An id of neither kind is held whole, in
//! one more list (16 bytes more), so any id is given back exactly. People
//! get dense numbers: at the load in id order (looked up by binary search,
//! no hash map a person), then the first time they are seen; venues the
//! first time they are seen. Times fit 32 bits for 49 days after the base (a
//! visit lasts at most a day).
//!
//! [`StayIndex::contacts`] answers the question of
//! [`exposure::contacts_among`](crate::exposure::contacts_among) for
//! candidates that began in a range: the same contacts, the same shared stays
//! in the same order. It is pure: the server keeps it up to date with what it
//! writes and decides when it covers a trace. [`StayIndex::two_hops`]
//! answers both hops of a trace at once, as [`ContactList`]s (`sweep.rs`,
//! `contact_list.rs`).

use jiff::Timestamp;
use std::collections::HashMap;
use std::ops::Range;

use crate::ids::{ResidentId, VenueId, VisitId};
use crate::visit::Visit;

mod contact_list;
mod load;
mod sweep;
pub use contact_list::ContactList;
pub use load::StayLoader;

/// Offsets past this are out of reach of the base (49 days of milliseconds).
const SPAN_MS: i64 = u32::MAX as i64;

/// A visit id as a stay holds it (4 bytes): a numbered id's number
/// ([`VisitId::from_number`], the SQLite store's) less the index's
/// `id_base`; or, with [`LISTED`] set, the position of the id in
/// [`StayIndex::other_ids`] (the PostgreSQL store's version-7 ids, and any
/// number out of reach of the base).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HeldId(u32);

/// The bit of a [`HeldId`] that says the id is in the side list.
const LISTED: u32 = 1 << 31;

/// How far below the first numbered id seen the base is set: numbers from
/// 2^30 below it to 2^30 above it are held in 4 bytes (at scale L, 2.5
/// million visits a day, that is over a year of check-ins either way).
const NUMBER_REACH: u64 = 1 << 30;

/// A visit id in the side list (12 bytes): the id's first 48 bits (a
/// version-7 UUID's milliseconds) less the stay's entry, and the 10 other
/// bytes; or, for an id of neither form, its position in
/// [`StayIndex::odd_ids`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PackedId {
    /// Milliseconds from the entry to the id's time, or [`ODD_ID`].
    gap: i16,
    rest: [u8; 10],
}

/// The gap of an id held whole in the side list (`rest` starts with its position).
const ODD_ID: i16 = i16::MIN;

impl PackedId {
    /// `id` of a stay that entered at `entered_ms` (since the epoch).
    fn pack(id: VisitId, entered_ms: i64, odd: &mut Vec<VisitId>) -> Self {
        let b = id.as_bytes();
        let time = i64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]]);
        let mut rest = [0u8; 10];
        match i16::try_from(time - entered_ms) {
            Ok(gap) if gap != ODD_ID => {
                rest.copy_from_slice(&b[6..]);
                Self { gap, rest }
            }
            _ => {
                rest[..4].copy_from_slice(&(odd.len() as u32).to_le_bytes());
                odd.push(id);
                Self { gap: ODD_ID, rest }
            }
        }
    }

    /// The id again (`entered_ms` as given to [`PackedId::pack`]).
    fn unpack(&self, entered_ms: i64, odd: &[VisitId]) -> VisitId {
        if self.gap == ODD_ID {
            let at = u32::from_le_bytes([self.rest[0], self.rest[1], self.rest[2], self.rest[3]]);
            return odd[at as usize];
        }
        let time = (entered_ms + i64::from(self.gap)).to_be_bytes();
        let mut b = [0u8; 16];
        b[..6].copy_from_slice(&time[2..]);
        b[6..].copy_from_slice(&self.rest);
        VisitId::from_bytes(b)
    }
}

/// One stay in a venue's log (the only place a stay's length and id are held).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AtVenue {
    entered: u32,
    length: u32,
    resident: u32,
    id: HeldId,
}

/// Where a person's stay is (4 bytes): its venue's log, within an hour.
/// The entry's hour after the base (11 bits: 85 days, past the 49 days an
/// offset reaches) and the venue's number (21 bits), in that order, so the
/// derived order is by hour, then venue. Finding the stay reads that hour
/// of its venue's log for the person's stays ([`StayIndex::positions`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct OfResident(u32);

/// Venue numbers an [`OfResident`] can hold (2,097,152).
const MAX_VENUES: u32 = 1 << 21;
/// The span of an [`OfResident`]'s entry: an hour of milliseconds.
const HOUR_MS: u32 = 3_600_000;

impl OfResident {
    /// A stay that entered at offset `entered` (milliseconds) at venue
    /// `venue` (under [`MAX_VENUES`]).
    fn new(entered: u32, venue: u32) -> Self {
        Self((entered / HOUR_MS) << 21 | (venue & (MAX_VENUES - 1)))
    }

    fn venue(&self) -> u32 {
        self.0 & (MAX_VENUES - 1)
    }

    /// The offsets (milliseconds) the entry lies in.
    fn entered(&self) -> Range<i64> {
        let from = i64::from(self.0 >> 21) * i64::from(HOUR_MS);
        from..from + i64::from(HOUR_MS)
    }
}

const _: () = assert!(std::mem::size_of::<AtVenue>() == 16 && std::mem::size_of::<OfResident>() == 4);

/// A stay a trace starts from: the case's, or a close contact's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceStay {
    pub id: VisitId,
    pub venue: VenueId,
    pub entered_at: Timestamp,
    pub end: Timestamp,
}

impl SourceStay {
    pub fn of(visit: &Visit) -> Self {
        Self { id: visit.id, venue: visit.venue, entered_at: visit.entered_at, end: visit.effective_end() }
    }
}

/// Every stay that began since [`StayIndex::base`], by venue, and where
/// each person's are.
#[derive(Debug, Clone)]
pub struct StayIndex {
    base: Timestamp,
    base_ms: i64,
    /// People by number: the first `sorted_residents` in id order (the
    /// load's), then the ones first seen after, numbered in `resident_numbers`.
    residents: Vec<ResidentId>,
    sorted_residents: usize,
    resident_numbers: HashMap<ResidentId, u32>,
    venue_numbers: HashMap<VenueId, u32>,
    venues: Vec<VenueId>,
    by_venue: Vec<Vec<AtVenue>>,
    /// The longest stay seen at each venue (bounds how far back a log is read).
    longest: Vec<u32>,
    /// The load's stays by person: person `n`'s are
    /// `loaded[starts[n]..starts[n + 1]]`, by entry.
    starts: Vec<u32>,
    loaded: Vec<OfResident>,
    /// Stays inserted after the load, by person number, in the order they
    /// were inserted (the newest last: the one a close nearly always ends).
    added: HashMap<u32, Vec<OfResident>>,
    /// What a numbered id's [`HeldId`] is counted from (set at the first
    /// numbered id held).
    id_base: Option<u64>,
    /// Ids not held as numbers ([`HeldId`] with [`LISTED`]).
    other_ids: Vec<PackedId>,
    /// Ids of the side list that are not version-7 ids of their entry's time.
    odd_ids: Vec<VisitId>,
    stays: usize,
    /// A visit could not be held (it began too far after the base): the
    /// index no longer covers anything until it is rebuilt.
    overflowed: bool,
}

/// What [`StayIndex::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Added,
    /// The visit was in already: its end is updated.
    Updated,
    /// It began before the base: not held.
    TooOld,
    /// It began too long after the base (or its venue is past the
    /// 2,097,152nd): not held, and the index stops covering traces (see
    /// [`StayIndex::covers`]) until rebuilt.
    TooLate,
}

/// What one part of the index takes, for benchmarks and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub stays: usize,
    /// Venue logs (capacity included).
    pub venue_logs: usize,
    /// Where each person's stays are (the load's array, starts, and later lists).
    pub person_lists: usize,
    /// People and venues: ids, numbers, longest stays.
    pub numbering: usize,
    /// Ids not held as numbers (12 bytes each, 16 more for one held whole).
    pub odd_ids: usize,
}

impl Footprint {
    pub fn total(&self) -> usize {
        self.venue_logs + self.person_lists + self.numbering + self.odd_ids
    }
}

impl StayIndex {
    /// An empty index of the stays that begin at or after `base`.
    pub fn new(base: Timestamp) -> Self {
        Self {
            base,
            base_ms: base.as_millisecond(),
            residents: Vec::new(),
            sorted_residents: 0,
            resident_numbers: HashMap::new(),
            venue_numbers: HashMap::new(),
            venues: Vec::new(),
            by_venue: Vec::new(),
            longest: Vec::new(),
            starts: vec![0],
            loaded: Vec::new(),
            added: HashMap::new(),
            id_base: None,
            other_ids: Vec::new(),
            odd_ids: Vec::new(),
            stays: 0,
            overflowed: false,
        }
    }

    /// Stays that began before this are not held.
    pub fn base(&self) -> Timestamp {
        self.base
    }

    /// How many stays are held.
    pub fn len(&self) -> usize {
        self.stays
    }

    pub fn is_empty(&self) -> bool {
        self.stays == 0
    }

    /// Whether every stay that began at or after `from` is held (as far as
    /// what was inserted goes).
    pub fn covers(&self, from: Timestamp) -> bool {
        !self.overflowed && from >= self.base
    }

    /// Bytes held by each part (vectors' capacities; a hash map's entries
    /// counted with one control byte each, at its capacity).
    pub fn footprint(&self) -> Footprint {
        use std::mem::size_of;
        let map = |cap: usize, entry: usize| cap * (entry + 1);
        let added: usize = self.added.values().map(|v| v.capacity() * size_of::<OfResident>() + 24).sum();
        Footprint {
            stays: self.stays,
            venue_logs: self.by_venue.iter().map(|l| l.capacity() * size_of::<AtVenue>()).sum::<usize>()
                + self.by_venue.capacity() * size_of::<Vec<AtVenue>>(),
            person_lists: self.loaded.capacity() * size_of::<OfResident>()
                + self.starts.capacity() * 4
                + map(self.added.capacity(), 4 + size_of::<Vec<OfResident>>())
                + added,
            numbering: self.residents.capacity() * 16
                + map(self.resident_numbers.capacity(), 20)
                + self.venues.capacity() * 16
                + map(self.venue_numbers.capacity(), 20)
                + self.longest.capacity() * 4,
            odd_ids: self.other_ids.capacity() * size_of::<PackedId>() + self.odd_ids.capacity() * 16,
        }
    }

    fn offset(&self, t: Timestamp) -> i64 {
        t.as_millisecond() - self.base_ms
    }

    fn instant(&self, offset: i64) -> Timestamp {
        Timestamp::from_millisecond(self.base_ms + offset).unwrap_or(Timestamp::MAX)
    }

    /// A stay's entry and end as instants.
    fn times(&self, entered: u32, length: u32) -> (Timestamp, Timestamp) {
        let entered = i64::from(entered);
        (self.instant(entered), self.instant(entered + i64::from(length)))
    }

    /// A held stay's visit id.
    fn visit_id(&self, stay: &AtVenue) -> VisitId {
        let HeldId(held) = stay.id;
        if held & LISTED == 0 {
            let n = self.id_base.unwrap_or(0) + u64::from(held);
            return VisitId::from_number(n).unwrap_or_else(|| VisitId::from_bytes([0; 16]));
        }
        let packed = &self.other_ids[(held & !LISTED) as usize];
        packed.unpack(self.base_ms + i64::from(stay.entered), &self.odd_ids)
    }

    /// `id` as a stay that entered at offset `entered` holds it.
    fn hold(&mut self, id: VisitId, entered: u32) -> HeldId {
        if let Some(n) = id.number() {
            let base = *self.id_base.get_or_insert(n.saturating_sub(NUMBER_REACH));
            if let Some(held) = n.checked_sub(base).and_then(|d| u32::try_from(d).ok()).filter(|d| d & LISTED == 0) {
                return HeldId(held);
            }
        }
        // Past 2^31 ids in the side list (60 GB of stays) positions would
        // wrap; the index would be far over any machine's memory first.
        let at = self.other_ids.len() as u32 & !LISTED;
        self.other_ids.push(PackedId::pack(id, self.base_ms + i64::from(entered), &mut self.odd_ids));
        HeldId(LISTED | at)
    }

    /// A stay's entry offset and length, or why it cannot be held (a late
    /// one marks the index overflowed).
    fn span(&mut self, entered_at: Timestamp, end: Timestamp) -> Result<(u32, u32), Inserted> {
        let entered = self.offset(entered_at);
        if entered < 0 {
            return Err(Inserted::TooOld);
        }
        if entered > SPAN_MS {
            self.overflowed = true;
            return Err(Inserted::TooLate);
        }
        Ok((entered as u32, length_ms(entered_at, end)))
    }

    /// A person's number, if they have one.
    fn number_of(&self, id: ResidentId) -> Option<u32> {
        match self.residents[..self.sorted_residents].binary_search(&id) {
            Ok(n) => Some(n as u32),
            Err(_) => self.resident_numbers.get(&id).copied(),
        }
    }

    fn resident_number(&mut self, id: ResidentId) -> u32 {
        if let Some(n) = self.number_of(id) {
            return n;
        }
        let n = self.residents.len() as u32;
        self.resident_numbers.insert(id, n);
        self.residents.push(id);
        n
    }

    fn venue_number(&mut self, id: VenueId) -> u32 {
        if let Some(n) = self.venue_numbers.get(&id) {
            return *n;
        }
        let n = self.venues.len() as u32;
        self.venue_numbers.insert(id, n);
        self.venues.push(id);
        self.by_venue.push(Vec::new());
        self.longest.push(0);
        n
    }

    /// Where person `n`'s stays are: the load's by entry, then the later
    /// ones in the order they were inserted.
    fn own(&self, n: u32) -> impl DoubleEndedIterator<Item = OfResident> + '_ {
        let n = n as usize;
        let loaded = match (self.starts.get(n), self.starts.get(n + 1)) {
            (Some(&from), Some(&to)) => &self.loaded[from as usize..to as usize],
            _ => &[],
        };
        loaded.iter().chain(self.added.get(&(n as u32)).into_iter().flatten()).copied()
    }

    /// How many stays person `n` has.
    fn own_count(&self, n: u32) -> usize {
        let n = n as usize;
        let loaded = match (self.starts.get(n), self.starts.get(n + 1)) {
            (Some(&from), Some(&to)) => (to - from) as usize,
            _ => 0,
        };
        loaded + self.added.get(&(n as u32)).map_or(0, Vec::len)
    }

    /// The positions in its venue's log of person `resident`'s stays that
    /// entered in the hour `at` names (one, unless the person entered
    /// twice in that hour).
    fn positions(&self, at: OfResident, resident: u32) -> impl DoubleEndedIterator<Item = usize> + '_ {
        let log = &self.by_venue[at.venue() as usize];
        let hour = at.entered();
        let first = log.partition_point(|c| i64::from(c.entered) < hour.start);
        let end = first + log[first..].partition_point(|c| i64::from(c.entered) < hour.end);
        log[first..end].iter().enumerate().filter(move |(_, c)| c.resident == resident).map(move |(i, _)| first + i)
    }

    /// Holds a visit (an entry, or a visit read back from the store); a
    /// visit held already gets this one's end.
    pub fn insert(&mut self, visit: &Visit) -> Inserted {
        let (entered, length) = match self.span(visit.entered_at, visit.effective_end()) {
            Ok(span) => span,
            Err(not_held) => return not_held,
        };
        let resident = self.resident_number(visit.resident);
        let venue = self.venue_number(visit.venue);
        if venue >= MAX_VENUES {
            self.overflowed = true;
            return Inserted::TooLate;
        }
        // A visit held already has the same entry and venue: it lies among
        // this person's stays at that instant in the log (sorted by entry and
        // person), found by binary search, not through the person's list.
        let log = &self.by_venue[venue as usize];
        let from = log.partition_point(|s| (s.entered, s.resident) < (entered, resident));
        let held = log[from..]
            .iter()
            .take_while(|s| (s.entered, s.resident) == (entered, resident))
            .position(|s| self.visit_id(s) == visit.id);
        if let Some(i) = held {
            self.end_stay(venue as usize, from + i, visit.effective_end());
            return Inserted::Updated;
        }
        let id = self.hold(visit.id, entered);
        let log = &mut self.by_venue[venue as usize];
        if log.len() == log.capacity() {
            // An eighth more, not twice: a big log grows by little.
            log.reserve_exact((log.len() / 8).max(4));
        }
        let at = log.partition_point(|s| (s.entered, s.resident) <= (entered, resident));
        log.insert(at, AtVenue { entered, length, resident, id });
        self.added.entry(resident).or_default().push(OfResident::new(entered, venue));
        self.longest[venue as usize] = self.longest[venue as usize].max(length);
        self.stays += 1;
        Inserted::Added
    }

    /// A held visit ended at `at` (checked out, or closed by the next
    /// check-in); returns whether it was held.
    pub fn close(&mut self, resident: ResidentId, visit: VisitId, at: Timestamp) -> bool {
        match self.number_of(resident) {
            Some(n) => self.set_end(n, visit, at),
            None => false,
        }
    }

    /// Newest first: the visit a check-out or the next check-in closes is
    /// nearly always the one the person entered last, inserted last and
    /// last of its hour in its venue's log. (Oldest first, a busy check-in
    /// run searched every earlier hour of the person's venues for each
    /// close: 4 % of the server's CPU in the ingest benchmark; newest by
    /// hour and venue, with each hour read from its start, still 7 %.)
    fn set_end(&mut self, resident: u32, visit: VisitId, end: Timestamp) -> bool {
        let found = self.own(resident).rev().find_map(|s| {
            let log = &self.by_venue[s.venue() as usize];
            let at = self.positions(s, resident).rev().find(|&i| self.visit_id(&log[i]) == visit)?;
            Some((s.venue() as usize, at))
        });
        let Some((venue, at)) = found else { return false };
        self.end_stay(venue, at, end);
        true
    }

    /// Stay `at` of venue `venue`'s log ends at `end`.
    fn end_stay(&mut self, venue: usize, at: usize, end: Timestamp) {
        let end = self.offset(end);
        let stay = &mut self.by_venue[venue][at];
        stay.length = (end - i64::from(stay.entered)).clamp(0, SPAN_MS) as u32;
        self.longest[venue] = self.longest[venue].max(stay.length);
    }

    /// Drops every stay that began before `base` and makes it the new base
    /// (a rebuild: offsets are counted from the new base).
    pub fn forget_before(&mut self, base: Timestamp) {
        if base <= self.base {
            return;
        }
        let mut next = StayLoader::new(base);
        for (venue, log) in self.by_venue.iter().enumerate() {
            for s in log {
                let (entered_at, end) = self.times(s.entered, s.length);
                let (resident, venue) = (self.residents[s.resident as usize], self.venues[venue]);
                next.add_stay(resident, venue, self.visit_id(s), entered_at, end);
            }
        }
        let overflowed = self.overflowed;
        *self = next.finish();
        self.overflowed |= overflowed;
    }

    /// A person's stays that began before `to` and end after `after`, as
    /// trace sources (a close contact's stays from their first shared one),
    /// by entry.
    pub fn stays_of(&self, resident: ResidentId, after: Timestamp, to: Timestamp) -> Vec<SourceStay> {
        let Some(n) = self.number_of(resident) else { return Vec::new() };
        let (after, to) = (self.offset(after), self.offset(to));
        let mut own: Vec<OfResident> = self.own(n).filter(|s| s.entered().start < to).collect();
        own.sort_unstable();
        own.dedup();
        let mut stays = Vec::new();
        for s in own {
            let log = &self.by_venue[s.venue() as usize];
            for c in self.positions(s, n).map(|i| &log[i]) {
                let (entered, end) = (i64::from(c.entered), i64::from(c.entered) + i64::from(c.length));
                if entered < to && end > after {
                    let (entered_at, end) = self.times(c.entered, c.length);
                    let venue = self.venues[s.venue() as usize];
                    stays.push((s.venue(), SourceStay { id: self.visit_id(c), venue, entered_at, end }));
                }
            }
        }
        // By entry (an hour holds entries at several venues), then venue.
        stays.sort_by_key(|(venue, s)| (s.entered_at, *venue));
        stays.into_iter().map(|(_, s)| s).collect()
    }
}

/// Milliseconds from `from` to `to`, within 0 ..= u32::MAX.
fn length_ms(from: Timestamp, to: Timestamp) -> u32 {
    (to.as_millisecond() - from.as_millisecond()).clamp(0, SPAN_MS) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::colour::Colour;
    use crate::exposure::{ExposureRules, contacts_among};
    use crate::visit::VisitSource;
    use jiff::SignedDuration;

    fn id(n: u8) -> [u8; 16] {
        let mut b = [0; 16];
        b[15] = n;
        b
    }

    fn at(mins: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + mins * 60).unwrap()
    }

    fn visit(n: u8, person: u8, place: u8, from: i64, to: Option<i64>) -> Visit {
        Visit {
            id: VisitId::from_bytes(id(n)),
            resident: ResidentId::from_bytes(id(person)),
            venue: VenueId::from_bytes(id(place)),
            entered_at: at(from),
            exited_at: to.map(at),
            exit_kind: None,
            source: VisitSource::SelfScan,
            max_stay: SignedDuration::from_hours(4),
            colour: Colour::Green,
        }
    }

    #[test]
    fn finds_what_the_sweep_over_visits_finds() {
        let rules = ExposureRules::default();
        let visits = vec![
            visit(1, 1, 1, 0, Some(60)),     // the case
            visit(2, 2, 1, 30, Some(120)),   // 30 min with the case, then the buffer
            visit(3, 3, 1, 70, Some(80)),    // inside the buffer only: 10 min
            visit(4, 4, 1, -200, None),      // open: to its automatic check-out at 40
            visit(5, 5, 2, 0, Some(60)),     // another place
            visit(6, 6, 1, 100, Some(200)),  // after the buffer
            visit(7, 2, 1, 10, Some(20)),    // the same person again: 10 min
            visit(8, 7, 1, -100, Some(300)), // long stay around the case
        ];
        let mut index = StayIndex::new(at(-1000));
        for v in &visits {
            assert_eq!(index.insert(v), Inserted::Added);
        }
        let case = [visits[0].clone()];
        let range = (at(-1000), at(1000));
        let expected = contacts_among(&case, visits.iter(), &Default::default(), &rules);
        let got = index.contacts(&[SourceStay::of(&case[0])], &[case[0].resident], &[], range, &rules);
        assert_eq!(got, expected);
        let people: Vec<u8> = got.iter().map(|c| c.resident.as_uuid().as_bytes()[15]).collect();
        assert_eq!(people, vec![2, 4, 7]);
    }

    #[test]
    fn a_check_out_shortens_the_stay_and_a_repeat_insert_updates_it() {
        let rules = ExposureRules::default();
        let case = visit(1, 1, 1, 0, Some(60));
        let other = visit(2, 2, 1, 0, None);
        let mut index = StayIndex::new(at(-10));
        index.insert(&case);
        index.insert(&other);
        let range = (at(-100), at(100));
        let src = [SourceStay::of(&case)];
        assert_eq!(index.contacts(&src, &[case.resident], &[], range, &rules).len(), 1);
        assert!(index.close(other.resident, other.id, at(10)));
        assert!(index.contacts(&src, &[case.resident], &[], range, &rules).is_empty());
        assert_eq!(index.insert(&visit(2, 2, 1, 0, Some(50))), Inserted::Updated);
        assert_eq!(index.len(), 2);
        assert_eq!(index.contacts(&src, &[case.resident], &[], range, &rules)[0].total_minutes(), 50);
    }

    #[test]
    fn any_of_a_persons_stays_closes_and_a_repeat_is_told_from_its_neighbours() {
        let (two, three) = (ResidentId::from_bytes(id(2)), ResidentId::from_bytes(id(3)));
        let mut index = StayIndex::new(at(-10));
        for (n, place, from) in [(1, 1, 0), (2, 2, 70), (3, 3, 140)] {
            index.insert(&visit(n, 2, place, from, None));
        }
        index.insert(&visit(4, 3, 1, 0, None)); // the same place and instant as visit 1
        assert!(index.close(two, VisitId::from_bytes(id(1)), at(30)), "the oldest, past the newer ones");
        assert!(index.close(two, VisitId::from_bytes(id(2)), at(100)));
        assert!(!index.close(two, VisitId::from_bytes(id(4)), at(100)), "someone else's");
        assert_eq!(index.insert(&visit(4, 3, 1, 0, Some(20))), Inserted::Updated);
        assert_eq!(index.len(), 4);
        let ends = |who| index.stays_of(who, at(-10), at(300)).iter().map(|s| s.end).collect::<Vec<_>>();
        assert_eq!(ends(two), [at(30), at(100), at(140 + 240)], "visit 3 still open: its four hours' cap");
        assert_eq!(ends(three), [at(20)]);
    }

    #[test]
    fn stays_of_one_hour_and_place_inserted_out_of_order_each_close_their_own() {
        let two = ResidentId::from_bytes(id(2));
        let mut index = StayIndex::new(at(-10));
        // Four stays in one hour, two at place 1; the earliest is inserted
        // last (a visit read back from the store after newer ones).
        for (n, place, from) in [(2, 1, 20), (3, 2, 30), (4, 1, 40), (1, 1, 5)] {
            index.insert(&visit(n, 2, place, from, None));
        }
        for (n, end) in [(1, 10), (4, 45), (2, 25), (3, 35)] {
            assert!(index.close(two, VisitId::from_bytes(id(n)), at(end)), "visit {n}");
        }
        let ends = index.stays_of(two, at(-10), at(300)).iter().map(|s| (s.id, s.end)).collect::<Vec<_>>();
        let want = [(1, 10), (2, 25), (3, 35), (4, 45)].map(|(n, end)| (VisitId::from_bytes(id(n)), at(end)));
        assert_eq!(ends, want, "each stay by entry with its own end");
    }

    #[test]
    fn the_range_and_the_base_bound_what_is_held_and_read() {
        let rules = ExposureRules::default();
        let case = visit(1, 1, 1, 0, Some(60));
        let mut index = StayIndex::new(at(-30));
        assert_eq!(index.insert(&visit(2, 2, 1, -40, Some(50))), Inserted::TooOld);
        index.insert(&case);
        index.insert(&visit(3, 3, 1, 20, Some(50)));
        let src = [SourceStay::of(&case)];
        assert_eq!(index.contacts(&src, &[case.resident], &[], (at(-30), at(100)), &rules).len(), 1);
        assert!(index.contacts(&src, &[case.resident], &[], (at(-30), at(20)), &rules).is_empty());
        assert!(index.covers(at(-30)) && !index.covers(at(-31)));
        index.forget_before(at(10));
        assert_eq!(index.len(), 1);
        assert_eq!(index.stays_of(ResidentId::from_bytes(id(3)), at(0), at(100)).len(), 1);
        // Offsets reach 49.7 days past the base.
        let late = Visit { entered_at: at(10).checked_add(SignedDuration::from_hours(24 * 50)).unwrap(), ..case };
        assert_eq!(index.insert(&late), Inserted::TooLate);
        assert!(!index.covers(at(10)));
    }

    #[test]
    fn a_stay_gives_back_every_form_of_visit_id() {
        let entered = at(0).as_millisecond();
        let v7 = {
            let mut b = [0x5a; 16];
            b[..6].copy_from_slice(&(entered + 3).to_be_bytes()[2..]);
            VisitId::from_bytes(b)
        };
        let number = |n| VisitId::from_number(n).unwrap();
        let first = 3 * NUMBER_REACH;
        let ids = [
            number(first),
            number(first - NUMBER_REACH),     // the base itself
            number(first + NUMBER_REACH - 1), // 2^31 - 1 after the base: the last one held as a number
            number(first - NUMBER_REACH - 1), // below the base: listed, whole
            number(first + 2 * NUMBER_REACH), // past 2^31 after it: listed, whole
            v7,                               // listed, 12 bytes
            VisitId::from_bytes(id(7)),       // neither: listed, whole
            number(VisitId::MAX_NUMBER),
        ];
        let stays: Vec<Visit> = ids
            .iter()
            .enumerate()
            .map(|(n, &vid)| Visit { id: vid, ..visit(n as u8, n as u8 + 1, 1, 0, Some(10)) })
            .collect();
        let mut inserted = StayIndex::new(at(-10));
        let mut loader = StayLoader::new(at(-10));
        for v in &stays {
            inserted.insert(v);
            loader.add(v);
        }
        let loaded = loader.finish();
        for index in [&inserted, &loaded] {
            for v in &stays {
                let got = index.stays_of(v.resident, at(-10), at(100));
                assert_eq!(got.iter().map(|s| s.id).collect::<Vec<_>>(), [v.id]);
            }
            assert_eq!(index.id_base, Some(first - NUMBER_REACH));
            assert_eq!(index.other_ids.len(), 5);
            assert_eq!(index.odd_ids.len(), 4);
        }
    }

    #[test]
    fn stays_in_one_hour_are_told_apart_by_their_ids() {
        let ms = |m: i64| at(0).checked_add(SignedDuration::from_millis(m)).unwrap();
        let stay = |n: u8, place: u8, from: i64, to: i64| Visit {
            entered_at: ms(from),
            exited_at: Some(ms(to)),
            ..visit(n, 1, place, 0, None)
        };
        // One person: three stays at venue 1 in one hour, one at venue 2 in
        // that hour between them, one at venue 1 two hours on.
        let stays = [
            stay(1, 1, 900, 950),
            stay(2, 1, 100, 200),
            stay(3, 2, 500, 60_000),
            stay(4, 1, 1_000, 5_000),
            stay(5, 1, 7_300_000, 7_400_000),
        ];
        let mut inserted = StayIndex::new(at(-1));
        let mut loader = StayLoader::new(at(-1));
        for v in &stays {
            inserted.insert(v);
            loader.add(v);
        }
        for mut index in [inserted, loader.finish()] {
            let got = index.stays_of(stays[0].resident, at(-1), at(1000));
            let ids: Vec<u8> = got.iter().map(|s| s.id.as_uuid().as_bytes()[15]).collect();
            assert_eq!(ids, [2, 3, 1, 4, 5], "by entry");
            assert!(index.close(stays[0].resident, stays[0].id, ms(920)));
            assert!(index.close(stays[0].resident, stays[1].id, ms(150)));
            let ends: Vec<Timestamp> =
                index.stays_of(stays[0].resident, at(-1), at(1000)).iter().map(|s| s.end).collect();
            assert_eq!(ends, [ms(150), ms(60_000), ms(920), ms(5_000), ms(7_400_000)]);
            assert!(index.close(stays[0].resident, stays[4].id, ms(7_350_000)));
            assert_eq!(index.insert(&stay(2, 1, 100, 300)), Inserted::Updated);
            assert_eq!(index.len(), 5);
        }
    }
}
