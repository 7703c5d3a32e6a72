//! Signed venue tokens: what a venue poster's QR carries, inside a URL
//! (`https://<base>/c/<token>`) that any phone camera opens.
//!
//! Token bytes: version `1` ‖ key id (8) ‖ venue id (16) ‖ generation (u32,
//! big-endian) ‖ ES256 signature (64, raw r‖s) over `"HCV1"` ‖ the 28 bytes
//! before it; base64url without padding (124 characters). The generation lets
//! a venue rotate its token: old posters stop working.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use healthcode_domain::VenueId;

use crate::keys::{KeyError, KeyId, SigningKey};
use crate::trust_list::PreparedTrustList;

const VERSION: u8 = 1;
const DOMAIN: &[u8] = b"HCV1";
const BODY_LEN: usize = 1 + 8 + 16 + 4;
const TOKEN_LEN: usize = BODY_LEN + 64;

/// What a venue QR says: which venue, which generation of its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VenueToken {
    pub venue: VenueId,
    pub generation: u32,
}

/// A venue QR that is not ours or was altered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VenueTokenError {
    #[error("this is not a venue QR code of this deployment (damaged or altered)")]
    Malformed,
    #[error("this venue QR code was not signed by this deployment (forged or foreign poster)")]
    Forged,
}

impl VenueTokenError {
    /// Both answer the same stable code: to a visitor the poster is not genuine.
    pub fn code(&self) -> &'static str {
        "VENUE_TOKEN_FORGED"
    }
}

fn signed_message(body: &[u8]) -> Vec<u8> {
    [DOMAIN, body].concat()
}

/// Signs a venue token with the deployment's active key.
pub fn sign_venue_token(token: &VenueToken, key: &SigningKey) -> Result<String, KeyError> {
    let mut body = Vec::with_capacity(TOKEN_LEN);
    body.push(VERSION);
    body.extend_from_slice(key.key_id().as_bytes());
    body.extend_from_slice(token.venue.as_bytes());
    body.extend_from_slice(&token.generation.to_be_bytes());
    let signature = key.sign(&signed_message(&body))?;
    body.extend_from_slice(&signature);
    Ok(URL_SAFE_NO_PAD.encode(body))
}

/// The token part of a scanned venue QR: the text after the last `/c/` of a
/// URL (query and fragment dropped), or the text itself.
pub fn token_from_qr(text: &str) -> &str {
    let text = text.trim();
    let token = text.rfind("/c/").map_or(text, |i| &text[i + 3..]);
    token.split(['?', '#']).next().unwrap_or(token)
}

/// Checks a venue token (or a whole venue URL) against this deployment's keys.
pub fn verify_venue_token(text: &str, keys: &PreparedTrustList) -> Result<(VenueToken, KeyId), VenueTokenError> {
    let token = token_from_qr(text);
    if token.len() > 200 {
        return Err(VenueTokenError::Malformed);
    }
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| VenueTokenError::Malformed)?;
    if bytes.len() != TOKEN_LEN || bytes[0] != VERSION {
        return Err(VenueTokenError::Malformed);
    }
    let (body, signature) = bytes.split_at(BODY_LEN);
    let kid = KeyId::from_slice(&body[1..9]).ok_or(VenueTokenError::Malformed)?;
    let key = keys.find(&kid).ok_or(VenueTokenError::Forged)?;
    if !key.verify_signature(&signed_message(body), signature) {
        return Err(VenueTokenError::Forged);
    }
    let venue = <[u8; 16]>::try_from(&body[9..25]).map(VenueId::from_bytes).map_err(|_| VenueTokenError::Malformed)?;
    let generation = u32::from_be_bytes(<[u8; 4]>::try_from(&body[25..29]).map_err(|_| VenueTokenError::Malformed)?);
    Ok((VenueToken { venue, generation }, kid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TrustList;
    use crate::trust_list::TrustedKey;

    fn trust(keys: &[&SigningKey]) -> PreparedTrustList {
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        TrustList {
            issuer: "CN-ZJ-HZ".into(),
            generated_at: now,
            keys: keys.iter().map(|k| TrustedKey::es256(k, now, None)).collect(),
        }
        .prepare()
        .unwrap()
    }

    #[test]
    fn round_trip_through_a_url() {
        let key = SigningKey::generate().unwrap();
        let token = VenueToken { venue: VenueId::from_bytes([7; 16]), generation: 3 };
        let text = sign_venue_token(&token, &key).unwrap();
        assert_eq!(text.len(), 124);
        let url = format!("https://hc.example/c/{text}?utm=poster");
        assert_eq!(verify_venue_token(&url, &trust(&[&key])).unwrap(), (token, key.key_id()));
    }

    #[test]
    fn every_altered_character_altered_byte_and_foreign_key_is_rejected() {
        let key = SigningKey::generate().unwrap();
        let other = SigningKey::generate().unwrap();
        let token = VenueToken { venue: VenueId::from_bytes([7; 16]), generation: 0 };
        let text = sign_venue_token(&token, &key).unwrap();
        let keys = trust(&[&key]);
        for i in 0..text.len() {
            let mut chars: Vec<char> = text.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let altered: String = chars.into_iter().collect();
            assert!(verify_venue_token(&altered, &keys).is_err(), "character {i}");
        }
        let foreign = sign_venue_token(&token, &other).unwrap();
        assert_eq!(verify_venue_token(&foreign, &keys), Err(VenueTokenError::Forged));
        assert_eq!(verify_venue_token("https://hc.example/c/nope", &keys), Err(VenueTokenError::Malformed));
        assert_eq!(verify_venue_token(&"A".repeat(5000), &keys), Err(VenueTokenError::Malformed));
        assert_eq!(VenueTokenError::Forged.code(), "VENUE_TOKEN_FORGED");
    }
}
