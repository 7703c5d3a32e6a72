//! [`KeyId`]: the 8-byte key identifier carried in every signed code.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::digest;

use super::KeyError;

/// The first 8 bytes of SHA-256 over the key's SubjectPublicKeyInfo DER, as
/// the EU Digital COVID Certificate does. Shown as standard base64.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId([u8; 8]);

impl KeyId {
    pub const LEN: usize = 8;

    /// The key id of a public key given as SubjectPublicKeyInfo DER.
    pub fn from_spki(spki_der: &[u8]) -> KeyId {
        let hash = digest::digest(&digest::SHA256, spki_der);
        let mut out = [0u8; 8];
        out.copy_from_slice(&hash.as_ref()[..8]);
        KeyId(out)
    }

    pub fn from_bytes(bytes: [u8; 8]) -> KeyId {
        KeyId(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<KeyId> {
        <[u8; 8]>::try_from(bytes).ok().map(KeyId)
    }

    pub fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }

    /// Lower-case hex (16 characters), used for key file names.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(16);
        for b in self.0 {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
        s
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&STANDARD.encode(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl FromStr for KeyId {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = STANDARD.decode(s.trim()).map_err(|_| KeyError::KeyIdInvalid)?;
        KeyId::from_slice(&bytes).ok_or(KeyError::KeyIdInvalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        let kid = KeyId::from_bytes([1, 2, 3, 4, 5, 6, 7, 0xff]);
        let text = kid.to_string();
        assert_eq!(text, "AQIDBAUGB/8=");
        assert_eq!(text.parse::<KeyId>().unwrap(), kid);
        assert_eq!(kid.to_hex(), "01020304050607ff");
        assert!("AQID".parse::<KeyId>().is_err());
        assert!("not base64!".parse::<KeyId>().is_err());
    }
}
