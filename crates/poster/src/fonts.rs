//! The fonts a poster is set in: found at run time, tried in a fixed order per character.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use resvg::usvg::fontdb::{Database, Family, ID, Query, Stretch, Style, Weight};
use rustybuzz::ttf_parser;

use crate::PosterError;

/// Sans-serif families tried first, in this order: Latin (with Vietnamese) before CJK, and
/// Simplified Chinese before the other CJK variants. Any other installed family comes after.
const PREFERRED: &[&str] = &[
    "DejaVu Sans",
    "Noto Sans",
    "Liberation Sans",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
];

/// A font database plus the order in which its families are tried for each character.
///
/// Cheap to clone (shared). Load it once ([`Fonts::system`]) and reuse it: scanning the system
/// fonts takes a few milliseconds.
#[derive(Clone)]
pub struct Fonts {
    db: Arc<Database>,
    families: Arc<[String]>,
}

impl Fonts {
    /// The fonts installed on this machine (fontconfig directories on Linux).
    pub fn system() -> Self {
        let mut db = Database::new();
        db.load_system_fonts();
        Self::from_db(db)
    }

    /// Only the fonts found in `dirs` (recursively); no system fonts.
    pub fn from_dirs<P: AsRef<Path>>(dirs: &[P]) -> Result<Self, PosterError> {
        let mut db = Database::new();
        for dir in dirs {
            load_dir(&mut db, dir.as_ref())?;
        }
        Ok(Self::from_db(db))
    }

    /// These fonts plus the ones found in `dir` (recursively), e.g. a shipped CJK font.
    pub fn with_dir(self, dir: impl AsRef<Path>) -> Result<Self, PosterError> {
        let mut db = Arc::unwrap_or_clone(self.db);
        load_dir(&mut db, dir.as_ref())?;
        Ok(Self::from_db(db))
    }

    /// Family names in the order they are tried for each character.
    pub fn families(&self) -> &[String] {
        &self.families
    }

    pub(crate) fn db(&self) -> &Arc<Database> {
        &self.db
    }

    fn from_db(db: Database) -> Self {
        let installed: BTreeSet<&str> =
            db.faces().filter_map(|face| face.families.first()).map(|(name, _)| name.as_str()).collect();
        let mut families: Vec<String> =
            PREFERRED.iter().filter(|name| installed.contains(*name)).map(|name| (*name).to_owned()).collect();
        families.extend(installed.iter().filter(|name| !PREFERRED.contains(name)).map(|name| (*name).to_owned()));
        Self { db: Arc::new(db), families: families.into() }
    }

    /// The face of family number `family` closest to `weight` (upright, normal width).
    pub(crate) fn face(&self, family: usize, weight: Weight) -> Option<ID> {
        let name = self.families.get(family)?;
        self.db.query(&Query {
            families: &[Family::Name(name)],
            weight,
            stretch: Stretch::Normal,
            style: Style::Normal,
        })
    }

    /// Picks a family for every character of `text`: the first family whose `weight` face has
    /// a glyph for it. Digits, punctuation and spaces stay in the font of the text around them
    /// when it has them (so "街12号" is set in one CJK font).
    pub(crate) fn assign(&self, text: &str, weight: Weight) -> Result<Vec<usize>, PosterError> {
        let chars: Vec<char> = text.chars().collect();
        let mut coverage: Vec<Option<Vec<bool>>> = vec![None; self.families.len()];
        let mut covers = |family: usize, i: usize| {
            let cached = &mut coverage[family];
            let known = cached.get_or_insert_with(|| self.coverage(family, weight, &chars));
            known.get(i).copied().unwrap_or(false)
        };
        let mut chosen: Vec<Option<usize>> = vec![None; chars.len()];
        for (i, &c) in chars.iter().enumerate() {
            if c.is_whitespace() {
                continue;
            }
            chosen[i] = (0..self.families.len()).find(|&family| covers(family, i));
            if chosen[i].is_none() {
                return Err(PosterError::FontMissing { text: text.to_owned(), character: c });
            }
        }
        let leading = chosen.iter().zip(&chars).find(|(family, c)| family.is_some() && !is_common(**c));
        let mut current =
            leading.and_then(|(family, _)| *family).or(chosen.iter().flatten().next().copied()).unwrap_or(0);
        for (i, &c) in chars.iter().enumerate() {
            match chosen[i] {
                Some(family) if !is_common(c) => current = family,
                _ if c.is_whitespace() || covers(current, i) => chosen[i] = Some(current),
                _ => {}
            }
        }
        Ok(chosen.into_iter().map(|family| family.unwrap_or(current)).collect())
    }

    /// Which of `chars` the `weight` face of `family` has a glyph for.
    fn coverage(&self, family: usize, weight: Weight, chars: &[char]) -> Vec<bool> {
        let none = || vec![false; chars.len()];
        let Some(id) = self.face(family, weight) else { return none() };
        self.db
            .with_face_data(id, |data, index| match ttf_parser::Face::parse(data, index) {
                Ok(face) => chars.iter().map(|&c| face.glyph_index(c).is_some()).collect(),
                Err(_) => none(),
            })
            .unwrap_or_else(none)
    }

    /// Advance width of `text` set in face `id`, in ems (shaped, so kerning is counted).
    pub(crate) fn advance_em(&self, id: ID, text: &str) -> f32 {
        self.db
            .with_face_data(id, |data, index| {
                let Some(face) = rustybuzz::Face::from_slice(data, index) else { return 0.0 };
                let mut buffer = rustybuzz::UnicodeBuffer::new();
                buffer.push_str(text);
                buffer.guess_segment_properties();
                let glyphs = rustybuzz::shape(&face, &[], buffer);
                let units: i64 = glyphs.glyph_positions().iter().map(|p| i64::from(p.x_advance)).sum();
                units as f32 / face.units_per_em().max(1) as f32
            })
            .unwrap_or(0.0)
    }
}

impl fmt::Debug for Fonts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fonts").field("faces", &self.db.len()).field("families", &self.families).finish()
    }
}

fn load_dir(db: &mut Database, dir: &Path) -> Result<(), PosterError> {
    if !dir.is_dir() {
        return Err(PosterError::FontDir(dir.to_owned()));
    }
    db.load_fonts_dir(dir);
    Ok(())
}

/// Characters shared by all scripts (digits, punctuation, spaces) that follow their neighbours.
fn is_common(c: char) -> bool {
    c.is_ascii_digit() || c.is_ascii_punctuation() || c.is_whitespace() || ('\u{2000}'..='\u{206F}').contains(&c)
}
