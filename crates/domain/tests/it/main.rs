//! The domain's one integration-test binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod check_in;
mod exposure;
mod policy;
mod quarantine;
mod stays;
mod story;
