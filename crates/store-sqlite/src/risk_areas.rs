//! Risk areas.

use async_trait::async_trait;
use healthcode_domain::RegionCode;
use healthcode_store::{RiskArea, RiskAreaStore, StoreResult};
use jiff::Timestamp;

use crate::convert::{corrupt, get, ms, ts};
use crate::{SqliteStore, other};

impl SqliteStore {
    /// Every risk area ever marked, for copies.
    pub(crate) async fn risk_areas_at_any(&self) -> StoreResult<Vec<RiskArea>> {
        let rows = sqlx::query("SELECT * FROM risk_areas ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(other("exporting risk areas"))?;
        rows.iter().map(risk_area_from_row).collect()
    }
}

fn risk_area_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<RiskArea> {
    let id: Vec<u8> = get(row, "id")?;
    Ok(RiskArea {
        id: uuid::Uuid::from_slice(&id).map_err(|_| corrupt("risk area id".into()))?,
        code: RegionCode::parse(&get::<String>(row, "code")?).map_err(|e| corrupt(e.to_string()))?,
        from: ts(get(row, "from_at")?)?,
        until: ts(get(row, "until_at")?)?,
        marked_by: get(row, "marked_by")?,
        reason: get(row, "reason")?,
    })
}

#[async_trait]
impl RiskAreaStore for SqliteStore {
    async fn add_risk_area(&self, a: &RiskArea) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO risk_areas (id, code, from_at, until_at, marked_by, reason) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(a.id.as_bytes().as_slice())
        .bind(a.code.as_str())
        .bind(ms(a.from))
        .bind(ms(a.until))
        .bind(&a.marked_by)
        .bind(&a.reason)
        .execute(&self.pool)
        .await
        .map_err(other("inserting risk area"))?;
        Ok(())
    }

    async fn risk_areas_at(&self, at: Timestamp) -> StoreResult<Vec<RiskArea>> {
        let rows = sqlx::query("SELECT * FROM risk_areas WHERE from_at <= ? AND until_at > ? ORDER BY code, id")
            .bind(ms(at))
            .bind(ms(at))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing risk areas"))?;
        rows.iter().map(risk_area_from_row).collect()
    }
}
