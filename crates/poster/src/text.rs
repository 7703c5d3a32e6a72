//! Lines of text: split into runs per font, measured, shrunk and wrapped to a width.

use std::ops::Range;

use resvg::usvg::fontdb::Weight;

use crate::{Fonts, PosterError};

/// A breakable piece of text: its advance in ems, the text, and whether a space follows.
type Token = (f32, String, bool);

/// Consecutive characters set in one font family.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    /// Index into [`Fonts::families`].
    pub family: usize,
    pub text: String,
}

/// One line of text, ready to place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub runs: Vec<Run>,
    /// Font size in millimetres.
    pub size: f32,
    pub weight: Weight,
}

/// Sets `text` on one line at `size` millimetres, shrunk as needed to fit `width`.
pub(crate) fn fit(fonts: &Fonts, text: &str, weight: Weight, size: f32, width: f32) -> Result<Line, PosterError> {
    let (runs, em) = shape(fonts, text, weight)?;
    let size = if em * size > width { width / em } else { size };
    Ok(Line { runs, size, weight })
}

/// Wraps `text` into at most `max_lines` lines of `width`, at the largest size from `size` down
/// to `min_size` (half-millimetre steps) that needs no more lines; below that, the last line
/// takes the rest and shrinks, as does any single word too wide for a line.
pub(crate) fn wrap(
    fonts: &Fonts,
    text: &str,
    weight: Weight,
    (size, min_size): (f32, f32),
    width: f32,
    max_lines: usize,
) -> Result<Vec<Line>, PosterError> {
    fonts.assign(text, weight)?; // a missing glyph is reported for the whole text
    let tokens = tokens(text)
        .into_iter()
        .map(|(word, space)| Ok((shape(fonts, &word, weight)?.1, word, space)))
        .collect::<Result<Vec<Token>, PosterError>>()?;
    let space_em = fonts.face(0, weight).map_or(0.3, |id| fonts.advance_em(id, " "));
    let mut chosen = size;
    let mut breaks = greedy(&tokens, space_em, width / chosen);
    while breaks.len() > max_lines && chosen - 0.5 >= min_size {
        chosen -= 0.5;
        breaks = greedy(&tokens, space_em, width / chosen);
    }
    if breaks.len() > max_lines {
        breaks.truncate(max_lines.max(1));
        if let Some(last) = breaks.last_mut() {
            last.end = tokens.len();
        }
    }
    breaks.into_iter().map(|range| fit(fonts, &join(&tokens[range]), weight, chosen, width)).collect()
}

/// Splits `text` into runs of one font each. Returns the runs and the line's advance in ems.
fn shape(fonts: &Fonts, text: &str, weight: Weight) -> Result<(Vec<Run>, f32), PosterError> {
    let mut runs: Vec<Run> = Vec::new();
    for (c, family) in text.chars().zip(fonts.assign(text, weight)?) {
        match runs.last_mut() {
            Some(run) if run.family == family => run.text.push(c),
            _ => runs.push(Run { family, text: c.to_string() }),
        }
    }
    let em =
        runs.iter().map(|run| fonts.face(run.family, weight).map_or(0.0, |id| fonts.advance_em(id, &run.text))).sum();
    Ok((runs, em))
}

/// Breakable pieces of `text`, each with whether a space follows it. Breaks fall at spaces and
/// around CJK characters (not before closing punctuation nor after opening punctuation).
fn tokens(text: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    let mut word = String::new();
    let (mut after_cjk, mut after_opening) = (false, false);
    for c in text.chars() {
        if c == ' ' {
            if !word.is_empty() {
                out.push((std::mem::take(&mut word), true));
            } else if let Some(last) = out.last_mut() {
                last.1 = true;
            }
        } else {
            let cjk = is_cjk(c);
            if (cjk || after_cjk) && !after_opening && !CLOSING.contains(c) && !word.is_empty() {
                out.push((std::mem::take(&mut word), false));
            }
            word.push(c);
            (after_cjk, after_opening) = (cjk, OPENING.contains(c));
            continue;
        }
        (after_cjk, after_opening) = (false, false);
    }
    if !word.is_empty() {
        out.push((word, false));
    }
    out
}

const OPENING: &str = "（「『《〈【〔［｛“‘(";
const CLOSING: &str = "，。、：；！？）」』》〉】〕］｝”’・ー…";

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c), 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFF60 | 0x20000..=0x3FFFF)
}

/// Fills lines greedily; each token is `(advance_em, text, space_after)`. Returns the tokens
/// of each line.
fn greedy(tokens: &[Token], space_em: f32, max_em: f32) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let (mut start, mut line_em) = (0, 0.0);
    for (i, (em, _, _)) in tokens.iter().enumerate() {
        let gap = match i.checked_sub(1).and_then(|prev| tokens.get(prev)) {
            Some((_, _, true)) => space_em,
            _ => 0.0,
        };
        if i > start && line_em + gap + em > max_em {
            lines.push(start..i);
            (start, line_em) = (i, *em);
        } else {
            line_em += gap + em;
        }
    }
    if start < tokens.len() {
        lines.push(start..tokens.len());
    }
    lines
}

/// The text of consecutive tokens, with the spaces between them.
fn join(tokens: &[Token]) -> String {
    let mut text = String::new();
    for (i, (_, word, space)) in tokens.iter().enumerate() {
        text.push_str(word);
        if *space && i + 1 < tokens.len() {
            text.push(' ');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_break_at_spaces_and_between_ideographs() {
        let words: Vec<String> = tokens("Phở Hà Nội 河内粉店（总店）").into_iter().map(|t| t.0).collect();
        assert_eq!(words, ["Phở", "Hà", "Nội", "河", "内", "粉", "店", "（总", "店）"]);
    }

    #[test]
    fn greedy_wraps_at_the_width() {
        let tokens: Vec<Token> = ["aa", "bb", "cc"].iter().map(|w| (2.0, (*w).to_owned(), true)).collect();
        assert_eq!(greedy(&tokens, 1.0, 5.0), [0..2, 2..3]);
        assert_eq!(greedy(&tokens, 1.0, 4.9), [0..1, 1..2, 2..3]);
        assert_eq!(join(&tokens[0..2]), "aa bb");
        let ideographs: Vec<Token> = ["河", "内"].iter().map(|w| (1.0, (*w).to_owned(), false)).collect();
        assert_eq!(greedy(&ideographs, 1.0, 2.0), vec![Range { start: 0, end: 2 }]);
        assert_eq!(join(&ideographs), "河内");
    }
}
