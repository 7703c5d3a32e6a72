//! Reading the whole store out in order, for `healthcode store copy`.

use async_trait::async_trait;
use healthcode_domain::{ResidentId, VenueId, Visit, VisitId};
use healthcode_store::{
    CaseRecords, EnterpriseRecords, ResidentBundle, SessionRecord, StoreResult, TableCounts, TransferStore, Venue,
};

use crate::accounts::{RESIDENT_COLUMNS, resident_from_row};
use crate::auth::session_from_row;
use crate::convert::{get, resident_id, status_from_row};
use crate::health::{change_from_row, report_from_row};
use crate::{SqliteStore, other};

#[async_trait]
impl TransferStore for SqliteStore {
    async fn resident_ids_after(&self, after: Option<ResidentId>, limit: u32) -> StoreResult<Vec<ResidentId>> {
        let rows = sqlx::query("SELECT id FROM residents WHERE (?1 IS NULL OR id > ?1) ORDER BY id LIMIT ?2")
            .bind(after.map(|a| a.as_bytes().to_vec()))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing residents"))?;
        rows.iter().map(|r| resident_id(&get::<Vec<u8>>(r, "id")?)).collect()
    }

    async fn last_resident_id(&self) -> StoreResult<Option<ResidentId>> {
        let id: Option<Vec<u8>> = sqlx::query_scalar("SELECT max(id) FROM residents")
            .fetch_one(&self.pool)
            .await
            .map_err(other("finding the last resident"))?;
        id.as_deref().map(resident_id).transpose()
    }

    async fn export_residents(&self, ids: &[ResidentId]) -> StoreResult<Vec<ResidentBundle>> {
        let mut conn = self.pool.acquire().await.map_err(other("exporting residents"))?;
        let mut out = Vec::with_capacity(ids.len());
        let by_id = format!("{RESIDENT_COLUMNS} WHERE id = ?");
        for id in ids {
            let key = id.as_bytes().as_slice();
            let row = sqlx::query(sqlx::AssertSqlSafe(by_id.clone()))
                .bind(key)
                .fetch_one(&mut *conn)
                .await
                .map_err(other("exporting a resident"))?;
            let reports = sqlx::query(
                "SELECT id, resident_id, at, local_date, body, channel FROM reports WHERE resident_id = ? ORDER BY at, id",
            )
            .bind(key)
            .fetch_all(&mut *conn)
            .await
            .map_err(other("exporting reports"))?;
            let status = sqlx::query("SELECT * FROM health_status WHERE resident_id = ?")
                .bind(key)
                .fetch_optional(&mut *conn)
                .await
                .map_err(other("exporting a status"))?;
            let changes = sqlx::query(
                "SELECT resident_id, at, event, from_colour, to_colour, basis, evidence, actor
                 FROM status_changes WHERE resident_id = ? ORDER BY seq",
            )
            .bind(key)
            .fetch_all(&mut *conn)
            .await
            .map_err(other("exporting status changes"))?;
            out.push(ResidentBundle {
                resident: resident_from_row(&row)?,
                reports: reports.iter().map(report_from_row).collect::<StoreResult<_>>()?,
                status: status.as_ref().map(status_from_row).transpose()?,
                changes: changes.iter().map(change_from_row).collect::<StoreResult<_>>()?,
            });
        }
        Ok(out)
    }

    async fn sessions_after(&self, after: Option<[u8; 32]>, limit: u32) -> StoreResult<Vec<SessionRecord>> {
        let rows =
            sqlx::query("SELECT * FROM sessions WHERE (?1 IS NULL OR token_hash > ?1) ORDER BY token_hash LIMIT ?2")
                .bind(after.map(|a| a.to_vec()))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(other("listing sessions"))?;
        rows.iter().map(session_from_row).collect()
    }

