//! [`Recent`]: a small map of values read moments ago, for the reads every
//! check-in repeats (the caller's session, the venue of the poster). An entry
//! lives `ttl` after it was read; this server drops it at once when it
//! changes the value itself, and another server sharing the database sees
//! the change within `ttl`.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a check-in's session and venue reads are reused.
pub const HOT_READS_TTL: Duration = Duration::from_secs(2);

/// Entries kept before the map starts over (bounded memory under any load).
const CAPACITY: usize = 65_536;

/// Values read recently, each reused until `ttl` after its read.
#[derive(Debug)]
pub struct Recent<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Recent<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::new(HashMap::new()) }
    }

    /// The value read less than `ttl` ago, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).filter(|(read, _)| read.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    /// Remembers a value just read.
    pub fn put(&self, key: K, value: V) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            let ttl = self.ttl;
            entries.retain(|_, (read, _)| read.elapsed() < ttl);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
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
        let recent = Recent::new(Duration::from_millis(50));
        assert_eq!(recent.get(&1), None);
        recent.put(1, "a");
        assert_eq!(recent.get(&1), Some("a"));
        recent.forget(&1);
        assert_eq!(recent.get(&1), None, "a value this server changed is read again");
        recent.put(2, "b");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(recent.get(&2), None, "stale after the ttl");
        let off = Recent::new(Duration::ZERO);
        off.put(3, "c");
        assert_eq!(off.get(&3), None, "a zero ttl caches nothing");
    }

    #[test]
    fn the_map_stays_bounded() {
        let recent = Recent::new(Duration::from_secs(60));
        for i in 0..CAPACITY + 10 {
            recent.put(i, i);
        }
        assert!(recent.entries.lock().unwrap().len() <= CAPACITY);
        assert_eq!(recent.get(&(CAPACITY + 9)), Some(CAPACITY + 9), "the newest survives");
    }
}
