//! Errors from key generation, parsing and the on-disk key ring.

use std::path::PathBuf;

/// A key could not be generated, parsed, used or persisted.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key generation failed")]
    Generate,
    #[error("the PKCS#8 document is not a valid P-256 private key: {0}")]
    Pkcs8(String),
    #[error("signing failed")]
    Sign,
    #[error("key id must be 8 bytes of standard base64")]
    KeyIdInvalid,
    // The cause is in the message, not also a `source()`: a chain printer
    // (anyhow's `{:#}`) would otherwise say it twice.
    #[error("{action} {path}: {error}")]
    Io { action: &'static str, path: PathBuf, error: std::io::Error },
    #[error("key ring index {path} is not valid: {error}")]
    Index { path: PathBuf, error: serde_json::Error },
    #[error("key file {path} holds key {actual}, but the index says {expected}")]
    KeyIdMismatch { path: PathBuf, expected: String, actual: String },
    #[error("key ring in {0} has no active (non-retired) key")]
    NoActiveKey(PathBuf),
    #[error("key ring in {0} holds key files but no keyring.json index; refusing to start a new ring")]
    IndexMissing(PathBuf),
}

impl KeyError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |error| KeyError::Io { action, path, error }
    }
}
