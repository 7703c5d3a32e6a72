//! healthcode poster: the A4 poster a venue prints so visitors can check in by scanning its QR
//! code with a phone camera.
//!
//! Main types:
//! - [`PosterContent`]: what goes on the poster (QR text, venue name, address, instructions in
//!   several languages, the entry code to type when the QR cannot be scanned, printed large, a
//!   short reference).
//! - [`Fonts`]: the fonts text is set in, found on the system (and in extra directories) at run
//!   time. Every character is checked against the installed fonts and falls back across fonts per
//!   run of text; a character no font covers is a [`PosterError::FontMissing`], never tofu.
//! - [`Poster`]: one laid-out poster, written as SVG ([`Poster::svg`]), PDF ([`Poster::pdf`]) or
//!   PNG ([`Poster::png`]).
//! - [`render_svg`], [`render_pdf`], [`render_png`]: one-call shortcuts using the system fonts.
//!
//! The QR symbol is [`QR_SIDE_MM`] (160 mm) wide, drawn as vector rectangles, black on white,
//! with a 4-module quiet zone outside it; error correction is level M
//! ([`healthcode_credential::matrix`]). Geometry is in millimetres: the SVG `viewBox` is
//! `0 0 210 297`. The PDF is rendered from the same SVG (krilla, fonts embedded as subsets, text
//! kept as text) and the PNG too (resvg), so the three formats agree.
//!
//! The crate is pure: it never reads the clock and writes no files.

mod error;
mod fonts;
mod layout;
mod pdf;
mod png;
mod svg;
mod text;
mod tree;

pub use error::PosterError;
pub use fonts::Fonts;

/// Side of the printed QR symbol (its modules, without the quiet zone), in millimetres.
pub const QR_SIDE_MM: f32 = 160.0;
/// Light modules kept around the QR symbol (the quiet zone).
pub const QUIET_ZONE_MODULES: usize = 4;
/// Page width (A4 portrait), in millimetres.
pub const PAGE_WIDTH_MM: f32 = 210.0;
/// Page height (A4 portrait), in millimetres.
pub const PAGE_HEIGHT_MM: f32 = 297.0;
/// The heading printed at the top of a poster whose content gives none.
pub const TITLE: &str = "Scan to check in";

/// The paper a poster is printed on. All three are ISO A sizes, so they share
/// one layout: A5 and A6 are the A4 page scaled by 1/√2 and 1/2 (the QR code
/// is 113 mm and 80 mm wide; A6 folds into a table tent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PaperSize {
    #[default]
    A4,
    A5,
    A6,
}

impl PaperSize {
    /// `a4`, `a5` or `a6` (any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "a4" => Some(Self::A4),
            "a5" => Some(Self::A5),
            "a6" => Some(Self::A6),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::A4 => "A4",
            Self::A5 => "A5",
            Self::A6 => "A6",
        }
    }

    /// Page width and height in millimetres.
    pub fn mm(self) -> (f32, f32) {
        match self {
            Self::A4 => (210.0, 297.0),
            Self::A5 => (148.0, 210.0),
            Self::A6 => (105.0, 148.0),
        }
    }

    /// The printed QR symbol's side in millimetres.
    pub fn qr_side_mm(self) -> f32 {
        QR_SIDE_MM * self.mm().0 / PAGE_WIDTH_MM
    }
}
/// Lowest and highest resolution [`Poster::png`] accepts, in dots per inch.
pub const DPI_RANGE: std::ops::RangeInclusive<u32> = 36..=600;

/// What a venue poster shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PosterContent {
    /// The text encoded in the QR code, a URL like `https://hc.example/c/<token>`.
    pub qr_text: String,
    /// The venue's name, printed large; any script.
    pub venue_name: String,
    /// Up to three address lines.
    pub address_lines: Vec<String>,
    /// A short venue reference printed small at the bottom, e.g. `V-3F9A21`.
    pub reference: String,
    /// One line per language, e.g. English, 简体中文, Tiếng Việt (at most six); the
    /// first, in the venue region's language, is printed larger.
    pub instructions: Vec<String>,
    /// The headline in each language, the venue region's first (printed large,
    /// the others smaller; at most three). Empty: [`TITLE`].
    pub headlines: Vec<String>,
    /// The deployment's name, printed small above the headline (empty: none).
    pub banner: String,
    /// The venue's entry code for visitors whose camera cannot read the QR,
    /// printed large under the instructions (empty: none), e.g. `7KQ2-M9XD`.
    pub entry_code: String,
    /// The line above the entry code saying where to type it, e.g. "No
    /// camera? Open hc.example/c and type:" (empty: the code alone).
    pub entry_instruction: String,
    /// The paper size.
    pub size: PaperSize,
}

/// A laid-out poster, ready to be written in any of the three formats.
#[derive(Debug, Clone)]
pub struct Poster {
    svg: String,
    title: String,
    size: PaperSize,
    fonts: Fonts,
}

impl Poster {
    /// Lays out `content` with `fonts`: wraps and shrinks text to the page, places the QR code.
    ///
    /// Fails with [`PosterError::FontMissing`] when no font in `fonts` covers a character.
    pub fn new(content: &PosterContent, fonts: &Fonts) -> Result<Self, PosterError> {
        let page = layout::layout(content, fonts)?;
        let svg = svg::write(&page, content, fonts);
        let venue_name = content.venue_name.split_whitespace().collect::<Vec<_>>().join(" ");
        let headline = content.headlines.first().map_or(TITLE, String::as_str);
        Ok(Self { svg, title: format!("{headline}: {venue_name}"), size: content.size, fonts: fonts.clone() })
    }

    /// The poster as an SVG document: `viewBox="0 0 210 297"` (A4 millimetres) on a page of
    /// the chosen size, text kept as text with `font-family` lists naming the fonts found.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// The poster as a one-page A4 PDF with the fonts embedded (subset) and the QR code as
    /// vector rectangles.
    pub fn pdf(&self) -> Result<Vec<u8>, PosterError> {
        pdf::write(&tree::parse(&self.svg, &self.fonts)?, &self.title, self.size)
    }

    /// The poster rasterised at `dpi` (150 dpi gives 1240 x 1754 pixels), as PNG.
    pub fn png(&self, dpi: u32) -> Result<Vec<u8>, PosterError> {
        if !DPI_RANGE.contains(&dpi) {
            return Err(PosterError::Dpi(dpi));
        }
        png::write(&tree::parse(&self.svg, &self.fonts)?, dpi, self.size)
    }
}

/// Renders the poster as SVG with the system fonts. See [`Poster::svg`].
pub fn render_svg(c: &PosterContent) -> Result<String, PosterError> {
    Ok(Poster::new(c, &Fonts::system())?.svg)
}

/// Renders the poster as PDF with the system fonts. See [`Poster::pdf`].
pub fn render_pdf(c: &PosterContent) -> Result<Vec<u8>, PosterError> {
    Poster::new(c, &Fonts::system())?.pdf()
}

/// Renders the poster as PNG at `dpi` with the system fonts. See [`Poster::png`].
pub fn render_png(c: &PosterContent, dpi: u32) -> Result<Vec<u8>, PosterError> {
    Poster::new(c, &Fonts::system())?.png(dpi)
}
