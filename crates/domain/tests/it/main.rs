//! The domain's one integration-test binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod policy;
mod quarantine;
mod story;
