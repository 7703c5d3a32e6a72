//! One module per subcommand.

pub mod audit;
pub mod dcc;
#[cfg(feature = "demo")]
pub mod demo;
pub mod keys;
pub mod migrate;
pub mod purge;
pub mod serve;
pub mod staff;
pub mod stats;
pub mod store;
pub mod tests;
pub mod token;
pub mod trace;
#[cfg(feature = "demo")]
pub mod trace_sample;
pub mod verify;

use std::sync::Arc;

use healthcode_server::{Clock, SystemClock};

/// A service error as a command-line error: its stable code, then its message.
pub fn api_error(e: healthcode_server::ApiError) -> anyhow::Error {
    anyhow::anyhow!("{}: {}", e.code, e.message)
}

pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
