//! PNG rendering: 8-bit greyscale, 4-module quiet zone.

use super::{QUIET_ZONE, QrError, matrix};

/// Largest accepted module size in pixels (keeps images bounded).
pub const MAX_MODULE_PX: u32 = 64;

/// Renders `text` as a greyscale PNG with `module_px` pixels per module.
pub fn render_png(text: &str, module_px: u32) -> Result<Vec<u8>, QrError> {
    if module_px == 0 || module_px > MAX_MODULE_PX {
        return Err(QrError::ModuleSize(module_px));
    }
    let m = matrix(text)?;
    let px = module_px as usize;
    let side = (m.size() + 2 * QUIET_ZONE) * px;
    let mut pixels = vec![255u8; side * side];
    for (y, row_pixels) in pixels.chunks_exact_mut(side).enumerate() {
        let my = y / px;
        if my < QUIET_ZONE || my >= QUIET_ZONE + m.size() {
            continue;
        }
        let row = m.row(my - QUIET_ZONE);
        for (x, pixel) in row_pixels.iter_mut().enumerate() {
            let mx = x / px;
            if mx >= QUIET_ZONE && row.get(mx - QUIET_ZONE).copied().unwrap_or(false) {
                *pixel = 0;
            }
        }
    }
    let side = u32::try_from(side).map_err(|_| QrError::TooLong)?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_has_expected_size_and_rejects_bad_scale() {
        let bytes = render_png("HELLO", 3).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (29 * 3, 29 * 3));
        assert!(matches!(render_png("HELLO", 0), Err(QrError::ModuleSize(0))));
        assert!(matches!(render_png("HELLO", MAX_MODULE_PX + 1), Err(QrError::ModuleSize(_))));
    }
}
