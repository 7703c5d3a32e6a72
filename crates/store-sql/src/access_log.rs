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
                    reader: get(row, "reader")?,
                })
            }

            impl Store {
                /// The whole log in the order it was written, for copies.
                pub(crate) async fn all_accesses(&self) -> StoreResult<Vec<AccessRecord>> {
                    let sql = format!(
                        "SELECT resident_id, at, role, purpose, reference, reader FROM access_log ORDER BY {}",
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
                // Entries from before migration 0032 (no reader) as they were;
                // the others with their reader and day.
                let (old, once): (Vec<AccessRecord>, Vec<AccessRecord>) =
                    records.iter().cloned().partition(|r| r.reader.is_none());
                Store::insert_accesses(&mut **tx, &old).await?;
                insert_once(&mut **tx, &once).await
            }

            /// Rows per statement: 7 values each, well under both backends'
            /// bound-variable limits.
            const ROWS_PER_STATEMENT: usize = 1_000;

            /// Writes the entries a store does not hold yet: one per person,
            /// day, reader, role, purpose and reference (the unique index of
            /// migration 0032; a repeated look the same day adds nothing),
            /// many rows a statement. Rows go in key order, so two readers
            /// writing overlapping sets at once wait for each other rather
            /// than deadlock, and neither fails.
            pub(crate) async fn insert_once(conn: &mut Conn, records: &[AccessRecord]) -> StoreResult<()> {
                let day = |r: &AccessRecord| r.reader.as_ref().map(|_| r.at.as_second().div_euclid(86_400));
                let mut rows: Vec<&AccessRecord> = records.iter().collect();
                rows.sort_by(|a, b| {
                    (a.resident, day(a), &a.reader, a.role.as_str(), &a.purpose, &a.reference).cmp(&(
                        b.resident,
                        day(b),
                        &b.reader,
                        b.role.as_str(),
                        &b.purpose,
                        &b.reference,
                    ))
                });
                for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                    let mut query = sqlx::QueryBuilder::<Db>::new(
                        "INSERT INTO access_log (resident_id, at, role, purpose, reference, reader, day) ",
                    );
                    query.push_values(chunk, |mut row, r| {
                        row.push_bind(r.resident.as_uuid())
                            .push_bind(Time(r.at))
                            .push_bind(r.role.as_str())
                            .push_bind(r.purpose.clone())
                            .push_bind(r.reference.clone())
                            .push_bind(r.reader.clone())
                            .push_bind(day(r));
                    });
                    query.push(" ON CONFLICT DO NOTHING");
                    query.build().execute(&mut *conn).await.map_err(other("recording accesses"))?;
                }
                Ok(())
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
                    insert_once(&mut *tx, records).await?;
                    tx.commit().await.map_err(other("committing accesses"))
                }

                async fn accesses_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<AccessRecord>> {
                    let sql = format!(
                        "SELECT resident_id, at, role, purpose, reference, reader FROM access_log
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
