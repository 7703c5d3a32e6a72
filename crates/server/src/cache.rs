//! [`Recent`]: a small map of values read moments ago, for the reads every
//! check-in repeats (the caller's session, the venue of the poster). An entry
//! lives `ttl` after it was read; this server drops it at once when it
//! changes the value itself, and another server sharing the database sees
//! the change within `ttl`.

use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};

/// How long a check-in's session and venue reads are reused.
pub const HOT_READS_TTL: SignedDuration = SignedDuration::from_secs(2);

/// Entries kept before the map starts over (bounded memory under any load).
const CAPACITY: usize = 65_536;

/// Values read recently, each reused until `ttl` after its read.
#[derive(Debug)]
pub struct Recent<K, V> {
    ttl: SignedDuration,
    entries: Mutex<HashMap<K, (Timestamp, V)>>,
}

impl<K: Eq + Hash, V: Clone> Recent<K, V> {
    pub fn new(ttl: SignedDuration) -> Self {
        Self { ttl, entries: Mutex::new(HashMap::new()) }
    }

    fn fresh(&self, read: Timestamp, now: Timestamp) -> bool {
        read <= now && now.duration_since(read) < self.ttl
    }

    /// The value read less than `ttl` before `now`, if any.
    pub fn get(&self, key: &K, now: Timestamp) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).filter(|(read, _)| self.fresh(*read, now)).map(|(_, v)| v.clone())
    }

    /// Remembers a value read at `now`.
    pub fn put(&self, key: K, value: V, now: Timestamp) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            entries.retain(|_, (read, _)| self.fresh(*read, now));
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (now, value));
    }

    /// Forgets everything (a change that touches values under many keys).
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// Forgets a value this server just changed.
    pub fn forget(&self, key: &K) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).remove(key);
    }
}

impl<K: Eq + Hash, V: Clone> Default for Recent<K, V> {
    fn default() -> Self {
        Self::new(HOT_READS_TTL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_reused_until_forgotten_or_stale() {
        let t = |ms: i64| Timestamp::from_millisecond(1_800_000_000_000 + ms).unwrap();
        let recent = Recent::new(SignedDuration::from_millis(50));
        assert_eq!(recent.get(&1, t(0)), None);
        recent.put(1, "a", t(0));
        assert_eq!(recent.get(&1, t(49)), Some("a"));
        recent.forget(&1);
        assert_eq!(recent.get(&1, t(1)), None, "a value this server changed is read again");
        recent.put(2, "b", t(100));
        assert_eq!(recent.get(&2, t(150)), None, "stale after the ttl");
        assert_eq!(recent.get(&2, t(99)), None, "a clock set back does not make it fresh");
        let off = Recent::new(SignedDuration::ZERO);
        off.put(3, "c", t(0));
        assert_eq!(off.get(&3, t(0)), None, "a zero ttl caches nothing");
    }

    #[test]
    fn the_map_stays_bounded() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let recent = Recent::new(SignedDuration::from_secs(60));
        for i in 0..CAPACITY + 10 {
            recent.put(i, i, now);
        }
        assert!(recent.entries.lock().unwrap().len() <= CAPACITY);
        assert_eq!(recent.get(&(CAPACITY + 9), now), Some(CAPACITY + 9), "the newest survives");
    }
}
