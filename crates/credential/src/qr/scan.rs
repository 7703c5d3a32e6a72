//! Reading QR codes back from PNG or JPEG images.
//!
//! Two decoders read the pixels: rxing (a port of ZXing, QR reader only)
//! first, and rqrr when rxing finds nothing. On the photographed set of
//! `scripts/decoder-set` the pair reads more than either alone (figures in
//! docs/BENCHMARKS.md, "decoders"); [`QrDecoder`] picks one for measuring.
//!
//! rqrr has two known faults on crafted images, both found by
//! fuzzing (`fuzz/`, inputs kept in `tests/fuzz-regressions/`): an assertion in
//! its perspective mapping panics (upstream WanzenBug/rqrr#54), and its search
//! for an alignment pattern is bounded only by a size estimate taken from that
//! same mapping (up to ~10^11 steps; the kept input, 171 × 171 pixels, took
//! 11 s in the fuzz build). Neither can be prevented from
//! outside the crate, so both are contained, and rxing the same way: the
//! decoders run on a thread of their own, a panic there is caught (a panic in
//! rxing hands over to rqrr; in the last decoder tried it becomes
//! [`QrError::Decoder`]) without a message on stderr, and a decode that
//! outlasts [`DECODE_TIME_LIMIT`] becomes [`QrError::TooSlow`] (the abandoned
//! search ends with its thread, or with the process: only the CLI decodes
//! images).

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

/// Which decoder reads the pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QrDecoder {
    /// rqrr alone (the decoder before rxing): every code in the image.
    Rqrr,
    /// rxing alone: one code per image.
    Rxing,
    /// rxing, then rqrr when rxing reads nothing (what [`decode_image`] uses).
    #[default]
    RxingThenRqrr,
}

impl QrDecoder {
    /// Every decoder, for measuring.
    pub const ALL: [Self; 3] = [Self::Rqrr, Self::Rxing, Self::RxingThenRqrr];

    /// A short name (`rqrr`, `rxing`, `rxing+rqrr`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Rqrr => "rqrr",
            Self::Rxing => "rxing",
            Self::RxingThenRqrr => "rxing+rqrr",
        }
    }
}

/// Decodes a PNG or JPEG and returns the text of every QR code found in it
/// (empty when none decodes), with the default [`QrDecoder`].
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    decode_image_with(QrDecoder::default(), bytes)
}

/// [`decode_image`] with the given decoder.
pub fn decode_image_with(decoder: QrDecoder, bytes: &[u8]) -> Result<Vec<String>, QrError> {
    let mut reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(512 << 20);
    reader.limits(limits);
    let luma = reader.decode()?.into_luma8();
    let (width, height) = (luma.width() as usize, luma.height() as usize);
    decode_luma_with(decoder, width, height, luma.into_raw())
}

/// The QR texts in a `width` × `height` greyscale image, row by row in
/// `pixels` (missing pixels read as white), decoded by `decoder` on a thread
/// of its own.
pub(crate) fn decode_luma_with(
    decoder: QrDecoder,
    width: usize,
    height: usize,
    mut pixels: Vec<u8>,
) -> Result<Vec<String>, QrError> {
    silence_decoder_panics();
    pixels.resize(width.saturating_mul(height), 255);
    let (sender, receiver) = mpsc::sync_channel(1);
    std::thread::Builder::new().name(DECODER_THREAD.into()).spawn(move || {
        let rqrr = |pixels: &[u8]| catch_unwind(AssertUnwindSafe(|| rqrr_texts(width, height, pixels)));
        let rxing = |pixels: &[u8]| catch_unwind(AssertUnwindSafe(|| rxing_texts(width, height, pixels)));
        let found = match decoder {
            QrDecoder::Rqrr => rqrr(&pixels),
            QrDecoder::Rxing => rxing(&pixels),
            QrDecoder::RxingThenRqrr => match rxing(&pixels) {
                Ok(texts) if !texts.is_empty() => Ok(texts),
                _ => rqrr(&pixels),
            },
        };
        // The caller may have given up waiting: nobody to tell then.
        let _ = sender.send(found.map_err(|_| QrError::Decoder));
    })?;
    match receiver.recv_timeout(DECODE_TIME_LIMIT) {
        Ok(found) => found,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(QrError::TooSlow),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(QrError::Decoder),
    }
}

/// Every code rqrr reads (it may panic: see the module notes).
fn rqrr_texts(width: usize, height: usize, pixels: &[u8]) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        pixels.get(y * width + x).copied().unwrap_or(255)
    });
    let grids = prepared.detect_grids();
    grids.into_iter().filter_map(|grid| grid.decode().ok().map(|(_, text)| text)).collect()
}

/// The one code rxing reads (empty when none), trying harder and also the
/// inverted image (light modules on dark, as some phone themes draw them), in
/// up to three passes: the image with its hybrid (local) binarizer; the image
/// at half size, which averages away noise and grain a camera adds; and the
/// global-histogram binarizer, which holds up better on blur. `pixels` holds
/// exactly `width` × `height` values.
fn rxing_texts(width: usize, height: usize, pixels: &[u8]) -> Vec<String> {
    use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};

    let (Ok(w), Ok(h)) = (u32::try_from(width), u32::try_from(height)) else { return Vec::new() };
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let source = |pixels: Vec<u8>, w, h| rxing::Luma8LuminanceSource::new(pixels, w, h).ok();
    let mut passes = Vec::new();
    if let Some(full) = source(pixels.to_vec(), w, h) {
        passes.push(rxing_read(&mut rxing::BinaryBitmap::new(HybridBinarizer::new(full))));
    }
    if passes.iter().all(Option::is_none) && width >= 400 && height >= 400 {
        let (half, hw, hh) = half_size(width, height, pixels);
        if let Some(half) = source(half, hw, hh) {
            passes.push(rxing_read(&mut rxing::BinaryBitmap::new(HybridBinarizer::new(half))));
        }
    }
    if passes.iter().all(Option::is_none)
        && let Some(full) = source(pixels.to_vec(), w, h)
    {
        passes.push(rxing_read(&mut rxing::BinaryBitmap::new(GlobalHistogramBinarizer::new(full))));
    }
    passes.into_iter().flatten().take(1).collect()
}

fn rxing_read<B: rxing::Binarizer>(bitmap: &mut rxing::BinaryBitmap<B>) -> Option<String> {
    use rxing::Reader;

    let hints = rxing::DecodeHints { TryHarder: Some(true), AlsoInverted: Some(true), ..Default::default() };
    rxing::qrcode::QRCodeReader::new().decode_with_hints(bitmap, &hints).ok().map(|found| found.getText().to_owned())
}

/// The image at half size, each pixel the mean of a 2 × 2 block.
fn half_size(width: usize, height: usize, pixels: &[u8]) -> (Vec<u8>, u32, u32) {
    let (hw, hh) = (width / 2, height / 2);
    let at = |x: usize, y: usize| u16::from(pixels.get(y * width + x).copied().unwrap_or(255));
    let mut out = Vec::with_capacity(hw * hh);
    for y in 0..hh {
        for x in 0..hw {
            let sum = at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1);
            out.push((sum / 4) as u8);
        }
    }
    // Both halves fit: each is at most the u32 it came from.
    (out, hw as u32, hh as u32)
}

/// Installs, once, a panic hook that passes every panic to the hook before it
/// except those on the decoder's thread, which are caught and reported as
/// [`QrError::Decoder`]: rqrr's known assertion (or one in rxing) would otherwise print a
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
