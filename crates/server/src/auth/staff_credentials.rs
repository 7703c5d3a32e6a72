//! What a staff member proves at sign-in: an argon2id password (the
//! `argon2` crate, default parameters, a random salt per password) and an
//! RFC 6238 time-based code (the `totp-rs` crate: SHA-1, 6 digits, 30 s steps,
//! one step either side; a step is accepted once).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use jiff::Timestamp;
use totp_rs::{Builder, Secret, Totp};

use crate::auth::session::random_bytes;
use crate::error::ApiError;

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 128;

/// Checks a new password's length.
pub fn check_new_password(password: &str) -> Result<(), ApiError> {
    let n = password.chars().count();
    if (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n) {
        Ok(())
    } else {
        Err(ApiError::bad_input("PASSWORD_TOO_SHORT", "a password is 10 to 128 characters"))
    }
}

/// The argon2id PHC string of a password (on a blocking thread: it takes
/// tens of milliseconds by design).
pub async fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = random_bytes::<16>()?;
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| ApiError::internal("hashing a password failed"))
    })
    .await
    .map_err(|_| ApiError::internal("hashing a password failed"))?
}

/// A PHC string no password matches, verified when the login is unknown so
/// that a wrong login costs as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2QfDvyl7R3G7kNdSB6Q0J+H1pKK7qfCSL1J6N5l1Gm0";

/// Whether `password` matches `hash` (`None`: compare with a dummy and fail).
pub async fn verify_password(hash: Option<&str>, password: &str) -> bool {
    let (hash, real) = match hash {
        Some(h) => (h.to_string(), true),
        None => (DUMMY_HASH.to_string(), false),
    };
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || {
        Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok()
    })
    .await
    .unwrap_or(false);
    ok && real
}

/// A new second-factor secret (160 bits, as RFC 4226 recommends).
pub fn new_totp_secret() -> Result<Vec<u8>, ApiError> {
    Ok(random_bytes::<20>()?.to_vec())
}

/// The secret in base32, as authenticator apps take it typed in.
pub fn totp_base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// The secret from its base32 form (the enrolment form carries it back).
pub fn totp_from_base32(text: &str) -> Option<Vec<u8>> {
    let bytes = Secret::try_from_base32(text.trim()).ok()?.as_ref().to_vec();
    (bytes.len() >= 16).then_some(bytes)
}

fn totp(secret: &[u8]) -> Option<Totp> {
    Builder::new().with_secret(secret.to_vec()).build().ok()
}

/// The `otpauth://` URI an authenticator app scans.
pub fn otpauth_uri(issuer: &str, login: &str, secret: &[u8]) -> String {
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(login),
        totp_base32(secret),
        enc(issuer)
    )
}

/// The time step a code is valid for at `now` (one step either side), if
/// it is valid and its step is after `last_step` (a code works once).
pub fn check_code(secret: &[u8], code: &str, now: Timestamp, last_step: Option<i64>) -> Option<i64> {
    let secs = u64::try_from(now.as_second()).ok()?;
    let step = i64::try_from(totp(secret)?.check(code.trim(), secs)?).ok()?;
    last_step.is_none_or(|last| step > last).then_some(step)
}

/// The code at `now` (tests, and the e2e test's authenticator).
pub fn code_at(secret: &[u8], now: Timestamp) -> Option<String> {
    Some(totp(secret)?.generate(u64::try_from(now.as_second()).ok()?).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_and_wrong_ones_do_not() {
        let h = hash_password("correct horse battery").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(Some(&h), "correct horse battery").await);
        assert!(!verify_password(Some(&h), "correct horse batterY").await);
        assert!(!verify_password(None, "anything at all").await);
    }

    #[test]
    fn rfc_6238_vector_and_one_use() {
        // RFC 6238 appendix B, SHA-1: at 59 s the 8-digit code is 94287082, so 6 digits are 287082.
        let secret = b"12345678901234567890";
        let at = Timestamp::from_second(59).unwrap();
        assert_eq!(code_at(secret, at).as_deref(), Some("287082"));
        let step = check_code(secret, "287082", at, None).unwrap();
        assert_eq!(step, 1);
        assert_eq!(check_code(secret, "287082", at, Some(step)), None, "a code works once");
        assert_eq!(check_code(secret, "000000", at, None), None);
        assert_eq!(totp_from_base32(&totp_base32(secret)).unwrap(), secret.to_vec());
    }
}
