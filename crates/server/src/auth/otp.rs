//! One-time sign-in codes: six digits, hashed at rest, valid for minutes,
//! five tries (counted atomically by the store), five sends an hour per
//! phone or address.

use healthcode_domain::{Contact, Identity, PhoneNumber, Role};
use healthcode_store::{OtpChallenge, Principal, Resident, SessionKind};
use jiff::{SignedDuration, Timestamp};
use ring::digest;

use crate::auth::sender::{Message, SendError};
use crate::auth::session;
use crate::error::{ApiError, ErrorKind};
use crate::services::accounts;
use crate::state::AppState;

pub const MAX_ATTEMPTS: u32 = 5;
pub const MAX_SENDS_PER_WINDOW: u32 = 5;
pub const SEND_WINDOW: SignedDuration = SignedDuration::from_hours(1);

fn code_hash(contact: &str, code: &str) -> [u8; 32] {
    let d = digest::digest(&digest::SHA256, format!("{contact}\n{code}").as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// A uniformly random six-digit code.
fn new_code() -> Result<String, ApiError> {
    loop {
        let n = u32::from_le_bytes(session::random_bytes::<4>()?);
        // Reject the top sliver so every code is equally likely.
        if n < 4_294_000_000 {
            return Ok(format!("{:06}", n % 1_000_000));
        }
    }
}

/// Sends a fresh code to a phone or address, replacing any earlier one.
pub async fn request(state: &AppState, contact: &Contact) -> Result<(), ApiError> {
    let now = state.clock.now();
    let key = contact.as_str();
    let previous = state.store.otp(key).await?;
    let (window_start, sent) = match &previous {
        Some(p) if p.window_start.saturating_add(SEND_WINDOW).unwrap_or(p.window_start) > now => {
            (p.window_start, p.sent_in_window)
        }
        _ => (now, 0),
    };
    if sent >= MAX_SENDS_PER_WINDOW {
        return Err(ApiError::new(
            ErrorKind::TooMany,
            "OTP_RATE_LIMITED",
            "too many codes requested for this phone or address; try again within the hour",
        ));
    }
    let code = new_code()?;
    let challenge = OtpChallenge {
        contact: key.to_string(),
        code_hash: code_hash(key, &code),
        expires_at: now.saturating_add(state.config.otp_lifetime).unwrap_or(now),
        attempts: 0,
        window_start,
        sent_in_window: sent + 1,
    };
    state.store.put_otp(&challenge).await?;
    let channel = match contact {
        Contact::Phone(_) => "sms",
        Contact::Email(_) => "email",
    };
    let minutes = state.config.otp_lifetime.as_secs() / 60;
    let body = format!("Your healthcode sign-in code is {code}. It expires in {minutes} minutes. Never share it.");
    let message = Message { channel, recipient: key.to_string(), body, code: Some(code) };
    if let Err(e) = state.sender.send(&message, now).await {
        // The error never holds the message, so the code is not logged.
        tracing::error!(channel, error = %e, "a one-time code was not delivered");
        return Err(match e {
            SendError::NoGateway(_) => ApiError::new(
                ErrorKind::Unavailable,
                "OTP_CHANNEL_UNAVAILABLE",
                "codes cannot be sent to this kind of contact here; use a phone number",
            ),
            _ => ApiError::new(
                ErrorKind::Unavailable,
                "OTP_DELIVERY_FAILED",
                "the code could not be delivered; try again in a minute",
            ),
        });
    }
    Ok(())
}

/// What a visitor supplies the first time they sign in.
pub type VisitorIdentity = Identity;

/// Checks a code for a contact and consumes it. The guess is counted by the
/// store in one statement first ([`healthcode_store::AuthStore::count_otp_attempt`]),
/// and the hash compared only when it was counted, so concurrent guesses
/// cannot exceed [`MAX_ATTEMPTS`]; a right code is taken once.
async fn consume(state: &AppState, key: &str, code: &str, now: Timestamp) -> Result<(), ApiError> {
    let Some(hash) = state.store.count_otp_attempt(key, MAX_ATTEMPTS, now).await? else {
        return Err(match state.store.otp(key).await? {
            None => ApiError::bad_input("OTP_NOT_REQUESTED", "request a code first"),
            Some(c) if c.expires_at <= now => {
                ApiError::bad_input("OTP_EXPIRED", "the code has expired; request a new one")
            }
            Some(_) => {
                ApiError::new(ErrorKind::TooMany, "OTP_TOO_MANY_ATTEMPTS", "too many wrong codes; request a new one")
            }
        });
    };
    if hash != code_hash(key, code.trim()) {
        return Err(ApiError::bad_input("OTP_INVALID", "the code is not right; check the message and try again"));
    }
    if !state.store.take_otp(key, &hash).await? {
        // Another request used the same code a moment ago.
        return Err(ApiError::bad_input("OTP_NOT_REQUESTED", "request a code first"));
    }
    Ok(())
}

/// Sign-in sessions and tokens last `session_days`, cookie or bearer alike.
fn lifetime(state: &AppState) -> SignedDuration {
    state.config.session_lifetime
}

/// Checks a code; on success creates the account if needed and a session.
pub async fn verify(
    state: &AppState,
    contact: &Contact,
    code: &str,
    visitor: Option<VisitorIdentity>,
    kind: SessionKind,
) -> Result<(Resident, String), ApiError> {
    let now: Timestamp = state.clock.now();
    let key = contact.as_str();
    consume(state, key, code, now).await?;
    let resident = accounts::ensure_resident(state.store.as_ref(), contact, visitor, now).await?;
    let principal = Principal { role: Role::Resident, subject: key.to_string(), resident: Some(resident.id) };
    let token = session::issue(state.store.as_ref(), principal, kind, now, lifetime(state)).await?;
    Ok((resident, token))
}

/// Signs in a venue operator: the phone that owns venues, confirmed by a code.
pub async fn verify_venue_operator(
    state: &AppState,
    phone: &PhoneNumber,
    code: &str,
    kind: SessionKind,
) -> Result<String, ApiError> {
    let now = state.clock.now();
    consume(state, phone.as_str(), code, now).await?;
    let principal = Principal { role: Role::Venue, subject: phone.as_str().to_string(), resident: None };
    session::issue(state.store.as_ref(), principal, kind, now, lifetime(state)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = new_code().unwrap();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn hashes_bind_the_contact() {
        assert_ne!(code_hash("+8613800000001", "123456"), code_hash("+8613800000002", "123456"));
    }
}
