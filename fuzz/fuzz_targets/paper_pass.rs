//! Paper passes: `HPASS2:` text (and the refused `HPASS1:`) checked against the test vectors' keys.
#![no_main]

use healthcode_credential::{is_paper_pass, verify_paper_pass};
use healthcode_fuzz::{now, trust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match verify_paper_pass(text, trust(), now()) {
        Ok(pass) => {
            assert!(is_paper_pass(text));
            assert!(trust().find(&pass.key_id).is_some());
        }
        Err(error) => assert!(!error.code().is_empty()),
    }
});
