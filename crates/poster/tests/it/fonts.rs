//! Font discovery, fallback across fonts, and the errors instead of tofu.

use healthcode_poster::{Poster, PosterError};

use super::*;

const DEJAVU: &str = "/usr/share/fonts/truetype/dejavu";
const NOTO_CJK: &str = "/usr/share/fonts/opentype/noto";

fn dirs_present(dirs: &[&str]) -> bool {
    let present = dirs.iter().all(|d| Path::new(d).is_dir());
    if !present {
        eprintln!("skipped: needs the Debian font directories {dirs:?}");
    }
    present
}

#[test]
fn latin_families_come_before_cjk_ones() {
    let families = FONTS.families();
    let at = |name: &str| families.iter().position(|f| f == name);
    assert_eq!(at("DejaVu Sans"), Some(0), "{families:?}");
    let cjk = at("Noto Sans CJK SC").expect("fonts-noto-cjk is installed by scripts/install-deps");
    assert!(cjk < at("Noto Sans CJK JP").unwrap_or(usize::MAX));
}

#[test]
fn without_a_cjk_font_chinese_is_an_error_naming_the_package() {
    if !dirs_present(&[DEJAVU]) {
        return;
    }
    let latin_only = Fonts::from_dirs(&[DEJAVU]).unwrap();
    let err = Poster::new(&sample(), &latin_only).unwrap_err();
    let PosterError::FontMissing { text, character } = &err else { panic!("expected FontMissing, got {err:?}") };
    assert_eq!((text.as_str(), *character), ("Phở Hà Nội 河内粉店", '河'));
    assert!(err.to_string().contains("apt-get install fonts-noto-cjk"), "{err}");

    let vietnamese = PosterContent {
        venue_name: "Phở Hà Nội".to_owned(),
        address_lines: vec!["12 Phố Huế".to_owned()],
        instructions: vec!["Quét mã khi đến và khi rời đi.".to_owned()],
        ..sample()
    };
    Poster::new(&vietnamese, &latin_only).unwrap();
}

#[test]
fn an_extra_font_directory_adds_coverage() {
    if !dirs_present(&[DEJAVU, NOTO_CJK]) {
        return;
    }
    let fonts = Fonts::from_dirs(&[DEJAVU]).unwrap().with_dir(NOTO_CJK).unwrap();
    let poster = Poster::new(&sample(), &fonts).unwrap();
    assert!(poster.svg().contains("'Noto Sans CJK SC'"));
    poster.pdf().unwrap();
}

#[test]
fn a_character_no_font_has_is_an_error() {
    let content = PosterContent { venue_name: "Café \u{10FFFD}".to_owned(), ..sample() };
    let err = Poster::new(&content, &FONTS).unwrap_err();
    assert!(matches!(err, PosterError::FontMissing { character: '\u{10FFFD}', .. }), "{err:?}");
}

#[test]
fn no_fonts_at_all_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    let fonts = Fonts::from_dirs(&[empty.path()]).unwrap();
    let err = Poster::new(&sample(), &fonts).unwrap_err();
    assert!(matches!(err, PosterError::FontMissing { character: 'S', .. }), "{err:?}");
}

#[test]
fn a_missing_font_directory_is_an_error() {
    let err = Fonts::system().with_dir("/nonexistent/fonts").unwrap_err();
    assert!(matches!(err, PosterError::FontDir(_)), "{err:?}");
}
