//! [`KeyRing`]: the issuer's signing keys, persisted in one directory.
//!
//! Layout of the key directory (usually `<data_dir>/keys/`, mode 0700):
//! `keyring.json` lists every key as `{kid, created_at, retired_at}`, and
//! `<kid-hex>.p8` holds each private key as PKCS#8 DER (mode 0600). Files are
//! written to a temporary name and renamed, so a reader never sees half a file.

use std::fs;
use std::io::{ErrorKind, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::{KeyError, KeyId, SigningKey};
use crate::trust_list::{TrustList, TrustedKey};

const INDEX_FILE: &str = "keyring.json";
const INDEX_VERSION: u32 = 1;

/// Where the key ring index lives in `dir`; watch its mtime to notice rotation.
pub fn index_path(dir: &Path) -> PathBuf {
    dir.join(INDEX_FILE)
}

fn key_path(dir: &Path, kid: &KeyId) -> PathBuf {
    dir.join(format!("{}.p8", kid.to_hex()))
}

/// One key of the ring, as listed in the index, plus its public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    pub kid: KeyId,
    pub created_at: Timestamp,
    pub retired_at: Option<Timestamp>,
    /// SubjectPublicKeyInfo DER of the public key.
    pub spki: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct IndexFile {
    version: u32,
    keys: Vec<IndexEntry>,
}

#[derive(Serialize, Deserialize)]
struct IndexEntry {
    kid: String,
    created_at: Timestamp,
    retired_at: Option<Timestamp>,
}

/// The issuer's signing keys: one active key signs new codes; retired keys
/// stay published in the trust list until the codes they signed expired.
#[derive(Debug)]
pub struct KeyRing {
    entries: Vec<KeyEntry>,
    keys: Vec<SigningKey>,
    active: usize,
}

impl KeyRing {
    /// Loads the ring from `dir`, or starts a new one with a fresh key when
    /// `dir` is missing or holds no index (and no stray key files).
    pub fn load_or_create(dir: &Path, now: Timestamp) -> Result<KeyRing, KeyError> {
        let index = index_path(dir);
        match fs::metadata(&index) {
            Ok(_) => return KeyRing::load(dir),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(KeyError::io("reading", index)(e)),
        }
        if holds_key_files(dir)? {
            return Err(KeyError::IndexMissing(dir.to_path_buf()));
        }
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(KeyError::io("creating", dir))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(KeyError::io("setting permissions of", dir))?;
        let key = SigningKey::generate()?;
        write_private(&key_path(dir, &key.key_id()), key.pkcs8())?;
        let entry = KeyEntry { kid: key.key_id(), created_at: now, retired_at: None, spki: key.spki_der() };
        let ring = KeyRing { entries: vec![entry], keys: vec![key], active: 0 };
        ring.write_index(dir)?;
        Ok(ring)
    }

    /// Loads an existing ring from `dir`.
    pub fn load(dir: &Path) -> Result<KeyRing, KeyError> {
        let index_file = index_path(dir);
        let text = fs::read_to_string(&index_file).map_err(KeyError::io("reading", &index_file))?;
        let index: IndexFile =
            serde_json::from_str(&text).map_err(|error| KeyError::Index { path: index_file.clone(), error })?;
        let mut entries = Vec::with_capacity(index.keys.len());
        let mut keys = Vec::with_capacity(index.keys.len());
        for item in index.keys {
            let kid: KeyId = item.kid.parse()?;
            let path = key_path(dir, &kid);
            let der = fs::read(&path).map_err(KeyError::io("reading", &path))?;
            let key = SigningKey::from_pkcs8(&der)?;
            if key.key_id() != kid {
                let (expected, actual) = (kid.to_string(), key.key_id().to_string());
                return Err(KeyError::KeyIdMismatch { path, expected, actual });
            }
            entries.push(KeyEntry {
                kid,
                created_at: item.created_at,
                retired_at: item.retired_at,
                spki: key.spki_der(),
            });
            keys.push(key);
        }
        let active = newest_active(&entries).ok_or_else(|| KeyError::NoActiveKey(dir.to_path_buf()))?;
        Ok(KeyRing { entries, keys, active })
    }

    /// The key that signs new codes: the newest key that is not retired.
    pub fn active(&self) -> &SigningKey {
        // `active` is checked on construction and kept in range by `rotate`.
        &self.keys[self.active]
    }

    /// Any key of the ring by id, retired or not.
    pub fn get(&self, kid: &KeyId) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.key_id() == *kid)
    }

    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// Generates a new active key and retires the previous one at `now`.
    /// The new key file and the index are persisted before `self` changes.
    pub fn rotate(&mut self, dir: &Path, now: Timestamp) -> Result<KeyId, KeyError> {
        let key = SigningKey::generate()?;
        let kid = key.key_id();
        write_private(&key_path(dir, &kid), key.pkcs8())?;
        let mut entries = self.entries.clone();
        for entry in entries.iter_mut().filter(|e| e.retired_at.is_none()) {
            entry.retired_at = Some(now);
        }
        entries.push(KeyEntry { kid, created_at: now, retired_at: None, spki: key.spki_der() });
        write_index(dir, &entries)?;
        self.entries = entries;
        self.keys.push(key);
        self.active = self.keys.len() - 1;
        Ok(kid)
    }

    /// The public trust list: every key whose codes may still be valid, that
    /// is every key not retired, or retired less than `max_code_lifetime` ago.
    pub fn trust_list(&self, issuer: &str, max_code_lifetime: SignedDuration, now: Timestamp) -> TrustList {
        let keys = self
            .entries
            .iter()
            .zip(&self.keys)
            .filter_map(|(entry, key)| {
                let not_after = entry.retired_at.map(|at| at.checked_add(max_code_lifetime).unwrap_or(Timestamp::MAX));
                match not_after {
                    Some(end) if end <= now => None,
                    _ => Some(TrustedKey::es256(key, entry.created_at, not_after)),
                }
            })
            .collect();
        TrustList { issuer: issuer.to_owned(), generated_at: now, keys }
    }

    /// Every key of the ring, retired or not, without an end of validity:
    /// for long-lived credentials this deployment verifies itself (venue
    /// posters), which must survive key rotation.
    pub fn all_keys(&self, issuer: &str, now: Timestamp) -> TrustList {
        let keys = self
            .entries
            .iter()
            .zip(&self.keys)
            .map(|(entry, key)| TrustedKey::es256(key, entry.created_at, None))
            .collect();
        TrustList { issuer: issuer.to_owned(), generated_at: now, keys }
    }

    fn write_index(&self, dir: &Path) -> Result<(), KeyError> {
        write_index(dir, &self.entries)
    }
}

