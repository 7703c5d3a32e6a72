//! Sealing staff TOTP seeds at rest (`staff_accounts.totp_sealed`):
//! ChaCha20-Poly1305 (ring) under a 256-bit key kept in the data
//! directory (`keys/staff-seal.key`, owner-only), with the account id as
//! associated data, so a sealed seed moved to another row does not open.
//!
//! A stored value is `hcs1` ‖ 12-byte random nonce ‖ ciphertext ‖ tag.
//! Seeds written before sealing (bare 20-byte secrets) still read as
//! [`Opened::Clear`]; the server seals them at start-up and at the next
//! sign-in.

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::auth::session::random_bytes;
use crate::error::ApiError;

const MAGIC: &[u8; 4] = b"hcs1";
const KEY_FILE: &str = "staff-seal.key";
/// Magic, nonce and tag: a sealed value is always longer than this.
const OVERHEAD: usize = MAGIC.len() + NONCE_LEN + 16;

/// The key that seals and opens TOTP seeds.
pub struct TotpSeal {
    key: LessSafeKey,
}

impl std::fmt::Debug for TotpSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSeal(..)")
    }
}

/// A stored seed, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// It was sealed: the seed.
    Sealed(Vec<u8>),
    /// It was stored before sealing: the seed, to be sealed now.
    Clear(Vec<u8>),
}

impl Opened {
    pub fn seed(&self) -> &[u8] {
        match self {
            Opened::Sealed(s) | Opened::Clear(s) => s,
        }
    }
}

/// Why the key could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum SealKeyError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{0}: not a 32-byte key")]
    Malformed(String),
}

pub fn key_path(keys_dir: &Path) -> PathBuf {
    keys_dir.join(KEY_FILE)
}

impl TotpSeal {
    pub fn from_key(bytes: &[u8; 32]) -> Option<Self> {
        Some(Self { key: LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, bytes).ok()?) })
    }

    /// Reads the key from `keys_dir`, making it (owner-only) on first start.
    pub fn open_or_create(keys_dir: &Path) -> Result<Self, SealKeyError> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let path = key_path(keys_dir);
        let io = |source| SealKeyError::Io { path: path.display().to_string(), source };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::DirBuilder::new().recursive(true).mode(0o700).create(keys_dir).map_err(io)?;
                let fresh = random_bytes::<32>().map_err(|_| io(std::io::Error::other("no random bytes")))?;
                // create_new: two servers starting at once keep the first key.
                match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
                    Ok(mut f) => {
                        f.write_all(&fresh).and_then(|()| f.sync_all()).map_err(io)?;
                        fresh.to_vec()
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read(&path).map_err(io)?,
                    Err(e) => return Err(io(e)),
                }
            }
            Err(e) => return Err(io(e)),
        };
        let key: [u8; 32] =
            bytes.as_slice().try_into().map_err(|_| SealKeyError::Malformed(path.display().to_string()))?;
        Self::from_key(&key).ok_or_else(|| SealKeyError::Malformed(path.display().to_string()))
    }

    /// Seals `seed` for the account `id`.
    pub fn seal(&self, id: uuid::Uuid, seed: &[u8]) -> Result<Vec<u8>, ApiError> {
        let nonce_bytes = random_bytes::<NONCE_LEN>()?;
        let mut body = seed.to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce_bytes), Aad::from(id.as_bytes()), &mut body)
            .map_err(|_| ApiError::internal("sealing a second-factor seed failed"))?;
        let mut out = Vec::with_capacity(OVERHEAD + seed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens a stored seed of the account `id`; `None` when it is sealed
    /// but does not open (another key, another row, or altered).
    pub fn open(&self, id: uuid::Uuid, stored: &[u8]) -> Option<Opened> {
        if stored.len() <= OVERHEAD || !stored.starts_with(MAGIC) {
            return Some(Opened::Clear(stored.to_vec()));
        }
        let (nonce, body) = stored[MAGIC.len()..].split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = body.to_vec();
        let seed = self.key.open_in_place(nonce, Aad::from(id.as_bytes()), &mut body).ok()?;
        Some(Opened::Sealed(seed.to_vec()))
    }
}

/// Whether a stored value is sealed (for tests and `healthcode staff list`).
pub fn is_sealed(stored: &[u8]) -> bool {
    stored.len() > OVERHEAD && stored.starts_with(MAGIC)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_seed_opens_only_for_its_account_and_unaltered() {
        let seal = TotpSeal::from_key(&[7; 32]).unwrap();
        let (a, b) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let seed = [5u8; 20];
        let sealed = seal.seal(a, &seed).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(20).any(|w| w == seed));
        assert_eq!(seal.open(a, &sealed), Some(Opened::Sealed(seed.to_vec())));
        assert_eq!(seal.open(b, &sealed), None);
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(seal.open(a, &altered), None);
        assert_eq!(TotpSeal::from_key(&[8; 32]).unwrap().open(a, &sealed), None);
        // A seed stored before sealing reads as clear.
        assert_eq!(seal.open(a, &seed), Some(Opened::Clear(seed.to_vec())));
        assert_ne!(seal.seal(a, &seed).unwrap(), sealed, "a fresh nonce each time");
    }

    #[test]
    fn the_key_is_made_once_owner_only_and_read_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let first = TotpSeal::open_or_create(&keys).unwrap();
        let sealed = first.seal(uuid::Uuid::nil(), b"0123456789abcdefghij").unwrap();
        let mode = std::fs::metadata(key_path(&keys)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = TotpSeal::open_or_create(&keys).unwrap();
        assert_eq!(again.open(uuid::Uuid::nil(), &sealed).unwrap().seed(), b"0123456789abcdefghij");
    }
}
