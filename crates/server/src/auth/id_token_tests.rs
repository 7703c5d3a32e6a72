//! ID token checks with keys made here: an ES256 key generated per test and
//! an RSA key (ring cannot generate RSA keys; this one was made with
//! `openssl genpkey -algorithm RSA` for these tests and signs nothing else).

use super::*;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use serde_json::json;

const RSA_PKCS8: &str = "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDc16ud0hX2KuakgYT0sJ4JQ6izZqxMosesvtN3DrjBOSCvnF8ZmGAu1NwvhjmfQKMTs8CGwBu4PoWj3Sf3UY7riUXznaHwA6AvQIWPkuUegRmnXVeXqwl13w+AtID/F70ixD6RzPKh9wKlA6LMnEx1EKjD74PwStJk+PRKWxM8K8i2dgerQpSGN1Iea3P3nrysIyTMutU6D67tOCsrEB7LMP0MWP0sUdK1cUIJXtEgRAPudZkPgS30wkwGuKsoheoFigRE7+KRZJJIARsYsZA+vqyBM2D+BgbHxuvUgTq9N8c4EPw/ABX80NK8lwrrwihNEvhcXL1LjFl0xOTR7RwdAgMBAAECggEAAsDJiekhjvUP9QMMVkSRY8otIzdndHkfBh9G4ZgUY4xDxQys/tOwd0T+DbWdqEeVANzfzI4+ijh1UAqkweeJYZRPg+72ItjYuV4TjCunoY64dCasvd5K+uYx+kfFx+hS2kkaApVMfQpoRQhbkjNsnJT9lZu5yFgWcV3NJdQm1DwtkbhlZv70V2DmeM5eGZUGJuXA8A3eU7RkHqTXGaA+HRUxzapOuIRZaJ9b/5eBum/ECkybZ8o9YIFxJCDsR8Vo4xI99migxzs6U43HbuBU6e5P0ImQUgnp+nGnWYoe75iOp9yk5nYDJpRNebUNYbMxxIZSdnS9UYymFLvegjKWAQKBgQDuHCFnDU4jY4kKeR1FpQwE9GFwvMmgSixzHq9B/9JXRUE0SxPO5ao4Tzwc5RVYXXUNyaV4QiQUray2KZQJrmKJpx8qURHunRqWWqP161MxfYJrr6AsbD0AVWtBMp3rxSvcnxARho4wJZfLrLu4yz/JGwInQOsZGR622/gF7TyGgQKBgQDtb2nlbebc0hOJOeEq5DzyBh8heon/fUsBM3F9i/TaOMISbyPYebUZn+9jgxI5K59/XfOg1Z8pVn6qXZfP8o71rpemDB9h+y48OwodI2pXx253s2As3El9Z4GlPrl8LclovjJ/1o2X8ldnkWotOvZ5mrGQoN0wK4uEtaSv3wUfnQKBgGwjknf+7vHbjq2W+9hZcO//HRHaa6fEiBNwaCANUzYXWdmqD0DzxS71rVNiJyOOrk6oueG4CDLr/XhtwbHz5QSnRdwuHXrFFwIaAET7rzjWy5iklpYWQk4YfTGLD3W4goccJmwPNBxhtmLl/AudI0buYTf6n8syQWTC2g23BLoBAoGBAL1jWDGUF0jeHI0h6NQgl+hpL52xs69iDljX4tfEsjr6ePrhQdNjSSw2YWmb3AZUIHYkx7brjngXsRNNclGBZbzcVcQx+Tpbc4bBhRC29hUsU5YRM061K71muYfIX4WItBXjWD6WMf0YZdWLrQiE9qMK3EXDuoq4wSHLDaDnIJwVAoGBAN5+voErlU1NhjCa4/MToQxM/hn2ldfbg/USoQq1GQBJay84+a5A8m/wwVfErbGra7sHomSVv/oPPcHX13AsFXACNPmKCXcGeLpjAjWiFiA9kYIWzdTxhZ69PmcXctVRuDHxFrIWPEOoMk5J9iL0AtLZshNKCsKeN8A3TpsutY/M";

pub(crate) const ISSUER: &str = "https://idp.example";
pub(crate) const CLIENT: &str = "healthcode";
pub(crate) const NONCE: &str = "n-0S6_WzA2Mj";

