//! Residents' appeals against their colour.

use async_trait::async_trait;
use healthcode_domain::ResidentId;
use healthcode_store::{Appeal, AppealStore, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;

use crate::convert::{colour, corrupt, get, ms, resident_id, ts};
use crate::{SqliteStore, other};

fn appeal_from_row(row: &SqliteRow) -> StoreResult<Appeal> {
    let id: Vec<u8> = get(row, "id")?;
    let answered: Option<i64> = get(row, "answered_at")?;
    Ok(Appeal {
        id: uuid::Uuid::from_slice(&id).map_err(|_| corrupt("appeal id".into()))?,
        resident: resident_id(&get::<Vec<u8>>(row, "resident_id")?)?,
        colour: colour(&get::<String>(row, "colour")?)?,
        message: get(row, "message")?,
        submitted_at: ts(get(row, "submitted_at")?)?,
        due_at: ts(get(row, "due_at")?)?,
        state: get(row, "state")?,
        answered_at: answered.map(ts).transpose()?,
        answered_by: get(row, "answered_by")?,
        answer: get(row, "answer")?,
    })
}

impl SqliteStore {
    /// Every appeal, for copies.
    pub(crate) async fn all_appeals(&self) -> StoreResult<Vec<Appeal>> {
        let rows = sqlx::query("SELECT * FROM appeals ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(other("exporting appeals"))?;
        rows.iter().map(appeal_from_row).collect()
    }
}

/// Inserts appeals (copies), skipping those present.
pub(crate) async fn import(tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>, appeals: &[Appeal]) -> StoreResult<()> {
    for a in appeals {
        sqlx::query(
            "INSERT INTO appeals (id, resident_id, colour, message, submitted_at, due_at, state, answered_at, answered_by, answer)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(a.id.as_bytes().as_slice())
        .bind(a.resident.as_bytes().as_slice())
        .bind(a.colour.as_str())
        .bind(&a.message)
        .bind(ms(a.submitted_at))
        .bind(ms(a.due_at))
        .bind(&a.state)
        .bind(a.answered_at.map(ms))
        .bind(&a.answered_by)
        .bind(&a.answer)
        .execute(&mut **tx)
        .await
        .map_err(other("importing appeal"))?;
    }
    Ok(())
}

#[async_trait]
impl AppealStore for SqliteStore {
    async fn create_appeal(&self, a: &Appeal) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO appeals (id, resident_id, colour, message, submitted_at, due_at, state)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.id.as_bytes().as_slice())
        .bind(a.resident.as_bytes().as_slice())
        .bind(a.colour.as_str())
        .bind(&a.message)
        .bind(ms(a.submitted_at))
        .bind(ms(a.due_at))
        .bind(&a.state)
        .execute(&self.pool)
        .await
        .map_err(other("inserting appeal"))?;
        Ok(())
    }

    async fn appeal(&self, id: uuid::Uuid) -> StoreResult<Appeal> {
        let row = sqlx::query("SELECT * FROM appeals WHERE id = ?")
            .bind(id.as_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading appeal"))?
            .ok_or(StoreError::NotFound)?;
        appeal_from_row(&row)
    }

    async fn appeals_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<Appeal>> {
        let rows =
            sqlx::query("SELECT * FROM appeals WHERE resident_id = ? ORDER BY submitted_at DESC, id DESC LIMIT ?")
                .bind(resident.as_bytes().as_slice())
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(other("listing appeals"))?;
        rows.iter().map(appeal_from_row).collect()
    }

    async fn pending_appeals(&self, limit: u32) -> StoreResult<Vec<Appeal>> {
        let rows = sqlx::query("SELECT * FROM appeals WHERE state = 'pending' ORDER BY due_at, id LIMIT ?")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing pending appeals"))?;
        rows.iter().map(appeal_from_row).collect()
    }

    async fn answer_appeal(
        &self,
        id: uuid::Uuid,
        state: &str,
        by: &str,
        answer: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE appeals SET state = ?, answered_by = ?, answer = ?, answered_at = ? WHERE id = ? AND state = 'pending'",
        )
        .bind(state)
        .bind(by)
        .bind(answer)
        .bind(ms(at))
        .bind(id.as_bytes().as_slice())
        .execute(&self.pool)
        .await
        .map_err(other("answering appeal"))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict("the appeal was already answered".into()));
        }
        Ok(())
    }
}
