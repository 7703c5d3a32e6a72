//! A trace's contacts as one flat list ([`ContactList`]): what a sweep of
//! the [`StayIndex`] found, held as numbers until it is read.
//!
//! A [`Contact`] holds its shared stays in its own `Vec`, 80 bytes a stay
//! (three 16-byte ids and two instants). Two hops from a thousand cases at
//! scale M find 14.6 million shared stays for 921,000 people: 1.2 GB and a
//! million allocations to build before anyone reads one. The list holds each
//! shared stay in 40 bytes ([`Shared`]: the contact's visit id, the overlap
//! in milliseconds after the index's base, the venue and the source visit as
//! positions in two small tables), all people's in one array, sorted by
//! person, with each person's range in it; ids and instants are made when a
//! contact is read ([`ContactList::get`], [`ContactList::iter`]).

use jiff::Timestamp;
use std::cmp::Ordering;

use super::{AtVenue, StayIndex};
use crate::exposure::{Contact, SharedStay};
use crate::ids::{ResidentId, VenueId, VisitId};

/// Contacts by person id, each person's shared stays sorted: the same
/// contacts as a `Vec<Contact>`, read one at a time.
#[derive(Debug, Clone)]
pub struct ContactList {
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    /// Built from contacts (the store's trace).
    Full(Vec<Contact>),
    /// Found in the stay index.
    Compact(Compact),
}

#[derive(Debug, Clone)]
struct Compact {
    base_ms: i64,
    people: Vec<ResidentId>,
    /// Person `i`'s shared stays are `stays[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    stays: Vec<Shared>,
    venues: Vec<VenueId>,
    sources: Vec<VisitId>,
}

/// One shared stay as the list holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shared {
    contact: VisitId,
    /// The overlap, in milliseconds after the index's base.
    start: i64,
    end: i64,
    /// Positions in the list's venues and sources.
    venue: u32,
    source: u32,
}

const _: () = assert!(std::mem::size_of::<Shared>() == 40);

impl From<Vec<Contact>> for ContactList {
    fn from(contacts: Vec<Contact>) -> Self {
        Self { inner: Inner::Full(contacts) }
    }
}

impl Default for ContactList {
    fn default() -> Self {
        Self::from(Vec::new())
    }
}

impl ContactList {
    /// How many people.
    pub fn len(&self) -> usize {
        match &self.inner {
            Inner::Full(c) => c.len(),
            Inner::Compact(c) => c.people.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many shared stays, all people's.
    pub fn shared_stays(&self) -> usize {
        match &self.inner {
            Inner::Full(c) => c.iter().map(|c| c.shared.len()).sum(),
            Inner::Compact(c) => c.stays.len(),
        }
    }

    /// The people, by id.
    pub fn residents(&self) -> impl Iterator<Item = ResidentId> + '_ {
        let (full, compact) = match &self.inner {
            Inner::Full(c) => (Some(c.iter().map(|c| c.resident)), None),
            Inner::Compact(c) => (None, Some(c.people.iter().copied())),
        };
        full.into_iter().flatten().chain(compact.into_iter().flatten())
    }

    /// The `i`-th person (by id) with their shared stays.
    pub fn get(&self, i: usize) -> Option<Contact> {
        match &self.inner {
            Inner::Full(c) => c.get(i).cloned(),
            Inner::Compact(c) => c.get(i),
        }
    }

    /// Every contact, by person id, made as it is read.
    pub fn iter(&self) -> impl Iterator<Item = Contact> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Every contact at once.
    pub fn into_contacts(self) -> Vec<Contact> {
        match self.inner {
            Inner::Full(c) => c,
            Inner::Compact(_) => self.iter().collect(),
        }
    }
}

impl Compact {
    fn empty(base_ms: i64) -> Self {
        let (people, stays, venues, sources) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        Self { base_ms, people, starts: vec![0], stays, venues, sources }
    }

