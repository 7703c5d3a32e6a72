//! The region catalogue: the administrative divisions a deployment knows by
//! name (province → city → district → commune), with names in English,
//! Chinese and Vietnamese, the language printed first on posters there and
//! the local time zone.
//!
//! The default is `crates/server/data/regions.csv` (Hangzhou's and Hanoi's real divisions),
//! embedded in the binary; `regions_file` in the configuration replaces it
//! with another city's file of the same format (docs/REGIONS.md).
//!
//! Stored data keeps codes. Pages turn a code into a name with
//! [`Catalogue::name`] (an unknown code shows as itself, never an error) and
//! turn what a form sent, a code, an alias, a name in any of the three
//! languages or a picker's `Name (code)`, back into the code with
//! [`Catalogue::resolve`].

use std::collections::HashMap;
use std::path::Path;

use crate::web::i18n::Lang;

/// The catalogue shipped in the binary.
const EMBEDDED: &str = include_str!("../data/regions.csv");

const HEADER: &str = "code,parent,level,official,lang,time_zone,en,zh,vi,aliases";

/// How far down a division lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Province,
    City,
    District,
    Commune,
}

impl Level {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "province" => Level::Province,
            "city" => Level::City,
            "district" => Level::District,
            "commune" => Level::Commune,
            _ => return None,
        })
    }
}

/// One division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The code stored and sent, upper case.
    pub code: String,
    pub parent: Option<String>,
    pub level: Level,
    /// The code in the national list.
    pub official: String,
    /// Names indexed by [`Lang`] (English, Chinese, Vietnamese); an empty
    /// column of the file takes the first name given.
    pub names: [String; 3],
    /// The language posters here print first (inherited from the parent).
    pub lang: Option<Lang>,
    /// The local zone's name (inherited); kept for per-region time zones.
    pub time_zone: Option<String>,
}

impl Place {
    pub fn name(&self, lang: Lang) -> &str {
        &self.names[lang as usize]
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogueError {
    #[error("reading {path}: {message}")]
    Read { path: String, message: String },
    #[error("region catalogue line {line}: {message}")]
    Line { line: usize, message: String },
}

/// Every division, by code; aliases and names point at codes.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    places: Vec<Place>,
    by_code: HashMap<String, usize>,
    /// Lower-cased names in every language -> the places so named.
    by_name: HashMap<String, Vec<usize>>,
}

/// What a form field resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved<'a> {
    /// A division of the catalogue.
    Known(&'a Place),
    /// A name several divisions share (e.g. "Tây Hồ"); the field must say which.
    Ambiguous,
    /// Not in the catalogue: kept as typed (an older or another city's code).
    Unknown,
}

impl Catalogue {
    /// The catalogue embedded in the binary (`crates/server/data/regions.csv`).
    pub fn embedded() -> Self {
        // The file is part of the source and parsed by a unit test.
        Self::parse(EMBEDDED).unwrap_or_default()
    }

