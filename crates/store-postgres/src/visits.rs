//! Visits: entries and exits.

use async_trait::async_trait;
use healthcode_domain::visit::Closing;
use healthcode_domain::{Colour, ExitKind, ResidentId, VenueId, Visit, VisitId};
use healthcode_store::{StoreError, StoreResult, VisitChange, VisitStore};
use jiff::Timestamp;
use sqlx::PgConnection;

use crate::partitions::Partitioned;
use crate::sql::visits::visit_from_row;
use crate::{PostgresStore, other};
use healthcode_store_sql::Time;

async fn insert_visit(conn: &mut PgConnection, v: &Visit) -> StoreResult<()> {
    // The primary key is (id, entered_at), as a partitioned table needs, so
    // it no longer refuses a taken id with another entry time: the id is
    // looked up first. (Two writers racing with one new id would need a
    // uuid collision; the primary key still catches the same instant.)
    let inserted = sqlx::query(
        "INSERT INTO visits (id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
         WHERE NOT EXISTS (SELECT 1 FROM visits WHERE id = $1)",
    )
    .bind(v.id.as_uuid())
    .bind(v.resident.as_uuid())
    .bind(v.venue.as_uuid())
    .bind(Time(v.entered_at))
    .bind(v.exited_at.map(Time))
    .bind(v.exit_kind.map(ExitKind::as_str))
    .bind(v.source.as_str())
    .bind(i64::try_from(v.max_stay.as_millis()).unwrap_or(i64::MAX))
    .bind(v.colour.as_str())
    .execute(&mut *conn)
    .await
    .map_err(other("inserting visit"))?;
    if inserted.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!("inserting visit: the id {} is taken", v.id.as_uuid())));
    }
    if v.exited_at.is_none() {
        // The primary key of `open_visits` is the one-open-visit rule: a
        // second open visit of the same person is a unique violation, so a
        // `Conflict`, and the whole transaction rolls back.
        sqlx::query("INSERT INTO open_visits (resident_id, visit_id, entered_at) VALUES ($1, $2, $3)")
            .bind(v.resident.as_uuid())
            .bind(v.id.as_uuid())
            .bind(Time(v.entered_at))
            .execute(&mut *conn)
            .await
            .map_err(other("opening visit"))?;
    }
    Ok(())
}

#[async_trait]
impl VisitStore for PostgresStore {
    async fn latest_visit(&self, resident: ResidentId) -> StoreResult<Option<Visit>> {
        self.read_latest_visit(resident).await
    }

    async fn scan_context(&self, resident: ResidentId) -> StoreResult<(Option<Colour>, Option<Visit>)> {
        self.read_scan_context(resident).await
    }

    async fn record_scan(&self, close: Option<&Closing>, open: Option<&Visit>) -> StoreResult<()> {
        if let Some(v) = open {
            self.partitions.ensure(&self.pool, Partitioned::Visits, [v.entered_at]).await;
        }
        let mut tx = self.write_tx().await?;
        let mut changes = Vec::new();
        if let Some(c) = close {
            // `open_visits` first (as `close_expired_visits` does): its row
            // is the lock two closers of one visit meet on, and it gives the
            // partition key, so the update touches one partition only.
            let entered: Option<(Time, uuid::Uuid)> =
                sqlx::query_as("DELETE FROM open_visits WHERE visit_id = $1 RETURNING entered_at, resident_id")
                    .bind(c.visit.as_uuid())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other("closing visit"))?;
            let Some((entered, resident)) = entered else {
                return Err(StoreError::Conflict("the visit was already closed".into()));
            };
            changes.push(VisitChange::Closed { resident: ResidentId::from_uuid(resident), visit: c.visit, at: c.at });
            let done = sqlx::query(
                "UPDATE visits SET exited_at = $1, exit_kind = $2 WHERE id = $3 AND entered_at = $4 AND exited_at IS NULL",
            )
            .bind(Time(c.at))
            .bind(c.kind.as_str())
            .bind(c.visit.as_uuid())
            .bind(entered)
            .execute(&mut *tx)
            .await
            .map_err(other("closing visit"))?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict("the visit was already closed".into()));
            }
        }
        if let Some(v) = open {
            insert_visit(&mut tx, v).await?;
            changes.push(VisitChange::Entered(v.clone()));
        }
        crate::cluster::announce(self, &mut tx, &changes).await?;
        tx.commit().await.map_err(other("committing scan"))
    }

    async fn visit(&self, id: VisitId) -> StoreResult<Visit> {
        let row = sqlx::query("SELECT * FROM visits WHERE id = $1")
            .bind(id.as_uuid())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading visit"))?
            .ok_or(StoreError::NotFound)?;
        visit_from_row(&row)
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
        // Each visit's `open_visits` row goes first, as in `record_scan`, so a
        // person's scan and this sweep lock in the same order; a visit
        // closed meanwhile has no row left and is skipped.
        let done = sqlx::query(
            "WITH expired AS (
                 SELECT id FROM visits
                 WHERE exited_at IS NULL AND entered_at + max_stay_ms * INTERVAL '1 millisecond' <= $1
                 LIMIT $2),
             gone AS (
                 DELETE FROM open_visits o USING expired e WHERE o.visit_id = e.id
                 RETURNING o.visit_id, o.entered_at)
             UPDATE visits v
             SET exited_at = v.entered_at + v.max_stay_ms * INTERVAL '1 millisecond', exit_kind = 'auto'
             FROM gone g
             WHERE v.id = g.visit_id AND v.entered_at = g.entered_at AND v.exited_at IS NULL",
        )
        .bind(Time(now))
        .bind(i64::from(limit))
        .execute(&self.pool)
        .await
        .map_err(other("closing expired visits"))?;
        Ok(done.rows_affected())
    }

    async fn import_visits(&self, batch: &[Visit]) -> StoreResult<()> {
        self.partitions.ensure(&self.pool, Partitioned::Visits, batch.iter().map(|v| v.entered_at)).await;
        let mut tx = self.write_tx().await?;
        for v in batch {
            insert_visit(&mut tx, v).await?;
        }
        tx.commit().await.map_err(other("committing visits"))
    }
}

impl PostgresStore {
    /// Visits in id order after `after` (`TransferStore::visits_after`).
    pub(crate) async fn visits_in_id_order(&self, after: Option<VisitId>, limit: u32) -> StoreResult<Vec<Visit>> {
        let query = match after {
            Some(a) => sqlx::query("SELECT * FROM visits WHERE id > $1 ORDER BY id LIMIT $2").bind(a.as_uuid()),
            None => sqlx::query("SELECT * FROM visits ORDER BY id LIMIT $1"),
        };
        let rows = query.bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(other("listing visits"))?;
        rows.iter().map(visit_from_row).collect()
    }

    /// The greatest visit id held.
    pub(crate) async fn last_visit_id(&self) -> StoreResult<Option<VisitId>> {
        let visit: Option<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM visits ORDER BY id DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(other("finding the last visit"))?;
        Ok(visit.map(VisitId::from_uuid))
    }
}
