//! Who looked at whose records.

#[doc(hidden)]
#[macro_export]
macro_rules! __access_log {
    ($Store:path, $Db:ty) => {
        pub(crate) mod access_log {
            $crate::__prelude!($Store, $Db);
            use domain::{ResidentId, Role};
            use store::{AccessLogStore, AccessRecord, StoreResult};

            fn access_from_row(row: &Row) -> StoreResult<AccessRecord> {
                Ok(AccessRecord {
                    resident: resident_id(row, "resident_id")?,
                    at: ts(row, "at")?,
                    role: Role::parse(&get::<String>(row, "role")?).map_err(|e| corrupt(e.to_string()))?,
                    purpose: get(row, "purpose")?,
                    reference: get(row, "reference")?,
                })
            }

            impl Store {
                /// The whole log in the order it was written, for copies.
                pub(crate) async fn all_accesses(&self) -> StoreResult<Vec<AccessRecord>> {
                    let sql = format!(
                        "SELECT resident_id, at, role, purpose, reference FROM access_log ORDER BY {}",
                        <Db as Dialect>::ACCESS_LOG_ORDER
                    );
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("exporting the access log"))?;
                    rows.iter().map(access_from_row).collect()
                }
            }

            /// Writes a copied log into a store that has none (the log has no natural
            /// key, so a store that has some already got it from an earlier run).
            pub(crate) async fn import(tx: &mut sqlx::Transaction<'static, Db>, records: &[AccessRecord]) -> StoreResult<()> {
                let present: i64 = sqlx::query_scalar("SELECT count(*) FROM access_log")
                    .fetch_one(&mut **tx)
                    .await
                    .map_err(other("counting the access log"))?;
                if present > 0 {
                    return Ok(());
                }
                Store::insert_accesses(&mut **tx, records).await
            }

            /// Writes the records one statement each (the backend's
            /// `insert_accesses` may write many in one).
            #[allow(dead_code)]
            pub(crate) async fn insert_each(tx: &mut Conn, records: &[AccessRecord]) -> StoreResult<()> {
                for r in records {
                    sqlx::query(
                        "INSERT INTO access_log (resident_id, at, role, purpose, reference) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(r.resident.as_uuid())
                    .bind(Time(r.at))
                    .bind(r.role.as_str())
                    .bind(&r.purpose)
                    .bind(&r.reference)
                    .execute(&mut *tx)
                    .await
                    .map_err(other("recording an access"))?;
                }
                Ok(())
            }

            #[async_trait]
            impl AccessLogStore for Store {
                async fn record_access(&self, records: &[AccessRecord]) -> StoreResult<()> {
                    let mut tx = self.write_tx().await?;
                    Store::insert_accesses(&mut *tx, records).await?;
                    tx.commit().await.map_err(other("committing accesses"))
                }

                async fn accesses_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<AccessRecord>> {
                    let sql = format!(
                        "SELECT resident_id, at, role, purpose, reference FROM access_log
                         WHERE resident_id = $1 ORDER BY at DESC, {} DESC LIMIT $2",
                        <Db as Dialect>::ACCESS_LOG_ORDER
                    );
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(resident.as_uuid())
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("reading accesses"))?;
                    rows.iter().map(access_from_row).collect()
                }
            }
        }
    };
}
