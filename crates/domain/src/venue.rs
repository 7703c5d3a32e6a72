//! Venues (QR scanning points): what an operator registers.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ParseError;
use crate::values::{DistrictCode, PhoneNumber, RegionCode};

/// How long a visit may stay open before it is closed automatically.
pub const DEFAULT_MAX_STAY_MINUTES: u32 = 240;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VenueCategory {
    Shop,
    Restaurant,
    Office,
    Factory,
    School,
    Hospital,
    Transport,
    Residential,
    Government,
    Entertainment,
    Other,
}

impl VenueCategory {
    pub const ALL: [VenueCategory; 11] = [
        VenueCategory::Shop,
        VenueCategory::Restaurant,
        VenueCategory::Office,
        VenueCategory::Factory,
        VenueCategory::School,
        VenueCategory::Hospital,
        VenueCategory::Transport,
        VenueCategory::Residential,
        VenueCategory::Government,
        VenueCategory::Entertainment,
        VenueCategory::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VenueCategory::Shop => "shop",
            VenueCategory::Restaurant => "restaurant",
            VenueCategory::Office => "office",
            VenueCategory::Factory => "factory",
            VenueCategory::School => "school",
            VenueCategory::Hospital => "hospital",
            VenueCategory::Transport => "transport",
            VenueCategory::Residential => "residential",
            VenueCategory::Government => "government",
            VenueCategory::Entertainment => "entertainment",
            VenueCategory::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        VenueCategory::ALL.into_iter().find(|c| c.as_str() == s.trim()).ok_or_else(|| {
            ParseError::new(
                "VENUE_CATEGORY_INVALID",
                "category must be one of shop, restaurant, office, factory, school, hospital, transport, residential, government, entertainment, other",
            )
        })
    }
}

/// Free text with limits: trimmed, no control characters.
fn bounded_text(input: &str, min: usize, max: usize, code: &'static str, what: &str) -> Result<String, ParseError> {
    let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let n = s.chars().count();
    if (min..=max).contains(&n) && !s.chars().any(char::is_control) {
        Ok(s)
    } else {
        Err(ParseError::new(code, format!("{what} must be {min} to {max} characters")))
    }
}

/// What an operator registers for a scanning point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueProfile {
    pub name: String,
    pub address: String,
    pub province: RegionCode,
    pub district: DistrictCode,
    pub commune: String,
    pub category: VenueCategory,
    pub capacity: Option<u32>,
    /// Minutes after entry at which an open visit is closed automatically.
    pub max_stay_minutes: u32,
}

impl VenueProfile {
    /// Validates every field; the first invalid one is reported.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        name: &str,
        address: &str,
        province: &str,
        district: &str,
        commune: &str,
        category: &str,
        capacity: Option<u32>,
        max_stay_minutes: Option<u32>,
    ) -> Result<Self, ParseError> {
        let max_stay_minutes = max_stay_minutes.unwrap_or(DEFAULT_MAX_STAY_MINUTES);
        if !(15..=24 * 60).contains(&max_stay_minutes) {
            return Err(ParseError::new("MAX_STAY_INVALID", "maximum stay must be 15 to 1440 minutes"));
        }
        if capacity.is_some_and(|c| c == 0 || c > 1_000_000) {
            return Err(ParseError::new("CAPACITY_INVALID", "capacity must be 1 to 1000000"));
        }
        Ok(Self {
            name: bounded_text(name, 1, 120, "VENUE_NAME_INVALID", "venue name")?,
            address: bounded_text(address, 1, 200, "ADDRESS_INVALID", "address")?,
            province: RegionCode::parse(province)?,
            district: DistrictCode::parse(district)?,
            commune: bounded_text(commune, 0, 80, "COMMUNE_INVALID", "commune")?,
            category: VenueCategory::parse(category)?,
            capacity,
            max_stay_minutes,
        })
    }
}

/// Whether a venue accepts check-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VenueState {
    Open,
    Closed,
}

impl VenueState {
    pub fn as_str(self) -> &'static str {
        match self {
            VenueState::Open => "open",
            VenueState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(VenueState::Open),
            "closed" => Some(VenueState::Closed),
            _ => None,
        }
    }
}

impl fmt::Display for VenueState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The owner of a venue is the phone number that registered it (confirmed
/// by a one-time code at sign-in).
pub type VenueOwner = PhoneNumber;

/// The code printed large on a venue's poster, typed by a visitor whose
/// camera cannot read the QR: eight characters of Crockford's base32 (no
/// I, L, O or U), 40 random bits, shown in two groups (`7KQ2-M9XD`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VenueEntryCode(String);

/// Crockford's base32 alphabet.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl VenueEntryCode {
    /// The code for 40 random bits.
    pub fn from_random(bytes: [u8; 5]) -> Self {
        let bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let code = (0..8).rev().map(|i| char::from(CROCKFORD[((bits >> (i * 5)) & 31) as usize])).collect();
        Self(code)
    }

    /// Reads a code as typed: any case, spaces and dashes ignored, and the
    /// letters people mistake for digits (O, I, L) read as 0 and 1.
    pub fn parse(typed: &str) -> Result<Self, ParseError> {
        let invalid = || ParseError::new("ENTRY_CODE_INVALID", "the code has 8 letters and digits, as on the poster");
        let mut code = String::with_capacity(8);
        for c in typed.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c if c.is_ascii() && CROCKFORD.contains(&(c as u8)) => c,
                _ => return Err(invalid()),
            };
            code.push(c);
        }
        if code.len() != 8 {
            return Err(invalid());
        }
        Ok(Self(code))
    }

    /// The eight characters, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As printed: two groups of four (`7KQ2-M9XD`).
    pub fn grouped(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

#[cfg(test)]
mod entry_code_tests {
    use super::VenueEntryCode;

    #[test]
    fn codes_read_back_as_typed_and_refuse_anything_else() {
        let code = VenueEntryCode::from_random([0x3d, 0x2c, 0x91, 0xff, 0x07]);
        assert_eq!(code.as_str().len(), 8);
        assert_eq!(VenueEntryCode::parse(&code.grouped()), Ok(code.clone()));
        assert_eq!(VenueEntryCode::parse(&code.as_str().to_lowercase()), Ok(code.clone()));
        assert_eq!(VenueEntryCode::from_random([0; 5]).as_str(), "00000000");
        assert_eq!(VenueEntryCode::from_random([0xff; 5]).as_str(), "ZZZZZZZZ");
        assert_eq!(VenueEntryCode::parse("o1lI 7kq2").map(|c| c.grouped()), Ok("0111-7KQ2".into()));
        for bad in ["", "7KQ2M9X", "7KQ2M9XDE", "7KQ2-M9XU", "7KQ2+M9XD", "ĐKQ2M9XD"] {
            assert!(VenueEntryCode::parse(bad).is_err(), "{bad}");
        }
    }
}