    fn get(&self, i: usize) -> Option<Contact> {
        let resident = *self.people.get(i)?;
        let range = self.starts[i] as usize..self.starts[i + 1] as usize;
        let shared = self.stays[range].iter().map(|s| self.shared_stay(s)).collect();
        Some(Contact { resident, shared })
    }

    fn instant(&self, offset: i64) -> Timestamp {
        Timestamp::from_millisecond(self.base_ms + offset).unwrap_or(Timestamp::MAX)
    }

    fn shared_stay(&self, s: &Shared) -> SharedStay {
        SharedStay {
            venue: self.venues[s.venue as usize],
            source_visit: self.sources[s.source as usize],
            contact_visit: s.contact,
            overlap_start: self.instant(s.start),
            overlap_end: self.instant(s.end),
        }
    }

    /// The order of [`SharedStay`]s (venue, source visit, contact visit,
    /// start, end), the ids read only where the positions differ.
    fn order(&self, a: &Shared, b: &Shared) -> Ordering {
        let venue = || self.venues[a.venue as usize].cmp(&self.venues[b.venue as usize]);
        let source = || self.sources[a.source as usize].cmp(&self.sources[b.source as usize]);
        (if a.venue == b.venue { Ordering::Equal } else { venue() })
            .then_with(|| if a.source == b.source { Ordering::Equal } else { source() })
            .then_with(|| (a.contact, a.start, a.end).cmp(&(b.contact, b.start, b.end)))
    }

    /// Sorts each person's shared stays and drops repeats (a sweep finds
    /// them nearly in order: most people need only the check).
    fn sort_each(&mut self) {
        let mut stays = std::mem::take(&mut self.stays);
        let mut write = 0usize;
        for i in 0..self.people.len() {
            let (from, to) = (self.starts[i] as usize, self.starts[i + 1] as usize);
            self.starts[i] = write as u32;
            let own = &mut stays[from..to];
            if !own.windows(2).all(|w| self.order(&w[0], &w[1]) == Ordering::Less) {
                own.sort_unstable_by(|a, b| self.order(a, b));
            }
            for k in from..to {
                if k > from && self.order(&stays[write - 1], &stays[k]) == Ordering::Equal {
                    continue;
                }
                stays[write] = stays[k];
                write += 1;
            }
        }
        if let Some(last) = self.starts.last_mut() {
            *last = write as u32;
        }
        stays.truncate(write);
        self.stays = stays;
    }
}

/// Where a hit's source stay is.
#[derive(Debug, Clone, Copy)]
pub(super) enum SourceRef {
    /// Its position in the sources the sweep was given.
    Listed(u32),
    /// Its position in the venue's log.
    Logged(u32),
}

/// What a sweep does with each shared stay it finds: counts them by
/// person, then puts each in its place. A sweep runs twice, once a mode.
pub(super) enum Sink<'a> {
    /// Hits by person number, and the numbers with any (in the order seen).
    Count(Vec<u32>, Vec<u32>),
    Place(Placing<'a>),
}

pub(super) struct Placing<'a> {
    index: &'a StayIndex,
    /// Where each person's next stay goes.
    next: Vec<u32>,
    /// Venue number to position in `list.venues` (`u32::MAX`: none yet).
    local: Vec<u32>,
    list: Compact,
}

impl Sink<'_> {
    /// A shared stay of the contact stay `stay` at venue number `venue`
    /// with `source`, overlapping over `[start, end)` (offsets).
    #[inline]
    pub(super) fn hit(&mut self, venue: u32, stay: &AtVenue, source: SourceRef, start: i64, end: i64) {
        match self {
            Sink::Count(counts, seen) => {
                let count = &mut counts[stay.resident as usize];
                if *count == 0 {
                    seen.push(stay.resident);
                }
                *count += 1;
            }
            Sink::Place(p) => p.place(venue, stay, source, start, end),
        }
    }
}

