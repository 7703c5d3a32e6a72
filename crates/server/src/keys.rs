//! The signing keys as the running server holds them: the [`KeyRing`] from
//! the data directory, reloaded when `healthcode keys rotate` rewrites it.

use healthcode_credential::{
    KeyError, KeyRing, PreparedTrustList, SigningKey, TrustList, TrustListError, VenueToken, VenueTokenError,
    index_path, token_from_qr, verify_venue_token,
};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// How many verified venue tokens a loaded ring remembers before it starts
/// over (a city has hundreds of thousands of posters; each entry is ~150 B).
const VERIFIED_TOKENS: usize = 65_536;
use std::time::SystemTime;

#[derive(Debug)]
struct Loaded {
    ring: KeyRing,
    modified: Option<SystemTime>,
    /// Every key, decoded once per load (venue tokens are checked on every scan).
    all_keys: Arc<PreparedTrustList>,
    /// The decoded trust list and the instant it changes (a retired key drops out).
    trust: Mutex<Option<(Timestamp, Arc<PreparedTrustList>)>>,
    /// Venue tokens whose signature this ring already verified: the same
    /// posters are scanned all day, and a signature proven once need not be
    /// checked again while the same keys are loaded.
    venue_tokens: Mutex<HashMap<Box<str>, VenueToken>>,
}

impl Loaded {
    fn new(ring: KeyRing, modified: Option<SystemTime>, issuer: &str, now: Timestamp) -> Result<Self, KeyError> {
        let all_keys = ring.all_keys(issuer, now).prepare().map_err(|e| KeyError::Pkcs8(e.to_string()))?;
        Ok(Self {
            ring,
            modified,
            all_keys: Arc::new(all_keys),
            trust: Mutex::new(None),
            venue_tokens: Mutex::new(HashMap::new()),
        })
    }
}

/// Shared, reloadable key ring.
#[derive(Debug)]
pub struct KeyService {
    dir: PathBuf,
    issuer: String,
    max_lifetime: SignedDuration,
    loaded: RwLock<Arc<Loaded>>,
}

fn modified(dir: &Path) -> Option<SystemTime> {
    std::fs::metadata(index_path(dir)).and_then(|m| m.modified()).ok()
}

impl KeyService {
    /// Loads the key ring, generating the first key on first start.
    pub fn open(dir: &Path, issuer: &str, max_lifetime: SignedDuration, now: Timestamp) -> Result<Self, KeyError> {
        let ring = KeyRing::load_or_create(dir, now)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            issuer: issuer.to_string(),
            max_lifetime,
            loaded: RwLock::new(Arc::new(Loaded::new(ring, modified(dir), issuer, now)?)),
        })
    }

    fn current(&self) -> Arc<Loaded> {
        match self.loaded.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-reads the ring when its index file changed on disk (key rotation by
    /// the operator command while the server runs). Returns whether it did.
    pub fn reload_if_changed(&self) -> Result<bool, KeyError> {
        let on_disk = modified(&self.dir);
        if on_disk == self.current().modified {
            return Ok(false);
        }
        let ring = KeyRing::load(&self.dir)?;
        let fresh = Arc::new(Loaded::new(ring, on_disk, &self.issuer, Timestamp::UNIX_EPOCH)?);
        match self.loaded.write() {
            Ok(mut g) => *g = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        tracing::info!("signing keys reloaded");
        Ok(true)
    }

    /// Runs `f` with the active signing key.
    pub fn with_active<T>(&self, f: impl FnOnce(&SigningKey) -> T) -> T {
        f(self.current().ring.active())
    }

    pub fn trust_list(&self, now: Timestamp) -> TrustList {
        self.current().ring.trust_list(&self.issuer, self.max_lifetime, now)
    }

    /// Every key of the ring, decoded: for credentials this deployment checks
    /// itself and that outlive key rotation (venue posters).
    pub fn all_keys(&self) -> Arc<PreparedTrustList> {
        self.current().all_keys.clone()
    }

    /// Checks a venue QR (token or URL) against every key of the ring. A
    /// token verified once is remembered while this ring stays loaded (a key
    /// rotation reloads the ring and forgets them all), so a poster's
    /// signature is checked on its first scan, not on every one.
    pub fn verify_venue_token(&self, text: &str) -> Result<VenueToken, VenueTokenError> {
        let loaded = self.current();
        let token = token_from_qr(text);
        let known = loaded.venue_tokens.lock().unwrap_or_else(PoisonError::into_inner).get(token).copied();
        if let Some(known) = known {
            return Ok(known);
        }
        let (verified, _) = verify_venue_token(token, &loaded.all_keys)?;
        let mut remembered = loaded.venue_tokens.lock().unwrap_or_else(PoisonError::into_inner);
        if remembered.len() >= VERIFIED_TOKENS {
            remembered.clear();
        }
        remembered.insert(token.into(), verified);
        Ok(verified)
    }

    /// The trust list, decoded for verification.
    /// Decoded once and reused until a retired key's window closes (checkpoint
    /// scans verify with it on every request).
    pub fn prepared_trust_list(&self, now: Timestamp) -> Result<Arc<PreparedTrustList>, TrustListError> {
        let loaded = self.current();
        let mut cache = loaded.trust.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((valid_until, list)) = cache.as_ref()
            && now < *valid_until
        {
            return Ok(list.clone());
        }
        let list = loaded.ring.trust_list(&self.issuer, self.max_lifetime, now);
        let valid_until = list.keys.iter().filter_map(|k| k.not_after).min().unwrap_or(Timestamp::MAX);
        let prepared = Arc::new(list.prepare()?);
        *cache = Some((valid_until, prepared.clone()));
        Ok(prepared)
    }
}
