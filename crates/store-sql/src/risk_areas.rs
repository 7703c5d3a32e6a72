//! Risk areas.

#[doc(hidden)]
#[macro_export]
macro_rules! __risk_areas {
    ($Store:path, $Db:ty) => {
        pub(crate) mod risk_areas {
            $crate::__prelude!($Store, $Db);
            use domain::RegionCode;
            use store::{RiskArea, RiskAreaStore, StoreResult};
            use jiff::Timestamp;

            impl Store {
                /// Every risk area ever marked, for copies.
                pub(crate) async fn risk_areas_at_any(&self) -> StoreResult<Vec<RiskArea>> {
                    let rows = sqlx::query("SELECT * FROM risk_areas ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("exporting risk areas"))?;
                    rows.iter().map(risk_area_from_row).collect()
                }
            }

            fn risk_area_from_row(row: &Row) -> StoreResult<RiskArea> {
                Ok(RiskArea {
                    id: get(row, "id")?,
                    code: RegionCode::parse(&get::<String>(row, "code")?).map_err(|e| corrupt(e.to_string()))?,
                    from: ts(row, "from_at")?,
                    until: ts(row, "until_at")?,
                    marked_by: get(row, "marked_by")?,
                    reason: get(row, "reason")?,
                })
            }

            #[async_trait]
            impl RiskAreaStore for Store {
                async fn add_risk_area(&self, a: &RiskArea) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO risk_areas (id, code, from_at, until_at, marked_by, reason) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(a.id)
                    .bind(a.code.as_str())
                    .bind(Time(a.from))
                    .bind(Time(a.until))
                    .bind(&a.marked_by)
                    .bind(&a.reason)
                    .execute(&self.pool)
                    .await
                    .map_err(other("inserting risk area"))?;
                    Ok(())
                }

                async fn risk_areas_at(&self, at: Timestamp) -> StoreResult<Vec<RiskArea>> {
                    let rows = sqlx::query("SELECT * FROM risk_areas WHERE from_at <= $1 AND until_at > $1 ORDER BY code, id")
                        .bind(Time(at))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing risk areas"))?;
                    rows.iter().map(risk_area_from_row).collect()
                }
            }
        }
    };
}
