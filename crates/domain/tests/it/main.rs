//! The domain's one integration-test binary.

mod policy;
mod quarantine;
mod story;
