//! Check-in and check-out: what a scan of a venue QR does for a person, and
//! the job that closes visits left open past their maximum stay.

use healthcode_domain::visit::Closing;
use healthcode_domain::{AttemptedEntry, Colour, ExitKind, ResidentId, ScanDecision, Visit, VisitId, VisitSource};
use healthcode_store::{ScanApplied, ScanRequest, Store, StoreError, StoreResult, Venue};
use jiff::{SignedDuration, Timestamp};

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::cases::LONGEST_STAY;
use crate::services::venues;
use crate::state::AppState;

/// A repeat scan within this window changes nothing.
pub const DUPLICATE_WINDOW: SignedDuration = SignedDuration::from_mins(5);

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

/// What a scan of a venue QR came to: a visit recorded (entered, exited,
/// a repeat), or, for a yellow or red holder who would have entered, an
/// attempted entry recorded instead and "do not enter".
#[derive(Debug, Clone)]
pub enum ScanAnswer {
    Recorded(ScanResult),
    Refused(Refusal),
}

/// A yellow or red holder turned away at a venue.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub attempt: AttemptedEntry,
    pub venue: Venue,
}

impl Refusal {
    /// The stable reason: `COLOUR_YELLOW` or `COLOUR_RED`.
    pub fn reason(&self) -> &'static str {
        match self.attempt.colour {
            Colour::Red => "COLOUR_RED",
            Colour::Yellow | Colour::Green => "COLOUR_YELLOW",
        }
    }

    /// The refusal as an API error: 403 `ENTRY_REFUSED`, saying why and what to do.
    pub fn error(&self) -> ApiError {
        let what = match self.attempt.colour {
            Colour::Red => {
                "red code: do not enter. Go home or to your place of isolation, avoid contact and follow the health authority's instructions"
            }
            Colour::Yellow | Colour::Green => {
                "yellow code: do not enter. Stay at home for your quarantine and clock in every day"
            }
        };
        ApiError::new(
            ErrorKind::Forbidden,
            "ENTRY_REFUSED",
            format!("{what}. The attempt was recorded (id {}).", self.attempt.id),
        )
    }
}

impl ScanAnswer {
    /// The recorded visit, or the refusal as `ENTRY_REFUSED`.
    pub fn into_recorded(self) -> Result<ScanResult, ApiError> {
        match self {
            ScanAnswer::Recorded(r) => Ok(r),
            ScanAnswer::Refused(r) => Err(r.error()),
        }
    }
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
) -> Result<ScanAnswer, ApiError> {
    let venue = venues::resolve(state, venue_qr).await?;
    scan_at(state, resident, venue, source).await
}

/// Records a scan for a person at a known, open venue. The store decides it
/// against the person's colour and latest visit where it writes
/// ([`healthcode_store::VisitStore::scan`]), so two scans of one person never race.
/// A yellow or red person who would enter is refused there, with nothing
/// written; their attempt is then recorded on its own (an insert that
/// conflicts with nothing, outside the visits' group commit).
pub async fn scan_at(
    state: &AppState,
    resident: ResidentId,
    venue: Venue,
    source: VisitSource,
) -> Result<ScanAnswer, ApiError> {
    let now = state.clock.now();
    let request = ScanRequest {
        visit: VisitId::from_uuid(new_uuid_v7(now)),
        resident,
        venue: venue.id,
        at: now,
        source,
        max_stay: SignedDuration::from_mins(i64::from(venue.profile.max_stay_minutes)),
        duplicate_window: DUPLICATE_WINDOW,
    };
    let (colour, decision, visit) = match state.store.scan(&request).await {
        Ok(ScanApplied::Done { colour, decision, visit }) => (colour, decision, visit),
        Ok(ScanApplied::NoStatus) => return Err(declaration_required()),
        Ok(ScanApplied::Refused { colour, at }) => {
            let attempt = AttemptedEntry { id: new_uuid_v7(at), venue: venue.id, resident, at, colour, source };
            state.store.record_attempt(&attempt).await?;
            state.metrics.attempted_entries.inc();
            return Ok(ScanAnswer::Refused(Refusal { attempt, venue }));
        }
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::new(
                ErrorKind::Conflict,
                "SCAN_CONFLICT",
                "another scan of yours arrived at the same moment and was recorded first; scan again to check in or out",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    state.metrics.check_ins.inc();
    let outcome = match decision {
        ScanDecision::Duplicate { .. } => ScanOutcome::Duplicate,
        ScanDecision::Exit { close } => {
            state.trace_index.closed(resident, close.visit, close.at);
            state.trace_cache.changed_from(close.at.checked_sub(LONGEST_STAY).unwrap_or(Timestamp::MIN));
            ScanOutcome::Exited
        }
        ScanDecision::Enter { close } => {
            if let Some(close) = close {
                state.trace_index.closed(resident, close.visit, close.at);
                state.trace_cache.changed_from(close.at.checked_sub(LONGEST_STAY).unwrap_or(Timestamp::MIN));
            }
            state.trace_index.entered(&visit);
            state.trace_cache.changed_from(visit.entered_at);
            ScanOutcome::Entered
        }
    };
    Ok(ScanAnswer::Recorded(ScanResult { outcome, visit, venue, colour }))
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
    // Never before the entry (a scan's instant may be a few milliseconds
    // later than this request's clock reading: `healthcode_store::scan_time`).
    let now = state.clock.now().max(visit.entered_at);
    if !visit.is_open_at(now) {
        return Err(ApiError::new(ErrorKind::Conflict, "VISIT_ALREADY_CLOSED", "this visit has already ended"));
    }
    let close = Closing { visit: id, at: now, kind: ExitKind::Button };
    match state.store.record_scan(Some(&close), None).await {
        Ok(()) => {
            state.trace_index.closed(resident, id, now);
            state.trace_cache.changed_from(visit.entered_at);
            Ok(Visit { exited_at: Some(now), exit_kind: Some(ExitKind::Button), ..visit })
        }
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

/// A person's recent visits, newest first, each with its venue while it
/// exists; the venues are read in one go.
pub async fn recent_visits(
    state: &AppState,
    resident: ResidentId,
    limit: u32,
) -> Result<Vec<(Visit, Option<Venue>)>, ApiError> {
    let visits = state.store.resident_visits(resident, limit).await?;
    let venues = venues::by_id(state, visits.iter().map(|v| v.venue)).await?;
    Ok(visits
        .into_iter()
        .map(|v| {
            let venue = venues.get(&v.venue).cloned();
            (v, venue)
        })
        .collect())
}

/// The person's most recent visit, open or not.
pub async fn latest_visit(state: &AppState, resident: ResidentId) -> Result<Option<Visit>, ApiError> {
    Ok(state.store.latest_visit(resident).await?)
}
