//! Why a poster could not be rendered.

use std::path::PathBuf;

use healthcode_credential::QrError;

/// Why a poster could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PosterError {
    /// No available font has a glyph for `character` (it would print as a blank box, "tofu").
    #[error(
        "no installed font has a glyph for {character:?} (U+{code:04X}) in {text:?}; {hint}",
        code = u32::from(*character),
        hint = install_hint(*character)
    )]
    FontMissing {
        /// The line of text that cannot be set.
        text: String,
        /// The first character of it that no font covers.
        character: char,
    },
    /// The content breaks a limit (empty venue name, too many lines, too long).
    #[error("invalid poster content: {0}")]
    Content(String),
    /// The text does not fit around the QR code even when shrunk.
    #[error("the text does not fit on the poster even when shrunk; shorten {0}")]
    TooMuchText(&'static str),
    /// The QR text cannot be encoded.
    #[error("the QR code cannot be encoded: {0}")]
    Qr(#[from] QrError),
    /// An extra font directory is not a readable directory.
    #[error("font directory {0} is not a readable directory")]
    FontDir(PathBuf),
    /// The PNG resolution is outside [`crate::DPI_RANGE`].
    #[error("resolution must be {min} to {max} dpi, got {0}", min = crate::DPI_RANGE.start(), max = crate::DPI_RANGE.end())]
    Dpi(u32),
    /// The SVG could not be parsed back for rendering (a bug).
    #[error("the poster SVG cannot be rendered: {0}")]
    Svg(String),
    /// PDF export failed.
    #[error("PDF export failed: {0}")]
    Pdf(String),
    /// PNG rasterisation or encoding failed.
    #[error("PNG rendering failed: {0}")]
    Png(String),
}

/// Names the Debian package most likely to cover `c`.
fn install_hint(c: char) -> &'static str {
    let cjk = matches!(u32::from(c),
        0x1100..=0x11FF | 0x2E80..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7FF | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF);
    let emoji = matches!(u32::from(c), 0x1F000..=0x1FAFF | 0x2600..=0x27BF);
    if cjk {
        "install a CJK font (Debian: apt-get install fonts-noto-cjk) or pass a font directory (Fonts::with_dir)"
    } else if emoji {
        "install an emoji font (Debian: fonts-noto-color-emoji) or remove the emoji"
    } else {
        "install a font covering it (Debian: fonts-noto-core, or fonts-noto for all scripts) \
         or pass a font directory (Fonts::with_dir)"
    }
}
