//! The borrowing CBOR reader and the COSE/claims parsers built on it, fed raw
//! bytes (no base45 or zlib in the way). Two cross-checks: whatever the
//! reader calls well-formed, ciborium parses completely; and the same bytes
//! wrapped in the text layer decode to the same claims.
#![no_main]

use healthcode_credential::fuzzing::{cbor_is_well_formed, decode_cose_unverified};
use healthcode_credential::health_code::MAX_INFLATED;
use healthcode_credential::{decode_unverified, verify};
use healthcode_fuzz::{now, pack, trust};
use libfuzzer_sys::fuzz_target;

/// Whether `data` holds a major-type-7 head that ciborium's `Value` cannot
/// represent (an unassigned simple value), which RFC 8949 still calls
/// well-formed. A byte-level scan: it may also match inside strings, which
/// only skips the comparison for that input.
fn may_hold_unassigned_simple(data: &[u8]) -> bool {
    data.iter().any(|&b| (0xe0..=0xf3).contains(&b) || b == 0xf8)
}

fuzz_target!(|data: &[u8]| {
    if cbor_is_well_formed(data) && !may_hold_unassigned_simple(data) {
        let mut rest = data;
        let parsed: Result<ciborium::Value, _> = ciborium::de::from_reader(&mut rest);
        assert!(parsed.is_ok() && rest.is_empty(), "well-formed to us, not to ciborium: {data:02x?}");
    }
    let direct = decode_cose_unverified(data);
    if data.len() <= MAX_INFLATED {
        let text = pack(data);
        if let Ok((claims, _)) = decode_unverified(&text) {
            assert_eq!(direct.as_ref().ok(), Some(&claims));
        }
        if direct.is_err() {
            assert!(verify(&text, trust(), now()).is_err());
        }
    }
});
