//! The development outbox.

use async_trait::async_trait;
use healthcode_store::{OutboxMessage, OutboxStore, StoreResult};
use jiff::Timestamp;

use crate::convert::{get, ms, ts};
use crate::{SqliteStore, other};

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn push_outbox(
        &self,
        channel: &str,
        recipient: &str,
        body: &str,
        code: Option<&str>,
        at: Timestamp,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO outbox (at, channel, recipient, body, code) VALUES (?, ?, ?, ?, ?)")
            .bind(ms(at))
            .bind(channel)
            .bind(recipient)
            .bind(body)
            .bind(code)
            .execute(&self.pool)
            .await
            .map_err(other("writing outbox"))?;
        Ok(())
    }

    async fn outbox(&self, recipient: Option<&str>, limit: u32) -> StoreResult<Vec<OutboxMessage>> {
        let rows = sqlx::query(
            "SELECT id, at, channel, recipient, body, code FROM outbox
             WHERE (?1 IS NULL OR recipient = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .bind(recipient)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(other("reading outbox"))?;
        rows.iter()
            .map(|row| {
                Ok(OutboxMessage {
                    id: get(row, "id")?,
                    at: ts(get(row, "at")?)?,
                    channel: get(row, "channel")?,
                    recipient: get(row, "recipient")?,
                    body: get(row, "body")?,
                    code: get(row, "code")?,
                })
            })
            .collect()
    }

    async fn clear_outbox(&self) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM outbox").execute(&self.pool).await.map_err(other("clearing the outbox"))?;
        Ok(done.rows_affected())
    }
}
