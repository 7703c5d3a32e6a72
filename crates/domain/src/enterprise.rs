//! Work resumption: an employer's application (company, sites, planned
//! headcount, prevention measures), its review deadline in working days, and
//! the verdict of a gate scan (colour plus measured temperature).

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::colour::Colour;
use crate::error::ParseError;
use crate::policy::ColourPolicy;
use crate::values::{DistrictCode, Temperature};

/// Working days the authority has to decide an application (Hangzhou 2020).
pub const REVIEW_WORKING_DAYS: u8 = 3;

/// One place where the enterprise works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    pub name: String,
    pub address: String,
    pub district: DistrictCode,
}

impl Site {
    pub fn parse(name: &str, address: &str, district: &str) -> Result<Self, ParseError> {
        let name = name.trim();
        let address = address.trim();
        if name.is_empty() || name.chars().count() > 120 || address.is_empty() || address.chars().count() > 200 {
            return Err(ParseError::new(
                "SITE_INVALID",
                "each site needs a name (1 to 120 characters) and an address (1 to 200 characters)",
            ));
        }
        Ok(Self { name: name.into(), address: address.into(), district: DistrictCode::parse(district)? })
    }
}

/// What an employer declares to resume work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseProfile {
    pub name: String,
    /// At least one; the first is the main site.
    pub sites: Vec<Site>,
    /// The main district: the first site's.
    pub district: DistrictCode,
    pub planned_headcount: u32,
    pub measures: String,
}

impl EnterpriseProfile {
    pub fn parse(name: &str, sites: Vec<Site>, planned_headcount: u32, measures: &str) -> Result<Self, ParseError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(ParseError::new("ENTERPRISE_NAME_INVALID", "the company name must be 1 to 120 characters"));
        }
        let Some(main) = sites.first() else {
            return Err(ParseError::new("SITES_REQUIRED", "name at least one site"));
        };
        if sites.len() > 50 {
            return Err(ParseError::new("SITES_INVALID", "at most 50 sites per application"));
        }
        if !(1..=100_000).contains(&planned_headcount) {
            return Err(ParseError::new("HEADCOUNT_INVALID", "the planned headcount must be 1 to 100000"));
        }
        let measures = measures.trim();
        if !(10..=2000).contains(&measures.chars().count()) {
            return Err(ParseError::new(
                "MEASURES_REQUIRED",
                "describe the prevention measures in 10 to 2000 characters",
            ));
        }
        Ok(Self {
            name: name.into(),
            district: main.district.clone(),
            sites,
            planned_headcount,
            measures: measures.into(),
        })
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationState {
    Pending,
    Approved,
    Rejected,
}

impl ApplicationState {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationState::Pending => "pending",
            ApplicationState::Approved => "approved",
            ApplicationState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(ApplicationState::Pending),
            "approved" => Some(ApplicationState::Approved),
            "rejected" => Some(ApplicationState::Rejected),
            _ => None,
        }
    }
}

impl fmt::Display for ApplicationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn is_working_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The local date by which an application submitted on `submitted_on` must be
/// decided: `working_days` Monday-to-Friday days after it (the submission day
/// itself does not count). Friday + 3 is the next Wednesday.
pub fn due_date(submitted_on: Date, working_days: u8) -> Date {
    let mut day = submitted_on;
    let mut left = working_days;
    while left > 0 {
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => return day,
        }
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// The deadline of an application submitted at `submitted_at`: the last
/// millisecond of the [`due_date`] ([`REVIEW_WORKING_DAYS`] working days
/// after the local submission date) in the deployment's time zone.
pub fn review_deadline(submitted_at: Timestamp, tz: &TimeZone) -> Timestamp {
    working_deadline(submitted_at, REVIEW_WORKING_DAYS, tz)
}

/// The last millisecond of the local day `working_days` working days after
/// the local date of `from` (applications, appeals).
pub fn working_deadline(from: Timestamp, working_days: u8, tz: &TimeZone) -> Timestamp {
    let submitted_at = from;
    let due = due_date(crate::transition::local_date(submitted_at, tz), working_days);
    due.tomorrow()
        .ok()
        .and_then(|next| next.to_zoned(tz.clone()).ok())
        .and_then(|start| start.timestamp().checked_sub(SignedDuration::from_millis(1)).ok())
        .unwrap_or(submitted_at)
}

/// What a gate scan found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateOutcome {
    /// The person needs attention: not green, or a fever.
    pub flagged: bool,
    /// The measured temperature is at or above the policy's fever threshold.
    pub fever: bool,
    /// Stable: `CLEAR`, `FEVER`, `COLOUR_YELLOW`, `COLOUR_RED` (colour first).
    pub reason: &'static str,
}

