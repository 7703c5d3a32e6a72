//! PNG output: the parsed poster rasterised by resvg on a white page, tagged with its
//! resolution (a `pHYs` chunk) so it prints at A4.

use flate2::Crc;
use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::Tree;

use crate::{PaperSize, PosterError};

const MM_PER_INCH: f32 = 25.4;

pub(crate) fn write(tree: &Tree, dpi: u32, paper: PaperSize) -> Result<Vec<u8>, PosterError> {
    let px = |mm: f32| (mm / MM_PER_INCH * dpi as f32).round() as u32;
    let (w, h) = paper.mm();
    let (width, height) = (px(w), px(h));
    let mut pixmap =
        Pixmap::new(width, height).ok_or_else(|| PosterError::Png(format!("cannot allocate {width}x{height}")))?;
    pixmap.fill(Color::WHITE);
    // usvg sizes the tree in CSS pixels (the millimetre viewBox is already mapped onto them).
    let size = tree.size();
    let scale = Transform::from_scale(width as f32 / size.width(), height as f32 / size.height());
    resvg::render(tree, scale, &mut pixmap.as_mut());
    let png = pixmap.encode_png().map_err(|e| PosterError::Png(e.to_string()))?;
    Ok(with_resolution(png, dpi))
}

/// Inserts a `pHYs` chunk (pixels per metre) right after the `IHDR` chunk.
fn with_resolution(mut png: Vec<u8>, dpi: u32) -> Vec<u8> {
    const IHDR_END: usize = 8 + 4 + 4 + 13 + 4;
    if png.get(12..16) != Some(b"IHDR".as_slice()) || png.len() < IHDR_END {
        return png;
    }
    let per_metre = (f64::from(dpi) / 0.0254).round() as u32;
    let mut data = Vec::with_capacity(9);
    data.extend_from_slice(&per_metre.to_be_bytes());
    data.extend_from_slice(&per_metre.to_be_bytes());
    data.push(1); // unit: metre
    let mut crc = Crc::new();
    crc.update(b"pHYs");
    crc.update(&data);
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    chunk.extend_from_slice(b"pHYs");
    chunk.extend_from_slice(&data);
    chunk.extend_from_slice(&crc.sum().to_be_bytes());
    png.splice(IHDR_END..IHDR_END, chunk);
    png
}
