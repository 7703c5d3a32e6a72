//! The audit log.

use async_trait::async_trait;
use healthcode_store::{AuditRecord, AuditStore, StoreError, StoreResult};
use sqlx::postgres::PgRow;

use crate::convert::{PgTime, corrupt, get, ts};
use crate::{PostgresStore, other};

fn hash32(v: Vec<u8>) -> StoreResult<[u8; 32]> {
    <[u8; 32]>::try_from(v.as_slice()).map_err(|_| corrupt("audit hash".into()))
}

fn audit_from_row(row: &PgRow) -> StoreResult<AuditRecord> {
    Ok(AuditRecord {
        seq: get(row, "seq")?,
        at: ts(row, "at")?,
        actor: get(row, "actor")?,
        action: get(row, "action")?,
        subject: get(row, "subject")?,
        detail: get(row, "detail")?,
        prev_hash: hash32(get(row, "prev_hash")?)?,
        hash: hash32(get(row, "hash")?)?,
    })
}

#[async_trait]
impl AuditStore for PostgresStore {
    async fn append_audit(&self, e: &AuditRecord) -> StoreResult<()> {
        // The primary key on seq makes a second writer of the same seq fail:
        // the chain cannot fork.
        let result = sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8
             WHERE COALESCE((SELECT max(seq) FROM audit_log), 0) + 1 = $1",
        )
        .bind(e.seq)
        .bind(PgTime(e.at))
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.subject)
        .bind(&e.detail)
        .bind(e.prev_hash.as_slice())
        .bind(e.hash.as_slice())
        .execute(&self.pool)
        .await
        .map_err(other("appending audit entry"))?;
        if result.rows_affected() != 1 {
            return Err(StoreError::Conflict("the audit log moved on".into()));
        }
        Ok(())
    }

    async fn last_audit(&self) -> StoreResult<Option<AuditRecord>> {
        let row = sqlx::query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading the audit tail"))?;
        row.as_ref().map(audit_from_row).transpose()
    }

    async fn audit_after(&self, after: i64, limit: u32) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(other("reading the audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }
}
