//! Whether a red code rests on a recorded health basis: the check behind
//! the alarm on manual changes (Zhengzhou 2022: depositors turned red with no
//! health reason, most of whom had only scanned a venue code).
//!
//! A red has a basis when, and only when, the record shows one of:
//!
//! - the person is a recorded case (confirmed or suspected);
//! - tracing linked them to a case: shared-stay (or case) evidence in their
//!   history whose stay ended within the basis window;
//! - they were present in a marked risk area while it was marked: a visit at
//!   a venue in that area overlapping the area's period, or a declaration
//!   filed during the period naming it as residence or as a place visited;
//!   both within the basis window.
//!
//! - a positive test result whose sample was taken within the basis window.
//!
//! A visit anywhere else is presence, not a basis. New kinds of evidence
//! become one more field of [`BasisFacts`] and one more [`RedBasis`] variant.

use jiff::{SignedDuration, Timestamp};

use crate::{CaseId, Evidence, RegionCode, StatusChange};

/// How far back evidence counts: the length of a red quarantine.
pub const BASIS_WINDOW: SignedDuration = SignedDuration::from_hours(24 * 14);

/// The recorded reason a red code may stand on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedBasis {
    /// The person is a recorded case.
    Case,
    /// Tracing found the person shared a stay with a case (or is one).
    SharedStay { case: CaseId },
    /// The person was in a risk area while it was marked.
    RiskArea { area: RegionCode },
    /// A positive test result, sampled within the window.
    PositiveTest,
}

impl RedBasis {
    /// A stable name for logs and alarm details.
    pub fn as_str(&self) -> &'static str {
        match self {
            RedBasis::Case => "case",
            RedBasis::SharedStay { .. } => "shared_stay",
            RedBasis::RiskArea { .. } => "risk_area",
            RedBasis::PositiveTest => "positive_test",
        }
    }
}

/// Where the record places a person and when (a visit's venue, a declared
/// residence or place visited). `regions` are the place's codes from the
/// widest (a province) to the narrowest (a district).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub regions: Vec<RegionCode>,
    pub from: Timestamp,
    pub until: Timestamp,
}

/// A marked risk area: the code and its period (`until` exclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskWindow {
    pub code: RegionCode,
    pub from: Timestamp,
    pub until: Timestamp,
}

/// Everything the check reads, gathered by the caller.
#[derive(Debug, Clone, Copy)]
pub struct BasisFacts<'a> {
    pub now: Timestamp,
    /// A case is recorded for the person.
    pub case_recorded: bool,
    /// The person's status changes (any order).
    pub history: &'a [StatusChange],
    /// Where the record places the person in the basis window.
    pub presence: &'a [Presence],
    /// The risk areas whose period reaches into the basis window.
    pub risk_areas: &'a [RiskWindow],
    /// When the latest positive test's sample was taken, if any.
    pub latest_positive_test: Option<Timestamp>,
}

/// Whether `place` is `area` or lies within it (`AREA-…`), as the colour
/// policy matches risk regions.
pub fn within(place: &RegionCode, area: &RegionCode) -> bool {
    let (p, a) = (place.as_str(), area.as_str());
    p == a || (p.len() > a.len() && p.starts_with(a) && p.as_bytes()[a.len()] == b'-')
}

