//! The decoder benchmark's two Rust halves (`scripts/decoder-set` runs them):
//!
//! - `decoder_set sources DIR`: our real codes drawn by our own renderers, as
//!   PNGs in DIR with `DIR/sources.tsv` (file, kind, QR text): signed health
//!   codes (as the phone shows them), signed paper passes and venue posters
//!   (the whole A4 page, rasterised at 100 dpi).
//! - `decoder_set measure DIR`: reads `DIR/manifest.tsv` (file, category, QR
//!   text) written by the script and prints, per category and decoder (rqrr,
//!   rxing, rxing then rqrr), how many images read back as the expected text,
//!   as a Markdown table. A read of another text counts as wrong, not read.
//!
//! `cargo run --release -p healthcode-poster --example decoder_set -- measure DIR`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark tool may stop on bad input
#![allow(clippy::disallowed_methods)] // it times the decoders

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use healthcode_credential::{
    HealthCodeClaims, PaperPassClaims, QrDecoder, SigningKey, decode_image_with, issue, render_png, sign_paper_pass,
};
use healthcode_domain::{Colour, HolderId};
use healthcode_poster::{Fonts, Poster, PosterContent};
use jiff::{SignedDuration, Timestamp};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [command, dir] if command == "sources" => sources(Path::new(dir)),
        [command, dir] if command == "measure" => measure(Path::new(dir)),
        _ => {
            eprintln!("usage: decoder_set sources DIR | measure DIR");
            std::process::exit(2);
        }
    }
}

fn sources(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let key = SigningKey::generate().unwrap();
    let now = Timestamp::from_second(1_581_408_000).unwrap();
    let mut rows = Vec::new();
    let colours = [Colour::Green, Colour::Yellow, Colour::Red];
    let initials = ["ZXM", "NTH", "LW"];
    for (i, (&colour, initials)) in colours.iter().zip(initials).enumerate() {
        let claims = HealthCodeClaims {
            issuer: "CN-ZJ-HZ".to_owned(),
            holder: HolderId::from_bytes([0x5a + i as u8; 16]),
            colour,
            issued_at: now,
            expires_at: now + SignedDuration::from_mins(5),
            initials: initials.to_owned(),
            document_last4: format!("{}23X", i),
            policy_version: "hangzhou-2020.1".to_owned(),
        };
        let text = issue(&claims, &key).unwrap();
        let file = format!("healthcode-{i}.png");
        std::fs::write(dir.join(&file), render_png(&text, 8).unwrap()).unwrap();
        rows.push(format!("{file}\thealthcode\t{text}"));
    }
    for i in 0..3u32 {
        let claims = PaperPassClaims {
            holder: HolderId::from_bytes([0x20 + i as u8; 16]),
            print: i + 1,
            valid_from: now,
            valid_until: now + SignedDuration::from_hours(24 * 14),
            initials: ["NTH", "ZXM", "Nguyễn T H"][i as usize].to_owned(),
            document_last4: "4521".to_owned(),
        };
        let text = sign_paper_pass(&claims, &key).unwrap();
        let file = format!("pass-{i}.png");
        std::fs::write(dir.join(&file), render_png(&text, 8).unwrap()).unwrap();
        rows.push(format!("{file}\tpass\t{text}"));
    }
    let fonts = Fonts::system();
    let venues = [("Phở Hà Nội 河内粉店", 60), ("Central Library", 100), ("西湖区人民医院 门诊楼", 140)];
    for (i, (name, token_len)) in venues.iter().enumerate() {
        let token: String = "vK3xQ9-tR2mW7_pL0aZ8cY1nB4sD6fG5hJ2kE7uI9oP3qT1wX0yV8bN4mC6zA2sF5dG7hK9jL1"
            .chars()
            .cycle()
            .skip(i * 7)
            .take(*token_len)
            .collect();
        let content = PosterContent {
            qr_text: format!("https://hc.example/c/{token}"),
            venue_name: (*name).to_owned(),
            address_lines: vec!["12 Phố Huế, Hai Bà Trưng".to_owned()],
            reference: format!("V-3F9A2{i}"),
            instructions: vec![
                "Scan with your phone camera when you arrive and when you leave.".to_owned(),
                "到达和离开时，请用手机相机扫描二维码登记。".to_owned(),
            ],
            ..PosterContent::default()
        };
        let file = format!("poster-{i}.png");
        let png = Poster::new(&content, &fonts).unwrap().png(100).unwrap();
        std::fs::write(dir.join(&file), png).unwrap();
        rows.push(format!("{file}\tposter\t{}", content.qr_text));
    }
    rows.push(String::new());
    std::fs::write(dir.join("sources.tsv"), rows.join("\n")).unwrap();
}

#[derive(Default)]
struct Tally {
    read: usize,
    wrong: usize,
    errors: usize,
    total: usize,
    time: Duration,
}

fn measure(dir: &Path) {
    let manifest = std::fs::read_to_string(dir.join("manifest.tsv")).unwrap();
    // category -> decoder -> tally
    let mut tallies: BTreeMap<String, Vec<Tally>> = BTreeMap::new();
    for line in manifest.lines().filter(|l| !l.is_empty()) {
        let mut fields = line.splitn(3, '\t');
        let (file, category, text) = (fields.next().unwrap(), fields.next().unwrap(), fields.next().unwrap());
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let row = tallies.entry(category.to_owned()).or_insert_with(|| QrDecoder::ALL.map(|_| Tally::default()).into());
        for (decoder, tally) in QrDecoder::ALL.iter().zip(row.iter_mut()) {
            let started = Instant::now();
            let outcome = decode_image_with(*decoder, &bytes);
            tally.time += started.elapsed();
            tally.total += 1;
            match outcome {
                Ok(texts) if texts.iter().any(|t| t == text) => tally.read += 1,
                Ok(texts) if !texts.is_empty() => tally.wrong += 1,
                Ok(_) => {}
                Err(_) => tally.errors += 1,
            }
        }
    }
    let names: Vec<&str> = QrDecoder::ALL.iter().map(|d| d.name()).collect();
    println!("| category | images | {} |", names.join(" | "));
    println!("|---|---:|{}", "---:|".repeat(names.len()));
    let mut totals: Vec<Tally> = QrDecoder::ALL.iter().map(|_| Tally::default()).collect();
    for (category, row) in &tallies {
        let cells: Vec<String> = row.iter().map(|t| format!("{}{}", t.read, notes(t))).collect();
        println!("| {category} | {} | {} |", row[0].total, cells.join(" | "));
        for (total, t) in totals.iter_mut().zip(row) {
            total.read += t.read;
            total.wrong += t.wrong;
            total.errors += t.errors;
            total.total += t.total;
            total.time += t.time;
        }
    }
    let cells: Vec<String> = totals
        .iter()
        .map(|t| format!("**{} ({:.1} %)**{}", t.read, 100.0 * t.read as f64 / t.total.max(1) as f64, notes(t)))
        .collect();
    println!("| **all** | {} | {} |", totals[0].total, cells.join(" | "));
    let times: Vec<String> =
        totals.iter().map(|t| format!("{:.0} ms", t.time.as_secs_f64() * 1000.0 / t.total.max(1) as f64)).collect();
    println!("| mean time per image | | {} |", times.join(" | "));
}

/// Wrong reads and decoder errors (panics caught, time limit), when any.
fn notes(t: &Tally) -> String {
    let mut out = String::new();
    if t.wrong > 0 {
        out.push_str(&format!(" ({} wrong)", t.wrong));
    }
    if t.errors > 0 {
        out.push_str(&format!(" ({} errors)", t.errors));
    }
    out
}
