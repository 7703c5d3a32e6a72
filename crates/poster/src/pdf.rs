//! PDF output: the parsed poster drawn by krilla on one A4 page. Fonts are embedded as
//! subsets and text stays text (searchable, copyable); the QR code stays vector rectangles.

use krilla::geom::Size;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::{Document, SerializeSettings};
use krilla_svg::{SurfaceExt, SvgSettings};
use resvg::usvg::Tree;

use crate::{PaperSize, PosterError};

/// PostScript points per millimetre.
const PT_PER_MM: f32 = 72.0 / 25.4;

pub(crate) fn write(tree: &Tree, title: &str, paper: PaperSize) -> Result<Vec<u8>, PosterError> {
    let (w, h) = paper.mm();
    let size =
        Size::from_wh(w * PT_PER_MM, h * PT_PER_MM).ok_or_else(|| PosterError::Pdf("invalid page size".to_owned()))?;
    let mut document = Document::new_with(SerializeSettings::default());
    document.set_metadata(Metadata::new().title(title.to_owned()).creator("healthcode".to_owned()));
    let mut page = document.start_page_with(PageSettings::new(size));
    let mut surface = page.surface();
    let drawn = surface.draw_svg(tree, size, SvgSettings::default());
    surface.finish();
    page.finish();
    drawn.ok_or_else(|| PosterError::Pdf("the SVG could not be drawn".to_owned()))?;
    document.finish().map_err(|e| PosterError::Pdf(format!("{e:?}")))
}
