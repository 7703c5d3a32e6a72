//! Anomaly alarms, and counting recent manual status changes.

use async_trait::async_trait;
use healthcode_domain::Actor;
use healthcode_store::{Alarm, AlarmKind, AlarmStore, MANUAL_CHANGE_EVENTS, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;

use crate::convert::{corrupt, get, json, ms, ts};
use crate::{SqliteStore, other};

fn alarm_from_row(row: &SqliteRow) -> StoreResult<Alarm> {
    let id: Vec<u8> = get(row, "id")?;
    let kind: String = get(row, "kind")?;
    let acknowledged: Option<i64> = get(row, "acknowledged_at")?;
    Ok(Alarm {
        id: uuid::Uuid::from_slice(&id).map_err(|_| corrupt("alarm id".into()))?,
        at: ts(get(row, "at")?)?,
        kind: AlarmKind::parse(&kind).ok_or_else(|| corrupt(format!("alarm kind {kind}")))?,
        subject: get(row, "subject")?,
        detail: get(row, "detail")?,
        acknowledged_by: get(row, "acknowledged_by")?,
        acknowledged_at: acknowledged.map(ts).transpose()?,
    })
}

impl SqliteStore {
    /// Every alarm, for copies.
    pub(crate) async fn all_alarms(&self) -> StoreResult<Vec<Alarm>> {
        let rows = sqlx::query("SELECT * FROM alarms ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(other("exporting alarms"))?;
        rows.iter().map(alarm_from_row).collect()
    }
}

/// Inserts alarms, skipping ids already present (copies).
pub(crate) async fn import_alarms(conn: &mut SqliteConnection, alarms: &[Alarm]) -> StoreResult<()> {
    for a in alarms {
        sqlx::query(
            "INSERT INTO alarms (id, at, kind, subject, detail, acknowledged_by, acknowledged_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(a.id.as_bytes().as_slice())
        .bind(ms(a.at))
        .bind(a.kind.as_str())
        .bind(&a.subject)
        .bind(&a.detail)
        .bind(&a.acknowledged_by)
        .bind(a.acknowledged_at.map(ms))
        .execute(&mut *conn)
        .await
        .map_err(other("importing alarm"))?;
    }
    Ok(())
}

#[async_trait]
impl AlarmStore for SqliteStore {
    async fn raise_alarm(&self, alarm: &Alarm) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO alarms (id, at, kind, subject, detail, acknowledged_by, acknowledged_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(alarm.id.as_bytes().as_slice())
        .bind(ms(alarm.at))
        .bind(alarm.kind.as_str())
        .bind(&alarm.subject)
        .bind(&alarm.detail)
        .bind(&alarm.acknowledged_by)
        .bind(alarm.acknowledged_at.map(ms))
        .execute(&self.pool)
        .await
        .map_err(other("raising alarm"))?;
        Ok(())
    }

    async fn alarm(&self, id: uuid::Uuid) -> StoreResult<Alarm> {
        let row = sqlx::query("SELECT * FROM alarms WHERE id = ?")
            .bind(id.as_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading alarm"))?
            .ok_or(StoreError::NotFound)?;
        alarm_from_row(&row)
    }

    async fn alarms(&self, limit: u32) -> StoreResult<Vec<Alarm>> {
        let rows = sqlx::query("SELECT * FROM alarms ORDER BY acknowledged_at IS NOT NULL, at DESC, id DESC LIMIT ?")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing alarms"))?;
        rows.iter().map(alarm_from_row).collect()
    }

    async fn open_alarm_since(
        &self,
        kind: AlarmKind,
        subject: Option<&str>,
        since: Timestamp,
    ) -> StoreResult<Option<Alarm>> {
        let row = sqlx::query(
            "SELECT * FROM alarms
             WHERE kind = ? AND at >= ? AND acknowledged_at IS NULL AND (? IS NULL OR subject = ?)
             ORDER BY at DESC, id DESC LIMIT 1",
        )
        .bind(kind.as_str())
        .bind(ms(since))
        .bind(subject)
        .bind(subject)
        .fetch_optional(&self.pool)
        .await
        .map_err(other("reading open alarms"))?;
        row.as_ref().map(alarm_from_row).transpose()
    }

    async fn acknowledge_alarm(&self, id: uuid::Uuid, by: &str, at: Timestamp) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE alarms SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
        )
        .bind(by)
        .bind(ms(at))
        .bind(id.as_bytes().as_slice())
        .execute(&self.pool)
        .await
        .map_err(other("acknowledging alarm"))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        // Missing, or acknowledged by someone else first.
        self.alarm(id).await?;
        Err(StoreError::Conflict("the alarm was already acknowledged".into()))
    }

    async fn manual_changes_since(&self, since: Timestamp, by: Option<&Actor>) -> StoreResult<u64> {
        let actor = by.map(json).transpose()?;
        let [first, second] = MANUAL_CHANGE_EVENTS;
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM status_changes
             WHERE at >= ? AND event IN (?, ?) AND (? IS NULL OR actor = ?)",
        )
        .bind(ms(since))
        .bind(first)
        .bind(second)
        .bind(&actor)
        .bind(&actor)
        .fetch_one(&self.pool)
        .await
        .map_err(other("counting manual changes"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
