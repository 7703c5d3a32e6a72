//! Checkpoints (police posts at city entries, stations) and the passages
//! recorded when officers scan codes there.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::colour::Colour;
use crate::error::ParseError;
use crate::ids::{CheckpointId, HolderId};
use crate::values::{DistrictCode, RegionCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointKind {
    /// A police post on a national highway into the city (Hanoi: 22 of 55).
    NationalHighway,
    /// A post at the border with a neighbouring province (Hanoi: 33 of 55).
    ProvincialBorder,
    /// A railway or bus station.
    Station,
    Airport,
    /// Anything else, and every post registered before kinds were told apart.
    Other,
}

impl CheckpointKind {
    pub const ALL: [CheckpointKind; 5] = [
        CheckpointKind::NationalHighway,
        CheckpointKind::ProvincialBorder,
        CheckpointKind::Station,
        CheckpointKind::Airport,
        CheckpointKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckpointKind::NationalHighway => "national_highway",
            CheckpointKind::ProvincialBorder => "provincial_border",
            CheckpointKind::Station => "station",
            CheckpointKind::Airport => "airport",
            CheckpointKind::Other => "other",
        }
    }

    /// Parses a kind. `city_entry`, the one road kind before there were
    /// five, is still taken and means `other`, as migration 0020 did to the
    /// posts stored with it (it never said which road or border).
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim() {
            "city_entry" => Ok(CheckpointKind::Other),
            t => CheckpointKind::ALL.into_iter().find(|k| k.as_str() == t).ok_or_else(|| {
                ParseError::new(
                    "CHECKPOINT_KIND_INVALID",
                    "kind must be national_highway, provincial_border, station, airport or other",
                )
            }),
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
    /// The province (region code, e.g. `VN-HN`) whose time zone its times
    /// are shown in; `None`: the deployment's zone.
    pub province: Option<RegionCode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub const ALL: [Direction; 2] = [Direction::In, Direction::Out];

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