    async fn import_sessions(&self, batch: &[SessionRecord]) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for s in batch {
            sqlx::query(
                "INSERT INTO sessions (token_hash, kind, role, subject, resident_id, created_at, expires_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO NOTHING",
            )
            .bind(s.token_hash.as_slice())
            .bind(s.kind.as_str())
            .bind(s.principal.role.as_str())
            .bind(&s.principal.subject)
            .bind(s.principal.resident.map(|r| r.as_bytes().to_vec()))
            .bind(s.created_at.as_millisecond())
            .bind(s.expires_at.as_millisecond())
            .execute(&mut *tx)
            .await
            .map_err(other("importing a session"))?;
        }
        tx.commit().await.map_err(other("committing sessions"))
    }

    async fn venues_after(&self, after: Option<VenueId>, limit: u32) -> StoreResult<Vec<Venue>> {
        let rows = sqlx::query("SELECT * FROM venues WHERE (?1 IS NULL OR id > ?1) ORDER BY id LIMIT ?2")
            .bind(after.map(|a| a.as_bytes().to_vec()))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing venues"))?;
        rows.iter().map(crate::venues::venue_from_row).collect()
    }

    async fn visits_after(&self, after: Option<VisitId>, limit: u32) -> StoreResult<Vec<Visit>> {
        let rows = sqlx::query("SELECT * FROM visits WHERE (?1 IS NULL OR id > ?1) ORDER BY id LIMIT ?2")
            .bind(after.map(|a| a.as_bytes().to_vec()))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing visits"))?;
        rows.iter().map(crate::visits::visit_from_row).collect()
    }

    async fn last_venue_and_visit_ids(&self) -> StoreResult<(Option<VenueId>, Option<VisitId>)> {
        let venue: Option<Vec<u8>> = sqlx::query_scalar("SELECT max(id) FROM venues")
            .fetch_one(&self.pool)
            .await
            .map_err(other("finding the last venue"))?;
        let visit: Option<Vec<u8>> = sqlx::query_scalar("SELECT max(id) FROM visits")
            .fetch_one(&self.pool)
            .await
            .map_err(other("finding the last visit"))?;
        let id16 = |v: Vec<u8>| <[u8; 16]>::try_from(v.as_slice()).map_err(|_| crate::convert::corrupt("id".into()));
        Ok((
            venue.map(id16).transpose()?.map(VenueId::from_bytes),
            visit.map(id16).transpose()?.map(VisitId::from_bytes),
        ))
    }

    async fn case_records(&self) -> StoreResult<CaseRecords> {
        crate::cases::all_case_records(self).await
    }

    async fn import_case_records(&self, records: &CaseRecords) -> StoreResult<()> {
        crate::cases::import_case_records(self, records).await
    }

    async fn enterprise_records(&self) -> StoreResult<EnterpriseRecords> {
        self.all_enterprise_records().await
    }

    async fn import_enterprise_records(&self, records: &EnterpriseRecords) -> StoreResult<()> {
        SqliteStore::import_enterprise_records(self, records).await
    }

    async fn counts(&self) -> StoreResult<TableCounts> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM residents) AS residents, (SELECT count(*) FROM reports) AS reports,
                    (SELECT count(*) FROM health_status) AS statuses,
                    (SELECT count(*) FROM status_changes) AS status_changes,
                    (SELECT count(*) FROM sessions) AS sessions,
                    (SELECT count(*) FROM venues) AS venues, (SELECT count(*) FROM visits) AS visits,
                    (SELECT count(*) FROM checkpoints) AS checkpoints, (SELECT count(*) FROM passages) AS passages,
                    (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM notices) AS notices,
                    (SELECT count(*) FROM exposure_sites) AS exposure_sites,
                    (SELECT count(*) FROM audit_log) AS audit_entries,
                    (SELECT count(*) FROM enterprises) AS enterprises,
                    (SELECT count(*) FROM employees) AS employees,
                    (SELECT count(*) FROM gate_scans) AS gate_scans,
                    (SELECT count(*) FROM appeals) AS appeals,
                    (SELECT count(*) FROM access_log) AS access_log",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(other("counting rows"))?;
        let n = |col: &str| get::<i64>(&row, col).map(|v| u64::try_from(v).unwrap_or(0));
        Ok(TableCounts {
            residents: n("residents")?,
            reports: n("reports")?,
            statuses: n("statuses")?,
            status_changes: n("status_changes")?,
            sessions: n("sessions")?,
            venues: n("venues")?,
            visits: n("visits")?,
            checkpoints: n("checkpoints")?,
            passages: n("passages")?,
            cases: n("cases")?,
            notices: n("notices")?,
            exposure_sites: n("exposure_sites")?,
            audit_entries: n("audit_entries")?,
            enterprises: n("enterprises")?,
            employees: n("employees")?,
            gate_scans: n("gate_scans")?,
            appeals: n("appeals")?,
            access_log: n("access_log")?,
        })
    }
}
