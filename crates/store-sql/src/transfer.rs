//! Reading the whole store out in order, for `healthcode store copy`.

#[doc(hidden)]
#[macro_export]
macro_rules! __transfer {
    ($Store:path, $Db:ty) => {
        pub(crate) mod transfer {
            $crate::__prelude!($Store, $Db);
            use domain::{ResidentId, VenueId, Visit, VisitId};
            use store::{
                CaseRecords, EnterpriseRecords, ResidentBundle, SessionRecord, StoreError, StoreResult, TableCounts, TransferStore,
                Venue,
            };
            use sqlx::AssertSqlSafe;

            use super::accounts::{RESIDENT_COLUMNS, resident_from_row};
            use super::auth::{session_from_row, write_session};
            use super::health::{CHANGE_COLUMNS, REPORT_COLUMNS, change_from_row, report_from_row, status_from_row};

            #[async_trait]
            impl TransferStore for Store {
                async fn resident_ids_after(&self, after: Option<ResidentId>, limit: u32) -> StoreResult<Vec<ResidentId>> {
                    // `uuid` compares bytewise, so this is the byte order of the ids.
                    let query = match after {
                        Some(after) => {
                            sqlx::query_scalar("SELECT id FROM residents WHERE id > $1 ORDER BY id LIMIT $2").bind(after.as_uuid())
                        }
                        None => sqlx::query_scalar("SELECT id FROM residents ORDER BY id LIMIT $1"),
                    };
                    let ids: Vec<Uuid> =
                        query.bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(other("listing residents"))?;
                    Ok(ids.into_iter().map(ResidentId::from_uuid).collect())
                }

                async fn last_resident_id(&self) -> StoreResult<Option<ResidentId>> {
                    let id: Option<Uuid> = sqlx::query_scalar("SELECT id FROM residents ORDER BY id DESC LIMIT 1")
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("finding the last resident"))?;
                    Ok(id.map(ResidentId::from_uuid))
                }

                async fn export_residents(&self, ids: &[ResidentId]) -> StoreResult<Vec<ResidentBundle>> {
                    // One snapshot for the whole page, so a bundle is never half-written.
                    let mut tx = self
                        .pool
                        .begin_with(<Db as Dialect>::BEGIN_SNAPSHOT)
                        .await
                        .map_err(other("exporting residents"))?;
                    let mut out = Vec::with_capacity(ids.len());
                    let by_id = format!("{RESIDENT_COLUMNS} WHERE id = $1");
                    let reports = format!("{REPORT_COLUMNS} WHERE resident_id = $1 ORDER BY at, id");
                    let changes = format!("{CHANGE_COLUMNS} WHERE resident_id = $1 ORDER BY seq");
                    for id in ids {
                        let key = id.as_uuid();
                        let row = sqlx::query(AssertSqlSafe(by_id.clone()))
                            .bind(key)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(other("exporting a resident"))?
                            .ok_or(StoreError::NotFound)?;
                        let reports = sqlx::query(AssertSqlSafe(reports.clone()))
                            .bind(key)
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(other("exporting reports"))?;
                        let status = sqlx::query("SELECT * FROM health_status WHERE resident_id = $1")
                            .bind(key)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(other("exporting a status"))?;
                        let changes = sqlx::query(AssertSqlSafe(changes.clone()))
                            .bind(key)
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(other("exporting status changes"))?;
                        out.push(ResidentBundle {
                            resident: resident_from_row(&row)?,
                            reports: reports.iter().map(report_from_row).collect::<StoreResult<_>>()?,
                            status: status.as_ref().map(status_from_row).transpose()?,
                            changes: changes.iter().map(change_from_row).collect::<StoreResult<_>>()?,
                        });
                    }
                    tx.commit().await.map_err(other("exporting residents"))?;
                    Ok(out)
                }

                async fn sessions_after(&self, after: Option<[u8; 32]>, limit: u32) -> StoreResult<Vec<SessionRecord>> {
                    let query = match after {
                        Some(after) => sqlx::query("SELECT * FROM sessions WHERE token_hash > $1 ORDER BY token_hash LIMIT $2")
                            .bind(after.to_vec()),
                        None => sqlx::query("SELECT * FROM sessions ORDER BY token_hash LIMIT $1"),
                    };
                    let rows = query.bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(other("listing sessions"))?;
                    rows.iter().map(session_from_row).collect()
                }

                async fn import_sessions(&self, batch: &[SessionRecord]) -> StoreResult<()> {
                    let mut tx = self.write_tx().await?;
                    for s in batch {
                        write_session(&mut tx, s, true).await?;
                    }
                    tx.commit().await.map_err(other("committing sessions"))
                }

                async fn venues_after(&self, after: Option<VenueId>, limit: u32) -> StoreResult<Vec<Venue>> {
                    let query = match after {
                        Some(a) => sqlx::query("SELECT * FROM venues WHERE id > $1 ORDER BY id LIMIT $2").bind(a.as_uuid()),
                        None => sqlx::query("SELECT * FROM venues ORDER BY id LIMIT $1"),
                    };
                    let rows = query.bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(other("listing venues"))?;
                    rows.iter().map(super::venues::venue_from_row).collect()
                }

                async fn visits_after(&self, after: Option<VisitId>, limit: u32) -> StoreResult<Vec<Visit>> {
                    // Each backend keeps visits its own way (SQLite numbers them).
                    self.visits_in_id_order(after, limit).await
                }

                async fn last_venue_and_visit_ids(&self) -> StoreResult<(Option<VenueId>, Option<VisitId>)> {
                    let venue: Option<Uuid> = sqlx::query_scalar("SELECT id FROM venues ORDER BY id DESC LIMIT 1")
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("finding the last venue"))?;
                    Ok((venue.map(VenueId::from_uuid), self.last_visit_id().await?))
                }

                async fn case_records(&self) -> StoreResult<CaseRecords> {
                    super::cases::all_case_records(self).await
                }

                async fn import_case_records(&self, records: &CaseRecords) -> StoreResult<()> {
                    super::cases::import_case_records(self, records).await
                }

                async fn enterprise_records(&self) -> StoreResult<EnterpriseRecords> {
                    self.all_enterprise_records().await
                }

                async fn import_enterprise_records(&self, records: &EnterpriseRecords) -> StoreResult<()> {
                    Store::import_enterprise_records(self, records).await
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
                                (SELECT count(*) FROM access_log) AS access_log,
                                (SELECT count(*) FROM test_results) AS test_results,
                                (SELECT count(*) FROM false_declarations) AS false_declarations",
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
                        test_results: n("test_results")?,
                        false_declarations: n("false_declarations")?,
                    })
                }
            }
        }
    };
}