    /// A catalogue file of the same format, replacing the embedded one.
    pub fn from_file(path: &Path) -> Result<Self, CatalogueError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CatalogueError::Read { path: path.display().to_string(), message: e.to_string() })?;
        Self::parse(&text)
    }

    /// Parses the CSV text: comment lines start with `#`, the header names the
    /// columns in order, fields hold no commas or quotes.
    pub fn parse(text: &str) -> Result<Self, CatalogueError> {
        let mut rows = Vec::new();
        let mut header_seen = false;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let fail = |message: String| CatalogueError::Line { line, message };
            let row = raw.trim_end_matches('\r');
            if row.trim().is_empty() || row.starts_with('#') {
                continue;
            }
            if !header_seen {
                if row.trim() != HEADER {
                    return Err(fail(format!("the header must be `{HEADER}`")));
                }
                header_seen = true;
                continue;
            }
            let f: Vec<&str> = row.split(',').map(str::trim).collect();
            if f.len() != 10 {
                return Err(fail(format!("{} fields, 10 expected", f.len())));
            }
            if f.iter().any(|v| v.contains('"')) {
                return Err(fail("quotes are not allowed".into()));
            }
            let code = healthcode_domain::DistrictCode::parse(f[0]).map_err(|e| fail(e.message))?;
            let level = Level::parse(f[2]).ok_or_else(|| fail(format!("unknown level `{}`", f[2])))?;
            let lang = match f[4] {
                "" => None,
                l => Some(Lang::parse(l).ok_or_else(|| fail(format!("unknown language `{l}`")))?),
            };
            if !f[5].is_empty() && jiff::tz::TimeZone::get(f[5]).is_err() {
                return Err(fail(format!("unknown time zone `{}`", f[5])));
            }
            let given = [f[6], f[7], f[8]];
            let Some(first) = given.iter().find(|n| !n.is_empty()) else {
                return Err(fail("a division needs a name".into()));
            };
            let names = given.map(|n| if n.is_empty() { (*first).to_owned() } else { n.to_owned() });
            let parent = (!f[1].is_empty()).then(|| f[1].to_ascii_uppercase());
            let aliases: Vec<String> =
                f[9].split('|').map(str::trim).filter(|a| !a.is_empty()).map(str::to_ascii_uppercase).collect();
            let place = Place {
                code: code.as_str().to_owned(),
                parent,
                level,
                official: f[3].to_owned(),
                names,
                lang,
                time_zone: (!f[5].is_empty()).then(|| f[5].to_owned()),
            };
            rows.push((line, place, aliases));
        }
        let mut catalogue = Catalogue::default();
        for (line, place, _) in &rows {
            if catalogue.by_code.insert(place.code.clone(), catalogue.places.len()).is_some() {
                return Err(CatalogueError::Line { line: *line, message: format!("code {} twice", place.code) });
            }
            catalogue.places.push(place.clone());
        }
        for (line, place, aliases) in &rows {
            let fail = |message: String| CatalogueError::Line { line: *line, message };
            if let Some(parent) = &place.parent {
                let Some(&p) = catalogue.by_code.get(parent) else {
                    return Err(fail(format!("parent {parent} is not listed before or after")));
                };
                if catalogue.places[p].level >= place.level {
                    return Err(fail(format!("parent {parent} is not above a {:?}", place.level)));
                }
            }
            let index = catalogue.by_code[&place.code];
            for alias in aliases {
                if catalogue.by_code.insert(alias.clone(), index).is_some() {
                    return Err(fail(format!("alias {alias} is already a code or alias")));
                }
            }
        }
        // Inherit language and zone from the parent (parents may come later in the file).
        for i in 0..catalogue.places.len() {
            let (mut lang, mut zone) = (catalogue.places[i].lang, catalogue.places[i].time_zone.clone());
            let mut up = catalogue.places[i].parent.clone();
            while (lang.is_none() || zone.is_none())
                && let Some(p) = up.and_then(|code| catalogue.by_code.get(&code).copied())
            {
                let parent = &catalogue.places[p];
                lang = lang.or(parent.lang);
                zone = zone.or_else(|| parent.time_zone.clone());
                up = parent.parent.clone();
            }
            catalogue.places[i].lang = lang;
            catalogue.places[i].time_zone = zone;
        }
        for (i, place) in catalogue.places.iter().enumerate() {
            let mut keys: Vec<String> = place.names.iter().map(|n| n.to_lowercase()).collect();
            keys.dedup();
            for key in keys {
                let list = catalogue.by_name.entry(key).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
        Ok(catalogue)
    }

    /// Every division, in file order.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The division with this code or alias (any case).
    pub fn get(&self, code: &str) -> Option<&Place> {
        let code = code.trim();
        self.by_code.get(code).or_else(|| self.by_code.get(&code.to_ascii_uppercase())).map(|&i| &self.places[i])
    }

    /// The name of a code in `lang`; a code the catalogue does not know shows
    /// as itself.
    pub fn name<'a>(&'a self, code: &'a str, lang: Lang) -> &'a str {
        self.get(code).map_or(code, |p| p.name(lang))
    }

    /// The division's name, then the names of the ones it lies in up to the
    /// province ("Quận Hoàn Kiếm, Thành phố Hà Nội").
    pub fn path(&self, code: &str, lang: Lang) -> String {
        let mut names = vec![self.name(code, lang).to_owned()];
        let mut up = self.get(code).and_then(|p| p.parent.clone());
        while let Some(place) = up.as_deref().and_then(|c| self.get(c)) {
            names.push(place.name(lang).to_owned());
            up = place.parent.clone();
        }
        names.join(", ")
    }

    /// The language posters print first for a place in this region.
    pub fn language(&self, code: &str) -> Option<Lang> {
        self.get(code).and_then(|p| p.lang)
    }

    /// The divisions at `level`, in file order.
    pub fn at_level(&self, level: Level) -> impl Iterator<Item = &Place> {
        self.places.iter().filter(move |p| p.level == level)
    }

    /// What a form field holds: a code or alias, a picker's `Name (code)`, or
    /// a name in any language (case does not matter).
    pub fn resolve(&self, input: &str) -> Resolved<'_> {
        let input = input.trim();
        if input.is_empty() {
            return Resolved::Unknown;
        }
        if let Some(place) = self.get(input) {
            return Resolved::Known(place);
        }
        if let Some(code) = input.strip_suffix(')').and_then(|s| s.rsplit_once('(')).map(|(_, c)| c)
            && let Some(place) = self.get(code)
        {
            return Resolved::Known(place);
        }
        match self.by_name.get(&input.to_lowercase()).map(Vec::as_slice) {
            Some([one]) => Resolved::Known(&self.places[*one]),
            Some([_, _, ..]) => Resolved::Ambiguous,
            _ => Resolved::Unknown,
        }
    }

    /// The code a form field stands for: the catalogue's code when it names
    /// one division, else the text as typed (then checked as a code, so a
    /// shared name is refused as one).
    pub fn code_of(&self, input: &str) -> String {
        match self.resolve(input) {
            Resolved::Known(place) => place.code.clone(),
            Resolved::Ambiguous | Resolved::Unknown => input.trim().to_owned(),
        }
    }

    /// Rewrites the named fields of a submitted form to codes (`visited_regions`
    /// item by item), so the handlers and their checks see codes.
    pub fn codes_in_form(&self, fields: &mut [(String, String)], names: &[&str]) {
        for (name, value) in fields.iter_mut() {
            if name == "visited_regions" {
                let items: Vec<String> = value
                    .split([',', ';', '，', '、'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| self.code_of(s))
                    .collect();
                *value = items.join(", ");
            } else if names.contains(&name.as_str()) {
                *value = self.code_of(value);
            }
        }
    }

    /// What a picker shows for a stored code: `Name (code)`, or the code alone
    /// when the catalogue does not know it.
    pub fn picker_value(&self, code: &str, lang: Lang) -> String {
        match self.get(code) {
            Some(place) => format!("{} ({})", place.name(lang), place.code),
            None => code.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Place {
        fn children_count(&self, c: &Catalogue) -> usize {
            c.places.iter().filter(|p| p.parent.as_deref() == Some(self.code.as_str())).count()
        }
    }

    #[test]
    fn the_embedded_file_parses_with_both_cities() {
        let c = Catalogue::parse(EMBEDDED).unwrap();
        assert_eq!(c.get("3301").unwrap().children_count(&c), 13, "Hangzhou has 13 districts since 2021");
        assert_eq!(c.get("VN-HN").unwrap().children_count(&c), 30, "Hanoi has 30 district-level units");
        assert_eq!(c.name("330102", Lang::Zh), "上城区");
        assert_eq!(c.name("002", Lang::Vi), "Quận Hoàn Kiếm");
        assert_eq!(c.name("hn-hoan-kiem", Lang::En), "Hoan Kiem District", "aliases keep older codes working");
        assert_eq!(c.name("330104", Lang::Zh), "上城区", "a code from before the 2021 redivision");
        assert_eq!(c.name("XX-UNKNOWN", Lang::Zh), "XX-UNKNOWN");
        assert_eq!(c.language("00037"), Some(Lang::Vi), "a ward inherits its province's language");
        assert_eq!(c.language("330106001"), Some(Lang::Zh));
        assert_eq!(c.get("00037").unwrap().time_zone.as_deref(), Some("Asia/Ho_Chi_Minh"));
        assert_eq!(c.path("00037", Lang::En), "Phuc Tan Ward, Hoan Kiem District, Hanoi");
        assert_eq!(c.name("00037", Lang::Zh), "Phuc Tan Ward", "no Chinese name: the first one given");
    }

    #[test]
    fn form_input_resolves_in_every_language() {
        let c = Catalogue::embedded();
        for input in ["330106", "西湖区", "xihu district", "Quận Tây Hồ (Hàng Châu)", "西湖区 (330106)"] {
            assert_eq!(c.code_of(input), "330106", "{input}");
        }
        assert_eq!(c.code_of("Hà Nội"), "Hà Nội", "not a name in the file: kept as typed");
        assert_eq!(c.code_of("Thành phố Hà Nội"), "VN-HN");
        assert_eq!(c.code_of("cn-zj"), "CN-ZJ");
        assert_eq!(c.code_of(" D1 "), "D1");
        let mut form = vec![
            ("district".to_owned(), "上城区 (330102)".to_owned()),
            ("visited_regions".to_owned(), "上海市，Hubei, VN-HN".to_owned()),
            ("name".to_owned(), "西湖区".to_owned()),
        ];
        c.codes_in_form(&mut form, &["district"]);
        assert_eq!(form[0].1, "330102");
        assert_eq!(form[1].1, "CN-SH, CN-HB, VN-HN");
        assert_eq!(form[2].1, "西湖区", "other fields are left alone");
        assert_eq!(c.picker_value("002", Lang::Zh), "还剑郡 (002)");
    }

    #[test]
    fn shared_names_are_ambiguous() {
        let text =
            format!("{HEADER}\nP,,province,1,en,,P,P,P,\nA,P,district,2,,,Same,甲,A,\nB,P,district,3,,,Same,乙,B,\n");
        let c = Catalogue::parse(&text).unwrap();
        assert_eq!(c.resolve("same"), Resolved::Ambiguous);
        assert_eq!(c.code_of("same"), "same", "kept as typed, then checked as a code");
        assert_eq!(c.code_of("甲"), "A");
    }

    #[test]
    fn bad_files_name_the_line() {
        let bad = |body: &str| Catalogue::parse(&format!("{HEADER}\n{body}\n")).unwrap_err().to_string();
        assert!(bad("A,,province,1,en,,A,A,A,\nA,,province,1,en,,A,A,A,").contains("line 3"));
        assert!(bad("A,Z,district,1,,,A,A,A,").contains("parent Z"));
        assert!(bad("A,,planet,1,,,A,A,A,").contains("unknown level"));
        assert!(bad("A,,province,1,fr,,A,A,A,").contains("unknown language"));
        assert!(bad("A,,province,1,en,Mars/Base,A,A,A,").contains("time zone"));
        assert!(bad("A,,province,1,en,,,,,").contains("needs a name"));
        assert!(bad("A,,province").contains("fields"));
        assert!(Catalogue::parse("code,name\n").unwrap_err().to_string().contains("header"));
    }
}
