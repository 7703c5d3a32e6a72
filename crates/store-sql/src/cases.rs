//! Cases, authority status changes, notices and exposure sites.

#[doc(hidden)]
#[macro_export]
macro_rules! __cases {
    ($Store:path, $Db:ty) => {
        pub(crate) mod cases {
            $crate::__prelude!($Store, $Db);
            use domain::policy::CaseKind;
            use domain::{Case, CaseId, HealthStatus, ResidentId, StatusChange, VenueId};
            use store::{
                AuditEntry, CaseListQuery, CaseListRow, CaseRecords, CaseSort, CaseStatusFilter, CaseStore, ExposureSite,
                Notice, StoreError, StoreResult,
            };
            use jiff::Timestamp;

            use super::health::{insert_change, upsert_status};

            fn case_from_row(row: &Row) -> StoreResult<Case> {
                let applied: Option<Time> = get(row, "applied_at")?;
                Ok(Case {
                    id: CaseId::from_uuid(get::<Uuid>(row, "id")?),
                    resident: resident_id(row, "resident_id")?,
                    kind: CaseKind::parse(&get::<String>(row, "kind")?).map_err(|e| corrupt(e.to_string()))?,
                    onset: date(row, "onset")?,
                    isolated_on: opt_date(row, "isolated_on")?,
                    recorded_by: get(row, "recorded_by")?,
                    recorded_at: ts(row, "recorded_at")?,
                    applied_at: applied.map(|a| a.0),
                })
            }

            fn notice_from_row(row: &Row) -> StoreResult<Notice> {
                Ok(Notice {
                    id: get(row, "id")?,
                    resident: resident_id(row, "resident_id")?,
                    at: ts(row, "at")?,
                    case: CaseId::from_uuid(get::<Uuid>(row, "case_id")?),
                    kind: get(row, "kind")?,
                    message: get(row, "message")?,
                })
            }

            fn site_from_row(row: &Row) -> StoreResult<ExposureSite> {
                Ok(ExposureSite {
                    case: CaseId::from_uuid(get::<Uuid>(row, "case_id")?),
                    venue: VenueId::from_uuid(get::<Uuid>(row, "venue_id")?),
                    from: ts(row, "from_at")?,
                    to: ts(row, "to_at")?,
                })
            }

            /// Every case record, for copies.
            pub(crate) async fn all_case_records(store: &Store) -> StoreResult<CaseRecords> {
                let cases = sqlx::query("SELECT * FROM cases ORDER BY id")
                    .fetch_all(&store.pool)
                    .await
                    .map_err(other("exporting cases"))?;
                let notices = sqlx::query("SELECT * FROM notices ORDER BY id")
                    .fetch_all(&store.pool)
                    .await
                    .map_err(other("exporting notices"))?;
                let sites = sqlx::query("SELECT * FROM exposure_sites ORDER BY case_id, venue_id, from_at")
                    .fetch_all(&store.pool)
                    .await
                    .map_err(other("exporting exposure sites"))?;
                let areas = store.risk_areas_at_any().await?;
                let overrides = store.all_overrides().await?;
                let alarms = store.all_alarms().await?;
                let (appeals, accesses) = (store.all_appeals().await?, store.all_accesses().await?);
                Ok(CaseRecords {
                    overrides,
                    appeals,
                    accesses,
                    alarms,
                    risk_areas: areas,
                    cases: cases.iter().map(case_from_row).collect::<StoreResult<_>>()?,
                    notices: notices.iter().map(notice_from_row).collect::<StoreResult<_>>()?,
                    sites: sites.iter().map(site_from_row).collect::<StoreResult<_>>()?,
                })
            }

            /// Inserts case records, skipping those present.
            pub(crate) async fn import_case_records(store: &Store, r: &CaseRecords) -> StoreResult<()> {
                let mut tx = store.write_tx().await?;
                for c in &r.cases {
                    sqlx::query(
                        "INSERT INTO cases (id, resident_id, kind, onset, isolated_on, recorded_by, recorded_at, applied_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(c.id.as_uuid())
                    .bind(c.resident.as_uuid())
                    .bind(c.kind.as_str())
                    .bind(Day(c.onset))
                    .bind(c.isolated_on.map(Day))
                    .bind(&c.recorded_by)
                    .bind(Time(c.recorded_at))
                    .bind(c.applied_at.map(Time))
                    .execute(&mut *tx)
                    .await
                    .map_err(other("importing case"))?;
                }
                for n in &r.notices {
                    sqlx::query(
                        "INSERT INTO notices (id, resident_id, at, case_id, kind, message) VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(n.id)
                    .bind(n.resident.as_uuid())
                    .bind(Time(n.at))
                    .bind(n.case.as_uuid())
                    .bind(&n.kind)
                    .bind(&n.message)
                    .execute(&mut *tx)
                    .await
                    .map_err(other("importing notice"))?;
                }
                for s in &r.sites {
                    sqlx::query(
                        "INSERT INTO exposure_sites (case_id, venue_id, from_at, to_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(s.case.as_uuid())
                    .bind(s.venue.as_uuid())
                    .bind(Time(s.from))
                    .bind(Time(s.to))
                    .execute(&mut *tx)
                    .await
                    .map_err(other("importing exposure site"))?;
                }
                for a in &r.risk_areas {
                    sqlx::query(
                        "INSERT INTO risk_areas (id, code, from_at, until_at, marked_by, reason) VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(a.id)
                    .bind(a.code.as_str())
                    .bind(Time(a.from))
                    .bind(Time(a.until))
                    .bind(&a.marked_by)
                    .bind(&a.reason)
                    .execute(&mut *tx)
                    .await
                    .map_err(other("importing risk area"))?;
                }
                for o in &r.overrides {
                    sqlx::query(
                        "INSERT INTO overrides (id, resident_id, colour, reason_code, basis, requested_by, requested_at, state,
                             decided_by, decided_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(o.id)
                    .bind(o.resident.as_uuid())
                    .bind(o.colour.as_str())
                    .bind(&o.reason_code)
                    .bind(&o.basis)
                    .bind(&o.requested_by)
                    .bind(Time(o.requested_at))
                    .bind(&o.state)
                    .bind(&o.decided_by)
                    .bind(o.decided_at.map(Time))
                    .execute(&mut *tx)
                    .await
                    .map_err(other("importing override"))?;
                }
                super::alarms::import_alarms(&mut tx, &r.alarms).await?;
                super::appeals::import(&mut tx, &r.appeals).await?;
                super::access_log::import(&mut tx, &r.accesses).await?;
                tx.commit().await.map_err(other("committing case records"))
            }

            #[async_trait]
            impl CaseStore for Store {
                async fn create_case(&self, c: &Case) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO cases (id, resident_id, kind, onset, isolated_on, recorded_by, recorded_at, applied_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(c.id.as_uuid())
                    .bind(c.resident.as_uuid())
                    .bind(c.kind.as_str())
                    .bind(Day(c.onset))
                    .bind(c.isolated_on.map(Day))
                    .bind(&c.recorded_by)
                    .bind(Time(c.recorded_at))
                    .bind(c.applied_at.map(Time))
                    .execute(&self.pool)
                    .await
                    .map_err(other("inserting case"))?;
                    Ok(())
                }

                async fn case(&self, id: CaseId) -> StoreResult<Case> {
                    let row = sqlx::query("SELECT * FROM cases WHERE id = $1")
                        .bind(id.as_uuid())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading case"))?
                        .ok_or(StoreError::NotFound)?;
                    case_from_row(&row)
                }

                async fn cases(&self, limit: u32) -> StoreResult<Vec<Case>> {
                    let rows = sqlx::query("SELECT * FROM cases ORDER BY recorded_at DESC, id DESC LIMIT $1")
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing cases"))?;
                    rows.iter().map(case_from_row).collect()
                }

                async fn case_list(&self, q: &CaseListQuery) -> StoreResult<(Vec<CaseListRow>, u64)> {
                    let status = match q.status {
                        None => "",
                        Some(CaseStatusFilter::Traced) => "traced",
                        Some(CaseStatusFilter::Applied) => "applied",
                    };
                    let district = q.district.as_deref().unwrap_or("");
                    // The filter, shared by the page and its count; `$1` the
                    // status, `$2` the district ('' for any).
                    const MATCHING: &str = "FROM cases c LEFT JOIN residents r ON r.id = c.resident_id
                         WHERE ($1 = '' OR ($1 = 'applied' AND c.applied_at IS NOT NULL)
                                        OR ($1 = 'traced' AND c.applied_at IS NULL))
                           AND ($2 = '' OR r.district = $2)";
                    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {MATCHING}")))
                        .bind(status)
                        .bind(district)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(other("counting cases"))?;
                    // The order is one of five fixed spellings, never text from a request.
                    let key = match q.sort {
                        CaseSort::Recorded => "t.recorded_at",
                        CaseSort::Onset => "t.onset",
                        CaseSort::District => "t.district",
                        CaseSort::Status => "t.applied",
                        CaseSort::Contacts => "t.close_n + t.secondary_n",
                    };
                    let dir = if q.descending { "DESC" } else { "ASC" };
                    let sql = format!(
                        "SELECT * FROM (
                             SELECT c.*, COALESCE(r.district, '') AS district,
                                    CASE WHEN c.applied_at IS NULL THEN 0 ELSE 1 END AS applied,
                                    (SELECT COUNT(*) FROM notices n WHERE n.case_id = c.id AND n.kind = 'close') AS close_n,
                                    (SELECT COUNT(*) FROM notices n WHERE n.case_id = c.id AND n.kind = 'secondary') AS secondary_n
                             {MATCHING}) t
                         ORDER BY {key} {dir}, t.recorded_at {dir}, t.id {dir} LIMIT $3 OFFSET $4"
                    );
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(status)
                        .bind(district)
                        .bind(i64::from(q.limit))
                        .bind(i64::try_from(q.offset).unwrap_or(i64::MAX))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing cases"))?;
                    let count = |row: &Row, col: &str| -> StoreResult<u64> {
                        Ok(u64::try_from(get::<i64>(row, col)?).unwrap_or(0))
                    };
                    let list = rows
                        .iter()
                        .map(|row| {
                            let district: String = get(row, "district")?;
                            Ok(CaseListRow {
                                case: case_from_row(row)?,
                                district: (!district.is_empty()).then_some(district),
                                close_notified: count(row, "close_n")?,
                                secondary_notified: count(row, "secondary_n")?,
                            })
                        })
                        .collect::<StoreResult<Vec<_>>>()?;
                    Ok((list, u64::try_from(total).unwrap_or(0)))
                }

                async fn notified_among(&self, residents: &[ResidentId]) -> StoreResult<std::collections::HashSet<ResidentId>> {
                    let mut wanted: Vec<Uuid> = residents.iter().map(|r| r.as_uuid()).collect();
                    wanted.sort_unstable();
                    wanted.dedup();
                    let mut out = std::collections::HashSet::new();
                    // One statement per 500 ids keeps under SQLite's bound-variable limit.
                    for chunk in wanted.chunks(500) {
                        let mut query = sqlx::QueryBuilder::<Db>::new(
                            "SELECT DISTINCT resident_id FROM notices WHERE kind <> 'case' AND resident_id IN (",
                        );
                        let mut list = query.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        query.push(")");
                        let rows = query.build().fetch_all(&self.pool).await.map_err(other("reading notified people"))?;
                        for row in &rows {
                            out.insert(resident_id(row, "resident_id")?);
                        }
                    }
                    Ok(out)
                }

                async fn case_of(&self, resident: ResidentId) -> StoreResult<Option<Case>> {
                    let row = sqlx::query("SELECT * FROM cases WHERE resident_id = $1 ORDER BY recorded_at DESC, id DESC LIMIT 1")
                        .bind(resident.as_uuid())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading a person's case"))?;
                    row.as_ref().map(case_from_row).transpose()
                }

                async fn mark_case_applied(
                    &self,
                    id: CaseId,
                    at: Timestamp,
                    sites: &[ExposureSite],
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    for _ in 0..AUDIT_ATTEMPTS {
                        let mut tx = self.write_tx().await?;
                        let done = sqlx::query("UPDATE cases SET applied_at = $1 WHERE id = $2 AND applied_at IS NULL")
                            .bind(Time(at))
                            .bind(id.as_uuid())
                            .execute(&mut *tx)
                            .await
                            .map_err(other("marking case applied"))?;
                        if done.rows_affected() == 0 {
                            let exists = sqlx::query("SELECT 1 FROM cases WHERE id = $1")
                                .bind(id.as_uuid())
                                .fetch_optional(&mut *tx)
                                .await
                                .map_err(other("reading case"))?;
                            return Err(match exists {
                                Some(_) => StoreError::Conflict("the case is already applied".into()),
                                None => StoreError::NotFound,
                            });
                        }
                        for s in sites {
                            sqlx::query(
                                "INSERT INTO exposure_sites (case_id, venue_id, from_at, to_at) VALUES ($1, $2, $3, $4)
                                 ON CONFLICT DO NOTHING",
                            )
                            .bind(s.case.as_uuid())
                            .bind(s.venue.as_uuid())
                            .bind(Time(s.from))
                            .bind(Time(s.to))
                            .execute(&mut *tx)
                            .await
                            .map_err(other("recording exposure site"))?;
                        }
                        if super::audit::append_in(&mut tx, audit).await?.is_some() {
                            return tx.commit().await.map_err(other("committing applied case"));
                        }
                    }
                    Err(audit_busy())
                }

                async fn commit_status(
                    &self,
                    expected_version: Option<i64>,
                    status: &HealthStatus,
                    changes: &[StatusChange],
                ) -> StoreResult<HealthStatus> {
                    let mut tx = self.write_tx().await?;
                    let version = upsert_status(&mut tx, status, expected_version).await?;
                    for c in changes {
                        insert_change(&mut tx, c).await?;
                    }
                    tx.commit().await.map_err(other("committing status"))?;
                    Ok(HealthStatus { version, ..status.clone() })
                }

                async fn push_notice(&self, n: &Notice) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO notices (id, resident_id, at, case_id, kind, message) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(n.id)
                    .bind(n.resident.as_uuid())
                    .bind(Time(n.at))
                    .bind(n.case.as_uuid())
                    .bind(&n.kind)
                    .bind(&n.message)
                    .execute(&self.pool)
                    .await
                    .map_err(other("inserting notice"))?;
                    Ok(())
                }

                async fn notices_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<Notice>> {
                    let rows = sqlx::query("SELECT * FROM notices WHERE resident_id = $1 ORDER BY at DESC, id DESC LIMIT $2")
                        .bind(resident.as_uuid())
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing notices"))?;
                    rows.iter().map(notice_from_row).collect()
                }

                async fn exposure_sites(&self, since: Timestamp, limit: u32) -> StoreResult<Vec<ExposureSite>> {
                    let rows = sqlx::query("SELECT * FROM exposure_sites WHERE to_at > $1 ORDER BY from_at DESC LIMIT $2")
                        .bind(Time(since))
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing exposure sites"))?;
                    rows.iter().map(site_from_row).collect()
                }
            }
        }
    };
}
