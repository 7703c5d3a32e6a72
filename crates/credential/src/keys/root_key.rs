//! The federation root key: one ES256 key per deployment that signs the
//! region's published trust list ([`crate::federation`]). Peers pin its
//! public key in their configuration, so it is kept apart from the code
//! signing ring and never rotated by `keys rotate`.

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use super::key_ring::write_private;
use super::{KeyError, SigningKey};

/// The root key's file in the key directory (PKCS#8 DER, mode 0600). Not a
/// `.p8` file, so the code signing ring never mistakes it for one of its own.
pub const ROOT_KEY_FILE: &str = "federation-root.der";

pub fn root_key_path(dir: &Path) -> PathBuf {
    dir.join(ROOT_KEY_FILE)
}

/// Loads the root key from `dir`, or generates and persists it (owner-only)
/// on first use.
pub fn load_or_create_root_key(dir: &Path) -> Result<SigningKey, KeyError> {
    let path = root_key_path(dir);
    match fs::read(&path) {
        Ok(der) => return SigningKey::from_pkcs8(&der),
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(KeyError::io("reading", path)(e)),
    }
    if fs::metadata(dir).is_err() {
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(KeyError::io("creating", dir))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(KeyError::io("setting permissions of", dir))?;
    }
    let key = SigningKey::generate()?;
    write_private(&path, key.pkcs8())?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt as _;

    #[test]
    fn created_once_owner_only_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let first = load_or_create_root_key(&keys).unwrap();
        let again = load_or_create_root_key(&keys).unwrap();
        assert_eq!(first.key_id(), again.key_id());
        assert_eq!(fs::metadata(root_key_path(&keys)).unwrap().mode() & 0o777, 0o600);
        // The code signing ring starts beside it: the root key is not one of its files.
        crate::KeyRing::load_or_create(&keys, jiff::Timestamp::UNIX_EPOCH).unwrap();
    }
}