/// Judges an employee at the gate: the current colour and, when measured,
/// the temperature (alert at the policy's threshold, 37.3 °C by default).
pub fn judge_gate(policy: &ColourPolicy, colour: Colour, temperature: Option<Temperature>) -> GateOutcome {
    let fever = temperature.is_some_and(|t| policy.is_fever(t));
    let reason = match colour {
        Colour::Red => "COLOUR_RED",
        Colour::Yellow => "COLOUR_YELLOW",
        Colour::Green if fever => "FEVER",
        Colour::Green => "CLEAR",
    };
    GateOutcome { flagged: fever || colour != Colour::Green, fever, reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rstest::rstest;

    #[rstest]
    #[case::monday(date(2026, 11, 2), date(2026, 11, 5))]
    #[case::wednesday(date(2026, 11, 4), date(2026, 11, 9))]
    #[case::friday(date(2026, 11, 6), date(2026, 11, 11))]
    #[case::saturday(date(2026, 11, 7), date(2026, 11, 11))]
    #[case::sunday(date(2026, 11, 8), date(2026, 11, 11))]
    fn three_working_days_skip_weekends(#[case] submitted: Date, #[case] due: Date) {
        assert_eq!(due_date(submitted, REVIEW_WORKING_DAYS), due);
    }

    #[test]
    fn the_deadline_is_the_end_of_the_due_day_in_the_local_zone() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let friday_morning = date(2026, 11, 6).at(9, 0, 0, 0).to_zoned(tz.clone()).unwrap().timestamp();
        let deadline = review_deadline(friday_morning, &tz).to_zoned(tz.clone());
        assert_eq!(deadline.date(), date(2026, 11, 11), "the next Wednesday");
        assert_eq!(deadline.time(), jiff::civil::time(23, 59, 59, 999_000_000));
        // 23:30 UTC on Thursday is already Friday in Shanghai.
        let thursday_utc = "2026-11-05T23:30:00Z".parse::<Timestamp>().unwrap();
        assert_eq!(review_deadline(thursday_utc, &tz).to_zoned(tz).date(), date(2026, 11, 11));
    }

    #[rstest]
    #[case::normal(Colour::Green, Some(366), false, "CLEAR")]
    #[case::unmeasured(Colour::Green, None, false, "CLEAR")]
    #[case::just_below(Colour::Green, Some(372), false, "CLEAR")]
    #[case::threshold(Colour::Green, Some(373), true, "FEVER")]
    #[case::yellow(Colour::Yellow, Some(365), true, "COLOUR_YELLOW")]
    #[case::red_with_fever(Colour::Red, Some(390), true, "COLOUR_RED")]
    fn the_gate_flags_fever_and_colour(
        #[case] colour: Colour,
        #[case] tenths: Option<u16>,
        #[case] flagged: bool,
        #[case] reason: &str,
    ) {
        let policy = ColourPolicy::default_policy();
        let t = tenths.map(|t| Temperature::from_tenths(t).unwrap());
        let outcome = judge_gate(&policy, colour, t);
        assert_eq!((outcome.flagged, outcome.reason), (flagged, reason));
    }

    #[test]
    fn an_application_needs_a_site_a_headcount_and_measures() {
        let site = Site::parse("Plant 1", "1 River Road", "330102").unwrap();
        let ok = EnterpriseProfile::parse("Acme", vec![site.clone()], 40, "masks, distancing, daily checks").unwrap();
        assert_eq!(ok.district.as_str(), "330102");
        let code = |r: Result<EnterpriseProfile, ParseError>| r.unwrap_err().code;
        assert_eq!(code(EnterpriseProfile::parse("Acme", vec![], 40, "masks and distancing")), "SITES_REQUIRED");
        assert_eq!(
            code(EnterpriseProfile::parse(" ", vec![site.clone()], 40, "masks and distancing")),
            "ENTERPRISE_NAME_INVALID"
        );
        assert_eq!(
            code(EnterpriseProfile::parse("Acme", vec![site.clone()], 0, "masks and distancing")),
            "HEADCOUNT_INVALID"
        );
        assert_eq!(code(EnterpriseProfile::parse("Acme", vec![site], 40, "masks")), "MEASURES_REQUIRED");
        assert_eq!(Site::parse("", "x", "330102").unwrap_err().code, "SITE_INVALID");
    }
}
