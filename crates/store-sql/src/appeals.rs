//! Residents' appeals against their colour.

#[doc(hidden)]
#[macro_export]
macro_rules! __appeals {
    ($Store:path, $Db:ty) => {
        pub(crate) mod appeals {
            $crate::__prelude!($Store, $Db);
            use domain::ResidentId;
            use store::{AuditEntry, Appeal, AppealStore, StoreError, StoreResult};
            use jiff::Timestamp;

            pub(crate) fn appeal_from_row(row: &Row) -> StoreResult<Appeal> {
                let answered: Option<Time> = get(row, "answered_at")?;
                Ok(Appeal {
                    id: get(row, "id")?,
                    resident: resident_id(row, "resident_id")?,
                    colour: colour(&get::<String>(row, "colour")?)?,
                    message: get(row, "message")?,
                    submitted_at: ts(row, "submitted_at")?,
                    due_at: ts(row, "due_at")?,
                    state: get(row, "state")?,
                    answered_at: answered.map(|t| t.0),
                    answered_by: get(row, "answered_by")?,
                    answer: get(row, "answer")?,
                })
            }

            impl Store {
                /// Every appeal, for copies.
                pub(crate) async fn all_appeals(&self) -> StoreResult<Vec<Appeal>> {
                    let rows = sqlx::query("SELECT * FROM appeals ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("exporting appeals"))?;
                    rows.iter().map(appeal_from_row).collect()
                }
            }

            /// Inserts appeals (copies), skipping those present.
            pub(crate) async fn import(tx: &mut sqlx::Transaction<'static, Db>, appeals: &[Appeal]) -> StoreResult<()> {
                for a in appeals {
                    sqlx::query(
                        "INSERT INTO appeals (id, resident_id, colour, message, submitted_at, due_at, state, answered_at,
                             answered_by, answer)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(a.id)
                    .bind(a.resident.as_uuid())
                    .bind(a.colour.as_str())
                    .bind(&a.message)
                    .bind(Time(a.submitted_at))
                    .bind(Time(a.due_at))
                    .bind(&a.state)
                    .bind(a.answered_at.map(Time))
                    .bind(&a.answered_by)
                    .bind(&a.answer)
                    .execute(&mut **tx)
                    .await
                    .map_err(other("importing appeal"))?;
                }
                Ok(())
            }

            #[async_trait]
            impl AppealStore for Store {
                async fn create_appeal(&self, a: &Appeal) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO appeals (id, resident_id, colour, message, submitted_at, due_at, state)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(a.id)
                    .bind(a.resident.as_uuid())
                    .bind(a.colour.as_str())
                    .bind(&a.message)
                    .bind(Time(a.submitted_at))
                    .bind(Time(a.due_at))
                    .bind(&a.state)
                    .execute(&self.pool)
                    .await
                    .map_err(other("inserting appeal"))?;
                    Ok(())
                }

                async fn appeal(&self, id: Uuid) -> StoreResult<Appeal> {
                    let row = sqlx::query("SELECT * FROM appeals WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading appeal"))?
                        .ok_or(StoreError::NotFound)?;
                    appeal_from_row(&row)
                }

                async fn appeals_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<Appeal>> {
                    let rows =
                        sqlx::query("SELECT * FROM appeals WHERE resident_id = $1 ORDER BY submitted_at DESC, id DESC LIMIT $2")
                            .bind(resident.as_uuid())
                            .bind(i64::from(limit))
                            .fetch_all(&self.pool)
                            .await
                            .map_err(other("listing appeals"))?;
                    rows.iter().map(appeal_from_row).collect()
                }

                async fn pending_appeals(&self, limit: u32) -> StoreResult<Vec<Appeal>> {
                    let rows = sqlx::query("SELECT * FROM appeals WHERE state = 'pending' ORDER BY due_at, id LIMIT $1")
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing pending appeals"))?;
                    rows.iter().map(appeal_from_row).collect()
                }

                async fn answer_appeal(
                    &self,
                    id: Uuid,
                    state: &str,
                    by: &str,
                    answer: &str,
                    at: Timestamp,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    for _ in 0..AUDIT_ATTEMPTS {
                        let mut tx = self.write_tx().await?;
                        let done = sqlx::query(
                            "UPDATE appeals SET state = $1, answered_by = $2, answer = $3, answered_at = $4
                             WHERE id = $5 AND state = 'pending'",
                        )
                        .bind(state)
                        .bind(by)
                        .bind(answer)
                        .bind(Time(at))
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(other("answering appeal"))?;
                        if done.rows_affected() != 1 {
                            return Err(StoreError::Conflict("the appeal was already answered".into()));
                        }
                        if super::audit::append_in(&mut tx, audit).await?.is_some() {
                            return tx.commit().await.map_err(other("committing the answer"));
                        }
                    }
                    Err(audit_busy())
                }
            }
        }
    };
}
