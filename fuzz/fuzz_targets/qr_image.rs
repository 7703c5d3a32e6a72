//! QR image decoding, the `healthcode verify IMAGE` path: PNG or JPEG bytes
//! to the texts of the QR codes they show.
#![no_main]

use healthcode_credential::decode_image;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Any answer will do; a panic or a hang escaping the call is a crash.
    let _ = decode_image(data);
});
