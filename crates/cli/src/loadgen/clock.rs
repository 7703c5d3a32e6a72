//! The load generator's one clock read.

use std::time::Instant;

/// Now, on the monotonic clock.
#[allow(clippy::disallowed_methods)] // latency measurement needs a monotonic clock; nothing here is domain time
pub fn now() -> Instant {
    Instant::now()
}
