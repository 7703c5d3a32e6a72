//! Who looked at whose records. Whenever a reader other than the person sees
//! someone's visits (a trace report, a venue's entry log), each person shown
//! gets an entry with the reader's role and why; the person reads them on
//! their history page and at `GET /api/v1/me/access` (the reader's name stays
//! in the audit log, for auditors).
//!
//! The store keeps one entry per person, reader, role, purpose, reference and
//! UTC day: the first look that day. Opening the same report again the same
//! day adds nothing, so the log grows with people and days, not with views.

use healthcode_domain::{ResidentId, Role};
use healthcode_store::AccessRecord;
use std::collections::BTreeSet;

use crate::error::ApiError;
use crate::services::cases::TraceReport;
use crate::services::trace_cache::ReadTrace;
use crate::state::AppState;

/// Why someone's records were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The health authority read a trace report naming the person.
    TraceReport,
    /// A venue operator read the venue's entry log listing the person's visit.
    VenueLog,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::TraceReport => "trace_report",
            Purpose::VenueLog => "venue_log",
        }
    }
}

/// Records that `reader` (in `role`) read the records of `residents` (each
/// once; not again the same day).
pub async fn record(
    state: &AppState,
    residents: impl IntoIterator<Item = ResidentId>,
    role: Role,
    reader: &str,
    purpose: Purpose,
    reference: &str,
) -> Result<(), ApiError> {
    let at = state.clock.now();
    let unique: BTreeSet<ResidentId> = residents.into_iter().collect();
    let records: Vec<AccessRecord> = unique
        .into_iter()
        .map(|resident| AccessRecord {
            resident,
            at,
            role,
            purpose: purpose.as_str().into(),
            reference: reference.into(),
            reader: Some(reader.into()),
        })
        .collect();
    if !records.is_empty() {
        state.store.record_access(&records).await?;
    }
    Ok(())
}

/// A trace report was shown to `reader` (a health authority member): the
/// case and every contact in it.
pub async fn trace_viewed(state: &AppState, report: &TraceReport, reader: &str) -> Result<(), ApiError> {
    let people = std::iter::once(report.case.resident)
        .chain(report.close.iter().map(|c| c.resident))
        .chain(report.secondary.iter().map(|c| c.resident));
    record(state, people, Role::Authority, reader, Purpose::TraceReport, &report.case.id.to_string()).await
}

/// A kept trace report was shown to `reader`: logged as [`trace_viewed`],
/// except that a reader's second look at the same kept report the same UTC
/// day writes nothing at all (the store would add no row).
pub async fn trace_read(state: &AppState, read: &ReadTrace, reader: &str) -> Result<(), ApiError> {
    let day = state.clock.now().as_second().div_euclid(86_400);
    if read.logged(reader, day) {
        return Ok(());
    }
    trace_viewed(state, &read.report, reader).await?;
    read.mark_logged(reader, day);
    Ok(())
}

/// Who read a person's data, newest first.
pub async fn of_resident(
    state: &AppState,
    resident: healthcode_domain::ResidentId,
    limit: u32,
) -> Result<Vec<healthcode_store::AccessRecord>, ApiError> {
    Ok(state.store.accesses_of(resident, limit).await?)
}
