//! Parsed value types. Each `parse` validates once so the rest of the system
//! never handles an unchecked string.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ParseError;

/// A phone number in E.164 form: `+` then 8 to 15 digits. Spaces, dashes,
/// dots and brackets are ignored when parsing; a leading `00` becomes `+`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let cleaned: String = input.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
        let digits = if let Some(rest) = cleaned.strip_prefix('+') {
            rest
        } else if let Some(rest) = cleaned.strip_prefix("00") {
            rest
        } else {
            return Err(ParseError::new(
                "PHONE_INVALID",
                "phone number must start with + and the country code, e.g. +8613800000000",
            ));
        };
        if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new("PHONE_INVALID", "phone number must be + followed by 8 to 15 digits"));
        }
        Ok(Self(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address (visitors may sign in with one). Checked loosely: one
/// `@`, a dot in the domain, no spaces, at most 254 characters; lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.trim().to_ascii_lowercase();
        let err = || ParseError::new("EMAIL_INVALID", "not a valid e-mail address");
        let (local, domain) = s.split_once('@').ok_or_else(err)?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok { Ok(Self(s)) } else { Err(err()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How an account is reached and signs in: a phone number (residents, and
/// visitors with a local SIM) or an e-mail address (visitors).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Contact {
    Phone(PhoneNumber),
    Email(Email),
}

impl Contact {
    /// Parses `+…` as a phone number and anything with `@` as an e-mail.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        if input.contains('@') {
            Email::parse(input).map(Contact::Email)
        } else {
            PhoneNumber::parse(input).map(Contact::Phone)
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Contact::Phone(p) => p.as_str(),
            Contact::Email(e) => e.as_str(),
        }
    }
}

impl fmt::Display for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of identity document a person declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    NationalId,
    Passport,
    ForeignId,
}

impl DocumentType {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentType::NationalId => "national_id",
            DocumentType::Passport => "passport",
            DocumentType::ForeignId => "foreign_id",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ParseError> {
        match input.trim() {
            "national_id" => Ok(DocumentType::NationalId),
            "passport" => Ok(DocumentType::Passport),
            "foreign_id" => Ok(DocumentType::ForeignId),
            _ => Err(ParseError::new(
                "DOCUMENT_TYPE_INVALID",
                "document type must be national_id, passport or foreign_id",
            )),
        }
    }
}

/// An identity document number: 5 to 20 letters and digits, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentNumber(String);

impl DocumentNumber {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s: String = input.trim().chars().filter(|c| *c != ' ').collect::<String>().to_ascii_uppercase();
        if (5..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(Self(s))
        } else {
            Err(ParseError::new("DOCUMENT_NUMBER_INVALID", "document number must be 5 to 20 letters or digits"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four characters, printed on the code for an eye-check.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len().saturating_sub(4)..]
    }
}

/// A person's name as written on their document: 1 to 100 characters, any script.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let n = s.chars().count();
        if (1..=100).contains(&n) && !s.chars().any(char::is_control) {
            Ok(Self(s))
        } else {
            Err(ParseError::new("NAME_INVALID", "name must be 1 to 100 characters"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Initials for the code's eye-check: the first letter of each word,
    /// upper-cased, at most four. A single-word name in a script without
    /// spaces (e.g. 李伟) gives its first character.
    pub fn initials(&self) -> String {
        self.0.split_whitespace().filter_map(|w| w.chars().next()).flat_map(char::to_uppercase).take(4).collect()
    }
}

macro_rules! code_type {
    ($(#[$meta:meta])* $name:ident, $code:literal, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// 1 to 32 characters of `A-Z 0-9 - _ .`, upper-cased.
            pub fn parse(input: &str) -> Result<Self, ParseError> {
                let s = input.trim().to_ascii_uppercase();
                if (1..=32).contains(&s.len())
                    && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
                {
                    Ok(Self(s))
                } else {
                    Err(ParseError::new($code, concat!($what, " must be 1 to 32 letters, digits, '-', '_' or '.'")))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

code_type!(
    /// An administrative district (e.g. an official division code like `330102`).
    DistrictCode,
    "DISTRICT_INVALID",
    "district"
);
code_type!(
    /// A region a person visited or comes from (province, city or country code).
    RegionCode,
    "REGION_INVALID",
    "region"
);

macro_rules! string_serde {
    ($name:ident) => {
        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
string_serde!(PhoneNumber);
string_serde!(Email);
string_serde!(DocumentNumber);
string_serde!(PersonName);

/// A body temperature in tenths of a degree Celsius, 30.0 to 45.0 °C.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Temperature(u16);

impl Temperature {
    pub fn from_celsius(c: f64) -> Result<Self, ParseError> {
        if !c.is_finite() || !(30.0..=45.0).contains(&c) {
            return Err(ParseError::new("TEMPERATURE_OUT_OF_RANGE", "temperature must be between 30.0 and 45.0 °C"));
        }
        // Rounded to one decimal; the range check makes the cast lossless.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(Self((c * 10.0).round() as u16))
    }

    pub fn from_tenths(t: u16) -> Result<Self, ParseError> {
        Self::from_celsius(f64::from(t) / 10.0)
    }

    pub fn tenths(self) -> u16 {
        self.0
    }

    pub fn celsius(self) -> f64 {
        f64::from(self.0) / 10.0
    }
}

impl fmt::Display for Temperature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} °C", self.celsius())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_normalised() {
        assert_eq!(PhoneNumber::parse(" +86 138-0000-0000 ").unwrap().as_str(), "+8613800000000");
        assert_eq!(PhoneNumber::parse("0084912345678").unwrap().as_str(), "+84912345678");
        assert_eq!(PhoneNumber::parse("13800000000").unwrap_err().code, "PHONE_INVALID");
        assert_eq!(PhoneNumber::parse("+12ab5678901").unwrap_err().code, "PHONE_INVALID");
        assert_eq!(PhoneNumber::parse("+1234").unwrap_err().code, "PHONE_INVALID");
    }

    #[test]
    fn contact_picks_email_or_phone() {
        assert!(
            matches!(Contact::parse("Anna@Example.org").unwrap(), Contact::Email(e) if e.as_str() == "anna@example.org")
        );
        assert!(matches!(Contact::parse("+84912345678").unwrap(), Contact::Phone(_)));
        assert!(Contact::parse("a@b").is_err());
    }

    #[test]
    fn document_numbers_and_last4() {
        let d = DocumentNumber::parse("e1234 5678").unwrap();
        assert_eq!(d.as_str(), "E12345678");
        assert_eq!(d.last4(), "5678");
        assert!(DocumentNumber::parse("ab").is_err());
        assert!(DocumentNumber::parse("ab$12345").is_err());
    }

    #[test]
    fn initials_of_latin_and_cjk_names() {
        assert_eq!(PersonName::parse("li  wei").unwrap().initials(), "LW");
        assert_eq!(PersonName::parse("李伟").unwrap().initials(), "李");
        assert_eq!(PersonName::parse("Nguyễn Văn An").unwrap().initials(), "NVA");
        assert!(PersonName::parse("   ").is_err());
    }

    #[test]
    fn temperature_rounds_and_bounds() {
        assert_eq!(Temperature::from_celsius(37.25).unwrap().tenths(), 373);
        assert_eq!(Temperature::from_celsius(29.9).unwrap_err().code, "TEMPERATURE_OUT_OF_RANGE");
        assert!(Temperature::from_celsius(f64::NAN).is_err());
        assert_eq!(Temperature::from_celsius(38.1).unwrap().to_string(), "38.1 °C");
    }

    #[test]
    fn district_codes_are_upper_cased() {
        assert_eq!(DistrictCode::parse("hn-ba-dinh").unwrap().as_str(), "HN-BA-DINH");
        assert!(DistrictCode::parse("").is_err());
        assert!(RegionCode::parse("a b").is_err());
    }
}
