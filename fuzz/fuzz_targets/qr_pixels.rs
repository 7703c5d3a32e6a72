//! The QR decoder behind `healthcode verify IMAGE` on raw greyscale pixels:
//! two bytes of width (big-endian), then the pixels row by row. Mutations
//! reach the decoder directly instead of failing PNG and JPEG checksums.
#![no_main]

use healthcode_credential::fuzzing::decode_luma;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [hi, lo, pixels @ ..] = data else { return };
    let width = usize::from(u16::from_be_bytes([*hi, *lo]));
    if width == 0 || width > pixels.len() {
        return;
    }
    // Any answer will do; a panic or a hang escaping the call is a crash.
    let _ = decode_luma(width, pixels);
});
