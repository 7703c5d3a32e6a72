//! Our QR encoder against the standard: a real decoder (rqrr) reads back
//! codes of every version in both modes, capacities follow the standard's
//! table, the format information is where and what it should be, and the
//! symbols equal those of fast_qr drawn with the same mask.

use healthcode_credential::{
    QrError, QrMatrix, SigningKey, VenueToken, decode_image, issue, matrix, render_png, sign_venue_token,
};
use healthcode_domain::VenueId;

use crate::{KEY, now, sample_claims};

/// ISO/IEC 18004:2015 table 7, level M: characters per version 1..=40.
const ALPHANUMERIC_CAPACITY: [usize; 40] = [
    20, 38, 61, 90, 122, 154, 178, 221, 262, 311, 366, 419, 483, 528, 600, 656, 734, 816, 909, 970, 1035, 1134, 1248,
    1326, 1451, 1542, 1637, 1732, 1839, 1994, 2113, 2238, 2369, 2506, 2632, 2780, 2894, 3054, 3220, 3391,
];
const BYTE_CAPACITY: [usize; 40] = [
    14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412, 450, 504, 560, 624, 666, 711, 779, 857, 911,
    997, 1059, 1125, 1190, 1264, 1370, 1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
];

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
/// Byte-mode text: lowercase letters and URL punctuation.
const URLISH: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-_/?=&.:ABC";

/// `len` pseudo-random characters of `alphabet`, different per `seed`.
fn text(alphabet: &[u8], len: usize, seed: u64) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(alphabet[(state % alphabet.len() as u64) as usize])
        })
        .collect()
}

/// A byte-mode text: an URL prefix keeps it out of alphanumeric mode.
fn byte_text(len: usize, seed: u64) -> String {
    let mut t = String::from("https://");
    t.push_str(&text(URLISH, len.saturating_sub(t.len()), seed));
    t
}

fn version(m: &QrMatrix) -> usize {
    (m.size() - 17) / 4
}

fn decodes(text: &str) -> bool {
    // Three pixels per module keeps version 40 readable for rqrr.
    let png = render_png(text, 3).unwrap();
    decode_image(&png).unwrap() == vec![text.to_owned()]
}

#[test]
fn capacities_and_versions_follow_the_standard_table() {
    for v in 1..=40 {
        let (alphanumeric, bytes) = (ALPHANUMERIC_CAPACITY[v - 1], BYTE_CAPACITY[v - 1]);
        assert_eq!(version(&matrix(&text(ALPHANUMERIC, alphanumeric, 1)).unwrap()), v, "alphanumeric {alphanumeric}");
        assert_eq!(version(&matrix(&byte_text(bytes, 1)).unwrap()), v, "byte {bytes}");
        let (more_alphanumeric, more_bytes) =
            (matrix(&text(ALPHANUMERIC, alphanumeric + 1, 1)), matrix(&byte_text(bytes + 1, 1)));
        if v < 40 {
            assert_eq!(version(&more_alphanumeric.unwrap()), v + 1);
            assert_eq!(version(&more_bytes.unwrap()), v + 1);
        } else {
            assert!(matches!(more_alphanumeric, Err(QrError::TooLong)));
            assert!(matches!(more_bytes, Err(QrError::TooLong)));
        }
    }
    assert_eq!(version(&matrix("").unwrap()), 1);
}

#[test]
fn a_decoder_reads_every_version_in_both_modes() {
    // Full symbols (the largest text of each version) and one character
    // more than the previous version holds (the smallest).
    for v in 1..=40 {
        let full = ALPHANUMERIC_CAPACITY[v - 1];
        let least = if v == 1 { 1 } else { ALPHANUMERIC_CAPACITY[v - 2] + 1 };
        for (len, seed) in [(full, v as u64), (least, 100 + v as u64)] {
            let t = text(ALPHANUMERIC, len, seed);
            assert!(decodes(&t), "alphanumeric, version {v}, {len} characters");
        }
        let full = BYTE_CAPACITY[v - 1];
        let least = if v == 1 { 9 } else { BYTE_CAPACITY[v - 2] + 1 };
        for (len, seed) in [(full, v as u64), (least, 100 + v as u64)] {
            let t = byte_text(len, seed);
            assert!(decodes(&t), "byte, version {v}, {len} bytes");
        }
    }
}

