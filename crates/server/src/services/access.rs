//! Who looked at whose records. Whenever a reader other than the person sees
//! someone's visits (a trace report, a venue's entry log), each person shown
//! gets an entry with the reader's role and why; the person reads them on
//! their history page and at `GET /api/v1/me/access` (the reader's name stays
//! in the audit log, for auditors).

use healthcode_domain::{ResidentId, Role};
use healthcode_store::AccessRecord;
use std::collections::BTreeSet;

use crate::error::ApiError;
use crate::services::cases::TraceReport;
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

/// Records that `role` read the records of `residents` (each once).
pub async fn record(
    state: &AppState,
    residents: impl IntoIterator<Item = ResidentId>,
    role: Role,
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
        })
        .collect();
    if !records.is_empty() {
        state.store.record_access(&records).await?;
    }
    Ok(())
}

/// A trace report was shown: the case and every contact in it.
pub async fn trace_viewed(state: &AppState, report: &TraceReport) -> Result<(), ApiError> {
    let people = std::iter::once(report.case.resident)
        .chain(report.close.iter().map(|c| c.resident))
        .chain(report.secondary.iter().map(|c| c.resident));
    record(state, people, Role::Authority, Purpose::TraceReport, &report.case.id.to_string()).await
}

/// Who read a person's data, newest first.
pub async fn of_resident(
    state: &AppState,
    resident: healthcode_domain::ResidentId,
    limit: u32,
) -> Result<Vec<healthcode_store::AccessRecord>, ApiError> {
    Ok(state.store.accesses_of(resident, limit).await?)
}
