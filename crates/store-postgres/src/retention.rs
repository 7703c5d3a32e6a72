//! Retention on PostgreSQL: whole daily partitions are dropped when
//! everything in them is old; the shared purge (`healthcode-store-sql`) then
//! deletes rows one by one only where old and kept rows mix (the day that
//! straddles the cutoff, DEFAULT, and days still holding an open visit).

use healthcode_store::{PurgeCounts, StoreResult};
use jiff::Timestamp;
use sqlx::AssertSqlSafe;

use crate::partitions::{Partitioned, day_start, partition_days};
use crate::{PostgresStore, other};
use healthcode_store_sql::Time;

/// How long dropping a partition may wait for its lock on the parent table
/// before leaving that day to row-by-row deletion.
const DROP_LOCK_TIMEOUT: &str = "5s";

impl PostgresStore {
    /// Drops the daily partitions of visits and passages that hold only rows
    /// past `cutoff` (the shared purge then deletes row by row elsewhere).
    pub(crate) async fn drop_old_days(&self, cutoff: Timestamp) -> StoreResult<PurgeCounts> {
        let visits = self.drop_old_partitions(Partitioned::Visits, cutoff).await?;
        let passages = self.drop_old_partitions(Partitioned::Passages, cutoff).await?;
        Ok(PurgeCounts { visits, reports: 0, passages, attempts: 0 })
    }

    /// Drops every daily partition of `table` that ends at or before
    /// `cutoff` and holds only rows the purge would delete; returns how many
    /// rows went with them.
    async fn drop_old_partitions(&self, table: Partitioned, cutoff: Timestamp) -> StoreResult<u64> {
        let mut conn = self.pool.acquire().await.map_err(other("listing partitions"))?;
        let days = partition_days(&mut conn, table).await?;
        drop(conn);
        let mut rows = 0;
        for (name, day) in days {
            match day.tomorrow().ok().and_then(day_start) {
                Some(end) if end <= cutoff => {}
                _ => break, // oldest first: every later day straddles or follows the cutoff
            }
            if let Some(n) = self.drop_partition(table, &name, cutoff).await? {
                rows += n;
                self.partitions.forget(table, day);
            }
        }
        Ok(rows)
    }

    /// Drops one partition if none of its rows must stay, counting them
    /// first under a lock that keeps writers out, so the count is exact.
    /// `None` when it was kept (a row must stay, or the lock was busy).
    async fn drop_partition(&self, table: Partitioned, name: &str, cutoff: Timestamp) -> StoreResult<Option<u64>> {
        let parent = table.table();
        let mut tx = self.write_tx().await?;
        sqlx::query(AssertSqlSafe(format!("SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'")))
            .execute(&mut *tx)
            .await
            .map_err(other("dropping a partition"))?;
        // Every write reaches a partition through its parent, so locking the
        // parent alone stops them; DROP takes the same lock next.
        let locked = sqlx::query(AssertSqlSafe(format!("LOCK TABLE ONLY {parent} IN ACCESS EXCLUSIVE MODE")))
            .execute(&mut *tx)
            .await;
        match locked {
            Ok(_) => {}
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("55P03") => {
                tracing::info!(partition = name, "partition busy; its old rows are deleted one by one instead");
                return Ok(None);
            }
            Err(e) => return Err(other("locking for a partition drop")(e)),
        }
        let kept = match table {
            Partitioned::Visits => "count(*) FILTER (WHERE exited_at IS NULL OR exited_at >= $1)",
            Partitioned::Passages => "count(*) FILTER (WHERE scanned_at >= $1)",
        };
        let (total, kept): (i64, i64) = sqlx::query_as(AssertSqlSafe(format!("SELECT count(*), {kept} FROM {name}")))
            .bind(Time(cutoff))
            .fetch_one(&mut *tx)
            .await
            .map_err(other("counting a partition"))?;
        if kept > 0 {
            return Ok(None);
        }
        sqlx::query(AssertSqlSafe(format!("DROP TABLE {name}")))
            .execute(&mut *tx)
            .await
            .map_err(other("dropping a partition"))?;
        tx.commit().await.map_err(other("committing a partition drop"))?;
        tracing::info!(partition = name, rows = total, "dropped an old partition");
        Ok(Some(u64::try_from(total).unwrap_or(0)))
    }
}
