//! Retention: deleting closed visits, reports, passages and attempted entries past the period.

#[doc(hidden)]
#[macro_export]
macro_rules! __retention {
    ($Store:path, $Db:ty) => {
        pub(crate) mod retention {
            $crate::__prelude!($Store, $Db);
            use jiff::Timestamp;
            use store::{PurgeCounts, PurgeMode, RetentionStore, StoreResult};

            // A visit leaves only after it entered, so `entered_at < $1` adds nothing but
            // lets PostgreSQL skip the partitions of days after the cutoff. (With clocks a
            // few milliseconds apart, a visit closed "before" it entered right at the
            // cutoff would wait for the next pass.)
            const VISITS: &str = "WHERE exited_at IS NOT NULL AND exited_at < $1 AND entered_at < $1";
            const REPORTS: &str = "FROM reports WHERE at < $1";
            const PASSAGES: &str = "FROM passages WHERE scanned_at < $1";
            const ATTEMPTS: &str = "FROM venue_attempts WHERE attempted_at < $1";

            #[async_trait]
            impl RetentionStore for Store {
                async fn purge_before(&self, cutoff: Timestamp, mode: PurgeMode) -> StoreResult<PurgeCounts> {
                    let dry_run = mode == PurgeMode::DryRun;
                    // Whole days first, where the backend keeps visits and passages by day.
                    let dropped = if dry_run { PurgeCounts::default() } else { self.drop_old_days(cutoff).await? };
                    let mut tx = self.write_tx().await?;
                    let mut counts = [0u64; 4];
                    let visits = format!("FROM {} {VISITS}", <Db as Dialect>::VISIT_TABLE);
                    for (i, table) in [visits.as_str(), REPORTS, PASSAGES, ATTEMPTS].into_iter().enumerate() {
                        let verb = if dry_run { "SELECT count(*)" } else { "DELETE" };
                        let sql = sqlx::AssertSqlSafe(format!("{verb} {table}"));
                        counts[i] = if dry_run {
                            let n: i64 = sqlx::query_scalar(sql)
                                .bind(Time(cutoff))
                                .fetch_one(&mut *tx)
                                .await
                                .map_err(other("counting"))?;
                            u64::try_from(n).unwrap_or(0)
                        } else {
                            sqlx::query(sql)
                                .bind(Time(cutoff))
                                .execute(&mut *tx)
                                .await
                                .map_err(other("purging"))?
                                .rows_affected()
                        };
                    }
                    tx.commit().await.map_err(other("committing purge"))?;
                    Ok(PurgeCounts {
                        visits: dropped.visits + counts[0],
                        reports: dropped.reports + counts[1],
                        passages: dropped.passages + counts[2],
                        attempts: dropped.attempts + counts[3],
                    })
                }
            }
        }
    };
}
