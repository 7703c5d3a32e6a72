//! PDF output: one A4 page, fonts embedded, text kept as text, the QR code in vectors and, once
//! rasterised by poppler, readable at full size.

use healthcode_poster::Poster;

use super::*;

#[test]
fn pdf_is_one_a4_page_without_images() {
    let pdf = Poster::new(&sample(), &FONTS).unwrap().pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let raw = String::from_utf8_lossy(&pdf);
    let media_box = raw.split("/MediaBox[").nth(1).and_then(|rest| rest.split(']').next()).expect("a MediaBox");
    let numbers: Vec<f32> = media_box.split_whitespace().map(|n| n.parse().unwrap()).collect();
    assert_eq!(numbers.len(), 4, "{media_box}");
    let (width, height) = (numbers[2] - numbers[0], numbers[3] - numbers[1]);
    assert!((width - 595.276).abs() < 0.01 && (height - 841.89).abs() < 0.01, "not A4: {media_box}");
    assert_eq!(raw.matches("/Type/Page").count() - raw.matches("/Type/Pages").count(), 1, "one page");
    assert!(!raw.contains("/Subtype/Image"), "the QR code must be vector, not an image");
}

#[test]
fn pdf_rasterised_by_poppler_scans_at_full_size() {
    let Some(pdftoppm) = tool("pdftoppm", "poppler-utils") else { return };
    let content = sample();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("poster.pdf");
    std::fs::write(&pdf, Poster::new(&content, &FONTS).unwrap().pdf().unwrap()).unwrap();
    let status = Command::new(pdftoppm)
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(&pdf)
        .arg(dir.path().join("page"))
        .status()
        .unwrap();
    assert!(status.success());
    let path = dir.path().join("page.png");
    let png = std::fs::read(&path).unwrap();
    let image = image::load_from_memory(&png).unwrap();
    assert!(matches!((image.width(), image.height()), (1240 | 1241, 1754)), "{}x{}", image.width(), image.height());
    assert_eq!(healthcode_credential::decode_image(&png).unwrap(), std::slice::from_ref(&content.qr_text));
    assert_qr_printed_full_size(&png, 150.0);
    if let Some(found) = zbarimg(&path) {
        assert_eq!(found, [content.qr_text]);
    }
}

#[test]
fn pdf_embeds_fonts_for_chinese_and_vietnamese_as_real_text() {
    let Some(pdffonts) = tool("pdffonts", "poppler-utils") else { return };
    let Some(pdftotext) = tool("pdftotext", "poppler-utils") else { return };
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("poster.pdf");
    std::fs::write(&pdf, Poster::new(&sample(), &FONTS).unwrap().pdf().unwrap()).unwrap();

    let out = Command::new(pdffonts).arg(&pdf).output().unwrap();
    let listing = String::from_utf8(out.stdout).unwrap();
    let fonts: Vec<&str> = listing.lines().skip(2).collect();
    assert!(fonts.iter().all(|f| f.split_whitespace().rev().nth(4) == Some("yes")), "not embedded:\n{listing}");
    assert!(fonts.iter().any(|f| f.contains("NotoSansCJKsc")), "no CJK font embedded:\n{listing}");
    assert!(fonts.iter().any(|f| f.contains("DejaVuSans")), "no Latin font embedded:\n{listing}");

    let out = Command::new(pdftotext).args(["-enc", "UTF-8"]).arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "Phở Hà Nội 河内粉店",
        "到达和离开时，请用手机相机扫描二维码登记。",
        "Quét mã bằng camera điện thoại khi đến và khi rời đi.",
    ] {
        assert!(text.contains(line), "{line:?} not extractable from:\n{text}");
    }
}
