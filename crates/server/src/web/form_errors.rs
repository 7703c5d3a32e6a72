//! A submitted form's errors, each shown beside its field (every one, not
//! only the first), in the reader's language when the catalogue has the
//! code (`field.CODE`), else in the parser's English message. The form
//! itself is re-rendered with what was typed.

use healthcode_domain::{
    Declaration, DistrictCode, DocumentNumber, DocumentType, ParseError, PersonName, PhoneNumber, RegionCode,
    SymptomSet, Temperature,
};

use crate::web::i18n::Lang;

/// What is left for the top of the page once an error found (or not) its field.
pub type Placed = Option<String>;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    /// Records the error for `field` (the first one per field wins).
    pub fn add(&mut self, lang: Lang, field: &'static str, code: &str, english: &str) {
        if self.get(field).is_none() {
            let text = if code.is_empty() { english } else { lang.t_opt(&format!("field.{code}")).unwrap_or(english) };
            self.0.push((field, text.to_string()));
        }
    }

    /// Keeps a parse result's value, or records its error for `field`.
    pub fn check<T>(&mut self, lang: Lang, field: &'static str, result: Result<T, ParseError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(lang, field, e.code, &e.message);
                None
            }
        }
    }

    /// A field the form requires was left empty.
    pub fn require(&mut self, lang: Lang, field: &'static str, value: &str) -> bool {
        if value.trim().is_empty() {
            self.add(lang, field, "FIELD_REQUIRED", "fill in this field");
            false
        } else {
            true
        }
    }

    /// Free text of `min..=max` characters once trimmed (`min` 0: optional).
    pub fn text(&mut self, lang: Lang, field: &'static str, typed: &str, min: usize, max: usize) -> bool {
        let n = typed.trim().chars().count();
        if n == 0 && min > 0 {
            return self.require(lang, field, typed);
        }
        if (min..=max).contains(&n) {
            return true;
        }
        let text = lang.tf("field.TEXT_LENGTH", &[("min", &min), ("max", &max)]);
        self.add(lang, field, "", &text);
        false
    }

    /// A whole number in `range` (`None` and no error when left empty and optional).
    pub fn number(
        &mut self,
        lang: Lang,
        field: &'static str,
        typed: &str,
        range: std::ops::RangeInclusive<u32>,
        (code, english): (&str, &str),
    ) -> Option<u32> {
        match typed.trim().parse::<u32>() {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                self.add(lang, field, code, english);
                None
            }
        }
    }

    /// A date as a date input sends it (`2026-11-20`).
    pub fn date(&mut self, lang: Lang, field: &'static str, typed: &str) -> Option<jiff::civil::Date> {
        match typed.trim().parse() {
            Ok(d) => Some(d),
            Err(_) => {
                self.add(lang, field, "DATE_INVALID", "dates look like 2026-11-20");
                None
            }
        }
    }

    /// An error a service answered: beside its field when `by_code` names
    /// one for its code (and `true`), else left for the top of the page.
    pub fn place(&mut self, lang: Lang, code: &str, message: &str, by_code: &[(&str, &'static str)]) -> bool {
        match by_code.iter().find(|(c, _)| *c == code) {
            Some((_, field)) => {
                self.add(lang, field, code, message);
                true
            }
            None => false,
        }
    }

    /// [`place`](Self::place) for a whole `ApiError`: `None` when it went beside
    /// its field, else the message for the top of the page.
    pub fn place_or_top(&mut self, lang: Lang, e: &crate::error::ApiError, by_code: &[(&str, &'static str)]) -> Placed {
        if self.place(lang, e.code, &e.message, by_code) { None } else { Some(e.message.clone()) }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// (field, message) in the order they were checked.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }

    /// The fields in error, in the order they were checked.
    pub fn fields(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.0.iter().map(|(f, _)| *f)
    }
}

/// A temperature as typed in a form (`36.6` or `36,6`), if it is one.
pub fn temperature(lang: Lang, errors: &mut FieldErrors, field: &'static str, typed: &str) -> Option<Temperature> {
    let t = typed.trim().replace(',', ".");
    match t.parse::<f64>() {
        Ok(c) => errors.check(lang, field, Temperature::from_celsius(c)),
        Err(_) => {
            errors.add(lang, field, "TEMPERATURE_INVALID", "temperature must be a number such as 36.6");
            None
        }
    }
}

/// What the declaration form holds, as typed.
pub struct DeclarationTyped<'a> {
    pub name: &'a str,
    pub document_type: &'a str,
    pub document_number: &'a str,
    pub district: &'a str,
    pub temperature_c: &'a str,
    pub symptoms: &'a [String],
    pub visited_regions: &'a str,
    pub travel_plan: &'a str,
}

/// Every problem of a typed declaration, field by field. The identity fields
/// go together: all empty is allowed (the account's identity stays), one
/// given needs the others.
pub fn declaration_errors(lang: Lang, d: &DeclarationTyped<'_>) -> FieldErrors {
    let mut e = FieldErrors::default();
    let identity = [d.name, d.document_type, d.document_number, d.district];
    if identity.iter().any(|v| !v.trim().is_empty()) {
        if e.require(lang, "name", d.name) {
            e.check(lang, "name", PersonName::parse(d.name));
        }
        if e.require(lang, "document_type", d.document_type) {
            e.check(lang, "document_type", DocumentType::parse(d.document_type));
        }
        if e.require(lang, "document_number", d.document_number) {
            e.check(lang, "document_number", DocumentNumber::parse(d.document_number));
        }
        if e.require(lang, "district", d.district) {
            e.check(lang, "district", DistrictCode::parse(d.district));
        }
    }
    if !d.temperature_c.trim().is_empty() {
        temperature(lang, &mut e, "temperature_c", d.temperature_c);
    }
    e.check(lang, "symptoms", SymptomSet::parse_all(d.symptoms));
    let regions: Vec<&str> = d.visited_regions.split([',', ' ', ';']).filter(|r| !r.trim().is_empty()).collect();
    if regions.len() > Declaration::MAX_REGIONS {
        e.add(lang, "visited_regions", "TOO_MANY_REGIONS", "at most 50 visited regions");
    }
    for r in regions {
        e.check(lang, "visited_regions", RegionCode::parse(r));
    }
    if d.travel_plan.trim().chars().count() > Declaration::MAX_TRAVEL_PLAN {
        e.add(lang, "travel_plan", "TRAVEL_PLAN_TOO_LONG", "travel plan is limited to 500 characters");
    }
    e
}

/// A phone number field.
pub fn phone(lang: Lang, errors: &mut FieldErrors, field: &'static str, typed: &str) -> Option<PhoneNumber> {
    if errors.require(lang, field, typed) { errors.check(lang, field, PhoneNumber::parse(typed)) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_of_a_declaration_is_reported() {
        let symptoms = vec!["fever".to_string(), "hiccups".to_string()];
        let typed = DeclarationTyped {
            name: "Li Wei",
            document_type: "national_id",
            document_number: "x",
            district: "",
            temperature_c: "hot",
            symptoms: &symptoms,
            visited_regions: "CN-ZJ, !!",
            travel_plan: "",
        };
        let e = declaration_errors(Lang::En, &typed);
        let fields: Vec<_> = e.fields().collect();
        assert_eq!(fields, ["document_number", "district", "temperature_c", "symptoms", "visited_regions"]);
        assert!(e.get("name").is_none());
    }

    #[test]
    fn an_empty_identity_is_allowed_and_errors_are_localized() {
        let typed = DeclarationTyped {
            name: "",
            document_type: "",
            document_number: "",
            district: "",
            temperature_c: "50",
            symptoms: &[],
            visited_regions: "",
            travel_plan: "",
        };
        let e = declaration_errors(Lang::Zh, &typed);
        assert_eq!(e.len(), 1);
        assert!(e.get("temperature_c").is_some_and(|m| !m.is_ascii()), "{e:?}");
    }
}
