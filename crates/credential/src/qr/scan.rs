//! Reading QR codes back from PNG or JPEG images.
//!
//! The decoder, rqrr, has two known faults on crafted images, both found by
//! fuzzing (`fuzz/`, inputs kept in `tests/fuzz-regressions/`): an assertion in
//! its perspective mapping panics (upstream WanzenBug/rqrr#54), and its search
//! for an alignment pattern is bounded only by a size estimate taken from that
//! same mapping (up to ~10^11 steps; the kept input, 171 × 171 pixels, took
//! 11 s in the fuzz build). Neither can be prevented from
//! outside the crate, so both are contained: the decoder runs on its own
//! thread, a panic there becomes [`QrError::Decoder`] without a message on
//! stderr, and a decode that outlasts [`DECODE_TIME_LIMIT`] becomes
//! [`QrError::TooSlow`] (the abandoned search ends with its thread, or with the
//! process: only the CLI decodes images).

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Once, mpsc};
use std::time::Duration;

use image::{ImageReader, Limits};

use super::QrError;

/// Largest accepted image side, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 8192;

/// Longest a decode may take before the caller gets [`QrError::TooSlow`]; the
/// test images decode in about 50 ms in the (instrumented) fuzz build.
pub const DECODE_TIME_LIMIT: Duration = Duration::from_secs(5);

/// Name of the decoder's thread; the panic hook stays silent on it.
const DECODER_THREAD: &str = "healthcode-qr-decode";

/// Decodes a PNG or JPEG and returns the text of every QR code found in it
/// (empty when none decodes).
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(512 << 20);
    reader.limits(limits);
    let luma = reader.decode()?.into_luma8();
    let (width, height) = (luma.width() as usize, luma.height() as usize);
    decode_luma(width, height, luma.into_raw())
}

/// The QR texts in a `width` × `height` greyscale image, row by row in
/// `pixels` (missing pixels read as white), decoded on a thread of its own.
pub(crate) fn decode_luma(width: usize, height: usize, pixels: Vec<u8>) -> Result<Vec<String>, QrError> {
    silence_decoder_panics();
    let (sender, receiver) = mpsc::sync_channel(1);
    std::thread::Builder::new().name(DECODER_THREAD.into()).spawn(move || {
        let found = catch_unwind(AssertUnwindSafe(|| {
            let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
                pixels.get(y * width + x).copied().unwrap_or(255)
            });
            let grids = prepared.detect_grids();
            grids.into_iter().filter_map(|grid| grid.decode().ok().map(|(_, text)| text)).collect::<Vec<_>>()
        }));
        // The caller may have given up waiting: nobody to tell then.
        let _ = sender.send(found.map_err(|_| QrError::Decoder));
    })?;
    match receiver.recv_timeout(DECODE_TIME_LIMIT) {
        Ok(found) => found,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(QrError::TooSlow),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(QrError::Decoder),
    }
}

/// Installs, once, a panic hook that passes every panic to the hook before it
/// except those on the decoder's thread, which are caught and reported as
/// [`QrError::Decoder`]: rqrr's known assertion would otherwise print a
/// message and backtrace for an image that merely holds no readable code.
fn silence_decoder_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(DECODER_THREAD) {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_image(b"").is_err());
        assert!(decode_image(b"\x89PNG\r\n\x1a\nnope").is_err());
    }
}
