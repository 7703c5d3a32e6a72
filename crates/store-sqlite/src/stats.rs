//! Daily statistics: counting a day, and the rollups of closed days.

use async_trait::async_trait;
use healthcode_store::stats_sql::{self, Dialect};
use healthcode_store::{StatCell, StatDay, StatsStore, StoreResult};
use jiff::Timestamp;
use jiff::civil::Date;
use std::sync::LazyLock;

use crate::convert::{date, date_text, get, ms, ts};
use crate::{SqliteStore, other};

static COUNT_DAY: LazyLock<String> = LazyLock::new(|| stats_sql::count_day(Dialect::Sqlite));

fn cell_from_row(row: &sqlx::sqlite::SqliteRow, day: Option<Date>) -> StoreResult<StatCell> {
    let day = match day {
        Some(d) => d,
        None => date(&get::<String>(row, "day")?)?,
    };
    Ok(StatCell { day, district: get(row, "district")?, metric: get(row, "metric")?, value: get(row, "value")? })
}

#[async_trait]
impl StatsStore for SqliteStore {
    async fn count_day(&self, day: &StatDay) -> StoreResult<Vec<StatCell>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(COUNT_DAY.as_str()))
            .bind(ms(day.start))
            .bind(ms(day.end))
            .bind(date_text(day.day))
            .fetch_all(&self.pool)
            .await
            .map_err(other("counting a day"))?;
        rows.iter().map(|r| cell_from_row(r, Some(day.day))).collect()
    }

    async fn put_rollup(&self, day: Date, cells: &[StatCell], at: Timestamp) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let key = date_text(day);
        sqlx::query("DELETE FROM stat_rollups WHERE day = ?")
            .bind(&key)
            .execute(&mut *tx)
            .await
            .map_err(other("replacing a rollup"))?;
        for c in cells {
            sqlx::query("INSERT INTO stat_rollups (day, district, metric, value) VALUES (?, ?, ?, ?)")
                .bind(&key)
                .bind(&c.district)
                .bind(&c.metric)
                .bind(c.value)
                .execute(&mut *tx)
                .await
                .map_err(other("writing a rollup"))?;
        }
        sqlx::query("INSERT INTO stat_days (day, rolled_at) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET rolled_at = excluded.rolled_at")
            .bind(&key)
            .bind(ms(at))
            .execute(&mut *tx)
            .await
            .map_err(other("marking a day rolled"))?;
        tx.commit().await.map_err(other("committing a rollup"))
    }

    async fn rollups(&self, from: Date, to: Date) -> StoreResult<Vec<StatCell>> {
        let rows = sqlx::query(
            "SELECT day, district, metric, value FROM stat_rollups WHERE day >= ? AND day <= ? ORDER BY day, district, metric",
        )
        .bind(date_text(from))
        .bind(date_text(to))
        .fetch_all(&self.pool)
        .await
        .map_err(other("reading rollups"))?;
        rows.iter().map(|r| cell_from_row(r, None)).collect()
    }

    async fn rollup_sums_before(&self, day: Date) -> StoreResult<Vec<StatCell>> {
        let rows = sqlx::query(
            "SELECT district, metric, SUM(value) AS value FROM stat_rollups WHERE day < ? GROUP BY district, metric",
        )
        .bind(date_text(day))
        .fetch_all(&self.pool)
        .await
        .map_err(other("summing rollups"))?;
        rows.iter().map(|r| cell_from_row(r, Some(day))).collect()
    }

    async fn rolled_days(&self, from: Date, to: Date) -> StoreResult<Vec<Date>> {
        let days: Vec<String> =
            sqlx::query_scalar("SELECT day FROM stat_days WHERE day >= ? AND day <= ? ORDER BY day")
                .bind(date_text(from))
                .bind(date_text(to))
                .fetch_all(&self.pool)
                .await
                .map_err(other("listing rolled days"))?;
        days.iter().map(|d| date(d)).collect()
    }

    async fn first_activity(&self) -> StoreResult<Option<Timestamp>> {
        let first: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(t) FROM (SELECT MIN(created_at) AS t FROM residents UNION ALL SELECT MIN(created_at) FROM venues)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(other("finding the first activity"))?;
        first.map(ts).transpose()
    }
}
