//! Retention: whole daily partitions are dropped when everything in them is
//! old; rows are deleted one by one only where old and kept rows mix (the day
//! that straddles the cutoff, DEFAULT, and days still holding an open visit).

use async_trait::async_trait;
use healthcode_store::{PurgeCounts, PurgeMode, RetentionStore, StoreResult};
use jiff::Timestamp;
use sqlx::AssertSqlSafe;

use crate::partitions::{Partitioned, day_start, partition_days};
use crate::{PostgresStore, other};
use healthcode_store_sql::Time;

// A visit leaves only after it entered, so `entered_at < $1` adds nothing but
// lets PostgreSQL skip the partitions of days after the cutoff. (With clocks a
// few milliseconds apart, a visit closed "before" it entered right at the
// cutoff would wait for the next pass.)
const VISITS: &str = "FROM visits WHERE exited_at IS NOT NULL AND exited_at < $1 AND entered_at < $1";
const REPORTS: &str = "FROM reports WHERE at < $1";
const PASSAGES: &str = "FROM passages WHERE scanned_at < $1";

/// How long dropping a partition may wait for its lock on the parent table
/// before leaving that day to row-by-row deletion.
const DROP_LOCK_TIMEOUT: &str = "5s";

#[async_trait]
impl RetentionStore for PostgresStore {
    async fn purge_before(&self, cutoff: Timestamp, mode: PurgeMode) -> StoreResult<PurgeCounts> {
        let dry_run = mode == PurgeMode::DryRun;
        let mut dropped = [0u64; 2];
        if !dry_run {
            dropped[0] = self.drop_old_partitions(Partitioned::Visits, cutoff).await?;
            dropped[1] = self.drop_old_partitions(Partitioned::Passages, cutoff).await?;
        }
        let mut tx = self.write_tx().await?;
        let mut counts = [0u64; 3];
        for (i, table) in [VISITS, REPORTS, PASSAGES].into_iter().enumerate() {
            let verb = if dry_run { "SELECT count(*)" } else { "DELETE" };
            let sql = AssertSqlSafe(format!("{verb} {table}"));
            counts[i] = if dry_run {
                let n: i64 =
                    sqlx::query_scalar(sql).bind(Time(cutoff)).fetch_one(&mut *tx).await.map_err(other("counting"))?;
                u64::try_from(n).unwrap_or(0)
            } else {
                sqlx::query(sql).bind(Time(cutoff)).execute(&mut *tx).await.map_err(other("purging"))?.rows_affected()
            };
        }
        tx.commit().await.map_err(other("committing purge"))?;
        Ok(PurgeCounts { visits: dropped[0] + counts[0], reports: counts[1], passages: dropped[1] + counts[2] })
    }
}

impl PostgresStore {
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
