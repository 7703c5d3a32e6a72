//! Visits and the check-in rules: what one scan of a venue QR does.
//!
//! - no open visit: the scan is an entry;
//! - an open visit at the same venue: within the duplicate window the scan
//!   changes nothing, after it the scan is the exit;
//! - an open visit elsewhere: it is closed now (`NextCheckIn`) and this scan
//!   is an entry (one active check-in at a time);
//! - a visit still open past its maximum stay counts as closed then (`Auto`);
//! - a scan of the venue just left, within the duplicate window, changes nothing.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::colour::Colour;
use crate::ids::{ResidentId, VenueId, VisitId};

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitKind {
    /// Scanned the venue again.
    Scan,
    /// Pressed "check out".
    Button,
    /// Checked in somewhere else.
    NextCheckIn,
    /// Reached the venue's maximum stay.
    Auto,
}

impl ExitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExitKind::Scan => "scan",
            ExitKind::Button => "button",
            ExitKind::NextCheckIn => "next_check_in",
            ExitKind::Auto => "auto",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ExitKind::Scan, ExitKind::Button, ExitKind::NextCheckIn, ExitKind::Auto].into_iter().find(|k| k.as_str() == s)
    }
}

/// Who recorded the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitSource {
    /// The person scanned the venue's poster.
    SelfScan,
    /// Venue staff scanned the person's code or paper pass.
    Staff,
}

impl VisitSource {
    pub fn as_str(self) -> &'static str {
        match self {
            VisitSource::SelfScan => "self_scan",
            VisitSource::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "self_scan" => Some(VisitSource::SelfScan),
            "staff" => Some(VisitSource::Staff),
            _ => None,
        }
    }
}

/// One stay at a venue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: VisitId,
    pub resident: ResidentId,
    pub venue: VenueId,
    pub entered_at: Timestamp,
    pub exited_at: Option<Timestamp>,
    pub exit_kind: Option<ExitKind>,
    pub source: VisitSource,
    /// The venue's maximum stay when the visit began.
    pub max_stay: SignedDuration,
    /// The person's colour at entry (shown to door staff).
    pub colour: Colour,
}

impl Visit {
    /// When an open visit closes by itself.
    pub fn auto_checkout_at(&self) -> Timestamp {
        self.entered_at.saturating_add(self.max_stay).unwrap_or(self.entered_at)
    }

    /// Open at `now`: not exited and not past the maximum stay.
    pub fn is_open_at(&self, now: Timestamp) -> bool {
        self.exited_at.is_none() && now < self.auto_checkout_at()
    }

    /// When the visit ends (or will end, if nobody checks out).
    pub fn effective_end(&self) -> Timestamp {
        self.exited_at.unwrap_or_else(|| self.auto_checkout_at())
    }
}

/// A visit to close as part of a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closing {
    pub visit: VisitId,
    pub at: Timestamp,
    pub kind: ExitKind,
}

/// What one scan does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanDecision {
    /// A repeat within the duplicate window: nothing changes.
    Duplicate { visit: VisitId },
    /// The scan closes the open visit at this venue.
    Exit { close: Closing },
    /// The scan starts a visit, closing the previous one first if needed.
    Enter { close: Option<Closing> },
}

/// Decides what a scan of `venue` at `now` does, given the person's latest
/// visit (open or not).
pub fn decide_scan(
    latest: Option<&Visit>,
    venue: VenueId,
    now: Timestamp,
    duplicate_window: SignedDuration,
) -> ScanDecision {
    let Some(last) = latest else { return ScanDecision::Enter { close: None } };
    let within = |t: Timestamp| now.duration_since(t) < duplicate_window;
    if last.is_open_at(now) {
        if last.venue == venue {
            if within(last.entered_at) {
                return ScanDecision::Duplicate { visit: last.id };
            }
            return ScanDecision::Exit { close: Closing { visit: last.id, at: now, kind: ExitKind::Scan } };
        }
        return ScanDecision::Enter { close: Some(Closing { visit: last.id, at: now, kind: ExitKind::NextCheckIn }) };
    }
    if last.exited_at.is_none() {
        // Left open past its maximum stay: it ended then.
        let close = Closing { visit: last.id, at: last.auto_checkout_at(), kind: ExitKind::Auto };
        return ScanDecision::Enter { close: Some(close) };
    }
    if last.venue == venue && within(last.effective_end()) {
        return ScanDecision::Duplicate { visit: last.id };
    }
    ScanDecision::Enter { close: None }
}

/// A yellow or red holder told not to enter a venue: they scanned its QR, or
/// its staff scanned their code. No visit is opened (they were not let in),
/// but the attempt is kept for tracing and counted in statistics.
///
/// Tracing reads it as evidence, not as a contact source: an attempt is an
/// instant at the door, with no stay whose overlap could be measured, and
/// the exposure rule needs at least 15 minutes of overlap; the holder is
/// already yellow or red and on their way to isolation. So a case's
/// attempts appear in its trace report (where the person went), and nobody
/// becomes a contact through one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptedEntry {
    pub id: uuid::Uuid,
    pub venue: VenueId,
    pub resident: ResidentId,
    pub at: Timestamp,
    /// Yellow or red: only those are turned away.
    pub colour: Colour,
    pub source: VisitSource,
}

/// Whether a person of `colour` may enter a venue: green only.
pub fn may_enter(colour: Colour) -> bool {
    colour == Colour::Green
}
