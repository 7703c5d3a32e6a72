//! OpenID Connect client for staff single sign-on (`[oidc]`): the
//! authorization code flow with PKCE (S256), `state` and `nonce`, written
//! on `reqwest` and `ring`. The provider's metadata comes from
//! `{issuer}/.well-known/openid-configuration` (its `issuer` must equal the
//! configured one) and its keys from `jwks_uri`; both are fetched on first
//! use and kept, and the keys are fetched again when an ID token names a
//! key they lack (the provider rotated). ID tokens are checked by
//! [`crate::auth::id_token`].
//!
//! Main types: [`OidcConfig`] (validated config), [`OidcClient`] (metadata
//! and key cache, code exchange), [`Pending`] (the secrets of one sign-in,
//! kept in a short-lived cookie of the browser that started it).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use healthcode_domain::Role;
use jiff::Timestamp;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::RwLock;

use crate::auth::id_token::{self, Expected, IdClaims, JwkSet, TokenError};
use crate::auth::session::{cookie_value, random_bytes};
use crate::config::Secret;
use crate::error::{ApiError, ErrorKind};

/// The cookie holding a sign-in's [`Pending`] secrets.
pub const PENDING_COOKIE: &str = "hc_oidc";
/// Where the provider sends the browser back.
pub const CALLBACK_PATH: &str = "/staff/oidc/callback";
/// How long a started sign-in may take at the provider.
const PENDING_SECS: u32 = 600;
/// Answers from the provider larger than this are refused.
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// The `[oidc]` section, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcConfig {
    /// Exactly as the provider writes it in its metadata and tokens.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Shown on the button: "Sign in with `name`".
    pub provider_name: String,
    /// Scopes requested (`openid` is always among them).
    pub scopes: String,
    /// The ID token claim holding the person's groups or roles (a string or
    /// a list; a dotted path such as `realm_access.roles` reaches into objects).
    pub roles_claim: String,
    /// Provider role or group -> staff role; anything else is ignored.
    pub role_map: BTreeMap<String, Role>,
    /// The claim holding the person's scope (`district:330102,checkpoint:…`),
    /// if the provider sets it; without it the account's scope is left alone.
    pub scope_claim: Option<String>,
}

/// What went wrong talking to the provider.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider could not be reached or answered badly: {0}")]
    Provider(String),
    #[error("the identity provider refused the code: {0}")]
    CodeRefused(String),
    #[error(transparent)]
    Token(#[from] TokenError),
}

impl From<OidcError> for ApiError {
    fn from(e: OidcError) -> Self {
        match e {
            OidcError::Provider(why) => {
                tracing::warn!(error = %why, "identity provider unavailable");
                ApiError::new(
                    ErrorKind::Unavailable,
                    "OIDC_PROVIDER_UNAVAILABLE",
                    "the identity provider cannot be reached; try again or sign in with your password",
                )
            }
            OidcError::CodeRefused(why) => {
                tracing::info!(error = %why, "identity provider refused the code");
                ApiError::new(
                    ErrorKind::Unauthenticated,
                    "OIDC_CODE_REFUSED",
                    "the identity provider did not accept this sign-in (used twice or too old); start again",
                )
            }
            OidcError::Token(t) => {
                tracing::warn!(error = %t, "ID token refused");
                ApiError::new(ErrorKind::Unauthenticated, t.code(), t.to_string())
            }
        }
    }
}

/// The provider's metadata, as far as the flow needs it.
#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    id_token: String,
}

/// The secrets of one sign-in: `state` ties the callback to this browser,
/// `nonce` ties the ID token to this sign-in, `verifier` (PKCE) ties the
/// code to this client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

fn random_text() -> Result<String, ApiError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

impl Pending {
    pub fn new() -> Result<Self, ApiError> {
        Ok(Self { state: random_text()?, nonce: random_text()?, verifier: random_text()? })
    }

    /// The PKCE S256 challenge: base64url(SHA-256(verifier)).
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, self.verifier.as_bytes()))
    }

    /// The `Set-Cookie` value that keeps it until the provider sends the browser back.
    /// `SameSite=Lax`: the callback is a top-level navigation from the provider.
    pub fn cookie(&self, secure: bool) -> String {
        let secure = if secure { "; Secure" } else { "" };
        format!(
            "{PENDING_COOKIE}={}.{}.{}; Path=/staff/oidc; HttpOnly; SameSite=Lax; Max-Age={PENDING_SECS}{secure}",
            self.state, self.nonce, self.verifier
        )
    }

    /// The `Set-Cookie` value that removes it: a sign-in is tried once.
    pub fn clear_cookie() -> String {
        format!("{PENDING_COOKIE}=; Path=/staff/oidc; HttpOnly; SameSite=Lax; Max-Age=0")
    }

    /// Reads it back from a `Cookie` header.
    pub fn from_cookie_header(header: &str) -> Option<Self> {
        let value = cookie_value(header, PENDING_COOKIE)?;
        let mut parts = value.split('.');
        let (Some(state), Some(nonce), Some(verifier), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let ok = |s: &str| {
            (32..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
        };
        (ok(state) && ok(nonce) && ok(verifier)).then(|| Self {
            state: state.into(),
            nonce: nonce.into(),
            verifier: verifier.into(),
        })
    }
}

/// The client: config, the provider's metadata and keys once fetched.
pub struct OidcClient {
    config: OidcConfig,
    redirect_uri: String,
    http: reqwest::Client,
    metadata: RwLock<Option<Metadata>>,
    keys: RwLock<JwkSet>,
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcClient").field("issuer", &self.config.issuer).finish_non_exhaustive()
    }
}

