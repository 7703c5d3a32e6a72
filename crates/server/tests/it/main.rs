//! The server's one integration-test binary: a real server on 127.0.0.1:0,
//! a real SQLite file, and a fixed clock the tests move.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access_log;
mod alarms;
mod api_errors;
mod appeals;
mod browser_safety;
mod check_in;
mod checkpoints;
mod cluster;
mod concurrency;
mod enterprises;
mod error_pages;
mod federation;
mod gateways;
mod governance;
mod harness;
mod openapi;
mod overload;
mod page_forms;
mod pages;
mod quarantine_story;
mod scanner_pages;
mod sign_in;
mod sign_in_limits;
mod stats;
mod trace_paths;
mod tracing_story;
mod transport;
mod trust;
