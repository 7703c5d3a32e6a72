//! Writes sample posters to `$HEALTHCODE_POSTER_SAMPLES` (when set) and prints render times.

use std::time::{Duration, Instant};

use healthcode_poster::Poster;

use super::*;

/// The fastest of five runs of `f`, and its last result.
#[allow(clippy::disallowed_methods)] // timings are printed, never asserted
fn fastest<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..5 {
        let start = Instant::now();
        out = Some(f());
        best = best.min(start.elapsed());
    }
    (best, out.unwrap())
}

#[test]
fn render_times_and_samples() {
    let (load, fonts) = fastest(Fonts::system);
    let (layout, poster) = fastest(|| Poster::new(&sample(), &fonts).unwrap());
    let (pdf_time, pdf) = fastest(|| poster.pdf().unwrap());
    let (png_time, png) = fastest(|| poster.png(150).unwrap());
    println!(
        "fonts {load:.1?}; layout+SVG {layout:.1?} ({} bytes); PDF {pdf_time:.1?} ({} bytes); \
         PNG 150 dpi {png_time:.1?} ({} bytes)",
        poster.svg().len(),
        pdf.len(),
        png.len()
    );
    if let Ok(dir) = std::env::var("HEALTHCODE_POSTER_SAMPLES") {
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("poster.svg"), poster.svg()).unwrap();
        std::fs::write(dir.join("poster.pdf"), &pdf).unwrap();
        std::fs::write(dir.join("poster.png"), &png).unwrap();
        let long = Poster::new(&long_sample(), &fonts).unwrap();
        std::fs::write(dir.join("poster-long.png"), long.png(100).unwrap()).unwrap();
        std::fs::write(dir.join("poster-long.pdf"), long.pdf().unwrap()).unwrap();
    }
}
