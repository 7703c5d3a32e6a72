//! The fuzz targets' findings and seeds (targets in `/fuzz`, run by `scripts/fuzz`).
//!
//! Every file under `tests/fuzz-regressions/<target>/` is an input that once
//! made that target crash. It is replayed here through the same entry points
//! and the same checks as the target, so a fix cannot quietly come undone.
//!
//! The seed corpus under `fuzz/seeds/<target>/` is made here from the test
//! vectors (`HEALTHCODE_BLESS=1 cargo test -p healthcode-credential fuzz`
//! rewrites it; signatures are randomised, so the bytes change each time) and
//! checked: a seed named `valid_*` must be accepted, any other refused.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::Duration;

use healthcode_credential::health_code::MAX_INFLATED;
use healthcode_credential::{
    DECODE_TIME_LIMIT, PaperPassClaims, PreparedTrustList, TrustList, VenueToken, decode_image, decode_unverified,
    is_paper_pass, render_png, sign_paper_pass, sign_venue_token, token_from_qr, verify, verify_paper_pass,
    verify_venue_token,
};
use healthcode_domain::{HolderId, VenueId};
use jiff::Timestamp;
use serde::Deserialize;

use crate::{pack, unpack, vectors};

/// The fuzz targets, by their names in `fuzz/Cargo.toml`.
const TARGETS: [&str; 7] = ["health_code", "venue_token", "paper_pass", "cbor", "trust_list", "qr_image", "qr_pixels"];

#[derive(Deserialize)]
struct Vectors {
    trust_list: TrustList,
    now: Timestamp,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    qr_text: String,
}

/// The committed test vectors, as the fuzz targets read them.
static VECTORS: LazyLock<(Vectors, PreparedTrustList)> = LazyLock::new(|| {
    let text = std::fs::read_to_string(crate_dir().join("tests/vectors/health_codes.json")).unwrap();
    let vectors: Vectors = serde_json::from_str(&text).unwrap();
    let trust = vectors.trust_list.prepare().unwrap();
    (vectors, trust)
});

fn trust() -> &'static PreparedTrustList {
    &VECTORS.1
}

fn now() -> Timestamp {
    VECTORS.0.now
}

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn regressions_dir() -> PathBuf {
    crate_dir().join("tests/fuzz-regressions")
}

fn seeds_dir() -> PathBuf {
    crate_dir().join("../../fuzz/seeds")
}

/// The files of `dir`, sorted by name (none when it does not exist).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()))
        .collect();
    out.sort();
    out
}

// ---- The targets' bodies, replayed ------------------------------------------

/// What a target does with one input; panics where the target would crash.
fn replay(target: &str, data: &[u8]) {
    match target {
        "health_code" => health_code(data),
        "venue_token" => venue_token(data),
        "paper_pass" => paper_pass(data),
        "cbor" => cbor(data),
        "trust_list" => trust_list(data),
        "qr_image" => qr_image(data),
        "qr_pixels" => qr_pixels(data),
        other => panic!("no fuzz target named {other}"),
    }
}

fn health_code(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let verified = verify(text, trust(), now());
    let decoded = decode_unverified(text);
    if let Ok(code) = &verified {
        assert_eq!(decoded.as_ref().ok(), Some(&(code.claims.clone(), code.key_id)));
    }
}

fn venue_token(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    assert!(text.contains(token_from_qr(text)));
    if let Ok((_, kid)) = verify_venue_token(text, trust()) {
        assert!(trust().find(&kid).is_some());
    }
}

fn paper_pass(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(pass) = verify_paper_pass(text, trust(), now()) {
        assert!(is_paper_pass(text) && trust().find(&pass.key_id).is_some());
        assert!(pass.claims.valid_from < pass.claims.valid_until && pass.claims.print > 0);
    }
}

/// The fuzz target reads the bytes as COSE directly; without the `fuzzing`
/// feature the same parsers are reached through the text layer.
fn cbor(data: &[u8]) {
    if data.len() <= MAX_INFLATED {
        let text = pack(data);
        let _ = decode_unverified(&text);
        let _ = verify(&text, trust(), now());
    }
}

