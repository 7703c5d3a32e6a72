//! PNG output: A4 at the requested resolution, readable by two independent QR decoders, with
//! the QR code printed at full size.

use healthcode_poster::{Poster, PosterError};

use super::*;

#[test]
fn png_at_150_dpi_is_a4_and_scans() {
    let content = sample();
    let png = Poster::new(&content, &FONTS).unwrap().png(150).unwrap();
    let image = image::load_from_memory(&png).unwrap();
    assert_eq!((image.width(), image.height()), (1240, 1754));
    assert_eq!(healthcode_credential::decode_image(&png).unwrap(), std::slice::from_ref(&content.qr_text));
    assert_qr_printed_full_size(&png, 150.0);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("poster.png");
    std::fs::write(&path, &png).unwrap();
    if let Some(found) = zbarimg(&path) {
        assert_eq!(found, [content.qr_text]);
    }
}

#[test]
fn png_records_its_resolution_for_printing() {
    let png = Poster::new(&sample(), &FONTS).unwrap().png(300).unwrap();
    let at = png.windows(4).position(|w| w == b"pHYs").expect("a pHYs chunk");
    let per_metre = 11_811u32.to_be_bytes(); // 300 dpi
    assert_eq!(&png[at + 4..at + 13], [per_metre, per_metre].concat().iter().chain(&[1]).copied().collect::<Vec<_>>());
    let image = image::load_from_memory(&png).unwrap(); // the chunk's CRC is checked here
    assert_eq!((image.width(), image.height()), (2480, 3508));
}

#[test]
fn png_resolution_is_bounded() {
    let poster = Poster::new(&sample(), &FONTS).unwrap();
    for dpi in [0, 35, 601, 10_000] {
        assert!(matches!(poster.png(dpi), Err(PosterError::Dpi(d)) if d == dpi));
    }
}
