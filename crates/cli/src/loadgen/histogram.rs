//! A log-linear latency histogram in microseconds: exact below 256 µs, then
//! 128 buckets per power of two (under 0.8 % error), the maximum kept exactly.
//! Small enough that a crate would cost more than it saves.

/// Sub-buckets per power of two, as a power of two (256 = exact range).
const SUB_BITS: u32 = 8;
const SUB: u64 = 1 << SUB_BITS;
const HALF: u64 = SUB / 2;

#[derive(Debug, Clone, Default)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

fn index_of(value: u64) -> usize {
    if value < SUB {
        return value as usize;
    }
    let msb = 63 - value.leading_zeros();
    let shift = msb + 1 - SUB_BITS;
    let mantissa = value >> shift;
    (SUB + u64::from(shift - 1) * HALF + (mantissa - HALF)) as usize
}

/// The highest value that falls in bucket `index`.
fn highest_in(index: usize) -> u64 {
    let index = index as u64;
    if index < SUB {
        return index;
    }
    let shift = (index - SUB) / HALF + 1;
    let mantissa = (index - SUB) % HALF + HALF;
    ((mantissa + 1) << shift) - 1
}

impl Histogram {
    pub fn record(&mut self, micros: u64) {
        let i = index_of(micros);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        self.total += 1;
        self.max = self.max.max(micros);
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value at or below which `percent` % of the samples fall (0 when empty).
    pub fn percentile(&self, percent: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((percent / 100.0) * self.total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return highest_in(i).min(self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn buckets_cover_every_value_in_order_with_small_error() {
        let mut previous = 0;
        for v in (0..2_000_000u64).step_by(7).chain([u32::MAX as u64, u64::MAX / 2]) {
            let i = index_of(v);
            assert!(i >= previous, "buckets ascend with the value");
            previous = i;
            let high = highest_in(i);
            assert!(high >= v, "{v} is in its bucket (high {high})");
            assert!((high - v) as f64 <= v as f64 / 128.0 + 1.0, "{v}: bucket top {high} within 0.8 %");
        }
    }

    #[test]
    fn percentiles_of_a_known_sample() {
        let mut h = Histogram::default();
        for v in 1..=1000 {
            h.record(v * 100);
        }
        let p50 = h.percentile(50.0);
        assert!((50_000..=50_400).contains(&p50), "{p50}");
        let p99 = h.percentile(99.0);
        assert!((99_000..=99_800).contains(&p99), "{p99}");
        assert_eq!(h.percentile(100.0), 100_000);
        assert_eq!(h.max(), 100_000);
        let mut other = Histogram::default();
        other.record(5_000_000);
        h.merge(&other);
        assert_eq!((h.count(), h.max(), h.percentile(100.0)), (1001, 5_000_000, 5_000_000));
        assert_eq!(Histogram::default().percentile(99.0), 0);
    }
}
