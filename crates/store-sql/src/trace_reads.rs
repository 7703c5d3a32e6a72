//! Tracing reads: many people's or many venues' visits in a time range, a
//! few statements instead of one per person or venue. The ids go in chunks;
//! each backend reads a chunk its own way (`trace_chunk`: SQLite binds an
//! `IN` list and reads columns by position, PostgreSQL binds one array).

/// Which index a batch read goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKey {
    Resident,
    Venue,
}

impl TraceKey {
    /// The column the ids are compared with.
    pub fn column(self) -> &'static str {
        match self {
            TraceKey::Resident => "resident_id",
            TraceKey::Venue => "venue_id",
        }
    }
}

/// Ids bound per statement (well under SQLite's limit on variables).
pub const TRACE_CHUNK: usize = 500;

/// The columns a trace read returns, in this order.
pub const TRACE_COLUMNS: &str =
    "id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour";

/// A row that cannot be read, as the error a row mapping returns.
pub fn unreadable(e: healthcode_store::StoreError) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(std::io::Error::other(e.to_string())))
}

#[doc(hidden)]
#[macro_export]
macro_rules! __trace_reads {
    ($Store:path, $Db:ty) => {
        pub(crate) mod trace_reads {
            $crate::__prelude!($Store, $Db);
            use domain::{ResidentId, VenueId, Visit};
            use jiff::Timestamp;
            use store::StoreResult;

            impl Store {
                pub(crate) async fn visits_of_residents_between(
                    &self,
                    residents: &[ResidentId],
                    from: Timestamp,
                    to: Timestamp,
                ) -> StoreResult<Vec<Visit>> {
                    let keys: Vec<Uuid> = residents.iter().map(|r| r.as_uuid()).collect();
                    self.visits_by_key(TraceKey::Resident, &keys, from, to).await
                }

                pub(crate) async fn visits_at_venues_between(
                    &self,
                    venues: &[VenueId],
                    from: Timestamp,
                    to: Timestamp,
                ) -> StoreResult<Vec<Visit>> {
                    let keys: Vec<Uuid> = venues.iter().map(|v| v.as_uuid()).collect();
                    self.visits_by_key(TraceKey::Venue, &keys, from, to).await
                }

                async fn visits_by_key(
                    &self,
                    key: TraceKey,
                    keys: &[Uuid],
                    from: Timestamp,
                    to: Timestamp,
                ) -> StoreResult<Vec<Visit>> {
                    let mut out = Vec::new();
                    for chunk in keys.chunks(TRACE_CHUNK) {
                        out.extend(self.trace_chunk(key, chunk, from, to).await?);
                    }
                    Ok(out)
                }
            }
        }
    };
}
