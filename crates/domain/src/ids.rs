//! Newtype identifiers. Ids are never passed around as bare strings.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

use crate::error::ParseError;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $code:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
            pub fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(Uuid::from_bytes(bytes))
            }
            pub fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| ParseError::new($code, concat!("not a valid ", stringify!($name))))
            }
        }
    };
}

uuid_id!(
    /// A resident or visitor account.
    ResidentId,
    "RESIDENT_ID_INVALID"
);
uuid_id!(
    /// One declaration or daily clock-in (a health report).
    ReportId,
    "REPORT_ID_INVALID"
);
uuid_id!(
    /// One recorded status change.
    StatusChangeId,
    "STATUS_CHANGE_ID_INVALID"
);
uuid_id!(
    /// A venue (QR scanning point).
    VenueId,
    "VENUE_ID_INVALID"
);
uuid_id!(
    /// One stay at a venue (entry, and exit once known).
    VisitId,
    "VISIT_ID_INVALID"
);
uuid_id!(
    /// A checkpoint post.
    CheckpointId,
    "CHECKPOINT_ID_INVALID"
);
uuid_id!(
    /// A confirmed or suspected case.
    CaseId,
    "CASE_ID_INVALID"
);
uuid_id!(
    /// An enterprise (an employer's work-resumption application and roster).
    EnterpriseId,
    "ENTERPRISE_ID_INVALID"
);
// lab: test results
uuid_id!(
    /// One laboratory test result (PCR or antigen).
    TestResultId,
    "TEST_RESULT_ID_INVALID"
);

/// The pseudonymous holder id carried in a health code. It is random, stored
/// with the resident, and never derived from the document number, so a code
/// reveals nothing about identity beyond the eye-check hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HolderId([u8; 16]);

impl HolderId {
    pub const LEN: usize = 16;

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        <[u8; 16]>::try_from(bytes).ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for HolderId {
    /// Lower-case hex, 32 characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl FromStr for HolderId {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let err = || ParseError::new("HOLDER_ID_INVALID", "holder id must be 32 hex characters");
        if s.len() != 32 || !s.is_ascii() {
            return Err(err());
        }
        let mut out = [0u8; 16];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| err())?;
        }
        Ok(Self(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_id_round_trips_through_hex() {
        let id = HolderId::from_bytes([0xab; 16]);
        let text = id.to_string();
        assert_eq!(text, "ab".repeat(16));
        assert_eq!(text.parse::<HolderId>().unwrap(), id);
        assert!("zz".repeat(16).parse::<HolderId>().is_err());
        assert!("ab".parse::<HolderId>().is_err());
    }

    #[test]
    fn resident_id_parse_rejects_garbage() {
        assert_eq!("nope".parse::<ResidentId>().unwrap_err().code, "RESIDENT_ID_INVALID");
    }
}
