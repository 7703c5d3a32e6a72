//! QR codes: the [`QrMatrix`] of a text, drawn as SVG ([`render_svg`]) or
//! PNG ([`render_png`]), and read back from photos ([`decode_image`]).
//!
//! Codes use error correction level M. Base45 text (our codes) fits the QR
//! alphanumeric mode, which the encoder picks by itself; other text (venue
//! URLs) goes in byte mode.
//!
//! The encoder is ours (ISO/IEC 18004:2015, model 2, versions 1 to 40):
//! `encode` turns text into codewords with Reed–Solomon error correction
//! (`reed_solomon`), `grid` draws the function patterns and places the
//! codewords as bit words, and `mask` picks the mask of lowest penalty,
//! scoring all eight with shifts and popcounts.

mod encode;
mod grid;
mod mask;
mod raster;
mod reed_solomon;
pub(crate) mod scan;
mod svg;
mod version;

use grid::{Grid, Line};

pub use raster::{MAX_MODULE_PX, render_png};
pub use scan::{DECODE_TIME_LIMIT, QrDecoder, decode_image, decode_image_with};
pub use svg::{render_svg, render_svg_labelled};

/// Light modules around the code, as the QR standard asks.
pub const QUIET_ZONE: usize = 4;

/// A QR code could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("the text is too long for a QR code")]
    TooLong,
    #[error("module size must be 1 to {MAX_MODULE_PX} pixels, got {0}")]
    ModuleSize(u32),
    #[error("PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
    #[error("the image cannot be read: {0}")]
    Image(#[from] image::ImageError),
    #[error("the image cannot be read: {0}")]
    Io(#[from] std::io::Error),
    #[error("the QR decoder failed on this image")]
    Decoder,
    #[error("the QR decoder gave up on this image (it took over {} s)", scan::DECODE_TIME_LIMIT.as_secs())]
    TooSlow,
}

/// The modules of a QR code, without quiet zone; `true` is dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    size: usize,
    dark: Vec<bool>,
    /// The same modules as bit words, bit x of `rows[y]` (for fast drawing).
    rows: Vec<Line>,
}

impl QrMatrix {
    /// Modules per side, without the quiet zone.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the module at column `x`, row `y` is dark (outside: light).
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && self.dark.get(y * self.size + x).copied().unwrap_or(false)
    }

    /// Row `y` of the matrix (empty when out of range).
    pub fn row(&self, y: usize) -> &[bool] {
        self.dark.get(y * self.size..(y + 1) * self.size).unwrap_or(&[])
    }
}

/// `BYTE_MODULES[b][i]`: bit i of byte b.
static BYTE_MODULES: [[bool; 8]; 256] = {
    let mut table = [[false; 8]; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            table[b][i] = (b >> i) & 1 != 0;
            i += 1;
        }
        b += 1;
    }
    table
};

/// Encodes `text` at error correction level M in the smallest version that
/// holds it; [`QrError::TooLong`] past version 40.
pub fn matrix(text: &str) -> Result<QrMatrix, QrError> {
    let code = encode::codewords(text).ok_or(QrError::TooLong)?;
    let mut grid = Grid::new(code.version);
    grid.place(code.as_slice());
    let (masked, _) = mask::best(&grid);
    Ok(QrMatrix::from_rows(masked.rows))
}

impl QrMatrix {
    fn from_rows(rows: Vec<Line>) -> Self {
        let size = rows.len();
        let mut dark = Vec::with_capacity(size * size);
        for row in &rows {
            // Eight modules at a time through a table of byte -> 8 bools
            // (fixed-size copies), then the last few one by one.
            let bytes = row.iter().flat_map(|w| w.to_le_bytes());
            for byte in bytes.clone().take(size / 8) {
                dark.extend_from_slice(&BYTE_MODULES[usize::from(byte)]);
            }
            if let Some(last) = bytes.clone().nth(size / 8) {
                for i in 0..size % 8 {
                    dark.push((last >> i) & 1 != 0);
                }
            }
        }
        Self { size, dark, rows }
    }

    /// Row `y` as bit words (bit x is column x; empty past the end).
    pub(crate) fn row_bits(&self, y: usize) -> Option<&Line> {
        self.rows.get(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_has_finder_patterns() {
        let m = matrix("HCODE1:ABC").unwrap();
        assert_eq!(m.size(), 21);
        // Top-left finder: dark ring, light ring, dark 3x3 centre.
        assert!(m.is_dark(0, 0) && m.is_dark(6, 6) && !m.is_dark(1, 1) && m.is_dark(3, 3));
        assert!(!m.is_dark(7, 7));
        assert!(!m.is_dark(100, 0));
        assert_eq!(m.row(0).len(), 21);
        assert!(m.row(21).is_empty());
        assert!(matrix("").is_ok());
        assert!(matches!(matrix(&"A".repeat(5000)), Err(QrError::TooLong)));
    }
}
