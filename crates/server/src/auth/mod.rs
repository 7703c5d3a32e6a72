//! Sign-in and who-is-asking: one-time codes ([`otp`]), sessions and API
//! tokens ([`session`]) with sliding renewal ([`renewal`]), the message
//! [`sender`] and its gateways ([`sms`], [`email`]), the sign-in
//! [`rate_limit`], the sealing of staff TOTP seeds ([`seal`]), staff single sign-on ([`oidc`], [`id_token`]), and the extractors ([`extract`]) through which handlers
//! obtain a verified principal.

pub mod email;
pub mod extract;
pub mod id_token;
pub mod oidc;
pub mod otp;
pub mod rate_limit;
pub mod renewal;
pub mod seal;
pub mod sender;
pub mod session;
pub mod sms;
pub mod staff;
pub mod staff_credentials;