/// The first recorded basis for a red code, or `None` when there is none.
pub fn red_basis(facts: &BasisFacts<'_>) -> Option<RedBasis> {
    if facts.case_recorded {
        return Some(RedBasis::Case);
    }
    let since = facts.now.checked_sub(BASIS_WINDOW).unwrap_or(Timestamp::MIN);
    if facts.latest_positive_test.is_some_and(|t| t >= since && t <= facts.now) {
        return Some(RedBasis::PositiveTest);
    }
    for change in facts.history {
        for evidence in &change.evidence {
            match evidence {
                Evidence::SharedStay { case, to, .. } if *to >= since => {
                    return Some(RedBasis::SharedStay { case: *case });
                }
                Evidence::Case { case, .. } => return Some(RedBasis::SharedStay { case: *case }),
                _ => {}
            }
        }
    }
    for p in facts.presence.iter().filter(|p| p.until >= since) {
        for area in facts.risk_areas {
            let overlaps = p.from < area.until && area.from <= p.until;
            if overlaps && p.regions.iter().any(|r| within(r, &area.code)) {
                return Some(RedBasis::RiskArea { area: area.code.clone() });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, Basis, ChangeEvent, Colour, ResidentId, VenueId};

    fn t(hours: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + hours * 3600).unwrap()
    }

    fn region(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn traced(to: Timestamp) -> StatusChange {
        StatusChange {
            resident: ResidentId::from_bytes([1; 16]),
            at: to,
            event: ChangeEvent::ColourRaised,
            from: Some(Colour::Green),
            to: Colour::Red,
            basis: Basis::Rule { rule_id: "CONTACT-CLOSE".into(), policy_version: "test".into() },
            evidence: vec![Evidence::SharedStay {
                case: CaseId::from_bytes([2; 16]),
                venue: VenueId::from_bytes([3; 16]),
                from: to,
                to,
                minutes: 30,
                contact: "close".into(),
            }],
            actor: Actor::System,
        }
    }

    fn facts<'a>(history: &'a [StatusChange], presence: &'a [Presence], areas: &'a [RiskWindow]) -> BasisFacts<'a> {
        BasisFacts { now: t(0), case_recorded: false, history, presence, risk_areas: areas, latest_positive_test: None }
    }

    #[test]
    fn an_ordinary_visit_is_no_basis() {
        let bank = [Presence { regions: vec![region("VN-HN"), region("HN-BA-DINH")], from: t(-30), until: t(-29) }];
        assert_eq!(red_basis(&facts(&[], &bank, &[])), None);
        // A risk area elsewhere, or the same area at another time, is none either.
        let elsewhere = [RiskWindow { code: region("HN-DONG-DA"), from: t(-48), until: t(0) }];
        assert_eq!(red_basis(&facts(&[], &bank, &elsewhere)), None);
        let later = [RiskWindow { code: region("HN-BA-DINH"), from: t(-20), until: t(0) }];
        assert_eq!(red_basis(&facts(&[], &bank, &later)), None);
    }

    #[test]
    fn presence_in_a_risk_area_during_its_period_is_a_basis() {
        let bank = [Presence { regions: vec![region("VN-HN"), region("HN-BA-DINH")], from: t(-30), until: t(-29) }];
        let district = [RiskWindow { code: region("HN-BA-DINH"), from: t(-29), until: t(0) }];
        assert_eq!(red_basis(&facts(&[], &bank, &district)), Some(RedBasis::RiskArea { area: region("HN-BA-DINH") }));
        let province = [RiskWindow { code: region("HN"), from: t(-100), until: t(-29) }];
        assert_eq!(red_basis(&facts(&[], &bank, &province)), Some(RedBasis::RiskArea { area: region("HN") }));
        // ... but not three weeks ago.
        let old = [Presence { regions: vec![region("HN-BA-DINH")], from: t(-500), until: t(-499) }];
        let then = [RiskWindow { code: region("HN-BA-DINH"), from: t(-600), until: t(0) }];
        assert_eq!(red_basis(&facts(&[], &old, &then)), None);
    }

    #[test]
    fn a_case_or_recent_tracing_is_a_basis() {
        assert_eq!(red_basis(&BasisFacts { case_recorded: true, ..facts(&[], &[], &[]) }), Some(RedBasis::Case));
        let recent = [traced(t(-24 * 13))];
        assert!(matches!(red_basis(&facts(&recent, &[], &[])), Some(RedBasis::SharedStay { .. })));
        let stale = [traced(t(-24 * 15))];
        assert_eq!(red_basis(&facts(&stale, &[], &[])), None, "a shared stay past the window");
    }

    #[test]
    fn a_recent_positive_test_is_a_basis() {
        let recent = BasisFacts { latest_positive_test: Some(t(-24 * 13)), ..facts(&[], &[], &[]) };
        assert_eq!(red_basis(&recent), Some(RedBasis::PositiveTest));
        let stale = BasisFacts { latest_positive_test: Some(t(-24 * 15)), ..facts(&[], &[], &[]) };
        assert_eq!(red_basis(&stale), None, "a positive test past the window");
    }

    #[test]
    fn regions_nest_by_dash() {
        assert!(within(&region("HN-BA-DINH"), &region("HN")));
        assert!(within(&region("HN"), &region("HN")));
        assert!(!within(&region("HNX"), &region("HN")));
        assert!(!within(&region("HN"), &region("HN-BA-DINH")));
    }
}