fn trust_list(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(list) = TrustList::from_json(text) else { return };
    assert_eq!(TrustList::from_json(&list.to_json_pretty()).ok().as_ref(), Some(&list));
    if let Ok(prepared) = list.prepare() {
        let _ = verify(&VECTORS.0.cases[0].qr_text, &prepared, now());
    }
}

/// Any answer will do, in bounded time: rqrr's own panics come back as
/// `QrError::Decoder` and its endless searches as `QrError::TooSlow`.
#[allow(clippy::disallowed_methods)] // measures the decoder, reads no time of day
fn qr_image(data: &[u8]) {
    let started = std::time::Instant::now();
    let outcome = decode_image(data);
    let elapsed = started.elapsed();
    assert!(elapsed < DECODE_TIME_LIMIT + Duration::from_secs(2), "{elapsed:?}, {outcome:?}");
}

/// The fuzz target hands the pixels to the decoder directly; here they go
/// through a PNG, which reaches the same decoder with the same pixels.
fn qr_pixels(data: &[u8]) {
    if let Some(png) = png_of_pixels(data) {
        qr_image(&png);
    }
}

/// Two bytes of width (big-endian), then greyscale pixels row by row, as a
/// PNG of the whole rows (`None` where the target skips the input).
fn png_of_pixels(data: &[u8]) -> Option<Vec<u8>> {
    let [hi, lo, pixels @ ..] = data else { return None };
    let width = usize::from(u16::from_be_bytes([*hi, *lo]));
    if width == 0 || width > pixels.len() {
        return None;
    }
    let height = pixels.len() / width;
    let rows = pixels[..width * height].to_vec();
    let image = image::GrayImage::from_raw(width as u32, height as u32, rows)?;
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    Some(out.into_inner())
}

/// The seed format of `qr_pixels`: an image's width and greyscale pixels.
fn pixels_of(png: &[u8]) -> Vec<u8> {
    let luma = image::load_from_memory(png).unwrap().into_luma8();
    let width = u16::try_from(luma.width()).unwrap();
    [&width.to_be_bytes()[..], luma.as_raw()].concat()
}

#[test]
fn every_fuzz_regression_replays_without_a_crash() {
    let mut replayed = 0;
    for target in TARGETS {
        for (name, data) in files(&regressions_dir().join(target)) {
            let outcome = std::panic::catch_unwind(|| replay(target, &data));
            assert!(outcome.is_ok(), "fuzz regression {target}/{name} crashes again");
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no regression inputs found under {}", regressions_dir().display());
}

#[test]
fn regression_folders_are_named_after_targets() {
    for entry in std::fs::read_dir(regressions_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(TARGETS.contains(&name.as_str()) || name == "README.md", "{name} is not a fuzz target");
    }
}

// ---- Seeds ------------------------------------------------------------------

/// Whether a seed should be accepted by what its target fuzzes.
fn accepted(target: &str, data: &[u8]) -> bool {
    let text = || std::str::from_utf8(data).unwrap();
    match target {
        "health_code" => verify(text(), trust(), now()).is_ok(),
        "venue_token" => verify_venue_token(text(), trust()).is_ok(),
        "paper_pass" => verify_paper_pass(text(), trust(), now()).is_ok(),
        "cbor" => decode_unverified(&pack(data)).is_ok(),
        "trust_list" => TrustList::from_json(text()).and_then(|list| list.prepare()).is_ok(),
        "qr_image" => decode_image(data).is_ok_and(|texts| !texts.is_empty()),
        "qr_pixels" => png_of_pixels(data).is_some_and(|png| accepted("qr_image", &png)),
        other => panic!("no fuzz target named {other}"),
    }
}

fn case(name: &str) -> &'static str {
    &VECTORS.0.cases.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no vector {name}")).qr_text
}

fn png_of(text: &str, module_px: u32) -> Vec<u8> {
    render_png(text, module_px).unwrap()
}

fn jpeg_of(text: &str, module_px: u32) -> Vec<u8> {
    let luma = image::load_from_memory(&png_of(text, module_px)).unwrap().into_luma8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75)
        .encode(luma.as_raw(), luma.width(), luma.height(), image::ExtendedColorType::L8)
        .unwrap();
    out
}

