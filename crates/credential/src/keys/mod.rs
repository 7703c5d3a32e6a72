//! Signing keys: the [`KeyId`] that names a key, the [`SigningKey`] that signs
//! codes, the [`KeyRing`] that persists keys and rotates them, and the
//! federation root key that signs the published trust list.

mod error;
mod key_id;
mod key_ring;
mod root_key;
mod signing_key;

pub use error::KeyError;
pub use key_id::KeyId;
pub use key_ring::{KeyEntry, KeyRing, index_path};
pub use root_key::{ROOT_KEY_FILE, load_or_create_root_key, root_key_path};
pub use signing_key::{P256_SPKI_PREFIX, SigningKey, spki_from_point};
