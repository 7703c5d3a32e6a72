//! The development outbox.

#[doc(hidden)]
#[macro_export]
macro_rules! __outbox {
    ($Store:path, $Db:ty) => {
        pub(crate) mod outbox {
            $crate::__prelude!($Store, $Db);
            use jiff::Timestamp;
            use store::{OutboxMessage, OutboxStore, StoreResult};

            #[async_trait]
            impl OutboxStore for Store {
                async fn push_outbox(
                    &self,
                    channel: &str,
                    recipient: &str,
                    body: &str,
                    code: Option<&str>,
                    at: Timestamp,
                ) -> StoreResult<()> {
                    sqlx::query("INSERT INTO outbox (at, channel, recipient, body, code) VALUES ($1, $2, $3, $4, $5)")
                        .bind(Time(at))
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
                    // Two statements rather than `$1 IS NULL OR ...`, so each keeps an
                    // index-friendly plan when prepared.
                    let query = match recipient {
                        Some(recipient) => sqlx::query(
                            "SELECT id, at, channel, recipient, body, code FROM outbox
                             WHERE recipient = $1 ORDER BY id DESC LIMIT $2",
                        )
                        .bind(recipient),
                        None => sqlx::query(
                            "SELECT id, at, channel, recipient, body, code FROM outbox ORDER BY id DESC LIMIT $1",
                        ),
                    };
                    let rows =
                        query.bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(other("reading outbox"))?;
                    rows.iter()
                        .map(|row| {
                            Ok(OutboxMessage {
                                id: get(row, "id")?,
                                at: ts(row, "at")?,
                                channel: get(row, "channel")?,
                                recipient: get(row, "recipient")?,
                                body: get(row, "body")?,
                                code: get(row, "code")?,
                            })
                        })
                        .collect()
                }

                async fn clear_outbox(&self) -> StoreResult<u64> {
                    let done = sqlx::query("DELETE FROM outbox")
                        .execute(&self.pool)
                        .await
                        .map_err(other("clearing the outbox"))?;
                    Ok(done.rows_affected())
                }
            }
        }
    };
}
