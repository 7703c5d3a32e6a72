//! The audit log.

#[doc(hidden)]
#[macro_export]
macro_rules! __audit {
    ($Store:path, $Db:ty) => {
        pub(crate) mod audit {
            $crate::__prelude!($Store, $Db);
            use store::{AuditRecord, AuditStore, StoreError, StoreResult};

            fn hash32(v: Vec<u8>) -> StoreResult<[u8; 32]> {
                <[u8; 32]>::try_from(v.as_slice()).map_err(|_| corrupt("audit hash".into()))
            }

            fn audit_from_row(row: &Row) -> StoreResult<AuditRecord> {
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
            impl AuditStore for Store {
                async fn append_audit(&self, e: &AuditRecord) -> StoreResult<()> {
                    // Appends only right after the last entry, and the primary key on
                    // seq makes a second writer of the same seq fail: the chain cannot
                    // fork. (SQLite's write transaction also queues the writers.)
                    let mut tx = self.write_tx().await?;
                    let result = sqlx::query(
                        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
                         SELECT $1, $2, $3, $4, $5, $6, $7, $8
                         WHERE COALESCE((SELECT max(seq) FROM audit_log), 0) + 1 = $1",
                    )
                    .bind(e.seq)
                    .bind(Time(e.at))
                    .bind(&e.actor)
                    .bind(&e.action)
                    .bind(&e.subject)
                    .bind(&e.detail)
                    .bind(e.prev_hash.as_slice())
                    .bind(e.hash.as_slice())
                    .execute(&mut *tx)
                    .await
                    .map_err(other("appending audit entry"))?;
                    if result.rows_affected() != 1 {
                        return Err(StoreError::Conflict("the audit log moved on".into()));
                    }
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
                    let rows = sqlx::query("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
                        .bind(after)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("reading the audit log"))?;
                    rows.iter().map(audit_from_row).collect()
                }
            }
        }
    };
}