/// `(target, file name, bytes)` for the whole seed corpus.
fn build_seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let active = vectors::key("active");
    let stranger = vectors::key("stranger");
    let venue = VenueToken { venue: VenueId::from_bytes([0x42; 16]), generation: 3 };
    let token = sign_venue_token(&venue, active).unwrap();
    let claims = PaperPassClaims {
        holder: HolderId::from_bytes([0x5a; 16]),
        print: 3,
        valid_from: now(),
        valid_until: now() + jiff::SignedDuration::from_hours(30 * 24),
        initials: "WX".into(),
        document_last4: "5678".into(),
    };
    let pass = sign_paper_pass(&claims, active).unwrap();
    let mut seeds = Vec::new();
    let mut add = |target, name: &str, bytes: Vec<u8>| seeds.push((target, name.to_owned(), bytes));
    for name in [
        "valid_green",
        "valid_red",
        "valid_untagged_cose",
        "valid_kid_in_unprotected_header",
        "valid_indefinite_unknown_claim",
        "valid_unicode_hints",
        "expired_screenshot",
        "signature_flipped",
    ] {
        add("health_code", name, case(name).as_bytes().to_vec());
    }
    for name in [
        "valid_green",
        "valid_untagged_cose",
        "valid_non_shortest_cbor_heads",
        "valid_nesting_at_depth_limit",
        "valid_unusual_items_in_unprotected_header",
        "claims_colour_twice",
    ] {
        add("cbor", name, unpack(case(name)));
    }
    add("venue_token", "valid_token", token.clone().into_bytes());
    add("venue_token", "valid_url", format!("https://hc.example/c/{token}?utm=poster").into_bytes());
    let max_generation = VenueToken { generation: u32::MAX, ..venue };
    add("venue_token", "valid_generation_max", sign_venue_token(&max_generation, active).unwrap().into_bytes());
    add("venue_token", "forged_by_stranger", sign_venue_token(&venue, stranger).unwrap().into_bytes());
    add("paper_pass", "valid_pass", pass.clone().into_bytes());
    add("paper_pass", "valid_pass_padded", format!("  {pass}\n").into_bytes());
    let forged = sign_paper_pass(&claims, stranger).unwrap();
    add("paper_pass", "forged_by_stranger", forged.into_bytes());
    let list = &VECTORS.0.trust_list;
    add("trust_list", "valid_vectors", list.to_json_pretty().into_bytes());
    let one = TrustList { keys: list.keys[..1].to_vec(), ..list.clone() };
    add("trust_list", "valid_one_key", serde_json::to_vec(&one).unwrap());
    let none = TrustList { keys: Vec::new(), ..list.clone() };
    add("trust_list", "valid_no_keys", serde_json::to_vec(&none).unwrap());
    add("qr_image", "valid_health_code.png", png_of(case("valid_green"), 2));
    add("qr_image", "valid_venue_url.png", png_of(&format!("https://hc.example/c/{token}"), 2));
    add("qr_image", "valid_paper_pass.jpg", jpeg_of(&pass, 2));
    add("qr_pixels", "valid_health_code", pixels_of(&png_of(case("valid_green"), 2)));
    add("qr_pixels", "valid_paper_pass", pixels_of(&png_of(&pass, 2)));
    seeds
}

#[test]
fn seed_corpus_is_accepted_or_refused_as_named() {
    if std::env::var_os("HEALTHCODE_BLESS").is_some() {
        for target in TARGETS {
            let _ = std::fs::remove_dir_all(seeds_dir().join(target));
        }
        for (target, name, bytes) in build_seeds() {
            let dir = seeds_dir().join(target);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    let built: BTreeSet<(String, String)> =
        build_seeds().into_iter().map(|(target, name, _)| (target.to_owned(), name)).collect();
    let mut committed = BTreeSet::new();
    for target in TARGETS {
        for (name, data) in files(&seeds_dir().join(target)) {
            let valid = name.starts_with("valid_");
            assert_eq!(accepted(target, &data), valid, "seed {target}/{name}");
            committed.insert((target.to_owned(), name));
        }
    }
    assert_eq!(committed, built, "the committed seeds are stale: rerun with HEALTHCODE_BLESS=1");
}
