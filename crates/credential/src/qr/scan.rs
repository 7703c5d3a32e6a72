//! Reading QR codes back from PNG or JPEG images.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use image::{ImageReader, Limits};

use super::QrError;

/// Largest accepted image side, in pixels.
pub const MAX_IMAGE_SIDE: u32 = 8192;

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
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    let raw = luma.as_raw();
    // rqrr is a third-party decoder working on untrusted pixels: contain any
    // panic it might raise instead of taking the caller down.
    catch_unwind(AssertUnwindSafe(|| {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| raw.get(y * w + x).copied().unwrap_or(255));
        prepared.detect_grids().into_iter().filter_map(|grid| grid.decode().ok().map(|(_, text)| text)).collect()
    }))
    .map_err(|_| QrError::Decoder)
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