#[test]
fn numeric_payloads_take_numeric_mode_and_a_smaller_symbol() {
    // A 30-digit manual entry code: numeric mode fits version 1 (21 x 21
    // modules); alphanumeric mode (one letter in it) needs version 2.
    let digits = "123456789012345678901234567890";
    assert_eq!(version(&matrix(digits).unwrap()), 1);
    assert_eq!(version(&matrix(&format!("{digits}A")).unwrap()), 2);
    // ISO/IEC 18004 table 7, level M, numeric: 34 digits in version 1, 63 in 2, 5596 in 40.
    for (len, v) in [(34, 1), (35, 2), (63, 2), (64, 3), (5_596, 40)] {
        assert_eq!(version(&matrix(&"7".repeat(len)).unwrap()), v, "{len} digits");
    }
    assert!(matches!(matrix(&"7".repeat(5_597)), Err(QrError::TooLong)));
    for len in 1..=40 {
        let t: String = (0..len).map(|i| char::from(b'0' + (i * 7 % 10) as u8)).collect();
        assert!(decodes(&t), "{len} digits");
    }
    assert!(decodes(&"9".repeat(5_596)));
}

/// zbarimg, an independent decoder: it reads our numeric segments, and text
/// that is not ASCII as UTF-8 (without the ECI marker it guesses Shift_JIS).
#[test]
fn zbar_reads_numeric_and_utf8_text_as_written() {
    let available = std::process::Command::new("zbarimg").arg("--version").output().is_ok_and(|o| o.status.success());
    if !available {
        assert!(std::env::var("HEALTHCODE_REQUIRE_TOOLS").is_err(), "zbarimg is required (apt-get install zbar-tools)");
        eprintln!("skipping: zbar-tools not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (i, text) in
        ["0123456789012345678901", "健康码 · Hà Nội · venue 名称", "Nguyễn Thị Hồng", "東京都", "HCODE1:ABC"]
            .iter()
            .enumerate()
    {
        let path = dir.path().join(format!("{i}.png"));
        std::fs::write(&path, render_png(text, 4).unwrap()).unwrap();
        let out = std::process::Command::new("zbarimg").args(["-q", "--raw"]).arg(&path).output().unwrap();
        assert!(out.status.success(), "zbarimg read nothing for {text:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end_matches('\n'), *text);
    }
}

#[test]
fn a_decoder_reads_short_texts_of_every_length() {
    for len in 0..=60 {
        assert!(decodes(&text(ALPHANUMERIC, len, len as u64)), "alphanumeric, {len} characters");
        assert!(decodes(&text(b"abcdefghijklmnopqrstuvwxyz", len, len as u64)), "lowercase, {len} characters");
    }
    assert!(decodes("健康码 · venue 名称"));
}

#[test]
fn a_decoder_reads_signed_codes_and_venue_urls() {
    for minutes in [0, 1, 7, 60, 24 * 60] {
        let mut claims = sample_claims(now() + jiff::SignedDuration::from_mins(minutes));
        claims.initials = ["ZXM", "A", "LIWEI", "Q"][(minutes % 4) as usize].to_owned();
        let code = issue(&claims, &KEY).unwrap();
        assert!(decodes(&code), "{code}");
    }
    let key = SigningKey::generate().unwrap();
    for (i, base) in ["https://hc.example.org", "http://localhost:8080", "https://健康.example/城市"].iter().enumerate()
    {
        let token = VenueToken { venue: VenueId::from_bytes([i as u8; 16]), generation: i as u32 };
        let url = format!("{base}/c/{}", sign_venue_token(&token, &key).unwrap());
        assert!(decodes(&url), "{url}");
    }
}

/// The 15 format bits of the copy around the top-left finder, and of the
/// copy split between the other two finders.
fn format_copies(m: &QrMatrix) -> (u16, u16) {
    let s = m.size();
    let mut first_positions: Vec<(usize, usize)> = (0..6).map(|i| (8, i)).collect();
    first_positions.extend([(8, 7), (8, 8), (7, 8)]);
    first_positions.extend((9..15).map(|i| (14 - i, 8)));
    let mut second_positions: Vec<(usize, usize)> = (0..8).map(|i| (s - 1 - i, 8)).collect();
    second_positions.extend((8..15).map(|i| (8, s - 15 + i)));
    let read = |positions: &[(usize, usize)]| {
        positions.iter().enumerate().fold(0u16, |acc, (i, &(x, y))| acc | (u16::from(m.is_dark(x, y)) << i))
    };
    (read(&first_positions), read(&second_positions))
}

/// Level and mask from the format information (after removing 0x5412).
fn level_and_mask(m: &QrMatrix) -> (u16, u8) {
    let (first, second) = format_copies(m);
    assert_eq!(first, second, "the two format copies differ");
    let data = (first ^ 0x5412) >> 10;
    (data >> 3, (data & 7) as u8)
}

#[test]
fn format_information_says_level_m_and_a_valid_mask() {
    let mut masks = [0usize; 8];
    for seed in 0..200 {
        let m = matrix(&text(ALPHANUMERIC, 10 + seed as usize * 3, seed)).unwrap();
        let (level, mask) = level_and_mask(&m);
        assert_eq!(level, 0b00, "level M");
        masks[usize::from(mask)] += 1;
        assert!(m.is_dark(8, m.size() - 8), "the dark module");
    }
    // Different texts pick different masks.
    assert!(masks.iter().filter(|&&n| n > 0).count() >= 4, "{masks:?}");
}

mod against_fast_qr {
    use fast_qr::{ECL, Mask, Mode, QRBuilder};

    use super::*;

    fn fast_qr_with_mask(text: &str, mask: u8) -> Vec<bool> {
        let masks = [
            Mask::Checkerboard,
            Mask::HorizontalLines,
            Mask::VerticalLines,
            Mask::DiagonalLines,
            Mask::LargeCheckerboard,
            Mask::Fields,
            Mask::Diamonds,
            Mask::Meadow,
        ];
        let mode = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            Mode::Numeric
        } else if text.bytes().all(|b| ALPHANUMERIC.contains(&b)) {
            Mode::Alphanumeric
        } else {
            Mode::Byte
        };
        let code =
            QRBuilder::new(text.as_bytes()).ecl(ECL::M).mode(mode).mask(masks[usize::from(mask)]).build().unwrap();
        code.data[..code.size * code.size].iter().map(|m| m.value()).collect()
    }

    fn ours(m: &QrMatrix) -> Vec<bool> {
        (0..m.size()).flat_map(|y| m.row(y).to_vec()).collect()
    }

    #[test]
    fn same_symbol_as_fast_qr_under_the_same_mask() {
        // Everything but the mask choice: mode, version, codewords, Reed–
        // Solomon blocks, interleaving, placement, format and version
        // information, each mask pattern.
        let mut texts = Vec::new();
        for seed in 0..150u64 {
            let len = (seed as usize * 17) % 900;
            texts.push(text(ALPHANUMERIC, len, seed));
            texts.push(byte_text(len.max(9) / 2, seed));
        }
        texts.push(issue(&sample_claims(now()), &KEY).unwrap());
        let mut masks_seen = [false; 8];
        for t in &texts {
            let m = matrix(t).unwrap();
            let (_, mask) = level_and_mask(&m);
            masks_seen[usize::from(mask)] = true;
            assert_eq!(ours(&m), fast_qr_with_mask(t, mask), "{t:?} (version {}, mask {mask})", version(&m));
        }
        assert!(masks_seen.iter().all(|&seen| seen), "{masks_seen:?}");
    }
}

mod any_text {
    use proptest::prelude::*;

    use super::decodes;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any Unicode text (byte mode, UTF-8) and any alphanumeric text
        /// read back as itself.
        #[test]
        fn reads_back(text in "\\PC{0,120}", alphanumeric in "[0-9A-Z $%*+./:-]{0,300}") {
            prop_assert!(decodes(&text), "{:?}", text);
            prop_assert!(decodes(&alphanumeric), "{:?}", alphanumeric);
        }
    }
}
