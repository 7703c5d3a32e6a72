//! Retention.

use async_trait::async_trait;
use healthcode_store::{PurgeCounts, PurgeMode, RetentionStore, StoreResult};
use jiff::Timestamp;

use crate::{SqliteStore, other};
use healthcode_store_sql::Time;

const VISITS: &str = "FROM visits WHERE exited_at IS NOT NULL AND exited_at < ?";
const REPORTS: &str = "FROM reports WHERE at < ?";
const PASSAGES: &str = "FROM passages WHERE scanned_at < ?";

#[async_trait]
impl RetentionStore for SqliteStore {
    async fn purge_before(&self, cutoff: Timestamp, mode: PurgeMode) -> StoreResult<PurgeCounts> {
        let dry_run = mode == PurgeMode::DryRun;
        let mut tx = self.write_tx().await?;
        let mut counts = [0u64; 3];
        for (i, table) in [VISITS, REPORTS, PASSAGES].into_iter().enumerate() {
            let verb = if dry_run { "SELECT count(*)" } else { "DELETE" };
            let sql = sqlx::AssertSqlSafe(format!("{verb} {table}"));
            counts[i] = if dry_run {
                let n: i64 =
                    sqlx::query_scalar(sql).bind(Time(cutoff)).fetch_one(&mut *tx).await.map_err(other("counting"))?;
                u64::try_from(n).unwrap_or(0)
            } else {
                sqlx::query(sql).bind(Time(cutoff)).execute(&mut *tx).await.map_err(other("purging"))?.rows_affected()
            };
        }
        tx.commit().await.map_err(other("committing purge"))?;
        Ok(PurgeCounts { visits: counts[0], reports: counts[1], passages: counts[2] })
    }
}
