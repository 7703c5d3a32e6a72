//! Tracing reads: many people's or many venues' visits in a time range, a
//! few statements instead of one per person or venue.

use healthcode_domain::{ResidentId, VenueId, Visit};
use healthcode_store::{StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::sql::visits::visit_from_row;
use crate::{PostgresStore, other};
use healthcode_store_sql::Time;

/// Ids bound per statement (one array parameter each).
const CHUNK: usize = 500;

const BY_RESIDENT: &str =
    "SELECT id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour
     FROM visits WHERE resident_id = ANY($1) AND entered_at >= $2 AND entered_at < $3";
const BY_VENUE: &str = "SELECT id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour
     FROM visits WHERE venue_id = ANY($1) AND entered_at >= $2 AND entered_at < $3";

/// A visit that cannot be read, as the error a row mapping returns.
fn unreadable(e: StoreError) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(std::io::Error::other(e.to_string())))
}

impl PostgresStore {
    pub(crate) async fn visits_of_residents_between(
        &self,
        residents: &[ResidentId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>> {
        let keys: Vec<Uuid> = residents.iter().map(|r| r.as_uuid()).collect();
        self.visits_by_key(BY_RESIDENT, &keys, from, to).await
    }

    pub(crate) async fn visits_at_venues_between(
        &self,
        venues: &[VenueId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>> {
        let keys: Vec<Uuid> = venues.iter().map(|v| v.as_uuid()).collect();
        self.visits_by_key(BY_VENUE, &keys, from, to).await
    }

    async fn visits_by_key(
        &self,
        sql: &'static str,
        keys: &[Uuid],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>> {
        let mut out = Vec::new();
        for chunk in keys.chunks(CHUNK) {
            // Each row becomes a visit as it arrives: rows are never all held at once.
            let visits = sqlx::query(sql)
                .bind(chunk)
                .bind(Time(from))
                .bind(Time(to))
                .try_map(|row: PgRow| visit_from_row(&row).map_err(unreadable))
                .fetch_all(&self.pool)
                .await
                .map_err(other("listing visits for tracing"))?;
            out.extend(visits);
        }
        Ok(out)
    }
}
