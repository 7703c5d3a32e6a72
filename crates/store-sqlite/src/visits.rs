//! Visits: entries and exits.

use async_trait::async_trait;
use healthcode_domain::visit::Closing;
use healthcode_domain::{Colour, ExitKind, ResidentId, VenueId, Visit, VisitId};
use healthcode_store::{ScanApplied, ScanRequest, StoreError, StoreResult, VisitStore};
use jiff::Timestamp;
use sqlx::SqliteConnection;

use crate::{SqliteStore, other};
use healthcode_store_sql::Time;

async fn insert_visit(conn: &mut SqliteConnection, v: &Visit) -> StoreResult<()> {
    try_insert_visit(conn, v).await.map_err(other("inserting visit"))
}

async fn try_insert_visit(conn: &mut SqliteConnection, v: &Visit) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO visits (id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(v.id.as_bytes().as_slice())
    .bind(v.resident.as_bytes().as_slice())
    .bind(v.venue.as_bytes().as_slice())
    .bind(Time(v.entered_at))
    .bind(v.exited_at.map(Time))
    .bind(v.exit_kind.map(ExitKind::as_str))
    .bind(v.source.as_str())
    .bind(i64::try_from(v.max_stay.as_millis()).unwrap_or(i64::MAX))
    .bind(v.colour.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A scan's writes inside a group commit: close the visit (still open, else
/// `Conflict`), then open the new one. No savepoint: SQLite undoes a
/// statement that breaks a constraint by itself and the transaction goes on,
/// so a refused insert only needs the close before it undone, which is exact
/// (the visit was open, or the close would have changed nothing).
///
/// The outer error fails the whole batch (nothing of it is acknowledged);
/// the inner result is this scan's own.
pub(crate) async fn write_scan(
    conn: &mut SqliteConnection,
    close: Option<&Closing>,
    open: Option<&Visit>,
) -> StoreResult<StoreResult<()>> {
    if let Some(c) = close {
        let done = sqlx::query("UPDATE visits SET exited_at = ?, exit_kind = ? WHERE id = ? AND exited_at IS NULL")
            .bind(Time(c.at))
            .bind(c.kind.as_str())
            .bind(c.visit.as_bytes().as_slice())
            .execute(&mut *conn)
            .await
            .map_err(other("closing visit"))?;
        if done.rows_affected() != 1 {
            return Ok(Err(StoreError::Conflict("the visit was already closed".into())));
        }
    }
    let Some(v) = open else { return Ok(Ok(())) };
    let refused = match try_insert_visit(conn, v).await {
        Ok(()) => return Ok(Ok(())),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            StoreError::Conflict(format!("inserting visit: {db}"))
        }
        Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() || db.is_check_violation() => {
            StoreError::Other(format!("inserting visit: {db}"))
        }
        Err(e) => return Err(other("inserting visit")(e)),
    };
    if let Some(c) = close {
        sqlx::query("UPDATE visits SET exited_at = NULL, exit_kind = NULL WHERE id = ?")
            .bind(c.visit.as_bytes().as_slice())
            .execute(&mut *conn)
            .await
            .map_err(other("undoing a close"))?;
    }
    Ok(Err(refused))
}

#[async_trait]
impl VisitStore for SqliteStore {
    async fn latest_visit(&self, resident: ResidentId) -> StoreResult<Option<Visit>> {
        self.read_latest_visit(resident).await
    }

    async fn scan_context(&self, resident: ResidentId) -> StoreResult<(Option<Colour>, Option<Visit>)> {
        self.read_scan_context(resident).await
    }

    async fn scan(&self, request: &ScanRequest) -> StoreResult<ScanApplied> {
        self.scans.decide(request).await
    }

    async fn record_scan(&self, close: Option<&Closing>, open: Option<&Visit>) -> StoreResult<()> {
        self.scans.record(close.copied(), open.cloned()).await
    }

    async fn visit(&self, id: VisitId) -> StoreResult<Visit> {
        self.read_visit(id).await
    }

    async fn resident_visits(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<Visit>> {
        self.read_resident_visits(resident, limit).await
    }

    async fn venue_visits(
        &self,
        venue: VenueId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Visit>> {
        self.read_venue_visits(venue, from, to, limit).await
    }

    async fn residents_visits_between(
        &self,
        residents: &[ResidentId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>> {
        self.visits_of_residents_between(residents, from, to).await
    }

    async fn venues_visits_between(
        &self,
        venues: &[VenueId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>> {
        self.visits_at_venues_between(venues, from, to).await
    }

    async fn close_expired_visits(&self, now: Timestamp, limit: u32) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE visits SET exited_at = entered_at + max_stay_ms, exit_kind = 'auto'
             WHERE id IN (SELECT id FROM visits WHERE exited_at IS NULL AND entered_at + max_stay_ms <= ? LIMIT ?)",
        )
        .bind(Time(now))
        .bind(i64::from(limit))
        .execute(&mut *tx)
        .await
        .map_err(other("closing expired visits"))?;
        tx.commit().await.map_err(other("committing auto check-outs"))?;
        Ok(done.rows_affected())
    }

    async fn import_visits(&self, batch: &[Visit]) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for v in batch {
            insert_visit(&mut tx, v).await?;
        }
        tx.commit().await.map_err(other("committing visits"))
    }
}
