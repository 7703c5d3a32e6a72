//! The three code colours and their order of severity.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;

/// A health-code colour. Ordered by severity: `Green < Yellow < Red`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Colour {
    Green,
    Yellow,
    Red,
}

impl Colour {
    pub const ALL: [Colour; 3] = [Colour::Green, Colour::Yellow, Colour::Red];

    /// Lower-case English name, used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Colour::Green => "green",
            Colour::Yellow => "yellow",
            Colour::Red => "red",
        }
    }

    /// One-letter form used inside the compact QR payload.
    pub fn letter(self) -> char {
        match self {
            Colour::Green => 'G',
            Colour::Yellow => 'Y',
            Colour::Red => 'R',
        }
    }

    pub fn from_letter(c: char) -> Option<Colour> {
        match c {
            'G' => Some(Colour::Green),
            'Y' => Some(Colour::Yellow),
            'R' => Some(Colour::Red),
            _ => None,
        }
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Colour {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "green" => Ok(Colour::Green),
            "yellow" => Ok(Colour::Yellow),
            "red" => Ok(Colour::Red),
            _ => Err(ParseError::new("COLOUR_INVALID", "colour must be green, yellow or red")),
        }
    }
}
