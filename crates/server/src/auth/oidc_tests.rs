//! The client against a small key server started here: keys are fetched
//! once, kept, and fetched again when a token names a key they lack.

use super::*;
use crate::auth::id_token::tests::{CLIENT, Key, NONCE, claims, now};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Default)]
struct Provider {
    issuer: Arc<Mutex<String>>,
    keys: Arc<Mutex<JwkSet>>,
    key_fetches: Arc<AtomicUsize>,
}

/// A bare HTTP/1.1 server (one request per connection) answering the
/// metadata and key set paths.
async fn start() -> (Provider, String) {
    let provider = Provider::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    *provider.issuer.lock().unwrap() = base.clone();
    let p = provider.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let p = p.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = socket.read(&mut buf).await.unwrap();
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                }
                let line = String::from_utf8_lossy(&request).lines().next().unwrap_or("").to_string();
                let path = line.split(' ').nth(1).unwrap_or("");
                let body = answer(&p, path);
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                socket.write_all(head.as_bytes()).await.unwrap();
                socket.write_all(body.as_bytes()).await.unwrap();
            });
        }
    });
    (provider, base)
}

fn answer(p: &Provider, path: &str) -> String {
    let iss = p.issuer.lock().unwrap().clone();
    if path == "/jwks" {
        p.key_fetches.fetch_add(1, Ordering::SeqCst);
        let keys = p.keys.lock().unwrap().clone();
        let keys: Vec<_> = keys
            .keys
            .iter()
            .map(|k| serde_json::json!({ "kty": k.kty, "kid": k.kid, "n": k.n, "e": k.e, "crv": k.crv, "x": k.x, "y": k.y }))
            .collect();
        return serde_json::json!({ "keys": keys }).to_string();
    }
    serde_json::json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/auth"),
        "token_endpoint": format!("{iss}/token"),
        "jwks_uri": format!("{iss}/jwks"),
        "code_challenge_methods_supported": ["S256"],
    })
    .to_string()
}

fn config(issuer: &str) -> OidcConfig {
    OidcConfig {
        issuer: issuer.into(),
        client_id: CLIENT.into(),
        client_secret: Secret("s3cret".into()),
        provider_name: "Test IdP".into(),
        scopes: "openid profile".into(),
        roles_claim: "roles".into(),
        role_map: BTreeMap::from([("hc-officer".to_string(), Role::Officer)]),
        scope_claim: None,
    }
}

fn token_by(key: &Key, issuer: &str) -> String {
    let mut c = claims();
    c["iss"] = serde_json::json!(issuer);
    key.sign(&c)
}

#[tokio::test]
async fn keys_are_kept_and_fetched_again_for_an_unknown_kid() {
    let (provider, issuer) = start().await;
    let first = Key::rsa("2026-11");
    let second = Key::ec("2026-12");
    *provider.keys.lock().unwrap() = JwkSet { keys: vec![first.jwk()] };
    let client = OidcClient::new(config(&issuer), "http://127.0.0.1:8080").unwrap();

    let c = client.check_id_token(&token_by(&first, &issuer), NONCE, now()).await.unwrap();
    assert_eq!(c.iss, issuer);
    client.check_id_token(&token_by(&first, &issuer), NONCE, now()).await.unwrap();
    assert_eq!(provider.key_fetches.load(Ordering::SeqCst), 1, "kept after the first fetch");

    // The provider rotates: a token under the new kid makes the client fetch again.
    *provider.keys.lock().unwrap() = JwkSet { keys: vec![first.jwk(), second.jwk()] };
    client.check_id_token(&token_by(&second, &issuer), NONCE, now()).await.unwrap();
    assert_eq!(provider.key_fetches.load(Ordering::SeqCst), 2);

    // A kid the provider does not publish is refused after one more fetch.
    let stranger = Key::ec("never-published");
    let err = client.check_id_token(&token_by(&stranger, &issuer), NONCE, now()).await.unwrap_err();
    assert!(matches!(err, OidcError::Token(TokenError::UnknownKey(_))), "{err:?}");
    assert_eq!(provider.key_fetches.load(Ordering::SeqCst), 3);
    // A wrong nonce is refused with keys at hand.
    let err = client.check_id_token(&token_by(&second, &issuer), "other", now()).await.unwrap_err();
    assert!(matches!(err, OidcError::Token(TokenError::Nonce)), "{err:?}");
}

#[tokio::test]
async fn metadata_naming_another_issuer_is_refused() {
    let (provider, issuer) = start().await;
    *provider.issuer.lock().unwrap() = "https://somewhere.else".into();
    let client = OidcClient::new(config(&issuer), "http://127.0.0.1:8080").unwrap();
    let pending = Pending::new().unwrap();
    let err = client.authorization_url(&pending).await.unwrap_err();
    assert!(matches!(err, OidcError::Provider(_)), "{err:?}");
}

#[tokio::test]
async fn the_authorization_url_carries_state_nonce_and_the_s256_challenge() {
    let (_provider, issuer) = start().await;
    let client = OidcClient::new(config(&issuer), "https://hc.example/").unwrap();
    let pending = Pending::new().unwrap();
    let url = client.authorization_url(&pending).await.unwrap();
    let (base, query) = url.split_once('?').unwrap();
    assert_eq!(base, format!("{issuer}/auth"));
    let q: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    assert_eq!(q["state"], pending.state);
    assert_eq!(q["nonce"], pending.nonce);
    assert_eq!(q["code_challenge"], pending.challenge());
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["redirect_uri"], "https://hc.example/staff/oidc/callback");
    assert_eq!(q["client_id"], CLIENT);
}

#[test]
fn the_challenge_is_rfc_7636_s256_and_the_cookie_round_trips() {
    let p = Pending {
        state: "s".repeat(43),
        nonce: "n".repeat(43),
        verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into(),
    };
    assert_eq!(p.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    let fresh = Pending::new().unwrap();
    let set = fresh.cookie(false);
    let value = set.split(';').next().unwrap();
    assert_eq!(Pending::from_cookie_header(&format!("hc_lang=en; {value}")), Some(fresh.clone()));
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/staff/oidc"));
    assert!(fresh.cookie(true).contains("; Secure"));
    assert_eq!(Pending::from_cookie_header("hc_oidc=a.b"), None);
    assert_eq!(Pending::from_cookie_header("hc_oidc=<script>.x.y"), None);
    assert_ne!(Pending::new().unwrap(), fresh, "each sign-in has its own secrets");
}
