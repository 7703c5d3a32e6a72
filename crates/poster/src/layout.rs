//! Where everything goes on the A4 page: text blocks above and below, the QR code centred
//! between them. All lengths are in millimetres.

use std::borrow::Cow;

use healthcode_credential::QrMatrix;
use resvg::usvg::fontdb::Weight;

use crate::text::{self, Line};
use crate::{Fonts, PAGE_HEIGHT_MM, PAGE_WIDTH_MM, PosterContent, PosterError, QR_SIDE_MM, QUIET_ZONE_MODULES, TITLE};

const MARGIN_X: f32 = 12.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH_MM - 2.0 * MARGIN_X;
const MARGIN_TOP: f32 = 12.0;
const MARGIN_BOTTOM: f32 = 10.0;
/// Space between blocks of text (title, name, address...).
const GAP: f32 = 3.0;
/// Baseline below the top of a line box, and line box height, in ems.
const ASCENT: f32 = 0.95;
const LINE_HEIGHT: f32 = 1.25;
/// Font sizes before any shrinking to make room for the QR code.
const TITLE_SIZE: f32 = 10.0;
/// The headline in the other languages, and the deployment's name.
const SUBTITLE_SIZE: f32 = 5.5;
const BANNER_SIZE: f32 = 4.5;
/// The first instruction (the venue region's language) is this much larger.
const FIRST_INSTRUCTION: f32 = 1.3;
const NAME_SIZE: (f32, f32) = (14.0, 8.0);
const NAME_LINES: usize = 2;
const ADDRESS_SIZE: f32 = 5.5;
const INSTRUCTION_SIZE: f32 = 5.5;
const REFERENCE_SIZE: f32 = 3.5;
/// The entry code, printed large enough to read from a step away.
const ENTRY_CODE_SIZE: f32 = 12.0;
/// Text shrinks by this factor until the QR code fits, down to `MIN_SCALE`.
const SHRINK: f32 = 0.9;
const MIN_SCALE: f32 = 0.45;

/// A line with the baseline it sits on; it is centred horizontally on the page.
#[derive(Debug, Clone)]
pub(crate) struct Placed {
    pub line: Line,
    pub baseline: f32,
}

/// The laid-out page.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub lines: Vec<Placed>,
    pub qr: QrMatrix,
    /// Top-left corner of the QR symbol (inside its quiet zone) and the side of one module.
    pub qr_x: f32,
    pub qr_y: f32,
    pub module: f32,
}

pub(crate) fn layout(content: &PosterContent, fonts: &Fonts) -> Result<Page, PosterError> {
    let c = Cleaned::new(content)?;
    let qr = healthcode_credential::matrix(&content.qr_text)?;
    let modules = qr.size();
    let module = QR_SIDE_MM / modules as f32;
    let qr_block = module * (modules + 2 * QUIET_ZONE_MODULES) as f32;
    let mut scale = 1.0;
    loop {
        let top = top_blocks(&c, fonts, scale)?;
        let bottom = bottom_blocks(&c, fonts, scale)?;
        let gap = GAP * scale;
        let bottom_start = PAGE_HEIGHT_MM - MARGIN_BOTTOM - height(&bottom, gap);
        let top_end = MARGIN_TOP + height(&top, gap);
        if bottom_start - top_end >= qr_block {
            let mut lines = place(top, MARGIN_TOP, gap);
            lines.extend(place(bottom, bottom_start, gap));
            let qr_y = (top_end + bottom_start - qr_block) / 2.0 + module * QUIET_ZONE_MODULES as f32;
            return Ok(Page { lines, qr, qr_x: (PAGE_WIDTH_MM - QR_SIDE_MM) / 2.0, qr_y, module });
        }
        scale *= SHRINK;
        if scale < MIN_SCALE {
            return Err(PosterError::TooMuchText("the venue name, address or instructions"));
        }
    }
}

fn top_blocks(c: &Cleaned<'_>, fonts: &Fonts, scale: f32) -> Result<Vec<Vec<Line>>, PosterError> {
    let banner = lines(fonts, std::slice::from_ref(&c.banner), BANNER_SIZE * scale)?;
    let mut title = Vec::new();
    for (i, headline) in c.headlines.iter().enumerate() {
        let (weight, size) = if i == 0 { (Weight::BOLD, TITLE_SIZE) } else { (Weight::NORMAL, SUBTITLE_SIZE) };
        title.push(text::fit(fonts, headline, weight, size * scale, TEXT_WIDTH)?);
    }
    let sizes = (NAME_SIZE.0 * scale, NAME_SIZE.1 * scale);
    let name = text::wrap(fonts, &c.venue_name, Weight::BOLD, sizes, TEXT_WIDTH, NAME_LINES)?;
    let address = lines(fonts, &c.address_lines, ADDRESS_SIZE * scale)?;
    Ok(vec![banner, title, name, address])
}

