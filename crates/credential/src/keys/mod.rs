//! Signing keys: the [`KeyId`] that names a key, the [`SigningKey`] that signs
//! codes, and the [`KeyRing`] that persists keys and rotates them.

mod error;
mod key_id;
mod key_ring;
mod signing_key;

pub use error::KeyError;
pub use key_id::KeyId;
pub use key_ring::{KeyEntry, KeyRing, index_path};
pub use signing_key::{P256_SPKI_PREFIX, SigningKey, spki_from_point};
