//! `verify IMAGE` with the photo decoder: a photo only the stronger decoder
//! reads, a decoder panic kept off stderr, and an invalid code told apart
//! from an image without one.

use std::path::PathBuf;

use serde_json::Value;

use crate::{deployment, healthcode, last_line};

fn verdict(out: &std::process::Output) -> Value {
    serde_json::from_str(&last_line(out)).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// A deployment with keys (a found code is checked against them).
async fn keyed_deployment() -> crate::Deployment {
    let dir = deployment().await;
    let out = healthcode(&dir, &["keys", "rotate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

fn credential_tests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../credential/tests")
}

/// The fuzz input on which rqrr's perspective mapping asserts (two bytes of
/// width, then greyscale pixels), as a PNG file.
fn rqrr_panic_png(dir: &std::path::Path) -> PathBuf {
    let data = std::fs::read(credential_tests().join("fuzz-regressions/qr_pixels/rqrr-perspective-assert")).unwrap();
    let width = usize::from(u16::from_be_bytes([data[0], data[1]]));
    let pixels = &data[2..];
    let height = pixels.len() / width;
    let image = image::GrayImage::from_raw(width as u32, height as u32, pixels[..width * height].to_vec()).unwrap();
    let path = dir.join("rqrr-panic.png");
    image.save(&path).unwrap();
    path
}

#[tokio::test]
async fn a_decoder_panic_is_no_qr_found_in_json_and_never_reaches_stderr() {
    let dir = deployment().await;
    let path = rqrr_panic_png(dir.path());
    // The image really panics rqrr: rqrr alone answers a decoder error.
    let bytes = std::fs::read(&path).unwrap();
    assert!(matches!(
        healthcode_credential::decode_image_with(healthcode_credential::QrDecoder::Rqrr, &bytes),
        Err(healthcode_credential::QrError::Decoder)
    ));
    let out = healthcode(&dir, &["verify", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert_eq!(verdict(&out)["code"], "NO_QR_FOUND");
    assert!(!stderr.contains("panicked") && !stderr.contains("assert"), "{stderr}");
}

#[tokio::test]
async fn an_image_of_an_invalid_code_is_exit_1_not_no_qr_found() {
    let dir = keyed_deployment().await;
    let path = dir.path().join("forged.png");
    std::fs::write(&path, healthcode_credential::render_png("HCODE1:NOT-A-SIGNED-CODE", 6).unwrap()).unwrap();
    let out = healthcode(&dir, &["verify", path.to_str().unwrap()]);
    let v = verdict(&out);
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["valid"], false);
    assert_ne!(v["code"], "NO_QR_FOUND");
}

#[tokio::test]
async fn a_photo_rqrr_cannot_read_is_read() {
    let dir = keyed_deployment().await;
    // Photographed codes from scripts/decoder-set: the first one rqrr alone misses.
    let images = credential_tests().join("images");
    let table = std::fs::read_to_string(images.join("expected.tsv")).unwrap();
    let photo = table
        .lines()
        .filter_map(|line| line.split('\t').next())
        .map(|file| images.join(file))
        .find(|path| {
            let bytes = std::fs::read(path).unwrap();
            healthcode_credential::decode_image_with(healthcode_credential::QrDecoder::Rqrr, &bytes)
                .is_ok_and(|found| found.is_empty())
        })
        .expect("a photo rqrr misses");
    let out = healthcode(&dir, &["verify", photo.to_str().unwrap()]);
    // A code of another deployment's key: read, then refused, never NO_QR_FOUND.
    let v = verdict(&out);
    assert_ne!(v["code"], "NO_QR_FOUND", "{v}");
    assert_ne!(out.status.code(), Some(3), "{v}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
}
