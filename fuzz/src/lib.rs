//! Fixtures shared by the fuzz targets: the trust list and "now" of the
//! credential crate's test vectors, so every target verifies against fixed,
//! test-only keys and a fixed clock.

use std::io::Write as _;
use std::sync::LazyLock;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use healthcode_credential::{HEALTH_CODE_PREFIX, PreparedTrustList, TrustList};
use jiff::Timestamp;

/// The committed test vectors (trust list, now, cases).
pub const VECTORS: &str = include_str!("../../crates/credential/tests/vectors/health_codes.json");

struct Fixture {
    trust_list: TrustList,
    trust: PreparedTrustList,
    now: Timestamp,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    #[derive(serde::Deserialize)]
    struct Vectors {
        trust_list: TrustList,
        now: Timestamp,
    }
    // The vectors are committed and checked by the credential tests: a
    // failure here is a broken checkout, worth stopping the fuzzer for.
    let vectors: Vectors = serde_json::from_str(VECTORS).unwrap_or_else(|e| panic!("test vectors: {e}"));
    let trust = vectors.trust_list.prepare().unwrap_or_else(|e| panic!("test vectors' trust list: {e}"));
    Fixture { trust_list: vectors.trust_list, trust, now: vectors.now }
});

/// The vectors' trust list, prepared: health codes verify against it, and
/// venue tokens and paper passes against its keys.
pub fn trust() -> &'static PreparedTrustList {
    &FIXTURE.trust
}

/// The same trust list, as published.
pub fn trust_list() -> &'static TrustList {
    &FIXTURE.trust_list
}

/// The vectors' fixed "now" (2020-02-11T08:00:00Z).
pub fn now() -> Timestamp {
    FIXTURE.now
}

/// `HCODE1:` + base45(zlib(cose)): the text layer around arbitrary bytes.
pub fn pack(cose: &[u8]) -> String {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = z.write_all(cose);
    let compressed = z.finish().unwrap_or_default();
    format!("{HEALTH_CODE_PREFIX}{}", base45::encode(compressed))
}
