//! Laboratory test results and false declarations.

#[doc(hidden)]
#[macro_export]
macro_rules! __lab {
    ($Store:path, $Db:ty) => {
        pub(crate) mod lab {
            $crate::__prelude!($Store, $Db);
            use domain::{CaseId, LabName, ResidentId, TestKind, TestOutcome, TestResult, TestResultId};
            use jiff::Timestamp;
            use store::{AuditEntry, FalseDeclaration, LabRecords, LabStore, StoreError, StoreResult, StoredTestResult};

            fn result_from_row(row: &Row) -> StoreResult<TestResult> {
                let case: Option<Uuid> = get(row, "case_id")?;
                Ok(TestResult {
                    id: TestResultId::from_uuid(get::<Uuid>(row, "id")?),
                    resident: resident_id(row, "resident_id")?,
                    kind: TestKind::parse(&get::<String>(row, "kind")?).map_err(|e| corrupt(e.to_string()))?,
                    outcome: TestOutcome::parse(&get::<String>(row, "outcome")?)
                        .map_err(|e| corrupt(e.to_string()))?,
                    sampled_at: ts(row, "sampled_at")?,
                    lab: LabName::parse(&get::<String>(row, "lab")?).map_err(|e| corrupt(e.to_string()))?,
                    recorded_by: get(row, "recorded_by")?,
                    recorded_at: ts(row, "recorded_at")?,
                    channel: get(row, "channel")?,
                    case: case.map(CaseId::from_uuid),
                })
            }

            fn declaration_from_row(row: &Row) -> StoreResult<FalseDeclaration> {
                Ok(FalseDeclaration {
                    id: get(row, "id")?,
                    resident: resident_id(row, "resident_id")?,
                    evidence: get(row, "evidence")?,
                    requested_by: get(row, "requested_by")?,
                    requested_by_id: get(row, "requested_by_id")?,
                    requested_at: ts(row, "requested_at")?,
                    state: get(row, "state")?,
                    decided_by: get(row, "decided_by")?,
                    decided_at: opt_ts(row, "decided_at")?,
                })
            }

            #[async_trait]
            impl LabStore for Store {
                async fn insert_test_result(&self, r: &TestResult) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO test_results (id, resident_id, kind, outcome, sampled_at, lab, recorded_by,
                                                   recorded_at, channel, case_id)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    )
                    .bind(r.id.as_uuid())
                    .bind(r.resident.as_uuid())
                    .bind(r.kind.as_str())
                    .bind(r.outcome.as_str())
                    .bind(Time(r.sampled_at))
                    .bind(r.lab.as_str())
                    .bind(&r.recorded_by)
                    .bind(Time(r.recorded_at))
                    .bind(&r.channel)
                    .bind(r.case.map(|c| c.as_uuid()))
                    .execute(&self.pool)
                    .await
                    .map_err(other("inserting test result"))?;
                    Ok(())
                }

                async fn test_result(&self, id: TestResultId) -> StoreResult<TestResult> {
                    let row = sqlx::query("SELECT * FROM test_results WHERE id = $1")
                        .bind(id.as_uuid())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading test result"))?
                        .ok_or(StoreError::NotFound)?;
                    result_from_row(&row)
                }

                async fn test_results_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<TestResult>> {
                    let rows = sqlx::query(
                        "SELECT * FROM test_results WHERE resident_id = $1 ORDER BY sampled_at DESC, id DESC LIMIT $2",
                    )
                    .bind(resident.as_uuid())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing test results"))?;
                    rows.iter().map(result_from_row).collect()
                }

                async fn recent_test_results(&self, limit: u32) -> StoreResult<Vec<TestResult>> {
                    let rows = sqlx::query("SELECT * FROM test_results ORDER BY recorded_at DESC, id DESC LIMIT $1")
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing recent test results"))?;
                    rows.iter().map(result_from_row).collect()
                }

                async fn latest_sample(
                    &self,
                    resident: ResidentId,
                    outcome: TestOutcome,
                    at: Timestamp,
                ) -> StoreResult<Option<Timestamp>> {
                    let row = sqlx::query(
                        "SELECT sampled_at FROM test_results WHERE resident_id = $1 AND outcome = $2 AND sampled_at <= $3
                         ORDER BY sampled_at DESC LIMIT 1",
                    )
                    .bind(resident.as_uuid())
                    .bind(outcome.as_str())
                    .bind(Time(at))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other("reading the latest sample"))?;
                    row.map(|r| ts(&r, "sampled_at")).transpose()
                }

                async fn claim_case_opening(&self, result: TestResultId) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "UPDATE test_results SET opens_case = TRUE
                         WHERE id = $1 AND opens_case = FALSE
                           AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.resident_id = test_results.resident_id)",
                    )
                    .bind(result.as_uuid())
                    .execute(&self.pool)
                    .await
                    .map_err(other("claiming a case opening"));
                    match done {
                        Ok(d) => Ok(d.rows_affected() == 1),
                        // Another result of the person holds the claim.
                        Err(StoreError::Conflict(_)) => Ok(false),
                        Err(e) => Err(e),
                    }
                }

                async fn release_case_opening(&self, result: TestResultId) -> StoreResult<()> {
                    sqlx::query("UPDATE test_results SET opens_case = FALSE WHERE id = $1 AND case_id IS NULL")
                        .bind(result.as_uuid())
                        .execute(&self.pool)
                        .await
                        .map_err(other("releasing a case opening"))?;
                    Ok(())
                }

                async fn link_case(&self, result: TestResultId, case: CaseId) -> StoreResult<()> {
                    sqlx::query("UPDATE test_results SET case_id = $1 WHERE id = $2")
                        .bind(case.as_uuid())
                        .bind(result.as_uuid())
                        .execute(&self.pool)
                        .await
                        .map_err(other("linking a case"))?;
                    Ok(())
                }

                async fn create_false_declaration(&self, f: &FalseDeclaration) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO false_declarations (id, resident_id, evidence, requested_by, requested_by_id,
                                                         requested_at, state)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(f.id)
                    .bind(f.resident.as_uuid())
                    .bind(&f.evidence)
                    .bind(&f.requested_by)
                    .bind(&f.requested_by_id)
                    .bind(Time(f.requested_at))
                    .bind(&f.state)
                    .execute(&self.pool)
                    .await
                    .map_err(other("inserting false declaration"))?;
                    Ok(())
                }

                async fn false_declaration(&self, id: Uuid) -> StoreResult<FalseDeclaration> {
                    let row = sqlx::query("SELECT * FROM false_declarations WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading false declaration"))?
                        .ok_or(StoreError::NotFound)?;
                    declaration_from_row(&row)
                }

                async fn pending_false_declarations(&self) -> StoreResult<Vec<FalseDeclaration>> {
                    let rows = sqlx::query(
                        "SELECT * FROM false_declarations WHERE state = 'pending' ORDER BY requested_at, id",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing false declarations"))?;
                    rows.iter().map(declaration_from_row).collect()
                }

                async fn false_declarations_of(&self, resident: ResidentId) -> StoreResult<Vec<FalseDeclaration>> {
                    let rows = sqlx::query(
                        "SELECT * FROM false_declarations WHERE resident_id = $1 ORDER BY requested_at DESC, id DESC",
                    )
                    .bind(resident.as_uuid())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing a person's false declarations"))?;
                    rows.iter().map(declaration_from_row).collect()
                }

                async fn decide_false_declaration(
                    &self,
                    id: Uuid,
                    state: &str,
                    by: &str,
                    at: Timestamp,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    for _ in 0..AUDIT_ATTEMPTS {
                        let mut tx = self.write_tx().await?;
                        let done = sqlx::query(
                            "UPDATE false_declarations SET state = $1, decided_by = $2, decided_at = $3
                             WHERE id = $4 AND state = 'pending'",
                        )
                        .bind(state)
                        .bind(by)
                        .bind(Time(at))
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(other("deciding false declaration"))?;
                        if done.rows_affected() != 1 {
                            return Err(StoreError::Conflict("the false declaration was already decided".into()));
                        }
                        if super::audit::append_in(&mut tx, audit).await?.is_some() {
                            return tx.commit().await.map_err(other("committing the decision"));
                        }
                    }
                    Err(audit_busy())
                }

                async fn lab_records(&self) -> StoreResult<LabRecords> {
                    let results = sqlx::query("SELECT * FROM test_results ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("exporting test results"))?;
                    let declarations = sqlx::query("SELECT * FROM false_declarations ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("exporting false declarations"))?;
                    Ok(LabRecords {
                        test_results: results
                            .iter()
                            .map(|row| {
                                Ok(StoredTestResult { result: result_from_row(row)?, opens_case: get(row, "opens_case")? })
                            })
                            .collect::<StoreResult<_>>()?,
                        false_declarations: declarations.iter().map(declaration_from_row).collect::<StoreResult<_>>()?,
                    })
                }

                async fn import_lab_records(&self, records: &LabRecords) -> StoreResult<()> {
                    let mut tx = self.write_tx().await?;
                    for StoredTestResult { result: r, opens_case } in &records.test_results {
                        sqlx::query(
                            "INSERT INTO test_results (id, resident_id, kind, outcome, sampled_at, lab, recorded_by,
                                                       recorded_at, channel, opens_case, case_id)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
                        )
                        .bind(r.id.as_uuid())
                        .bind(r.resident.as_uuid())
                        .bind(r.kind.as_str())
                        .bind(r.outcome.as_str())
                        .bind(Time(r.sampled_at))
                        .bind(r.lab.as_str())
                        .bind(&r.recorded_by)
                        .bind(Time(r.recorded_at))
                        .bind(&r.channel)
                        .bind(*opens_case)
                        .bind(r.case.map(|c| c.as_uuid()))
                        .execute(&mut *tx)
                        .await
                        .map_err(other("importing a test result"))?;
                    }
                    for f in &records.false_declarations {
                        sqlx::query(
                            "INSERT INTO false_declarations (id, resident_id, evidence, requested_by, requested_by_id,
                                                             requested_at, state, decided_by, decided_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
                        )
                        .bind(f.id)
                        .bind(f.resident.as_uuid())
                        .bind(&f.evidence)
                        .bind(&f.requested_by)
                        .bind(&f.requested_by_id)
                        .bind(Time(f.requested_at))
                        .bind(&f.state)
                        .bind(&f.decided_by)
                        .bind(f.decided_at.map(Time))
                        .execute(&mut *tx)
                        .await
                        .map_err(other("importing a false declaration"))?;
                    }
                    tx.commit().await.map_err(other("committing lab records"))
                }
            }
        }
    };
}
