//! SVG rendering: one `<path>` of dark modules, sized by its `viewBox`.

use super::{QUIET_ZONE, QrError, matrix};

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
    let mut out = String::with_capacity(256 + m.size() * m.size() * 4);
    out.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#);
    push_num(&mut out, side);
    out.push(' ');
    push_num(&mut out, side);
    out.push_str(r#"" shape-rendering="crispEdges" role="img" aria-label=""#);
    push_escaped(&mut out, label);
    out.push_str(r##""><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d=""##);
    for y in 0..m.size() {
        let row = m.row(y);
        let mut x = 0;
        while x < row.len() {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < row.len() && row[x] {
                x += 1;
            }
            // One run of dark modules: a 1-module-high rectangle.
            out.push('M');
            push_num(&mut out, start + QUIET_ZONE);
            out.push(' ');
            push_num(&mut out, y + QUIET_ZONE);
            out.push('h');
            push_num(&mut out, x - start);
            out.push_str("v1h-");
            push_num(&mut out, x - start);
            out.push('z');
        }
    }
    out.push_str(r#""/></svg>"#);
    Ok(out)
}

fn push_num(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_escapes() {
        let mut s = String::new();
        for n in [0, 7, 10, 12345] {
            push_num(&mut s, n);
            s.push(',');
        }
        assert_eq!(s, "0,7,10,12345,");
        let mut e = String::new();
        push_escaped(&mut e, r#"a<b>&"c'"#);
        assert_eq!(e, "a&lt;b&gt;&amp;&quot;c&#39;");
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
}
