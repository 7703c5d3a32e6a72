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
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("key ring index {path} is not valid: {source}")]
    Index {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
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
        move |source| KeyError::Io { action, path, source }
    }
}
