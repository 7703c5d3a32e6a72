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

/// The tail of a numbered visit id: UUID version 8 (bytes 6-7) and the RFC
/// 9562 variant (byte 8), the rest zero.
const NUMBERED_TAIL: [u8; 10] = [0x80, 0, 0x80, 0, 0, 0, 0, 0, 0, 0];

impl VisitId {
    /// The largest number [`VisitId::from_number`] takes (48 bits).
    pub const MAX_NUMBER: u64 = (1 << 48) - 1;

    /// The id of the visit a store numbered `n` (its row number, from 1):
    /// a version-8 UUID whose first 48 bits are `n` and the rest fixed, so
    /// the store keeps no id of its own and ids sort as the numbers do.
    /// `None` for 0 or past [`VisitId::MAX_NUMBER`].
    pub fn from_number(n: u64) -> Option<Self> {
        if n == 0 || n > Self::MAX_NUMBER {
            return None;
        }
        let mut b = [0u8; 16];
        b[..6].copy_from_slice(&n.to_be_bytes()[2..]);
        b[6..].copy_from_slice(&NUMBERED_TAIL);
        Some(Self::from_bytes(b))
    }

    /// The number of an id made by [`VisitId::from_number`]; `None` for an
    /// id of any other form (random ones, those of older data).
    pub fn number(&self) -> Option<u64> {
        let b = self.as_bytes();
        if b[6..] != NUMBERED_TAIL {
            return None;
        }
        let mut n = [0u8; 8];
        n[2..].copy_from_slice(&b[..6]);
        Some(u64::from_be_bytes(n)).filter(|&n| n != 0)
    }
}

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
    fn numbered_visit_ids_round_trip_and_sort_as_their_numbers() {
        let ids: Vec<VisitId> =
            [1, 2, 255, 256, 1 << 40, VisitId::MAX_NUMBER].iter().map(|&n| VisitId::from_number(n).unwrap()).collect();
        for (id, n) in ids.iter().zip([1, 2, 255, 256, 1 << 40, VisitId::MAX_NUMBER]) {
            assert_eq!(id.number(), Some(n));
            assert_eq!(id.as_uuid().get_version_num(), 8);
            assert_eq!(id.as_uuid().get_variant(), uuid::Variant::RFC4122);
        }
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ids[0].to_string(), "00000000-0001-8000-8000-000000000000");
        assert_eq!(VisitId::from_number(0), None);
        assert_eq!(VisitId::from_number(VisitId::MAX_NUMBER + 1), None);
        // Random (v7) and all-zero ids are not numbered.
        assert_eq!(VisitId::from_uuid(uuid::Uuid::from_u128(0x0192_0000_0000_7abc_8def_0123_4567_89ab)).number(), None);
        assert_eq!(VisitId::from_bytes([0; 16]).number(), None);
        let mut b = [0u8; 16];
        b[6..].copy_from_slice(&NUMBERED_TAIL);
        assert_eq!(VisitId::from_bytes(b).number(), None);
    }

    #[test]
    fn resident_id_parse_rejects_garbage() {
        assert_eq!("nope".parse::<ResidentId>().unwrap_err().code, "RESIDENT_ID_INVALID");
    }
}