pub(crate) fn now() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

fn expected() -> Expected<'static> {
    Expected { issuer: ISSUER, client_id: CLIENT, nonce: NONCE, now: now() }
}

fn enc(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn claims() -> serde_json::Value {
    json!({
        "iss": ISSUER, "sub": "248289761001", "aud": CLIENT, "nonce": NONCE,
        "exp": now().as_second() + 300, "iat": now().as_second(), "roles": ["hc-officer"],
    })
}

enum Signer {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

pub(crate) struct Key {
    signer: Signer,
    kid: String,
}

impl Key {
    pub(crate) fn rsa(kid: &str) -> Self {
        let der = base64::engine::general_purpose::STANDARD.decode(RSA_PKCS8).unwrap();
        Self { signer: Signer::Rsa(RsaKeyPair::from_pkcs8(&der).unwrap()), kid: kid.into() }
    }

    pub(crate) fn ec(kid: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        Self { signer: Signer::Ec(pair), kid: kid.into() }
    }

    pub(crate) fn jwk(&self) -> Jwk {
        match &self.signer {
            Signer::Rsa(k) => {
                let c = signature::RsaPublicKeyComponents::<Vec<u8>>::from(k.public());
                Jwk {
                    kty: "RSA".into(),
                    kid: Some(self.kid.clone()),
                    n: Some(enc(&c.n)),
                    e: Some(enc(&c.e)),
                    ..Jwk::default()
                }
            }
            Signer::Ec(k) => {
                let point = k.public_key().as_ref();
                Jwk {
                    kty: "EC".into(),
                    kid: Some(self.kid.clone()),
                    crv: Some("P-256".into()),
                    x: Some(enc(&point[1..33])),
                    y: Some(enc(&point[33..65])),
                    ..Jwk::default()
                }
            }
        }
    }

    pub(crate) fn sign(&self, claims: &serde_json::Value) -> String {
        let alg = match self.signer {
            Signer::Rsa(_) => "RS256",
            Signer::Ec(_) => "ES256",
        };
        let header = json!({ "alg": alg, "kid": self.kid, "typ": "JWT" });
        let signed = format!("{}.{}", enc(header.to_string().as_bytes()), enc(claims.to_string().as_bytes()));
        let rng = SystemRandom::new();
        let sig = match &self.signer {
            Signer::Rsa(k) => {
                let mut out = vec![0; k.public().modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &rng, signed.as_bytes(), &mut out).unwrap();
                out
            }
            Signer::Ec(k) => k.sign(&rng, signed.as_bytes()).unwrap().as_ref().to_vec(),
        };
        format!("{signed}.{}", enc(&sig))
    }
}

fn set(keys: &[&Key]) -> JwkSet {
    JwkSet { keys: keys.iter().map(|k| k.jwk()).collect() }
}

fn check(token: &str, keys: &JwkSet) -> Result<IdClaims, TokenError> {
    parse(token)?.verify(keys, &expected())
}

#[test]
fn a_good_token_passes_with_rs256_and_es256() {
    for key in [Key::rsa("r1"), Key::ec("e1")] {
        let c = check(&key.sign(&claims()), &set(&[&key])).unwrap();
        assert_eq!(c.sub, "248289761001");
        assert_eq!(c.other["roles"], json!(["hc-officer"]));
    }
}

#[test]
fn a_signature_by_another_key_or_a_changed_payload_is_refused() {
    for (key, other) in [(Key::rsa("k"), Key::ec("k")), (Key::ec("k"), Key::ec("k"))] {
        // Same kid, different key: the provider's key does not verify it.
        let token = other.sign(&claims());
        let err = check(&token, &set(&[&key])).unwrap_err();
        assert!(matches!(err, TokenError::Signature | TokenError::UnknownKey(_)), "{err:?}");
    }
    let key = Key::ec("k");
    let token = key.sign(&claims());
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let mut forged = claims();
    forged["roles"] = json!(["hc-supervisor"]);
    parts[1] = enc(forged.to_string().as_bytes());
    assert_eq!(check(&parts.join("."), &set(&[&key])).unwrap_err(), TokenError::Signature);
    let rsa = Key::rsa("r");
    let token = rsa.sign(&claims());
    let mut sig = URL_SAFE_NO_PAD.decode(token.rsplit('.').next().unwrap()).unwrap();
    sig[10] ^= 1;
    let head = token.rsplit_once('.').unwrap().0;
    assert_eq!(check(&format!("{head}.{}", enc(&sig)), &set(&[&rsa])).unwrap_err(), TokenError::Signature);
}

#[test]
fn the_wrong_audience_issuer_or_nonce_is_refused() {
    let key = Key::ec("k");
    let keys = set(&[&key]);
    let with = |field: &str, value: serde_json::Value| {
        let mut c = claims();
        c[field] = value;
        check(&key.sign(&c), &keys)
    };
    assert_eq!(with("aud", json!("someone-else")).unwrap_err(), TokenError::Audience);
    assert_eq!(with("aud", json!(["someone-else", "other"])).unwrap_err(), TokenError::Audience);
    // Several audiences with us among them, but another authorized party.
    let mut c = claims();
    c["aud"] = json!([CLIENT, "other"]);
    c["azp"] = json!("other");
    assert_eq!(check(&key.sign(&c), &keys).unwrap_err(), TokenError::Audience);
    c["azp"] = json!(CLIENT);
    assert!(check(&key.sign(&c), &keys).is_ok());
    assert!(matches!(with("iss", json!("https://evil.example")).unwrap_err(), TokenError::Issuer(_)));
    assert_eq!(with("nonce", json!("another-sign-in")).unwrap_err(), TokenError::Nonce);
    let mut c = claims();
    c.as_object_mut().unwrap().remove("nonce");
    assert_eq!(check(&key.sign(&c), &keys).unwrap_err(), TokenError::Nonce);
}

#[test]
fn an_expired_token_is_refused_past_the_leeway() {
    let key = Key::rsa("k");
    let keys = set(&[&key]);
    let mut c = claims();
    c["exp"] = json!(now().as_second() - LEEWAY_SECS + 1);
    assert!(check(&key.sign(&c), &keys).is_ok(), "within the leeway");
    c["exp"] = json!(now().as_second() - LEEWAY_SECS);
    assert_eq!(check(&key.sign(&c), &keys).unwrap_err(), TokenError::Expired);
    c["exp"] = json!(now().as_second() + 300);
    c["nbf"] = json!(now().as_second() + 3600);
    assert_eq!(check(&key.sign(&c), &keys).unwrap_err(), TokenError::NotYetValid);
}

#[test]
fn an_unknown_kid_is_reported_so_the_keys_can_be_fetched_again() {
    let old = Key::ec("2026-11");
    let new = Key::ec("2026-12");
    let token = parse(&new.sign(&claims())).unwrap();
    assert_eq!(token.kid(), Some("2026-12"));
    assert!(!token.has_key_in(&set(&[&old])));
    assert_eq!(token.verify(&set(&[&old]), &expected()).unwrap_err(), TokenError::UnknownKey(Some("2026-12".into())));
    assert!(token.has_key_in(&set(&[&old, &new])));
    assert!(token.verify(&set(&[&old, &new]), &expected()).is_ok());
}

#[test]
fn none_and_hmac_are_refused_and_garbage_is_malformed() {
    let key = Key::ec("k");
    let body = enc(claims().to_string().as_bytes());
    for alg in ["none", "HS256", "RS512"] {
        let header = enc(json!({ "alg": alg, "kid": "k" }).to_string().as_bytes());
        let err = check(&format!("{header}.{body}.{}", enc(b"sig")), &set(&[&key])).unwrap_err();
        assert_eq!(err, TokenError::Algorithm(alg.into()));
    }
    for garbage in ["", "a.b", "a.b.c.d", "!!.!!.!!", &format!("{}.{body}.", enc(b"{}"))] {
        assert_eq!(check(garbage, &set(&[&key])).unwrap_err(), TokenError::Malformed, "{garbage}");
    }
    // An RS256 header cannot be checked with an EC key of the same kid.
    let header = enc(json!({ "alg": "RS256", "kid": "k" }).to_string().as_bytes());
    let err = check(&format!("{header}.{body}.{}", enc(b"sig")), &set(&[&key])).unwrap_err();
    assert_eq!(err, TokenError::UnknownKey(Some("k".into())));
}
