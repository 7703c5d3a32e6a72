//! Entry points into the crate's internal parsers for the fuzz targets in
//! `/fuzz` (feature `fuzzing`, off by default). Not an API: nothing outside
//! the fuzz crate may call these.

use crate::health_code::{HealthCodeClaims, VerifyError, cbor, claims, envelope};

/// Whether the CBOR reader takes `bytes` for exactly one well-formed item.
pub fn cbor_is_well_formed(bytes: &[u8]) -> bool {
    cbor::is_well_formed(bytes)
}

/// Parses `bytes` as a COSE_Sign1 and decodes its payload as our claims,
/// skipping the text layer and the signature: the path
/// [`decode_unverified`](crate::decode_unverified) takes after inflating.
pub fn decode_cose_unverified(bytes: &[u8]) -> Result<HealthCodeClaims, VerifyError> {
    let sign1 = envelope::parse(bytes)?;
    claims::decode(sign1.payload)
}

/// The QR texts in a greyscale image given as raw pixels: `width` pixels a
/// row, as many whole rows as `pixels` holds. The decoder behind
/// [`decode_image`](crate::decode_image), without the PNG/JPEG layer (whose
/// checksums stop most mutations before any pixel is read).
pub fn decode_luma(width: usize, pixels: &[u8]) -> Result<Vec<String>, crate::QrError> {
    let height = pixels.len().checked_div(width).unwrap_or(0);
    crate::qr::scan::decode_luma_with(crate::QrDecoder::default(), width, height, pixels.to_vec())
}
