//! Writes the laid-out page as SVG: millimetre user units, text kept as text, the QR code as one
//! path of rectangles.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::layout::Page;
use crate::{Fonts, PAGE_HEIGHT_MM, PAGE_WIDTH_MM, PosterContent, TITLE};

/// The page's `width` and `height` attributes: the A4 viewBox printed on the chosen paper.
fn page_size(content: &PosterContent) -> (String, String) {
    let (w, h) = content.size.mm();
    (num(w), num(h))
}

/// The `id` of the QR path in the SVG.
pub(crate) const QR_ID: &str = "qr";

pub(crate) fn write(page: &Page, content: &PosterContent, fonts: &Fonts) -> String {
    let used: BTreeSet<usize> = page.lines.iter().flat_map(|p| &p.line.runs).map(|r| r.family).collect();
    let families = |first: usize| family_list(fonts, first, &used);
    let (w, h) = (num(PAGE_WIDTH_MM), num(PAGE_HEIGHT_MM));
    let (page_w, page_h) = page_size(content);
    let mut out = String::with_capacity(24 * 1024);
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{page_w}mm\" height=\"{page_h}mm\" viewBox=\"0 0 {w} {h}\" \
         font-family=\"{}\">\n<title>{}: {}</title>\n<rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>\n\
         <g fill=\"#000\" text-anchor=\"middle\">\n",
        families(used.first().copied().unwrap_or(0)),
        escape(content.headlines.first().map_or(TITLE, String::as_str)),
        escape(content.venue_name.trim()),
    );
    for placed in &page.lines {
        let line = &placed.line;
        let bold = if line.weight.0 >= 600 { " font-weight=\"bold\"" } else { "" };
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\"{bold}>",
            num(PAGE_WIDTH_MM / 2.0),
            num(placed.baseline),
            num(line.size)
        );
        for run in &line.runs {
            let _ = write!(out, "<tspan font-family=\"{}\">{}</tspan>", families(run.family), escape(&run.text));
        }
        out.push_str("</text>\n");
    }
    let _ = write!(
        out,
        "</g>\n<path id=\"{QR_ID}\" fill=\"#000\" shape-rendering=\"crispEdges\" \
         transform=\"matrix({m} 0 0 {m} {} {})\" d=\"{}\"/>\n</svg>\n",
        num(page.qr_x),
        num(page.qr_y),
        page.qr.svg_path(0),
        m = format!("{:.6}", page.module).trim_end_matches('0'),
    );
    out
}

/// A CSS font-family list: the family chosen for a run first, then the other families the
/// poster uses, then the generic `sans-serif` for viewers that lack them all.
fn family_list(fonts: &Fonts, first: usize, used: &BTreeSet<usize>) -> String {
    let names = std::iter::once(first).chain(used.iter().copied().filter(|&f| f != first));
    let mut list: Vec<String> = names
        .filter_map(|f| fonts.families().get(f))
        .map(|name| format!("'{}'", escape(&name.replace(['\'', '"', '\\'], ""))))
        .collect();
    list.push("sans-serif".to_owned());
    list.join(", ")
}

/// Formats a length with at most three decimals.
fn num(v: f32) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_owned() } else { s.to_owned() }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(105.0), "105");
        assert_eq!(num(3.26531), "3.265");
        assert_eq!(num(-0.0001), "0");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("Tom & Jerry's <cafe> \"x\""), "Tom &amp; Jerry&apos;s &lt;cafe&gt; &quot;x&quot;");
    }
}
