//! Manual overrides.

#[doc(hidden)]
#[macro_export]
macro_rules! __overrides {
    ($Store:path, $Db:ty) => {
        pub(crate) mod overrides {
            $crate::__prelude!($Store, $Db);
            use store::{AuditEntry, Override, OverrideStore, StoreError, StoreResult};
            use jiff::Timestamp;

            pub(crate) fn override_from_row(row: &Row) -> StoreResult<Override> {
                let decided: Option<Time> = get(row, "decided_at")?;
                Ok(Override {
                    id: get(row, "id")?,
                    resident: resident_id(row, "resident_id")?,
                    colour: colour(&get::<String>(row, "colour")?)?,
                    reason_code: get(row, "reason_code")?,
                    basis: get(row, "basis")?,
                    requested_by: get(row, "requested_by")?,
                    requested_by_id: get(row, "requested_by_id")?,
                    requested_at: ts(row, "requested_at")?,
                    state: get(row, "state")?,
                    decided_by: get(row, "decided_by")?,
                    decided_at: decided.map(|d| d.0),
                })
            }

            impl Store {
                /// Every override, for copies.
                pub(crate) async fn all_overrides(&self) -> StoreResult<Vec<Override>> {
                    let rows = sqlx::query("SELECT * FROM overrides ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("exporting overrides"))?;
                    rows.iter().map(override_from_row).collect()
                }
            }

            #[async_trait]
            impl OverrideStore for Store {
                async fn create_override(&self, o: &Override) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO overrides (id, resident_id, colour, reason_code, basis, requested_by, requested_at, state, requested_by_id)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(o.id)
                    .bind(o.resident.as_uuid())
                    .bind(o.colour.as_str())
                    .bind(&o.reason_code)
                    .bind(&o.basis)
                    .bind(&o.requested_by)
                    .bind(Time(o.requested_at))
                    .bind(&o.state)
                    .bind(&o.requested_by_id)
                    .execute(&self.pool)
                    .await
                    .map_err(other("inserting override"))?;
                    Ok(())
                }

                async fn get_override(&self, id: Uuid) -> StoreResult<Override> {
                    let row = sqlx::query("SELECT * FROM overrides WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading override"))?
                        .ok_or(StoreError::NotFound)?;
                    override_from_row(&row)
                }

                async fn pending_overrides(&self) -> StoreResult<Vec<Override>> {
                    let rows = sqlx::query("SELECT * FROM overrides WHERE state = 'pending' ORDER BY requested_at, id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing overrides"))?;
                    rows.iter().map(override_from_row).collect()
                }

                async fn decide_override(
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
                            "UPDATE overrides SET state = $1, decided_by = $2, decided_at = $3
                             WHERE id = $4 AND state = 'pending'",
                        )
                        .bind(state)
                        .bind(by)
                        .bind(Time(at))
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(other("deciding override"))?;
                        if done.rows_affected() != 1 {
                            return Err(StoreError::Conflict("the override was already decided".into()));
                        }
                        if super::audit::append_in(&mut tx, audit).await?.is_some() {
                            return tx.commit().await.map_err(other("committing the decision"));
                        }
                    }
                    Err(audit_busy())
                }
            }
        }
    };
}
