//! The roles a principal can hold (MISSION.md, "Who uses it").

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Resident,
    Venue,
    Officer,
    Authority,
    Supervisor,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Resident, Role::Venue, Role::Officer, Role::Authority, Role::Supervisor, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Venue => "venue",
            Role::Officer => "officer",
            Role::Authority => "authority",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim()).ok_or_else(|| {
            ParseError::new(
                "ROLE_INVALID",
                "role must be one of resident, venue, officer, authority, supervisor, auditor",
            )
        })
    }

    /// Roles whose subject is a phone number (an account created on demand);
    /// the others are staff user names.
    pub fn is_phone_subject(self) -> bool {
        matches!(self, Role::Resident | Role::Venue)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
