//! [`SigningKey`]: an ES256 (ECDSA P-256, SHA-256) private key.

use std::fmt;

use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};

use super::{KeyError, KeyId};

/// DER prefix of a P-256 SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { id-ecPublicKey,
/// prime256v1 }, BIT STRING (66 bytes, 0 unused bits) }. The 65-byte
/// uncompressed point follows it.
pub const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// The SubjectPublicKeyInfo DER of a P-256 public key given as its 65-byte
/// uncompressed point.
pub fn spki_from_point(point: &[u8]) -> Vec<u8> {
    let mut der = Vec::with_capacity(P256_SPKI_PREFIX.len() + point.len());
    der.extend_from_slice(&P256_SPKI_PREFIX);
    der.extend_from_slice(point);
    der
}

/// An ES256 signing key. Signatures are raw `r ‖ s` (64 bytes), as COSE
/// requires. `Debug` shows only the key id, never the private key.
pub struct SigningKey {
    pair: EcdsaKeyPair,
    kid: KeyId,
    pkcs8: Vec<u8>,
    rng: SystemRandom,
}

impl SigningKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<SigningKey, KeyError> {
        let rng = SystemRandom::new();
        let doc =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).map_err(|_| KeyError::Generate)?;
        SigningKey::from_pkcs8(doc.as_ref())
    }

    /// Parses a PKCS#8 (DER) P-256 private key.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<SigningKey, KeyError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
            .map_err(|e| KeyError::Pkcs8(e.to_string()))?;
        let kid = KeyId::from_spki(&spki_from_point(pair.public_key().as_ref()));
        Ok(SigningKey { pair, kid, pkcs8: pkcs8.to_vec(), rng })
    }

    pub fn key_id(&self) -> KeyId {
        self.kid
    }

    /// The PKCS#8 DER document, for persisting the key.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public key as a 65-byte uncompressed point (`04 ‖ x ‖ y`), the
    /// form WebCrypto's `importKey('raw', ..)` takes.
    pub fn public_key_uncompressed(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }

    /// The public key as SubjectPublicKeyInfo DER (91 bytes).
    pub fn spki_der(&self) -> Vec<u8> {
        spki_from_point(self.pair.public_key().as_ref())
    }

    /// Signs `message` with ECDSA P-256 / SHA-256; returns `r ‖ s`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        let sig = self.pair.sign(&self.rng, message).map_err(|_| KeyError::Sign)?;
        Ok(sig.as_ref().to_vec())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    #[test]
    fn signs_raw_r_s_that_verify() {
        let key = SigningKey::generate().unwrap();
        let sig = key.sign(b"hello").unwrap();
        assert_eq!(sig.len(), 64);
        let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.public_key_uncompressed());
        public.verify(b"hello", &sig).unwrap();
        assert!(public.verify(b"hellO", &sig).is_err());
    }

    #[test]
    fn pkcs8_round_trip_keeps_kid() {
        let key = SigningKey::generate().unwrap();
        let again = SigningKey::from_pkcs8(key.pkcs8()).unwrap();
        assert_eq!(key.key_id(), again.key_id());
        assert_eq!(key.spki_der().len(), 91);
        assert_eq!(key.public_key_uncompressed().len(), 65);
        assert!(SigningKey::from_pkcs8(b"garbage").is_err());
        assert!(!format!("{key:?}").contains(&format!("{:?}", key.pkcs8())));
    }
}
