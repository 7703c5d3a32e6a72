//! OpenID Connect ID token checks (single sign-on for staff): the compact
//! JWT is split, its signature verified with `ring` against a key of the
//! provider's JWKS ([`JwkSet`]; RS256 from the modulus and exponent, ES256
//! from the P-256 point), then `iss`, `aud` (and `azp` with several
//! audiences), `exp` and `nonce` are checked against [`Expected`]. Pure:
//! keys and `now` are passed in. Nothing but RS256 and ES256 is accepted
//! (no `none`, no HMAC with a public key).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;
use ring::signature::{self, UnparsedPublicKey};
use serde::Deserialize;

/// Seconds of clock difference tolerated on `exp`, `nbf` and `iat`.
pub const LEEWAY_SECS: i64 = 60;

/// One JSON Web Key (RFC 7517), as a provider publishes it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Jwk {
    pub kty: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default, rename = "use")]
    pub usage: Option<String>,
    #[serde(default)]
    pub n: Option<String>,
    #[serde(default)]
    pub e: Option<String>,
    #[serde(default)]
    pub crv: Option<String>,
    #[serde(default)]
    pub x: Option<String>,
    #[serde(default)]
    pub y: Option<String>,
}

/// A provider's key set (`jwks_uri`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct JwkSet {
    pub keys: Vec<Jwk>,
}

/// Why an ID token was refused. Each has a stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the ID token is not a well-formed JWT")]
    Malformed,
    #[error("the ID token is signed with {0}, which is not accepted (RS256, ES256)")]
    Algorithm(String),
    #[error("the provider's key set has no key {0:?} for this token")]
    UnknownKey(Option<String>),
    #[error("the ID token's signature does not verify")]
    Signature,
    #[error("the ID token was issued by {0:?}, not the configured issuer")]
    Issuer(String),
    #[error("the ID token was not issued for this client")]
    Audience,
    #[error("the ID token has expired")]
    Expired,
    #[error("the ID token is not valid yet")]
    NotYetValid,
    #[error("the ID token's nonce does not belong to this sign-in")]
    Nonce,
}

impl TokenError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "OIDC_TOKEN_MALFORMED",
            Self::Algorithm(_) => "OIDC_TOKEN_ALGORITHM",
            Self::UnknownKey(_) => "OIDC_TOKEN_UNKNOWN_KEY",
            Self::Signature => "OIDC_TOKEN_SIGNATURE",
            Self::Issuer(_) => "OIDC_TOKEN_ISSUER",
            Self::Audience => "OIDC_TOKEN_AUDIENCE",
            Self::Expired => "OIDC_TOKEN_EXPIRED",
            Self::NotYetValid => "OIDC_TOKEN_NOT_YET_VALID",
            Self::Nonce => "OIDC_TOKEN_NONCE",
        }
    }
}

/// What the token must say.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub now: Timestamp,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The checked claims of an ID token; claims other than the standard ones
/// (roles, scope) stay in `other`.
#[derive(Debug, Clone, Deserialize)]
pub struct IdClaims {
    pub iss: String,
    pub sub: String,
    aud: Audience,
    pub exp: i64,
    #[serde(default)]
    pub nbf: Option<i64>,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub azp: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

/// A JWT split and decoded, its signature not yet checked.
#[derive(Debug, Clone)]
pub struct Unverified {
    header: Header,
    signed: String,
    signature: Vec<u8>,
    payload: Vec<u8>,
}

/// Splits a compact JWS (`header.payload.signature`).
pub fn parse(token: &str) -> Result<Unverified, TokenError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(TokenError::Malformed);
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| TokenError::Malformed);
    let header: Header = serde_json::from_slice(&decode(h)?).map_err(|_| TokenError::Malformed)?;
    Ok(Unverified { header, signed: format!("{h}.{p}"), signature: decode(s)?, payload: decode(p)? })
}

impl Unverified {
    /// The key id the token names, if any.
    pub fn kid(&self) -> Option<&str> {
        self.header.kid.as_deref()
    }

