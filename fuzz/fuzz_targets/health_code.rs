//! The health-code decoder: `HCODE1:` text verified against the test vectors'
//! trust list at their fixed "now", and decoded without verification.
#![no_main]

use healthcode_credential::{decode_unverified, verify};
use healthcode_fuzz::{now, trust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let verified = verify(text, trust(), now());
    let decoded = decode_unverified(text);
    if let Ok(code) = &verified {
        // Whatever verify admits, the diagnostic decoder reads the same way.
        assert_eq!(decoded.as_ref().ok(), Some(&(code.claims.clone(), code.key_id)));
    }
    for error in verified.err().into_iter().chain(decoded.err()) {
        assert!(!error.code().is_empty() && !error.to_string().is_empty());
    }
});
