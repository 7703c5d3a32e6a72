//! Paper passes: each resident's current print number and window.

#[doc(hidden)]
#[macro_export]
macro_rules! __paper_passes {
    ($Store:path, $Db:ty) => {
        pub(crate) mod paper_passes {
            $crate::__prelude!($Store, $Db);
            use domain::{HolderId, ResidentId};
            use jiff::Timestamp;
            use store::{PaperPassPrint, PaperPassRecord, PaperPassStore, StoreResult};

            const RETURNING: &str = "RETURNING print_number, valid_from, valid_until, printed_at";

            fn record(resident: ResidentId, row: &Row) -> StoreResult<PaperPassRecord> {
                let print: i64 = get(row, "print_number")?;
                Ok(PaperPassRecord {
                    resident,
                    print: u32::try_from(print).map_err(|_| corrupt(format!("print number {print}")))?,
                    valid_from: ts(row, "valid_from")?,
                    valid_until: ts(row, "valid_until")?,
                    printed_at: ts(row, "printed_at")?,
                })
            }

            /// The upsert that prints: a first print is number 1, a later
            /// one increments, but only where `condition` holds.
            fn print_sql(condition: &str) -> String {
                format!(
                    "INSERT INTO paper_passes (resident_id, print_number, valid_from, valid_until, printed_at)
                     VALUES ($1, 1, $2, $3, $4)
                     ON CONFLICT (resident_id) DO UPDATE SET print_number = paper_passes.print_number + 1,
                         valid_from = excluded.valid_from, valid_until = excluded.valid_until,
                         printed_at = excluded.printed_at
                     {condition} {RETURNING}"
                )
            }

            #[async_trait]
            impl PaperPassStore for Store {
                async fn current_paper_pass(
                    &self,
                    resident: ResidentId,
                    fresh: &PaperPassPrint,
                    renew_at: Timestamp,
                ) -> StoreResult<PaperPassRecord> {
                    // One statement: a valid print is kept (the upsert then
                    // returns no row), and concurrent first views print once.
                    let sql = print_sql("WHERE paper_passes.valid_until <= $5");
                    let printed = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(resident.as_uuid())
                        .bind(Time(fresh.valid_from))
                        .bind(Time(fresh.valid_until))
                        .bind(Time(fresh.printed_at))
                        .bind(Time(renew_at))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("printing a paper pass"))?;
                    match printed {
                        Some(row) => record(resident, &row),
                        None => self.paper_pass(resident).await?.ok_or(store::StoreError::NotFound),
                    }
                }

                async fn reprint_paper_pass(
                    &self,
                    resident: ResidentId,
                    fresh: &PaperPassPrint,
                ) -> StoreResult<PaperPassRecord> {
                    let row = sqlx::query(sqlx::AssertSqlSafe(print_sql("")))
                        .bind(resident.as_uuid())
                        .bind(Time(fresh.valid_from))
                        .bind(Time(fresh.valid_until))
                        .bind(Time(fresh.printed_at))
                        .fetch_one(&self.pool)
                        .await
                        .map_err(other("reprinting a paper pass"))?;
                    record(resident, &row)
                }

                async fn paper_pass(&self, resident: ResidentId) -> StoreResult<Option<PaperPassRecord>> {
                    let row = sqlx::query(
                        "SELECT print_number, valid_from, valid_until, printed_at FROM paper_passes
                         WHERE resident_id = $1",
                    )
                    .bind(resident.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other("reading a paper pass"))?;
                    row.map(|row| record(resident, &row)).transpose()
                }

                async fn reprinted_paper_passes(&self, since: Timestamp) -> StoreResult<Vec<(HolderId, u32)>> {
                    let rows = sqlx::query(
                        "SELECT r.holder_id, p.print_number FROM paper_passes p JOIN residents r ON r.id = p.resident_id
                         WHERE p.print_number > 1 AND p.printed_at >= $1 ORDER BY r.holder_id",
                    )
                    .bind(Time(since))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing reprinted paper passes"))?;
                    rows.iter()
                        .map(|row| {
                            let holder: Uuid = get(row, "holder_id")?;
                            let print: i64 = get(row, "print_number")?;
                            let print = u32::try_from(print).map_err(|_| corrupt(format!("print number {print}")))?;
                            Ok((HolderId::from_bytes(holder.into_bytes()), print))
                        })
                        .collect()
                }
            }
        }
    };
}