    /// Whether `keys` holds a key this token could be checked with.
    pub fn has_key_in(&self, keys: &JwkSet) -> bool {
        self.key_in(keys).is_ok()
    }

    fn key_in<'k>(&self, keys: &'k JwkSet) -> Result<&'k Jwk, TokenError> {
        let kty = match self.header.alg.as_str() {
            "RS256" => "RSA",
            "ES256" => "EC",
            other => return Err(TokenError::Algorithm(other.to_string())),
        };
        let fits = |k: &&Jwk| {
            k.kty == kty
                && k.alg.as_deref().is_none_or(|a| a == self.header.alg)
                && k.usage.as_deref().is_none_or(|u| u == "sig")
        };
        let candidates: Vec<&Jwk> = keys.keys.iter().filter(fits).collect();
        let found = match &self.header.kid {
            Some(kid) => candidates.into_iter().find(|k| k.kid.as_deref() == Some(kid)),
            // Without a kid, only an unambiguous key is used.
            None if candidates.len() == 1 => candidates.into_iter().next(),
            None => None,
        };
        found.ok_or_else(|| TokenError::UnknownKey(self.header.kid.clone()))
    }

    /// Checks the signature with a key of `keys`, then the claims.
    pub fn verify(&self, keys: &JwkSet, expected: &Expected<'_>) -> Result<IdClaims, TokenError> {
        let key = self.key_in(keys)?;
        verify_signature(&self.header.alg, key, self.signed.as_bytes(), &self.signature)?;
        let claims: IdClaims = serde_json::from_slice(&self.payload).map_err(|_| TokenError::Malformed)?;
        check_claims(&claims, expected)?;
        Ok(claims)
    }
}

fn b64(field: Option<&String>) -> Result<Vec<u8>, TokenError> {
    let s = field.ok_or(TokenError::Signature)?;
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).map_err(|_| TokenError::Signature)
}

fn verify_signature(alg: &str, key: &Jwk, message: &[u8], sig: &[u8]) -> Result<(), TokenError> {
    match alg {
        "RS256" => {
            let n = b64(key.n.as_ref())?;
            let e = b64(key.e.as_ref())?;
            signature::RsaPublicKeyComponents { n: &n, e: &e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
                .map_err(|_| TokenError::Signature)
        }
        "ES256" => {
            if key.crv.as_deref() != Some("P-256") {
                return Err(TokenError::Signature);
            }
            let (x, y) = (b64(key.x.as_ref())?, b64(key.y.as_ref())?);
            if x.len() != 32 || y.len() != 32 {
                return Err(TokenError::Signature);
            }
            let mut point = Vec::with_capacity(65);
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(message, sig)
                .map_err(|_| TokenError::Signature)
        }
        other => Err(TokenError::Algorithm(other.to_string())),
    }
}

fn check_claims(c: &IdClaims, expected: &Expected<'_>) -> Result<(), TokenError> {
    if c.iss != expected.issuer {
        return Err(TokenError::Issuer(c.iss.clone()));
    }
    let audience_ok = match &c.aud {
        Audience::One(a) => a == expected.client_id,
        // With several audiences, the authorized party must be us (OIDC Core 3.1.3.7).
        Audience::Many(all) => {
            all.iter().any(|a| a == expected.client_id)
                && (all.len() == 1 || c.azp.as_deref() == Some(expected.client_id))
        }
    };
    if !audience_ok || c.azp.as_deref().is_some_and(|azp| azp != expected.client_id) {
        return Err(TokenError::Audience);
    }
    let now = expected.now.as_second();
    if now >= c.exp.saturating_add(LEEWAY_SECS) {
        return Err(TokenError::Expired);
    }
    if c.nbf.is_some_and(|nbf| now.saturating_add(LEEWAY_SECS) < nbf) {
        return Err(TokenError::NotYetValid);
    }
    // The nonce is no secret once the browser went to the provider.
    if c.nonce.as_deref() != Some(expected.nonce) || expected.nonce.is_empty() {
        return Err(TokenError::Nonce);
    }
    Ok(())
}

#[cfg(test)]
#[path = "id_token_tests.rs"]
pub(crate) mod tests;
