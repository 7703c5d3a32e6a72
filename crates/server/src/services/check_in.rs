//! Check-in and check-out: what a scan of a venue QR does for a person, and
//! the job that closes visits left open past their maximum stay.

use healthcode_domain::visit::Closing;
use healthcode_domain::{Colour, ExitKind, ResidentId, ScanDecision, Visit, VisitId, VisitSource, decide_scan};
use healthcode_store::{Store, StoreError, StoreResult, Venue};
use jiff::{SignedDuration, Timestamp};

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::venues;
use crate::state::AppState;

/// A repeat scan within this window changes nothing.
pub const DUPLICATE_WINDOW: SignedDuration = SignedDuration::from_mins(5);
const MAX_ATTEMPTS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanOutcome {
    Entered,
    Exited,
    Duplicate,
}

impl ScanOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanOutcome::Entered => "entered",
            ScanOutcome::Exited => "exited",
            ScanOutcome::Duplicate => "duplicate",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ScanResult {
    pub outcome: ScanOutcome,
    pub visit: Visit,
    pub venue: Venue,
    /// The person's colour now (shown to door staff).
    pub colour: Colour,
}

fn declaration_required() -> ApiError {
    ApiError::new(ErrorKind::Conflict, "DECLARATION_REQUIRED", "file a health declaration before checking in")
}

/// A scan of a venue QR by (or, in staff mode, for) a person.
pub async fn scan(
    state: &AppState,
    resident: ResidentId,
    venue_qr: &str,
    source: VisitSource,
) -> Result<ScanResult, ApiError> {
    let venue = venues::resolve(state, venue_qr).await?;
    scan_at(state, resident, venue, source).await
}

/// Records a scan for a person at a known, open venue. Reads the person's
/// colour and latest visit together, decides, and writes; the visit it
/// answers with is built from what was read and written, not read again.
pub async fn scan_at(
    state: &AppState,
    resident: ResidentId,
    venue: Venue,
    source: VisitSource,
) -> Result<ScanResult, ApiError> {
    for _ in 0..MAX_ATTEMPTS {
        let (colour, latest) = state.store.scan_context(resident).await?;
        let colour = colour.ok_or_else(declaration_required)?;
        let now = state.clock.now();
        let decision = decide_scan(latest.as_ref(), venue.id, now, DUPLICATE_WINDOW);
        let (close, open, outcome) = match decision {
            ScanDecision::Duplicate { visit } => {
                let visit = match latest {
                    Some(v) if v.id == visit => v,
                    _ => state.store.visit(visit).await?,
                };
                state.metrics.check_ins.inc();
                return Ok(ScanResult { outcome: ScanOutcome::Duplicate, visit, venue, colour });
            }
            ScanDecision::Exit { close } => (Some(close), None, ScanOutcome::Exited),
            ScanDecision::Enter { close } => {
                let visit = Visit {
                    id: VisitId::from_uuid(new_uuid_v7(now)),
                    resident,
                    venue: venue.id,
                    entered_at: now,
                    exited_at: None,
                    exit_kind: None,
                    source,
                    max_stay: SignedDuration::from_mins(i64::from(venue.profile.max_stay_minutes)),
                    colour,
                };
                (close, Some(visit), ScanOutcome::Entered)
            }
        };
        match state.store.record_scan(close.as_ref(), open.as_ref()).await {
            Ok(()) => {
                state.metrics.check_ins.inc();
                let visit = match (open, close, latest) {
                    (Some(v), _, _) => v,
                    (None, Some(c), Some(v)) if v.id == c.visit => {
                        Visit { exited_at: Some(c.at), exit_kind: Some(c.kind), ..v }
                    }
                    (None, Some(c), _) => state.store.visit(c.visit).await?,
                    (None, None, _) => return Err(ApiError::internal("a scan decided nothing")),
                };
                return Ok(ScanResult { outcome, visit, venue, colour });
            }
            // Another scan for the same person won the race: decide again.
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::new(ErrorKind::Conflict, "SCAN_CONFLICT", "several scans arrived at once; scan again"))
}

/// The person's own visit, or 404 (the same for "missing" and "not yours").
pub async fn own_visit(state: &AppState, resident: ResidentId, id: VisitId) -> Result<Visit, ApiError> {
    match state.store.visit(id).await {
        Ok(v) if v.resident == resident => Ok(v),
        Ok(_) | Err(StoreError::NotFound) => {
            Err(ApiError::new(ErrorKind::NotFound, "VISIT_NOT_FOUND", "no such visit among yours"))
        }
        Err(e) => Err(e.into()),
    }
}

/// The check-out button.
pub async fn check_out(state: &AppState, resident: ResidentId, id: VisitId) -> Result<Visit, ApiError> {
    let visit = own_visit(state, resident, id).await?;
    let now = state.clock.now();
    if !visit.is_open_at(now) {
        return Err(ApiError::new(ErrorKind::Conflict, "VISIT_ALREADY_CLOSED", "this visit has already ended"));
    }
    let close = Closing { visit: id, at: now, kind: ExitKind::Button };
    match state.store.record_scan(Some(&close), None).await {
        Ok(()) => Ok(state.store.visit(id).await?),
        Err(StoreError::Conflict(_)) => {
            Err(ApiError::new(ErrorKind::Conflict, "VISIT_ALREADY_CLOSED", "this visit has already ended"))
        }
        Err(e) => Err(e.into()),
    }
}

/// One pass of the auto check-out job: closes every visit past its maximum stay.
pub async fn close_expired_once(store: &dyn Store, now: Timestamp) -> StoreResult<u64> {
    let mut total = 0;
    loop {
        let n = store.close_expired_visits(now, 1000).await?;
        total += n;
        if n < 1000 {
            return Ok(total);
        }
    }
}
