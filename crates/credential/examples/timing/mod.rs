//! Timing helpers shared by the benchmark examples.

use std::time::Instant;

/// Rounds per measure; the median is reported.
pub const ROUNDS: usize = 5;

/// Microseconds per call of `f`, over `n` calls.
pub fn per_op_us(n: usize, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