fn newest_active(entries: &[KeyEntry]) -> Option<usize> {
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.retired_at.is_none())
        .max_by_key(|(i, e)| (e.created_at, *i))
        .map(|(i, _)| i)
}

fn holds_key_files(dir: &Path) -> Result<bool, KeyError> {
    match fs::read_dir(dir) {
        Ok(items) => Ok(items.flatten().any(|item| item.path().extension().is_some_and(|ext| ext == "p8"))),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(KeyError::io("listing", dir)(e)),
    }
}

fn write_index(dir: &Path, entries: &[KeyEntry]) -> Result<(), KeyError> {
    let index = IndexFile {
        version: INDEX_VERSION,
        keys: entries
            .iter()
            .map(|e| IndexEntry { kid: e.kid.to_string(), created_at: e.created_at, retired_at: e.retired_at })
            .collect(),
    };
    let path = index_path(dir);
    let mut json = serde_json::to_vec_pretty(&index).map_err(|error| KeyError::Index { path: path.clone(), error })?;
    json.push(b'\n');
    write_private(&path, &json)
}

/// Writes `bytes` to `path` atomically: a 0600 temporary file in the same
/// directory, synced, then renamed over `path`.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let mut tmp_name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    tmp_name.push(".tmp");
    let tmp = path.with_file_name(tmp_name);
    match fs::remove_file(&tmp) {
        Err(e) if e.kind() != ErrorKind::NotFound => return Err(KeyError::io("removing", &tmp)(e)),
        _ => {}
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(KeyError::io("creating", &tmp))?;
    file.write_all(bytes).map_err(KeyError::io("writing", &tmp))?;
    file.sync_all().map_err(KeyError::io("syncing", &tmp))?;
    drop(file);
    fs::rename(&tmp, path).map_err(KeyError::io("renaming", &tmp))?;
    if let Some(parent) = path.parent()
        && let Ok(dir) = fs::File::open(parent)
    {
        // Best effort: make the rename itself durable.
        let _ = dir.sync_all();
    }
    Ok(())
}