impl Placing<'_> {
    fn place(&mut self, venue: u32, stay: &AtVenue, source: SourceRef, start: i64, end: i64) {
        let local = &mut self.local[venue as usize];
        if *local == u32::MAX {
            *local = self.list.venues.len() as u32;
            self.list.venues.push(self.index.venues[venue as usize]);
        }
        let source = match source {
            SourceRef::Listed(i) => i,
            SourceRef::Logged(at) => {
                let log = &self.index.by_venue[venue as usize];
                self.list.sources.push(self.index.visit_id(&log[at as usize]));
                (self.list.sources.len() - 1) as u32
            }
        };
        let at = &mut self.next[stay.resident as usize];
        self.list.stays[*at as usize] =
            Shared { contact: self.index.visit_id(stay), start, end, venue: *local, source };
        *at += 1;
    }
}

/// A list built by a sweep: the list, and each of its people's number in
/// the index.
pub(super) struct Built {
    pub(super) list: ContactList,
    pub(super) numbers: Vec<u32>,
    /// Each person's earliest overlap start (an offset).
    pub(super) first: Vec<i64>,
}

impl StayIndex {
    /// Runs `sweep` twice (count, then place) and builds the list; `listed`
    /// are the ids of the sources a sweep names by position.
    pub(super) fn collect<'s>(&'s self, listed: Vec<VisitId>, mut sweep: impl FnMut(&mut Sink<'s>)) -> Built {
        let mut sink = Sink::Count(vec![0u32; self.residents.len()], Vec::new());
        sweep(&mut sink);
        let (mut counts, seen) = match sink {
            Sink::Count(counts, seen) => (counts, seen),
            Sink::Place(p) => (p.next, Vec::new()),
        };
        let numbers = self.in_id_order(&counts, seen);
        let mut starts = Vec::with_capacity(numbers.len() + 1);
        let mut total = 0u32;
        starts.push(0);
        for &n in &numbers {
            let count = counts[n as usize];
            counts[n as usize] = total;
            total += count;
            starts.push(total);
        }
        let blank = Shared { contact: VisitId::from_bytes([0; 16]), start: 0, end: 0, venue: 0, source: 0 };
        let list = Compact {
            base_ms: self.base_ms,
            people: numbers.iter().map(|&n| self.residents[n as usize]).collect(),
            starts,
            stays: vec![blank; total as usize],
            venues: Vec::new(),
            sources: listed,
        };
        let placing = Placing { index: self, next: counts, local: vec![u32::MAX; self.venues.len()], list };
        let mut sink = Sink::Place(placing);
        sweep(&mut sink);
        let mut list = match sink {
            Sink::Place(p) => p.list,
            Sink::Count(..) => Compact::empty(self.base_ms),
        };
        list.sort_each();
        let first = (0..numbers.len())
            .map(|i| {
                let own = &list.stays[list.starts[i] as usize..list.starts[i + 1] as usize];
                own.iter().map(|s| s.start).min().unwrap_or(i64::MAX)
            })
            .collect();
        Built { list: ContactList { inner: Inner::Compact(list) }, numbers, first }
    }

    /// The numbers of the people counted (`seen`), by id: the load's are
    /// numbered in id order, the later ones are merged in. Many are read
    /// off the counts in order, few sorted.
    fn in_id_order(&self, counts: &[u32], mut seen: Vec<u32>) -> Vec<u32> {
        let sorted = self.sorted_residents as u32;
        if seen.len().saturating_mul(16) < counts.len() {
            seen.sort_unstable();
        } else {
            seen = (0..counts.len() as u32).filter(|n| counts[*n as usize] > 0).collect();
        }
        let split = seen.partition_point(|&n| n < sorted);
        let mut late = seen.split_off(split);
        let loaded = seen;
        if late.is_empty() {
            return loaded;
        }
        late.sort_unstable_by_key(|&n| self.residents[n as usize]);
        let mut merged = Vec::with_capacity(loaded.len() + late.len());
        let (mut a, mut b) = (loaded.into_iter().peekable(), late.into_iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&x), Some(&y)) if self.residents[x as usize] <= self.residents[y as usize] => a.next(),
                (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => break,
            };
            merged.extend(next);
        }
        merged
    }
}
