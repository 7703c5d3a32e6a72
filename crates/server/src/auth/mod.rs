//! Sign-in and who-is-asking: one-time codes ([`otp`]), sessions and API
//! tokens ([`session`]), the pluggable message [`sender`], and the extractors
//! ([`extract`]) through which handlers obtain a verified principal.

pub mod extract;
pub mod otp;
pub mod sender;
pub mod session;
