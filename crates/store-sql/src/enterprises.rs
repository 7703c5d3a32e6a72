//! Work resumption: applications, rosters, gate scans.

#[doc(hidden)]
#[macro_export]
macro_rules! __enterprises {
    ($Store:path, $Db:ty) => {
        pub(crate) mod enterprises {
            $crate::__prelude!($Store, $Db);
            use domain::{
                ApplicationState, DistrictCode, EnterpriseId, EnterpriseProfile, PersonName, PhoneNumber, ResidentId, Site,
                Temperature,
            };
            use store::{AuditEntry,
                Employee, EmployeeSnapshot, Enterprise, EnterpriseDecision, EnterpriseRecords, EnterpriseStore, GateScan,
                StoreError, StoreResult,
            };
            use jiff::Timestamp;

            fn enterprise_id(row: &Row, col: &str) -> StoreResult<EnterpriseId> {
                get::<Uuid>(row, col).map(EnterpriseId::from_uuid)
            }

            fn phone(s: &str) -> StoreResult<PhoneNumber> {
                PhoneNumber::parse(s).map_err(|e| corrupt(format!("phone: {e}")))
            }

            fn opt_resident(row: &Row, col: &str) -> StoreResult<Option<ResidentId>> {
                get::<Option<Uuid>>(row, col).map(|id| id.map(ResidentId::from_uuid))
            }

            pub(crate) fn enterprise_from_row(row: &Row) -> StoreResult<Enterprise> {
                let state: String = get(row, "state")?;
                let sites: Vec<Site> = stored::sites_from_stored(from_json(row, "sites")?)?;
                Ok(Enterprise {
                    id: enterprise_id(row, "id")?,
                    owner: phone(&get::<String>(row, "owner_phone")?)?,
                    profile: EnterpriseProfile {
                        name: get(row, "name")?,
                        sites,
                        district: DistrictCode::parse(&get::<String>(row, "district")?).map_err(|e| corrupt(e.to_string()))?,
                        planned_headcount: u32::try_from(get::<i32>(row, "planned_headcount")?)
                            .map_err(|_| corrupt("planned headcount".into()))?,
                        measures: get(row, "measures")?,
                    },
                    state: ApplicationState::parse(&state).ok_or_else(|| corrupt(format!("application state {state}")))?,
                    submitted_at: ts(row, "submitted_at")?,
                    due_at: ts(row, "due_at")?,
                    decided_at: opt_ts(row, "decided_at")?,
                    decided_by: get(row, "decided_by")?,
                    decision_reason: get(row, "decision_reason")?,
                })
            }

            fn employee_from_row(row: &Row) -> StoreResult<Employee> {
                Ok(Employee {
                    enterprise: enterprise_id(row, "enterprise_id")?,
                    phone: phone(&get::<String>(row, "phone")?)?,
                    resident: opt_resident(row, "resident_id")?,
                    invited_at: ts(row, "invited_at")?,
                    accepted_at: opt_ts(row, "accepted_at")?,
                    removed_at: opt_ts(row, "removed_at")?,
                })
            }

            fn temperature(tenths: Option<i32>) -> StoreResult<Option<Temperature>> {
                tenths
                    .map(|t| {
                        u16::try_from(t)
                            .ok()
                            .and_then(|t| Temperature::from_tenths(t).ok())
                            .ok_or_else(|| corrupt(format!("temperature {t}")))
                    })
                    .transpose()
            }

            fn gate_scan_from_row(row: &Row) -> StoreResult<GateScan> {
                Ok(GateScan {
                    id: get(row, "id")?,
                    enterprise: enterprise_id(row, "enterprise_id")?,
                    resident: resident_id(row, "resident_id")?,
                    scanned_at: ts(row, "scanned_at")?,
                    colour: colour(&get::<String>(row, "colour")?)?,
                    temperature: temperature(get(row, "temperature_dc")?)?,
                    flagged: get(row, "flagged")?,
                    reason: get(row, "reason")?,
                })
            }

            fn snapshot_from_row(row: &Row) -> StoreResult<EmployeeSnapshot> {
                let name: Option<String> = get(row, "name")?;
                let colour_text: Option<String> = get(row, "colour")?;
                Ok(EmployeeSnapshot {
                    phone: phone(&get::<String>(row, "phone")?)?,
                    resident: opt_resident(row, "resident_id")?,
                    accepted_at: opt_ts(row, "accepted_at")?,
                    name: name.as_deref().map(PersonName::parse).transpose().map_err(|e| corrupt(e.to_string()))?,
                    colour: colour_text.as_deref().map(colour).transpose()?,
                    last_report_on: opt_date(row, "last_report_on")?,
                    scanned_today: get(row, "scanned")?,
                    fever_today: get(row, "fever")?,
                })
            }

            /// What an insert does when the row exists: fail (`Conflict`) or skip it.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            enum OnDuplicate {
                Fail,
                Skip,
            }

            impl OnDuplicate {
                fn clause(self) -> &'static str {
                    match self {
                        OnDuplicate::Fail => "",
                        OnDuplicate::Skip => " ON CONFLICT DO NOTHING",
                    }
                }
            }

            async fn insert_enterprise(conn: &mut Conn, e: &Enterprise, dup: OnDuplicate) -> StoreResult<()> {
                let sql = format!(
                    "INSERT INTO enterprises (id, owner_phone, name, sites, district, planned_headcount, measures, state,
                         submitted_at, due_at, decided_at, decided_by, decision_reason)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13){}",
                    dup.clause()
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(e.id.as_uuid())
                    .bind(e.owner.as_str())
                    .bind(&e.profile.name)
                    .bind(Json(stored::sites_to_stored(&e.profile.sites)))
                    .bind(e.profile.district.as_str())
                    .bind(
                        i32::try_from(e.profile.planned_headcount)
                            .map_err(|_| StoreError::Other("headcount out of range".into()))?,
                    )
                    .bind(&e.profile.measures)
                    .bind(e.state.as_str())
                    .bind(Time(e.submitted_at))
                    .bind(Time(e.due_at))
                    .bind(e.decided_at.map(Time))
                    .bind(&e.decided_by)
                    .bind(&e.decision_reason)
                    .execute(&mut *conn)
                    .await
                    .map_err(other("inserting enterprise"))?;
                Ok(())
            }

            async fn insert_employee(conn: &mut Conn, e: &Employee) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO employees (enterprise_id, phone, resident_id, invited_at, accepted_at, removed_at)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                )
                .bind(e.enterprise.as_uuid())
                .bind(e.phone.as_str())
                .bind(e.resident.map(|r| r.as_uuid()))
                .bind(Time(e.invited_at))
                .bind(e.accepted_at.map(Time))
                .bind(e.removed_at.map(Time))
                .execute(&mut *conn)
                .await
                .map_err(other("inserting roster line"))?;
                Ok(())
            }

            async fn insert_gate_scan(conn: &mut Conn, s: &GateScan, dup: OnDuplicate) -> StoreResult<()> {
                let sql = format!(
                    "INSERT INTO gate_scans (id, enterprise_id, resident_id, scanned_at, colour, temperature_dc, flagged, reason)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8){}",
                    dup.clause()
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(s.id)
                    .bind(s.enterprise.as_uuid())
                    .bind(s.resident.as_uuid())
                    .bind(Time(s.scanned_at))
                    .bind(s.colour.as_str())
                    .bind(s.temperature.map(|t| i32::from(t.tenths())))
                    .bind(s.flagged)
                    .bind(&s.reason)
                    .execute(&mut *conn)
                    .await
                    .map_err(other("recording gate scan"))?;
                Ok(())
            }

            impl Store {
                /// Every application, roster line and gate scan, for copies.
                pub(crate) async fn all_enterprise_records(&self) -> StoreResult<EnterpriseRecords> {
                    let read = |sql: &'static str| sqlx::query(sql).fetch_all(&self.pool);
                    let enterprises =
                        read("SELECT * FROM enterprises ORDER BY id").await.map_err(other("exporting enterprises"))?;
                    let employees =
                        read("SELECT * FROM employees ORDER BY enterprise_id, phone").await.map_err(other("exporting rosters"))?;
                    let scans = read("SELECT * FROM gate_scans ORDER BY id").await.map_err(other("exporting gate scans"))?;
                    Ok(EnterpriseRecords {
                        enterprises: enterprises.iter().map(enterprise_from_row).collect::<StoreResult<_>>()?,
                        employees: employees.iter().map(employee_from_row).collect::<StoreResult<_>>()?,
                        gate_scans: scans.iter().map(gate_scan_from_row).collect::<StoreResult<_>>()?,
                    })
                }

                /// Inserts records in one transaction, skipping those present.
                pub(crate) async fn import_enterprise_records(&self, records: &EnterpriseRecords) -> StoreResult<()> {
                    let mut tx = self.write_tx().await?;
                    for e in &records.enterprises {
                        insert_enterprise(&mut tx, e, OnDuplicate::Skip).await?;
                    }
                    for e in &records.employees {
                        insert_employee(&mut tx, e).await?;
                    }
                    for s in &records.gate_scans {
                        insert_gate_scan(&mut tx, s, OnDuplicate::Skip).await?;
                    }
                    tx.commit().await.map_err(other("committing enterprise records"))
                }
            }

            #[async_trait]
            impl EnterpriseStore for Store {
                async fn create_enterprise(&self, e: &Enterprise) -> StoreResult<()> {
                    let mut conn = self.pool.acquire().await.map_err(other("inserting enterprise"))?;
                    insert_enterprise(&mut conn, e, OnDuplicate::Fail).await
                }

                async fn enterprise(&self, id: EnterpriseId) -> StoreResult<Enterprise> {
                    let row = sqlx::query("SELECT * FROM enterprises WHERE id = $1")
                        .bind(id.as_uuid())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading enterprise"))?
                        .ok_or(StoreError::NotFound)?;
                    enterprise_from_row(&row)
                }

                async fn enterprises_by_id(&self, ids: &[EnterpriseId]) -> StoreResult<Vec<Enterprise>> {
                    let mut wanted: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
                    wanted.sort_unstable();
                    wanted.dedup();
                    let mut out = Vec::with_capacity(wanted.len());
                    // One statement per 500 ids keeps under SQLite's bound-variable limit.
                    for chunk in wanted.chunks(500) {
                        let mut query = sqlx::QueryBuilder::<Db>::new("SELECT * FROM enterprises WHERE id IN (");
                        let mut list = query.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        query.push(")");
                        let rows =
                            query.build().fetch_all(&self.pool).await.map_err(other("reading enterprises by id"))?;
                        for row in &rows {
                            out.push(enterprise_from_row(row)?);
                        }
                    }
                    Ok(out)
                }

                async fn enterprises_of(&self, owner: &PhoneNumber) -> StoreResult<Vec<Enterprise>> {
                    let rows = sqlx::query("SELECT * FROM enterprises WHERE owner_phone = $1 ORDER BY submitted_at DESC, id DESC")
                        .bind(owner.as_str())
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing enterprises"))?;
                    rows.iter().map(enterprise_from_row).collect()
                }

                async fn enterprises_in_state(&self, state: ApplicationState, limit: u32) -> StoreResult<Vec<Enterprise>> {
                    let rows = sqlx::query("SELECT * FROM enterprises WHERE state = $1 ORDER BY due_at, id LIMIT $2")
                        .bind(state.as_str())
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing applications"))?;
                    rows.iter().map(enterprise_from_row).collect()
                }

                async fn decide_enterprise(
                    &self,
                    id: EnterpriseId,
                    d: &EnterpriseDecision,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    for _ in 0..AUDIT_ATTEMPTS {
                        let mut tx = self.write_tx().await?;
                        let done = sqlx::query(
                            "UPDATE enterprises SET state = $1, decided_at = $2, decided_by = $3, decision_reason = $4
                             WHERE id = $5 AND state = 'pending'",
                        )
                        .bind(d.state.as_str())
                        .bind(Time(d.at))
                        .bind(&d.by)
                        .bind(&d.reason)
                        .bind(id.as_uuid())
                        .execute(&mut *tx)
                        .await
                        .map_err(other("deciding application"))?;
                        if done.rows_affected() != 1 {
                            drop(tx);
                            self.enterprise(id).await?;
                            return Err(StoreError::Conflict("the application was already decided".into()));
                        }
                        if super::audit::append_in(&mut tx, audit).await?.is_some() {
                            return tx.commit().await.map_err(other("committing the decision"));
                        }
                    }
                    Err(audit_busy())
                }

                async fn invite_employee(&self, enterprise: EnterpriseId, phone: &PhoneNumber, at: Timestamp) -> StoreResult<()> {
                    let done = sqlx::query(
                        "INSERT INTO employees (enterprise_id, phone, invited_at) VALUES ($1, $2, $3)
                         ON CONFLICT (enterprise_id, phone) DO UPDATE
                             SET invited_at = excluded.invited_at, resident_id = NULL, accepted_at = NULL, removed_at = NULL
                             WHERE employees.removed_at IS NOT NULL",
                    )
                    .bind(enterprise.as_uuid())
                    .bind(phone.as_str())
                    .bind(Time(at))
                    .execute(&self.pool)
                    .await
                    .map_err(other("inviting employee"))?;
                    if done.rows_affected() == 1 {
                        Ok(())
                    } else {
                        Err(StoreError::Conflict("this phone is already on the roster".into()))
                    }
                }

                async fn employee(&self, enterprise: EnterpriseId, phone: &PhoneNumber) -> StoreResult<Employee> {
                    let row = sqlx::query("SELECT * FROM employees WHERE enterprise_id = $1 AND phone = $2")
                        .bind(enterprise.as_uuid())
                        .bind(phone.as_str())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading roster line"))?
                        .ok_or(StoreError::NotFound)?;
                    employee_from_row(&row)
                }

                async fn accept_invitation(
                    &self,
                    enterprise: EnterpriseId,
                    phone: &PhoneNumber,
                    resident: ResidentId,
                    at: Timestamp,
                ) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE employees SET resident_id = $1, accepted_at = $2
                         WHERE enterprise_id = $3 AND phone = $4 AND removed_at IS NULL AND accepted_at IS NULL",
                    )
                    .bind(resident.as_uuid())
                    .bind(Time(at))
                    .bind(enterprise.as_uuid())
                    .bind(phone.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(other("accepting invitation"))?;
                    if done.rows_affected() == 1 {
                        return Ok(());
                    }
                    match self.employee(enterprise, phone).await? {
                        line if line.removed_at.is_none() => {
                            Err(StoreError::Conflict("the invitation was already accepted".into()))
                        }
                        _ => Err(StoreError::NotFound),
                    }
                }

                async fn remove_employee(&self, enterprise: EnterpriseId, phone: &PhoneNumber, at: Timestamp) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE employees SET removed_at = $1 WHERE enterprise_id = $2 AND phone = $3 AND removed_at IS NULL",
                    )
                    .bind(Time(at))
                    .bind(enterprise.as_uuid())
                    .bind(phone.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(other("removing employee"))?;
                    if done.rows_affected() == 1 { Ok(()) } else { Err(StoreError::NotFound) }
                }

                async fn employers_of(&self, phone: &PhoneNumber) -> StoreResult<Vec<Employee>> {
                    let rows = sqlx::query(
                        "SELECT * FROM employees WHERE phone = $1 AND removed_at IS NULL ORDER BY invited_at DESC, enterprise_id",
                    )
                    .bind(phone.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing employers"))?;
                    rows.iter().map(employee_from_row).collect()
                }

                async fn employee_by_resident(
                    &self,
                    enterprise: EnterpriseId,
                    resident: ResidentId,
                ) -> StoreResult<Option<Employee>> {
                    let row = sqlx::query(
                        "SELECT * FROM employees
                         WHERE enterprise_id = $1 AND resident_id = $2 AND removed_at IS NULL AND accepted_at IS NOT NULL",
                    )
                    .bind(enterprise.as_uuid())
                    .bind(resident.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other("reading roster line"))?;
                    row.as_ref().map(employee_from_row).transpose()
                }

                async fn roster_snapshot(
                    &self,
                    enterprise: EnterpriseId,
                    from: Timestamp,
                    to: Timestamp,
                    fever_tenths: u16,
                ) -> StoreResult<Vec<EmployeeSnapshot>> {
                    let rows = sqlx::query(
                        "SELECT e.phone, e.resident_id, e.accepted_at, r.name, h.colour, h.last_report_on,
                             (EXISTS (SELECT 1 FROM gate_scans g WHERE g.enterprise_id = e.enterprise_id
                                 AND g.resident_id = e.resident_id AND g.scanned_at >= $1 AND g.scanned_at < $2)
                              AND NOT EXISTS (SELECT 1 FROM gate_scans g WHERE g.enterprise_id = e.enterprise_id
                                 AND g.resident_id = e.resident_id AND g.scanned_at >= $7 AND g.scanned_at < $8
                                 AND g.flagged)) AS scanned,
                             EXISTS (SELECT 1 FROM gate_scans g WHERE g.enterprise_id = e.enterprise_id
                                 AND g.resident_id = e.resident_id AND g.scanned_at >= $3 AND g.scanned_at < $4
                                 AND g.temperature_dc >= $5) AS fever
                         FROM employees e
                         LEFT JOIN residents r ON r.id = e.resident_id
                         LEFT JOIN health_status h ON h.resident_id = e.resident_id
                         WHERE e.enterprise_id = $6 AND e.removed_at IS NULL
                         ORDER BY e.phone",
                    )
                    .bind(Time(from))
                    .bind(Time(to))
                    .bind(Time(from))
                    .bind(Time(to))
                    .bind(i32::from(fever_tenths))
                    .bind(enterprise.as_uuid())
                    .bind(Time(from))
                    .bind(Time(to))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("reading roster"))?;
                    rows.iter().map(snapshot_from_row).collect()
                }

                async fn record_gate_scan(&self, scan: &GateScan) -> StoreResult<()> {
                    let mut conn = self.pool.acquire().await.map_err(other("recording gate scan"))?;
                    insert_gate_scan(&mut conn, scan, OnDuplicate::Fail).await
                }

                async fn gate_scans(
                    &self,
                    enterprise: EnterpriseId,
                    from: Timestamp,
                    to: Timestamp,
                    limit: u32,
                ) -> StoreResult<Vec<GateScan>> {
                    let rows = sqlx::query(
                        "SELECT * FROM gate_scans WHERE enterprise_id = $1 AND scanned_at >= $2 AND scanned_at < $3
                         ORDER BY scanned_at DESC, id DESC LIMIT $4",
                    )
                    .bind(enterprise.as_uuid())
                    .bind(Time(from))
                    .bind(Time(to))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing gate scans"))?;
                    rows.iter().map(gate_scan_from_row).collect()
                }
            }
        }
    };
}
