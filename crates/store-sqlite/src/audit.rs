//! The audit log.

use async_trait::async_trait;
use healthcode_store::{AuditRecord, AuditStore, StoreError, StoreResult};
use sqlx::sqlite::SqliteRow;

use crate::convert::{corrupt, get, ms, ts};
use crate::{SqliteStore, other};

fn hash32(v: Vec<u8>) -> StoreResult<[u8; 32]> {
    <[u8; 32]>::try_from(v.as_slice()).map_err(|_| corrupt("audit hash".into()))
}

fn audit_from_row(row: &SqliteRow) -> StoreResult<AuditRecord> {
    Ok(AuditRecord {
        seq: get(row, "seq")?,
        at: ts(get(row, "at")?)?,
        actor: get(row, "actor")?,
        action: get(row, "action")?,
        subject: get(row, "subject")?,
        detail: get(row, "detail")?,
        prev_hash: hash32(get(row, "prev_hash")?)?,
        hash: hash32(get(row, "hash")?)?,
    })
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, e: &AuditRecord) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let last: Option<i64> = sqlx::query_scalar("SELECT max(seq) FROM audit_log")
            .fetch_one(&mut *tx)
            .await
            .map_err(other("audit tail"))?;
        if last.unwrap_or(0) + 1 != e.seq {
            return Err(StoreError::Conflict("the audit log moved on".into()));
        }
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.seq)
        .bind(ms(e.at))
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.subject)
        .bind(&e.detail)
        .bind(e.prev_hash.as_slice())
        .bind(e.hash.as_slice())
        .execute(&mut *tx)
        .await
        .map_err(other("appending audit entry"))?;
        tx.commit().await.map_err(other("committing audit entry"))
    }

    async fn last_audit(&self) -> StoreResult<Option<AuditRecord>> {
        let row = sqlx::query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading the audit tail"))?;
        row.as_ref().map(audit_from_row).transpose()
    }

    async fn audit_after(&self, after: i64, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(other("reading the audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }
}
