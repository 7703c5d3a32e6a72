//! A small deterministic generator for the synthetic city (demo, tests,
//! benchmarks). Not for secrets: keys and tokens come from the OS generator.

/// SplitMix64: tiny, fast, and good enough for synthetic data.
#[derive(Debug, Clone)]
pub struct SeededRng(u64);

impl SeededRng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// An independent stream for item `i` of a seeded collection: the start
    /// is a hash of both, so neighbouring items' streams do not overlap.
    pub fn for_item(seed: u64, i: u64) -> Self {
        Self(mix(seed ^ mix(i.wrapping_add(0x632B_E59B_D9B4_E019))))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        // Multiply-shift; the bias is negligible for synthetic data.
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn bytes16(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = SeededRng::new(7);
        let mut b = SeededRng::new(7);
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert!(SeededRng::new(8).next_u64() != xs[0]);
        assert!((0..1000).all(|_| a.below(10) < 10));
    }

    #[test]
    fn item_streams_do_not_overlap() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..1000 {
            let mut r = SeededRng::for_item(7, i);
            for _ in 0..50 {
                assert!(seen.insert(r.next_u64()), "item {i} repeats another item's output");
            }
        }
    }
}
