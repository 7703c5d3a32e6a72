//! Manual overrides.

use async_trait::async_trait;
use healthcode_store::{Override, OverrideStore, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;

use crate::convert::{colour, corrupt, get, ms, resident_id, ts};
use crate::{SqliteStore, other};

fn override_from_row(row: &SqliteRow) -> StoreResult<Override> {
    let id: Vec<u8> = get(row, "id")?;
    let decided: Option<i64> = get(row, "decided_at")?;
    Ok(Override {
        id: uuid::Uuid::from_slice(&id).map_err(|_| corrupt("override id".into()))?,
        resident: resident_id(&get::<Vec<u8>>(row, "resident_id")?)?,
        colour: colour(&get::<String>(row, "colour")?)?,
        reason_code: get(row, "reason_code")?,
        basis: get(row, "basis")?,
        requested_by: get(row, "requested_by")?,
        requested_at: ts(get(row, "requested_at")?)?,
        state: get(row, "state")?,
        decided_by: get(row, "decided_by")?,
        decided_at: decided.map(ts).transpose()?,
    })
}

impl SqliteStore {
    /// Every override, for copies.
    pub(crate) async fn all_overrides(&self) -> StoreResult<Vec<Override>> {
        let rows = sqlx::query("SELECT * FROM overrides ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(other("exporting overrides"))?;
        rows.iter().map(override_from_row).collect()
    }
}

#[async_trait]
impl OverrideStore for SqliteStore {
    async fn create_override(&self, o: &Override) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO overrides (id, resident_id, colour, reason_code, basis, requested_by, requested_at, state)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(o.id.as_bytes().as_slice())
        .bind(o.resident.as_bytes().as_slice())
        .bind(o.colour.as_str())
        .bind(&o.reason_code)
        .bind(&o.basis)
        .bind(&o.requested_by)
        .bind(ms(o.requested_at))
        .bind(&o.state)
        .execute(&self.pool)
        .await
        .map_err(other("inserting override"))?;
        Ok(())
    }

    async fn get_override(&self, id: uuid::Uuid) -> StoreResult<Override> {
        let row = sqlx::query("SELECT * FROM overrides WHERE id = ?")
            .bind(id.as_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading override"))?
            .ok_or(StoreError::NotFound)?;
        override_from_row(&row)
    }

    async fn pending_overrides(&self) -> StoreResult<Vec<Override>> {
        let rows = sqlx::query("SELECT * FROM overrides WHERE state = 'pending' ORDER BY requested_at, id")
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing overrides"))?;
        rows.iter().map(override_from_row).collect()
    }

    async fn decide_override(&self, id: uuid::Uuid, state: &str, by: &str, at: Timestamp) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE overrides SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending'",
        )
        .bind(state)
        .bind(by)
        .bind(ms(at))
        .bind(id.as_bytes().as_slice())
        .execute(&self.pool)
        .await
        .map_err(other("deciding override"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict("the override was already decided".into()));
        }
        Ok(())
    }
}
