//! Checkpoints (police posts at city entries, stations) and the passages
//! recorded when officers scan codes there.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::colour::Colour;
use crate::error::ParseError;
use crate::ids::{CheckpointId, HolderId};
use crate::values::DistrictCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointKind {
    /// A post on a road into the city.
    CityEntry,
    /// A railway or bus station, an airport.
    Station,
    Other,
}

impl CheckpointKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckpointKind::CityEntry => "city_entry",
            CheckpointKind::Station => "station",
            CheckpointKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim() {
            "city_entry" => Ok(CheckpointKind::CityEntry),
            "station" => Ok(CheckpointKind::Station),
            "other" => Ok(CheckpointKind::Other),
            _ => Err(ParseError::new("CHECKPOINT_KIND_INVALID", "kind must be city_entry, station or other")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub id: CheckpointId,
    pub name: String,
    pub kind: CheckpointKind,
    pub district: DistrictCode,
    /// Where it is, in words (road, kilometre, station hall).
    pub location: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim() {
            "in" => Ok(Direction::In),
            "out" => Ok(Direction::Out),
            _ => Err(ParseError::new("DIRECTION_INVALID", "direction must be in or out")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Allow,
    Deny,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Deny => "deny",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim() {
            "allow" => Ok(Verdict::Allow),
            "deny" => Ok(Verdict::Deny),
            _ => Err(ParseError::new("VERDICT_INVALID", "verdict must be allow or deny")),
        }
    }
}

/// The checkpoint rule: green passes; yellow and red are turned back.
pub fn verdict_for(colour: Colour) -> Verdict {
    match colour {
        Colour::Green => Verdict::Allow,
        Colour::Yellow | Colour::Red => Verdict::Deny,
    }
}

/// One scan at a checkpoint. `id` is made by the scanning device, so a
/// passage queued offline and synced twice is recorded once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    pub id: uuid::Uuid,
    pub checkpoint: CheckpointId,
    /// Absent when the code could not be read at all.
    pub holder: Option<HolderId>,
    pub colour: Option<Colour>,
    pub verdict: Verdict,
    /// A stable reason code (`CODE_VALID`, `CODE_EXPIRED`, `STATUS_NOT_GREEN`, ...).
    pub reason: String,
    pub direction: Direction,
    pub scanned_at: Timestamp,
    /// The officer (staff user name).
    pub officer: String,
    /// Verified on the device without the server.
    pub offline: bool,
}
