//! The audit log.

#[doc(hidden)]
#[macro_export]
macro_rules! __audit {
    ($Store:path, $Db:ty) => {
        pub(crate) mod audit {
            $crate::__prelude!($Store, $Db);
            use store::{AuditEntry, AuditRecord, AuditStore, StoreError, StoreResult};

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

            /// Appends `entry` after the last entry, inside the caller's
            /// transaction, so it commits or rolls back with the change it
            /// records. `None` when another writer took that place first
            /// (PostgreSQL; SQLite's write transactions queue): the caller
            /// drops its transaction and tries the whole of it again.
            pub(crate) async fn append_in(conn: &mut Conn, entry: &AuditEntry) -> StoreResult<Option<AuditRecord>> {
                let tail = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(other("reading the audit tail"))?;
                let (seq, prev_hash) = match tail {
                    Some(row) => (get::<i64>(&row, "seq")? + 1, hash32(get(&row, "hash")?)?),
                    None => (1, [0u8; 32]),
                };
                let e = entry.chained(seq, prev_hash);
                let inserted = sqlx::query(
                    "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(e.seq)
                .bind(Time(e.at))
                .bind(&e.actor)
                .bind(&e.action)
                .bind(&e.subject)
                .bind(&e.detail)
                .bind(e.prev_hash.as_slice())
                .bind(e.hash.as_slice())
                .execute(&mut *conn)
                .await;
                match inserted {
                    Ok(_) => Ok(Some(e)),
                    Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Ok(None),
                    Err(err) => Err(other("appending audit entry")(err)),
                }
            }

            #[async_trait]
            impl AuditStore for Store {
                async fn append_audit_entry(&self, entry: &AuditEntry) -> StoreResult<AuditRecord> {
                    for _ in 0..AUDIT_ATTEMPTS {
                        let mut tx = self.write_tx().await?;
                        if let Some(record) = append_in(&mut tx, entry).await? {
                            tx.commit().await.map_err(other("committing audit entry"))?;
                            return Ok(record);
                        }
                    }
                    Err(audit_busy())
                }

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
