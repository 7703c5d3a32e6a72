//! Daily statistics: counting a day, and the rollups of closed days.

#[doc(hidden)]
#[macro_export]
macro_rules! __stats {
    ($Store:path, $Db:ty) => {
        pub(crate) mod stats {
            $crate::__prelude!($Store, $Db);
            use jiff::Timestamp;
            use jiff::civil::Date;
            use std::sync::LazyLock;
            use store::stats_sql;
            use store::{StatCell, StatDay, StatsStore, StoreResult};

            static COUNT_DAY: LazyLock<String> = LazyLock::new(|| stats_sql::count_day(<Db as Dialect>::STATS));

            fn cell_from_row(row: &Row, day: Option<Date>) -> StoreResult<StatCell> {
                let day = match day {
                    Some(d) => d,
                    None => date(row, "day")?,
                };
                Ok(StatCell {
                    day,
                    district: get(row, "district")?,
                    metric: get(row, "metric")?,
                    value: get(row, "value")?,
                })
            }

            /// Writes a day's cells one statement each (the backend's
            /// `insert_rollup_cells` may write them in one).
            #[allow(dead_code)]
            pub(crate) async fn insert_cells_each(conn: &mut Conn, day: Date, cells: &[StatCell]) -> StoreResult<()> {
                for c in cells {
                    sqlx::query("INSERT INTO stat_rollups (day, district, metric, value) VALUES ($1, $2, $3, $4)")
                        .bind(Day(day))
                        .bind(&c.district)
                        .bind(&c.metric)
                        .bind(c.value)
                        .execute(&mut *conn)
                        .await
                        .map_err(other("writing a rollup"))?;
                }
                Ok(())
            }

            #[async_trait]
            impl StatsStore for Store {
                async fn count_day(&self, day: &StatDay) -> StoreResult<Vec<StatCell>> {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(COUNT_DAY.as_str()))
                        .bind(Time(day.start))
                        .bind(Time(day.end))
                        .bind(Day(day.day))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("counting a day"))?;
                    rows.iter().map(|r| cell_from_row(r, Some(day.day))).collect()
                }

                async fn put_rollup(&self, day: Date, cells: &[StatCell], at: Timestamp) -> StoreResult<()> {
                    let mut tx = self.write_tx().await?;
                    sqlx::query("DELETE FROM stat_rollups WHERE day = $1")
                        .bind(Day(day))
                        .execute(&mut *tx)
                        .await
                        .map_err(other("replacing a rollup"))?;
                    Store::insert_rollup_cells(&mut *tx, day, cells).await?;
                    sqlx::query(
                        "INSERT INTO stat_days (day, rolled_at) VALUES ($1, $2)
                         ON CONFLICT (day) DO UPDATE SET rolled_at = excluded.rolled_at",
                    )
                    .bind(Day(day))
                    .bind(Time(at))
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
                    .bind(Day(from))
                    .bind(Day(to))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("reading rollups"))?;
                    rows.iter().map(|r| cell_from_row(r, None)).collect()
                }

                async fn rollup_sums_before(&self, day: Date) -> StoreResult<Vec<StatCell>> {
                    let rows = sqlx::query(
                        "SELECT district, metric, CAST(SUM(value) AS BIGINT) AS value FROM stat_rollups
                         WHERE day < $1 GROUP BY district, metric",
                    )
                    .bind(Day(day))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("summing rollups"))?;
                    rows.iter().map(|r| cell_from_row(r, Some(day))).collect()
                }

                async fn rolled_days(&self, from: Date, to: Date) -> StoreResult<Vec<Date>> {
                    let rows = sqlx::query("SELECT day FROM stat_days WHERE day >= $1 AND day <= $2 ORDER BY day")
                        .bind(Day(from))
                        .bind(Day(to))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing rolled days"))?;
                    rows.iter().map(|r| date(r, "day")).collect()
                }

                async fn first_activity(&self) -> StoreResult<Option<Timestamp>> {
                    let first: Option<Time> = sqlx::query_scalar(
                        "SELECT MIN(t) FROM (SELECT MIN(created_at) AS t FROM residents
                         UNION ALL SELECT MIN(created_at) FROM venues) firsts",
                    )
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other("finding the first activity"))?;
                    Ok(first.map(|t| t.0))
                }
            }
        }
    };
}
