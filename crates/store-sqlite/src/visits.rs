//! Visits: entries and exits.

use async_trait::async_trait;
use healthcode_domain::visit::Closing;
use healthcode_domain::{Colour, ExitKind, ResidentId, VenueId, Visit, VisitId};
use healthcode_store::{ScanApplied, ScanRequest, StoreError, StoreResult, VisitStore};
use jiff::Timestamp;
use sqlx::SqliteConnection;

use crate::sql::visits::visit_from_row;
use crate::visit_rows::{self, COLUMNS, ROW_OF, RowOf};
use crate::{SqliteStore, other};
use healthcode_store_sql::Time;

async fn insert_visit(conn: &mut SqliteConnection, v: &Visit) -> StoreResult<()> {
    try_insert_visit(conn, v).await.map_err(other("inserting visit"))
}

async fn try_insert_visit(conn: &mut SqliteConnection, v: &Visit) -> Result<(), sqlx::Error> {
    let sql = visit_rows::insert_statement(1, visit_rows::ROW_BY_IDS);
    visit_rows::bind_by_ids(sqlx::query(sqlx::AssertSqlSafe(sql)), v).execute(&mut *conn).await?;
    Ok(())
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
        // A numbered id of a row that kept an older id is not that visit's id
        // (`ROW_OF` says so).
        let sql = format!("SELECT * FROM visits WHERE key = (SELECT key FROM visit_rows WHERE {ROW_OF})");
        let row = RowOf::new(id)
            .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
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
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE visit_rows SET exited_at = entered_at + max_stay_ms, exit_kind = ?
             WHERE key IN (SELECT key FROM visit_rows WHERE exited_at IS NULL AND entered_at + max_stay_ms <= ? LIMIT ?)",
        )
        .bind(visit_rows::exit_kind_code(ExitKind::Auto))
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

impl SqliteStore {
    /// Visits in id order after `after` (`TransferStore::visits_after`):
    /// numbered ones sort as their numbers (the table's own order), those
    /// that kept an id of another form by that id (`visit_rows_legacy_id`);
    /// a page of each, merged.
    pub(crate) async fn visits_in_id_order(&self, after: Option<VisitId>, limit: u32) -> StoreResult<Vec<Visit>> {
        // The first number whose id is past `after`: the one its first 48
        // bits spell, if its id sorts after it, else the next.
        let start = after.map_or(1, |a| {
            let b = a.as_bytes();
            let top = u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]]);
            match VisitId::from_number(top) {
                Some(id) if id > a => top,
                _ => top + 1,
            }
        });
        let from = format!(
            "SELECT {COLUMNS} FROM visit_rows v
             JOIN residents r ON r.no = v.resident_no JOIN venues p ON p.no = v.venue_no"
        );
        let numbered = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{from} WHERE v.key >= ? AND v.legacy_id IS NULL ORDER BY v.key LIMIT ?"
        )))
        .bind(i64::try_from(start).unwrap_or(i64::MAX))
        .bind(i64::from(limit));
        let kept = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{from} WHERE v.legacy_id IS NOT NULL AND v.legacy_id > ? ORDER BY v.legacy_id LIMIT ?"
        )))
        .bind(after.map_or_else(Vec::new, |a| a.as_bytes().to_vec()))
        .bind(i64::from(limit));
        let mut visits = Vec::new();
        for query in [numbered, kept] {
            for row in query.fetch_all(&self.pool).await.map_err(other("listing visits"))? {
                visits.extend(visit_rows::visit_at(&row, 0)?);
            }
        }
        visits.sort_unstable_by_key(|v| v.id);
        visits.truncate(limit as usize);
        Ok(visits)
    }

    /// The greatest visit id held.
    pub(crate) async fn last_visit_id(&self) -> StoreResult<Option<VisitId>> {
        let (number, kept): (Option<i64>, Option<Vec<u8>>) = sqlx::query_as(
            "SELECT (SELECT key FROM visit_rows WHERE legacy_id IS NULL ORDER BY key DESC LIMIT 1),
                    (SELECT legacy_id FROM visit_rows WHERE legacy_id IS NOT NULL ORDER BY legacy_id DESC LIMIT 1)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(other("finding the last visit"))?;
        let numbered = number.and_then(|n| u64::try_from(n).ok()).and_then(VisitId::from_number);
        let kept = kept.and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok()).map(VisitId::from_bytes);
        Ok(numbered.max(kept))
    }
}
