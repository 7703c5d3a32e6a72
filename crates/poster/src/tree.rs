//! The poster SVG parsed back (with the same fonts) for PDF and PNG output, and the last guard
//! against tofu: no glyph may be the font's "missing glyph" (glyph id 0).

use resvg::usvg::{FontResolver, Group, Node, Options, Tree};

use crate::{Fonts, PosterError};

pub(crate) fn parse(svg: &str, fonts: &Fonts) -> Result<Tree, PosterError> {
    let options = Options {
        fontdb: fonts.db().clone(),
        font_family: fonts.families().first().cloned().unwrap_or_else(|| "sans-serif".to_owned()),
        // Every run already names a font that covers it. usvg's own fallback would re-shape a
        // whole line in whichever font covers a character of another run (turning "Phở 河内"
        // into a serif CJK font), so it is switched off: a gap shows up as glyph 0 below.
        font_resolver: FontResolver {
            select_font: FontResolver::default_font_selector(),
            select_fallback: Box::new(|_, _, _| None),
        },
        ..Options::default()
    };
    let tree = Tree::from_str(svg, &options).map_err(|e| PosterError::Svg(e.to_string()))?;
    check_glyphs(tree.root())?;
    Ok(tree)
}

/// Fails when any laid-out glyph is glyph 0 (`.notdef`), i.e. would print as a blank box.
fn check_glyphs(group: &Group) -> Result<(), PosterError> {
    for node in group.children() {
        match node {
            Node::Group(child) => check_glyphs(child)?,
            Node::Text(text) => {
                let glyphs = text.layouted().iter().flat_map(|span| &span.positioned_glyphs);
                if let Some(glyph) = glyphs.into_iter().find(|g| g.id.0 == 0 && !g.text.trim().is_empty()) {
                    let line: String = text.chunks().iter().map(|chunk| chunk.text()).collect();
                    let character = glyph.text.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
                    return Err(PosterError::FontMissing { text: line, character });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEJAVU: &str = "/usr/share/fonts/truetype/dejavu";

    #[test]
    fn a_glyph_missing_from_the_named_font_is_an_error() {
        if !std::path::Path::new(DEJAVU).is_dir() {
            return eprintln!("skipped: {DEJAVU} is missing");
        }
        let fonts = Fonts::from_dirs(&[DEJAVU]).unwrap();
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
            <text x="1" y="5" font-family="DejaVu Sans" font-size="3">A 中</text></svg>"#;
        let err = parse(svg, &fonts).unwrap_err();
        assert!(matches!(err, PosterError::FontMissing { character: '中', .. }), "{err:?}");
        assert!(parse(&svg.replace('中', "B"), &fonts).is_ok());
    }
}