impl OidcClient {
    /// A client whose callback is under `public_base_url`.
    pub fn new(config: OidcConfig, public_base_url: &str) -> Result<Self, OidcError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| OidcError::Provider(e.to_string()))?;
        let redirect_uri = format!("{}{CALLBACK_PATH}", public_base_url.trim_end_matches('/'));
        Ok(Self { config, redirect_uri, http, metadata: RwLock::new(None), keys: RwLock::new(JwkSet::default()) })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, OidcError> {
        let answer = self.http.get(url).send().await.map_err(|e| OidcError::Provider(format!("{url}: {e}")))?;
        if !answer.status().is_success() {
            return Err(OidcError::Provider(format!("{url}: status {}", answer.status())));
        }
        let body = answer.bytes().await.map_err(|e| OidcError::Provider(format!("{url}: {e}")))?;
        if body.len() > MAX_ANSWER_BYTES {
            return Err(OidcError::Provider(format!("{url}: answer too large")));
        }
        serde_json::from_slice(&body).map_err(|e| OidcError::Provider(format!("{url}: {e}")))
    }

    /// The provider's metadata, fetched once.
    pub async fn metadata(&self) -> Result<Metadata, OidcError> {
        if let Some(m) = self.metadata.read().await.as_ref() {
            return Ok(m.clone());
        }
        let url = format!("{}/.well-known/openid-configuration", self.config.issuer.trim_end_matches('/'));
        let m: Metadata = self.get_json(&url).await?;
        if m.issuer != self.config.issuer {
            return Err(OidcError::Provider(format!(
                "the metadata names issuer {:?}, not the configured {:?}",
                m.issuer, self.config.issuer
            )));
        }
        if !m.code_challenge_methods_supported.is_empty()
            && !m.code_challenge_methods_supported.iter().any(|c| c == "S256")
        {
            return Err(OidcError::Provider("the provider does not support PKCE with S256".into()));
        }
        *self.metadata.write().await = Some(m.clone());
        Ok(m)
    }

    /// Where to send the browser to sign in.
    pub async fn authorization_url(&self, pending: &Pending) -> Result<String, OidcError> {
        let m = self.metadata().await?;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &self.config.scopes)
            .append_pair("state", &pending.state)
            .append_pair("nonce", &pending.nonce)
            .append_pair("code_challenge", &pending.challenge())
            .append_pair("code_challenge_method", "S256")
            .finish();
        let join = if m.authorization_endpoint.contains('?') { '&' } else { '?' };
        Ok(format!("{}{join}{query}", m.authorization_endpoint))
    }

    /// Exchanges the code (with the PKCE verifier and the client secret,
    /// `client_secret_basic`) for an ID token, and checks it.
    pub async fn finish(&self, code: &str, pending: &Pending, now: Timestamp) -> Result<IdClaims, OidcError> {
        let m = self.metadata().await?;
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("code_verifier", &pending.verifier)
            .finish();
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let basic =
            STANDARD.encode(format!("{}:{}", encode(&self.config.client_id), encode(&self.config.client_secret.0)));
        let answer = self
            .http
            .post(&m.token_endpoint)
            .header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?;
        let status = answer.status();
        let bytes = answer.bytes().await.map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?;
        if status.is_client_error() {
            let why = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
            return Err(OidcError::CodeRefused(format!("{status}: {why}")));
        }
        if !status.is_success() || bytes.len() > MAX_ANSWER_BYTES {
            return Err(OidcError::Provider(format!("token endpoint: status {status}")));
        }
        let answer: TokenAnswer =
            serde_json::from_slice(&bytes).map_err(|e| OidcError::Provider(format!("token endpoint: {e}")))?;
        self.check_id_token(&answer.id_token, &pending.nonce, now).await
    }

    /// Checks an ID token against the provider's keys, fetching them again
    /// once when the token names a key not among them.
    pub async fn check_id_token(&self, token: &str, nonce: &str, now: Timestamp) -> Result<IdClaims, OidcError> {
        let parsed = id_token::parse(token)?;
        let expected = Expected { issuer: &self.config.issuer, client_id: &self.config.client_id, nonce, now };
        {
            let keys = self.keys.read().await;
            if parsed.has_key_in(&keys) {
                return Ok(parsed.verify(&keys, &expected)?);
            }
        }
        let m = self.metadata().await?;
        let fresh: JwkSet = self.get_json(&m.jwks_uri).await?;
        let result = parsed.verify(&fresh, &expected);
        *self.keys.write().await = fresh;
        Ok(result?)
    }
}

#[cfg(test)]
#[path = "oidc_tests.rs"]
mod tests;
