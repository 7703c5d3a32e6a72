//! SVG rendering: one `<path>` of dark modules, sized by its `viewBox`.

use super::grid::Line;
use super::{QUIET_ZONE, QrError, QrMatrix, matrix};

/// Renders `text` as an SVG QR code labelled "QR code".
pub fn render_svg(text: &str) -> Result<String, QrError> {
    render_svg_labelled(text, "QR code")
}

/// Renders `text` as an SVG QR code with `label` as its accessible name. The
/// SVG has a white background with a 4-module quiet zone, a `viewBox` in
/// modules and no fixed size: the page sizes it.
pub fn render_svg_labelled(text: &str, label: &str) -> Result<String, QrError> {
    let m = matrix(text)?;
    let side = m.size() + 2 * QUIET_ZONE;
    let mut out = Vec::with_capacity(256 + label.len() + path_capacity(&m));
    out.extend_from_slice(br#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#);
    push_num(&mut out, side);
    out.push(b' ');
    push_num(&mut out, side);
    out.extend_from_slice(br#"" shape-rendering="crispEdges" role="img" aria-label=""#);
    push_escaped(&mut out, label);
    out.extend_from_slice(br##""><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d=""##);
    push_path(&mut out, &m, QUIET_ZONE);
    out.extend_from_slice(br#""/></svg>"#);
    Ok(into_string(out))
}

impl QrMatrix {
    /// The dark modules as SVG path data in module units, one 1-module-high
    /// rectangle per horizontal run (`M{x} {y}h{n}v1h-{n}z`), every
    /// coordinate shifted by `offset` modules (the quiet zone, or 0).
    pub fn svg_path(&self, offset: usize) -> String {
        let mut out = Vec::with_capacity(path_capacity(self));
        push_path(&mut out, self, offset);
        into_string(out)
    }
}

/// Room for a typical path: about one run per 2.2 modules of a row, 14
/// bytes each.
fn path_capacity(m: &QrMatrix) -> usize {
    m.size() * m.size() * 7 + 64
}

/// Longest run text: `M` x ` ` y `h` n `v1h-` n `z` with 3-digit numbers.
const RUN_MAX: usize = 20;

fn push_path(out: &mut Vec<u8>, m: &QrMatrix, offset: usize) {
    // One row's runs are written into a stack buffer with fixed 3-byte digit
    // copies, then appended at once: no per-run growth checks or calls.
    let mut buf = [0u8; RUN_MAX * 128];
    for y in 0..m.size() {
        let Some(row) = m.row_bits(y) else { break };
        let mut n = 0;
        for (start, end) in Runs::new(row) {
            if n + RUN_MAX > buf.len() {
                out.extend_from_slice(&buf[..n]);
                n = 0;
            }
            n = put_run(&mut buf, n, [start + offset, y + offset, end - start]);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// The runs of dark modules of a row, as (first, one past the last), from
/// the bit words where a run starts (dark after light) and where it ends
/// (light after dark). Bits past the symbol are light, so every run ends.
struct Runs {
    starts: Line,
    ends: Line,
    start_word: usize,
    end_word: usize,
}

impl Runs {
    fn new(row: &Line) -> Self {
        // Bit p of `before` is module p - 1.
        let before: Line = std::array::from_fn(|i| (row[i] << 1) | if i > 0 { row[i - 1] >> 63 } else { 0 });
        Self {
            starts: std::array::from_fn(|i| row[i] & !before[i]),
            ends: std::array::from_fn(|i| !row[i] & before[i]),
            start_word: 0,
            end_word: 0,
        }
    }

    /// Takes the lowest set bit of `words` at or after word `*word`.
    fn take_lowest(words: &mut Line, word: &mut usize) -> Option<usize> {
        while *word < words.len() {
            let w = &mut words[*word];
            if *w != 0 {
                let bit = w.trailing_zeros() as usize;
                *w &= *w - 1;
                return Some(*word * 64 + bit);
            }
            *word += 1;
        }
        None
    }
}

impl Iterator for Runs {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let start = Self::take_lowest(&mut self.starts, &mut self.start_word)?;
        let end = Self::take_lowest(&mut self.ends, &mut self.end_word)?;
        Some((start, end))
    }
}

/// Writes `M{x} {y}h{len}v1h-{len}z` at `buf[n..]` (at most [`RUN_MAX`]
/// bytes); returns the new end.
fn put_run(buf: &mut [u8], n: usize, [x, y, len]: [usize; 3]) -> usize {
    buf[n] = b'M';
    let n = put_num(buf, n + 1, x);
    buf[n] = b' ';
    let n = put_num(buf, n + 1, y);
    buf[n] = b'h';
    let n = put_num(buf, n + 1, len);
    buf[n..n + 4].copy_from_slice(b"v1h-");
    let n = put_num(buf, n + 4, len);
    buf[n] = b'z';
    n + 1
}

/// Writes the digits of `v` at `buf[n..]` as one 3-byte copy (the bytes
/// past the digits are overwritten next); returns the end of the digits.
/// Numbers above 999 never occur (a symbol is at most 177 modules); they
/// are clamped rather than panicking.
fn put_num(buf: &mut [u8], n: usize, v: usize) -> usize {
    let (digits, width) = LEFT_DIGITS[v.min(999)];
    buf[n..n + 3].copy_from_slice(&digits);
    n + usize::from(width)
}

/// Decimal digits of 0..=999, left-aligned in three bytes, and their count.
static LEFT_DIGITS: [([u8; 3], u8); 1000] = {
    let mut table = [([0u8; 3], 0u8); 1000];
    let mut n = 0;
    while n < 1000 {
        let (d0, d1, d2) = (b'0' + (n / 100) as u8, b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8);
        table[n] = if n >= 100 {
            ([d0, d1, d2], 3)
        } else if n >= 10 {
            ([d1, d2, b' '], 2)
        } else {
            ([d2, b' ', b' '], 1)
        };
        n += 1;
    }
    table
};

fn push_num(out: &mut Vec<u8>, n: usize) {
    match LEFT_DIGITS.get(n) {
        Some((digits, width)) => out.extend_from_slice(&digits[..usize::from(*width)]),
        None => out.extend_from_slice(n.to_string().as_bytes()),
    }
}

fn push_escaped(out: &mut Vec<u8>, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '"' => out.extend_from_slice(b"&quot;"),
            '\'' => out.extend_from_slice(b"&#39;"),
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
}

/// The buffer holds ASCII and the UTF-8 of a `&str`: always valid.
fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::grid::line_of_ones;

    #[test]
    fn numbers_and_escapes() {
        let mut s = Vec::new();
        for n in [0, 7, 10, 99, 100, 185, 999, 1000, 12345] {
            push_num(&mut s, n);
            s.push(b',');
        }
        assert_eq!(s, b"0,7,10,99,100,185,999,1000,12345,");
        let mut e = Vec::new();
        push_escaped(&mut e, r#"a<b>&"c'健"#);
        assert_eq!(into_string(e), "a&lt;b&gt;&amp;&quot;c&#39;健");
    }

    #[test]
    fn svg_shape() {
        let svg = render_svg_labelled("HELLO", "x\"y").unwrap();
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"viewBox="0 0 29 29""#));
        assert!(svg.contains(r#"aria-label="x&quot;y""#));
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(!svg.contains("width=\"29\""));
    }

    #[test]
    fn runs_are_found_across_words() {
        let mut row: Line = [0; 3];
        // Dark 0, 62..=66 (crosses the first word), 127..=128 and 170..=176
        // (to the edge of a version 40 symbol).
        for x in [0].into_iter().chain(62..=66).chain(127..=128).chain(170..=176) {
            row[x / 64] |= 1 << (x % 64);
        }
        let runs: Vec<_> = Runs::new(&row).collect();
        assert_eq!(runs, [(0, 1), (62, 67), (127, 129), (170, 177)]);
        assert_eq!(Runs::new(&[0; 3]).count(), 0);
        let all = line_of_ones(177);
        assert_eq!(Runs::new(&all).collect::<Vec<_>>(), [(0, 177)]);
    }

    #[test]
    fn path_without_offset() {
        let m = matrix("HELLO").unwrap();
        let d = m.svg_path(0);
        // Row 0 starts with the top-left finder's 7 dark modules.
        assert!(d.starts_with("M0 0h7v1h-7z"), "{d}");
        let svg = render_svg("HELLO").unwrap();
        assert!(svg.contains(&m.svg_path(QUIET_ZONE)));
    }
}
