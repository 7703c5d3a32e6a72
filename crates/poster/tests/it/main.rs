//! Integration tests for healthcode-poster: one binary, one module per output format.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

mod fonts;
mod pdf;
mod png;
mod samples;
mod svg;

use std::path::Path;
use std::process::Command;
use std::sync::LazyLock;

use healthcode_poster::{Fonts, PosterContent};

/// System fonts loaded once for the whole binary (the test script installs fonts-noto-cjk).
pub static FONTS: LazyLock<Fonts> = LazyLock::new(Fonts::system);

/// A venue poster in English, Chinese and Vietnamese with a realistic ~130-character URL.
pub fn sample() -> PosterContent {
    PosterContent {
        qr_text: format!(
            "https://hc.example/c/{}",
            "vK3xQ9-tR2mW7_pL0aZ8cY1nB4sD6fG5hJ2kE7uI9oP3qT1wX0yV8bN4mC6zA2sF5dG7hK9jL1".repeat(2)
        )[..130]
            .to_owned(),
        venue_name: "Phở Hà Nội 河内粉店".to_owned(),
        address_lines: vec!["12 Phố Huế, Hai Bà Trưng, Hà Nội".to_owned(), "河内市二征夫人郡顺化街12号".to_owned()],
        reference: "V-3F9A21".to_owned(),
        entry_code: "7KQ2-M9XD".to_owned(),
        entry_instruction: "No camera? Open hc.example/c and type:".to_owned(),
        instructions: vec![
            "Scan with your phone camera when you arrive and when you leave.".to_owned(),
            "到达和离开时，请用手机相机扫描二维码登记。".to_owned(),
            "Quét mã bằng camera điện thoại khi đến và khi rời đi.".to_owned(),
        ],
        ..PosterContent::default()
    }
}

/// A poster with as much text as the limits allow, in three languages.
pub fn long_sample() -> PosterContent {
    PosterContent {
        venue_name: "Nhà hàng Hải sản Phố Cổ và Quán Cà phê Sân thượng Hồ Hoàn Kiếm (chi nhánh số 2)".to_owned(),
        address_lines: vec![
            "Tầng 3, Tòa nhà Thương mại Quốc tế, 123 Đường Lê Thái Tổ, Phường Hàng Trống, Quận Hoàn Kiếm".to_owned(),
            "河内市还剑郡行中坊黎太祖街123号国际商业大厦三楼（靠近还剑湖北岸的旧城区入口处）".to_owned(),
            "Hà Nội, Việt Nam".to_owned(),
        ],
        instructions: vec![
            "Scan this code with your phone camera when you arrive and scan it again when you leave.".to_owned(),
            "到达时请用手机相机扫描此二维码登记，离开时请再次扫描。没有智能手机的访客请向工作人员出示个人二维码。"
                .to_owned(),
            "Quét mã này bằng camera điện thoại khi đến và quét lại khi rời đi.".to_owned(),
            "Visitors without a smartphone: show your personal QR code to the staff.".to_owned(),
            "Khách không có điện thoại thông minh: xuất trình mã QR cá nhân cho nhân viên.".to_owned(),
            "Thank you for helping to keep everyone safe.".to_owned(),
        ],
        ..sample()
    }
}

/// Path of an external tool, or `None` (test skipped) when it is not installed. With
/// `HEALTHCODE_REQUIRE_TOOLS=1` a missing tool fails the test instead.
pub fn tool(name: &'static str, package: &str) -> Option<&'static str> {
    if Command::new(name).arg("-v").output().is_ok() {
        return Some(name);
    }
    assert!(
        std::env::var("HEALTHCODE_REQUIRE_TOOLS").as_deref() != Ok("1"),
        "{name} is missing: apt-get install {package} (HEALTHCODE_REQUIRE_TOOLS=1)"
    );
    eprintln!("skipped: {name} is missing (apt-get install {package})");
    None
}

/// Decodes every QR code in the image at `path` with zbarimg.
pub fn zbarimg(path: &Path) -> Option<Vec<String>> {
    let zbarimg = tool("zbarimg", "zbar-tools")?;
    let out = Command::new(zbarimg).args(["--quiet", "--raw", "-Sbinary"]).arg(path).output().unwrap();
    assert!(
        out.status.success(),
        "zbarimg found no code in {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect())
}

/// Width and height of the QR symbol in a rasterised page, in millimetres: rqrr finds the code,
/// then the dark pixels around it are measured (the quiet zone keeps everything else away).
pub fn qr_size_mm(png: &[u8], dpi: f32) -> (f32, f32) {
    let luma = image::load_from_memory(png).unwrap().into_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(luma.clone());
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "expected exactly one QR code");
    let corners = grids[0].bounds;
    let xs = corners.iter().map(|p| p.x);
    let ys = corners.iter().map(|p| p.y);
    let margin = (xs.clone().max().unwrap() - xs.clone().min().unwrap()) / 25; // under the 4-module quiet zone
    let (left, right) = (xs.clone().min().unwrap() - margin, xs.max().unwrap() + margin);
    let (top, bottom) = (ys.clone().min().unwrap() - margin, ys.max().unwrap() + margin);
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, pixel) in luma.enumerate_pixels() {
        let inside = (left..=right).contains(&(x as i32)) && (top..=bottom).contains(&(y as i32));
        if inside && pixel.0[0] < 128 {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
    }
    let mm = |px: u32| (px + 1) as f32 / dpi * 25.4;
    (mm(x1 - x0), mm(y1 - y0))
}

/// Asserts the QR symbol printed at least 150 mm, and at the intended size.
pub fn assert_qr_printed_full_size(png: &[u8], dpi: f32) {
    let (width, height) = qr_size_mm(png, dpi);
    println!("QR printed {width:.2} x {height:.2} mm");
    for side in [width, height] {
        assert!(side >= 150.0, "QR printed {width} x {height} mm");
        assert!((side - healthcode_poster::QR_SIDE_MM).abs() < 0.5, "QR printed {width} x {height} mm");
    }
}
