//! QR rendering and decoding with a real signed code.

use std::io::Cursor;

use healthcode_credential::qr::MAX_MODULE_PX;
use healthcode_credential::{decode_image, issue, matrix, render_png, render_svg, verify};

use crate::{KEY, now, sample_claims, trust_for};

#[test]
fn png_round_trips_a_signed_code() {
    let text = issue(&sample_claims(now()), &KEY).unwrap();
    let png = render_png(&text, 4).unwrap();
    let found = decode_image(&png).unwrap();
    assert_eq!(found, vec![text.clone()]);
    assert!(verify(&found[0], &trust_for(&KEY), now()).is_ok());
}

#[test]
fn jpeg_photo_of_a_code_decodes() {
    let text = issue(&sample_claims(now()), &KEY).unwrap();
    let png = render_png(&text, 6).unwrap();
    let img = image::load_from_memory(&png).unwrap();
    let mut jpeg = Vec::new();
    img.write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg).unwrap();
    assert_eq!(decode_image(&jpeg).unwrap(), vec![text]);
}

#[test]
fn an_image_without_a_code_gives_no_text() {
    let blank = image::GrayImage::from_pixel(64, 64, image::Luma([255u8]));
    let mut png = Vec::new();
    blank.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    assert!(decode_image(&png).unwrap().is_empty());
    assert!(decode_image(b"definitely not an image").is_err());
}

#[test]
fn svg_is_one_path_in_a_module_viewbox() {
    let text = issue(&sample_claims(now()), &KEY).unwrap();
    let side = matrix(&text).unwrap().size() + 8;
    let svg = render_svg(&text).unwrap();
    assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")), "{svg}");
    assert_eq!(svg.matches("<path").count(), 1);
    assert!(svg.contains("shape-rendering=\"crispEdges\""));
    assert!(svg.contains("role=\"img\""));
    let root = svg.split('>').next().unwrap();
    assert!(!root.contains(" width=") && !root.contains(" height="), "no fixed size: {root}");
}

#[test]
fn svg_path_draws_exactly_the_dark_modules() {
    let text = issue(&sample_claims(now()), &KEY).unwrap();
    let m = matrix(&text).unwrap();
    let svg = render_svg(&text).unwrap();
    let d = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    let mut drawn = vec![false; m.size() * m.size()];
    for run in d.split('z').filter(|s| !s.is_empty()) {
        // M{x} {y}h{n}v1h-{n}
        let rest = run.strip_prefix('M').unwrap();
        let (x, rest) = rest.split_once(' ').unwrap();
        let (y, rest) = rest.split_once('h').unwrap();
        let (n, _) = rest.split_once('v').unwrap();
        let (x, y, n): (usize, usize, usize) = (x.parse().unwrap(), y.parse().unwrap(), n.parse().unwrap());
        for i in 0..n {
            drawn[(y - 4) * m.size() + x - 4 + i] = true;
        }
    }
    for y in 0..m.size() {
        for x in 0..m.size() {
            assert_eq!(drawn[y * m.size() + x], m.is_dark(x, y), "module {x},{y}");
        }
    }
}

#[test]
fn codes_use_alphanumeric_mode() {
    // A ~300 character base45 code fits version 10-M only in alphanumeric mode
    // (byte mode would need version 12 or more).
    let text = issue(&sample_claims(now()), &KEY).unwrap();
    let size = matrix(&text).unwrap().size();
    let version = (size - 17) / 4;
    let byte_mode_capacity_m = [0, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362];
    assert!(text.len() > byte_mode_capacity_m[version], "{} chars in version {version}", text.len());
    assert!(render_png(&text, MAX_MODULE_PX + 1).is_err());
}

mod never_panics {
    use healthcode_credential::{decode_image, matrix, render_png, render_svg};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn rendering_any_text(text in ".{0,300}") {
            let svg = render_svg(&text);
            let m = matrix(&text);
            prop_assert_eq!(svg.is_ok(), m.is_ok());
            prop_assert!(render_png(&text, 1).is_ok() == m.is_ok());
        }

        #[test]
        fn decoding_any_bytes(tail in prop::collection::vec(any::<u8>(), 0..200), png_header in any::<bool>()) {
            let mut bytes = if png_header { b"\x89PNG\r\n\x1a\n".to_vec() } else { vec![0xff, 0xd8, 0xff] };
            bytes.extend(tail);
            let _ = decode_image(&bytes);
        }
    }
}

/// Photos from `scripts/decoder-set` (greyscale copies, in `tests/images/`
/// with their texts in `expected.tsv`): the default decoder reads every one,
/// and rqrr alone (the decoder before) misses some of them.
mod photos {
    use healthcode_credential::{QrDecoder, decode_image, decode_image_with};

    fn photos() -> Vec<(String, Vec<u8>, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/images");
        let table = std::fs::read_to_string(dir.join("expected.tsv")).unwrap();
        table
            .lines()
            .filter(|l| !l.is_empty())
            .map(|line| {
                let mut fields = line.splitn(3, '\t');
                let (file, _category, text) = (fields.next().unwrap(), fields.next().unwrap(), fields.next().unwrap());
                (file.to_owned(), std::fs::read(dir.join(file)).unwrap(), text.to_owned())
            })
            .collect()
    }

    #[test]
    fn the_default_decoder_reads_every_photo() {
        let photos = photos();
        assert!(photos.len() >= 5);
        for (file, bytes, text) in &photos {
            assert_eq!(decode_image(bytes).unwrap(), vec![text.clone()], "{file}");
        }
    }

    #[test]
    fn rqrr_alone_misses_some_of_them() {
        let photos = photos();
        let missed: Vec<&str> = photos
            .iter()
            .filter(|(_, bytes, text)| {
                !decode_image_with(QrDecoder::Rqrr, bytes).is_ok_and(|found| found.contains(text))
            })
            .map(|(file, _, _)| file.as_str())
            .collect();
        assert!(missed.len() >= 2, "rqrr missed only {missed:?}");
        assert!(missed.iter().any(|f| f.starts_with("background-")), "{missed:?}");
    }
}
