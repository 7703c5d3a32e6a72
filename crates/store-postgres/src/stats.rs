//! Daily statistics: counting a day, and the rollups of closed days.

use async_trait::async_trait;
use healthcode_store::stats_sql::{self, Dialect};
use healthcode_store::{StatCell, StatDay, StatsStore, StoreResult};
use jiff::Timestamp;
use jiff::civil::Date;
use std::sync::LazyLock;

use crate::convert::{PgDate, PgTime, date, get};
use crate::{PostgresStore, other};

static COUNT_DAY: LazyLock<String> = LazyLock::new(|| stats_sql::count_day(Dialect::Postgres));

fn cell_from_row(row: &sqlx::postgres::PgRow, day: Option<Date>) -> StoreResult<StatCell> {
    let day = match day {
        Some(d) => d,
        None => date(row, "day")?,
    };
    Ok(StatCell { day, district: get(row, "district")?, metric: get(row, "metric")?, value: get(row, "value")? })
}

#[async_trait]
impl StatsStore for PostgresStore {
    async fn count_day(&self, day: &StatDay) -> StoreResult<Vec<StatCell>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(COUNT_DAY.as_str()))
            .bind(PgTime(day.start))
            .bind(PgTime(day.end))
            .bind(PgDate(day.day))
            .fetch_all(&self.pool)
            .await
            .map_err(other("counting a day"))?;
        rows.iter().map(|r| cell_from_row(r, Some(day.day))).collect()
    }

    async fn put_rollup(&self, day: Date, cells: &[StatCell], at: Timestamp) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM stat_rollups WHERE day = $1")
            .bind(PgDate(day))
            .execute(&mut *tx)
            .await
            .map_err(other("replacing a rollup"))?;
        let districts: Vec<&str> = cells.iter().map(|c| c.district.as_str()).collect();
        let metrics: Vec<&str> = cells.iter().map(|c| c.metric.as_str()).collect();
        let values: Vec<i64> = cells.iter().map(|c| c.value).collect();
        sqlx::query(
            "INSERT INTO stat_rollups (day, district, metric, value)
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::bigint[])",
        )
        .bind(PgDate(day))
        .bind(&districts)
        .bind(&metrics)
        .bind(&values)
        .execute(&mut *tx)
        .await
        .map_err(other("writing a rollup"))?;
        sqlx::query(
            "INSERT INTO stat_days (day, rolled_at) VALUES ($1, $2)
             ON CONFLICT (day) DO UPDATE SET rolled_at = excluded.rolled_at",
        )
        .bind(PgDate(day))
        .bind(PgTime(at))
        .execute(&mut *tx)
        .await
        .map_err(other("marking a day rolled"))?;
        tx.commit().await.map_err(other("committing a rollup"))
    }

    async fn rollups(&self, from: Date, to: Date) -> StoreResult<Vec<StatCell>> {
        let rows = sqlx::query(
            "SELECT day, district, metric, value FROM stat_rollups
             WHERE day >= $1 AND day <= $2 ORDER BY day, district, metric",
        )
        .bind(PgDate(from))
        .bind(PgDate(to))
        .fetch_all(&self.pool)
        .await
        .map_err(other("reading rollups"))?;
        rows.iter().map(|r| cell_from_row(r, None)).collect()
    }

    async fn rollup_sums_before(&self, day: Date) -> StoreResult<Vec<StatCell>> {
        let rows = sqlx::query(
            "SELECT district, metric, SUM(value)::bigint AS value FROM stat_rollups
             WHERE day < $1 GROUP BY district, metric",
        )
        .bind(PgDate(day))
        .fetch_all(&self.pool)
        .await
        .map_err(other("summing rollups"))?;
        rows.iter().map(|r| cell_from_row(r, Some(day))).collect()
    }

    async fn rolled_days(&self, from: Date, to: Date) -> StoreResult<Vec<Date>> {
        let rows = sqlx::query("SELECT day FROM stat_days WHERE day >= $1 AND day <= $2 ORDER BY day")
            .bind(PgDate(from))
            .bind(PgDate(to))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing rolled days"))?;
        rows.iter().map(|r| date(r, "day")).collect()
    }

    async fn first_activity(&self) -> StoreResult<Option<Timestamp>> {
        let first: Option<PgTime> = sqlx::query_scalar(
            "SELECT MIN(t) FROM (SELECT MIN(created_at) AS t FROM residents
             UNION ALL SELECT MIN(created_at) FROM venues) firsts",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(other("finding the first activity"))?;
        Ok(first.map(|t| t.0))
    }
}
