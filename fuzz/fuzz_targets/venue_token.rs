//! Venue tokens: a scanned venue QR (a URL with `/c/<token>`, or a bare
//! token) checked against the test vectors' keys.
#![no_main]

use healthcode_credential::{token_from_qr, verify_venue_token};
use healthcode_fuzz::trust;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let token = token_from_qr(text);
    assert!(text.contains(token));
    if let Ok((_, kid)) = verify_venue_token(text, trust()) {
        // Only a listed key can have signed an accepted token.
        assert!(trust().find(&kid).is_some());
    }
});