fn bottom_blocks(c: &Cleaned<'_>, fonts: &Fonts, scale: f32) -> Result<Vec<Vec<Line>>, PosterError> {
    let mut instructions = lines(fonts, &c.instructions, INSTRUCTION_SIZE * scale)?;
    if let (Some(first), Some(text)) = (instructions.first_mut(), c.instructions.iter().find(|t| !t.is_empty())) {
        *first = text::fit(fonts, text, Weight::BOLD, INSTRUCTION_SIZE * FIRST_INSTRUCTION * scale, TEXT_WIDTH)?;
    }
    let mut entry = lines(fonts, std::slice::from_ref(&c.entry_instruction), INSTRUCTION_SIZE * scale)?;
    if !c.entry_code.is_empty() {
        entry.push(text::fit(fonts, &c.entry_code, Weight::BOLD, ENTRY_CODE_SIZE * scale, TEXT_WIDTH)?);
    } else {
        entry.clear();
    }
    let reference = lines(fonts, std::slice::from_ref(&c.reference), REFERENCE_SIZE * scale)?;
    Ok(vec![instructions, entry, reference])
}

fn lines(fonts: &Fonts, texts: &[Cow<'_, str>], size: f32) -> Result<Vec<Line>, PosterError> {
    texts.iter().filter(|t| !t.is_empty()).map(|t| text::fit(fonts, t, Weight::NORMAL, size, TEXT_WIDTH)).collect()
}

fn height(blocks: &[Vec<Line>], gap: f32) -> f32 {
    let filled = blocks.iter().filter(|b| !b.is_empty());
    let lines: f32 = filled.clone().flatten().map(|l| l.size * LINE_HEIGHT).sum();
    lines + gap * filled.count().saturating_sub(1) as f32
}

fn place(blocks: Vec<Vec<Line>>, mut y: f32, gap: f32) -> Vec<Placed> {
    let mut out = Vec::new();
    for block in blocks.into_iter().filter(|b| !b.is_empty()) {
        for line in block {
            let (baseline, next) = (y + line.size * ASCENT, y + line.size * LINE_HEIGHT);
            out.push(Placed { line, baseline });
            y = next;
        }
        y += gap;
    }
    out
}

/// The content with whitespace tidied, checked against the limits a poster can hold.
struct Cleaned<'a> {
    venue_name: Cow<'a, str>,
    address_lines: Vec<Cow<'a, str>>,
    instructions: Vec<Cow<'a, str>>,
    reference: Cow<'a, str>,
    headlines: Vec<Cow<'a, str>>,
    banner: Cow<'a, str>,
    entry_code: Cow<'a, str>,
    entry_instruction: Cow<'a, str>,
}

impl<'a> Cleaned<'a> {
    fn new(c: &'a PosterContent) -> Result<Self, PosterError> {
        let fail = |what: &str| Err(PosterError::Content(what.to_owned()));
        if c.qr_text.is_empty() {
            return fail("the QR text is empty");
        }
        let venue_name = limit(clean(&c.venue_name), 120, "the venue name")?;
        if venue_name.is_empty() {
            return fail("the venue name is empty");
        }
        if c.address_lines.len() > 3 {
            return fail("more than 3 address lines");
        }
        if c.instructions.len() > 6 {
            return fail("more than 6 instruction lines");
        }
        let address_lines =
            c.address_lines.iter().map(|l| limit(clean(l), 120, "an address line")).collect::<Result<_, _>>()?;
        let instructions =
            c.instructions.iter().map(|l| limit(clean(l), 160, "an instruction line")).collect::<Result<_, _>>()?;
        let reference = limit(clean(&c.reference), 40, "the reference")?;
        if c.headlines.len() > 3 {
            return fail("more than 3 headlines");
        }
        let mut headlines: Vec<Cow<'a, str>> = c
            .headlines
            .iter()
            .map(|l| limit(clean(l), 60, "a headline"))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect();
        if headlines.is_empty() {
            headlines.push(Cow::Borrowed(TITLE));
        }
        let banner = limit(clean(&c.banner), 60, "the deployment name")?;
        let entry_code = limit(clean(&c.entry_code), 20, "the entry code")?;
        let entry_instruction = limit(clean(&c.entry_instruction), 160, "the entry code's instruction")?;
        Ok(Self {
            venue_name,
            address_lines,
            instructions,
            reference,
            headlines,
            banner,
            entry_code,
            entry_instruction,
        })
    }
}

fn limit<'a>(text: Cow<'a, str>, max_chars: usize, what: &str) -> Result<Cow<'a, str>, PosterError> {
    if text.chars().count() > max_chars {
        return Err(PosterError::Content(format!("{what} is longer than {max_chars} characters")));
    }
    Ok(text)
}

/// Collapses whitespace runs to one space, drops control characters and trims.
fn clean(text: &str) -> Cow<'_, str> {
    let tidy = !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && text.chars().all(|c| c == ' ' || !(c.is_whitespace() || c.is_control()));
    if tidy {
        return Cow::Borrowed(text);
    }
    let words = text.split_whitespace().map(|w| w.chars().filter(|c| !c.is_control()).collect::<String>());
    Cow::Owned(words.filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" "))
}
