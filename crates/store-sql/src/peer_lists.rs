//! Federation: the last good trust list of each peer region.

#[doc(hidden)]
#[macro_export]
macro_rules! __peer_lists {
    ($Store:path, $Db:ty) => {
        pub(crate) mod peer_lists {
            $crate::__prelude!($Store, $Db);
            use store::{PeerListRecord, PeerListStore, StoreError, StoreResult};

            #[async_trait]
            impl PeerListStore for Store {
                async fn put_peer_list(&self, list: &PeerListRecord) -> StoreResult<()> {
                    // One statement: the upsert skips a lower sequence, and then affects no row.
                    let done = sqlx::query(
                        "INSERT INTO peer_lists (region, sequence, document, etag, fetched_at, checked_at)
                         VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (region) DO UPDATE SET sequence = excluded.sequence,
                             document = excluded.document, etag = excluded.etag,
                             fetched_at = excluded.fetched_at, checked_at = excluded.checked_at
                         WHERE peer_lists.sequence <= excluded.sequence",
                    )
                    .bind(&list.region)
                    .bind(list.sequence)
                    .bind(&list.document)
                    .bind(&list.etag)
                    .bind(Time(list.fetched_at))
                    .bind(Time(list.checked_at))
                    .execute(&self.pool)
                    .await
                    .map_err(other("keeping a peer list"))?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Conflict(format!("a newer list of {} is kept", list.region)));
                    }
                    Ok(())
                }

                async fn peer_lists(&self) -> StoreResult<Vec<PeerListRecord>> {
                    let rows = sqlx::query(
                        "SELECT region, sequence, document, etag, fetched_at, checked_at
                         FROM peer_lists ORDER BY region",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("reading peer lists"))?;
                    rows.iter()
                        .map(|row| {
                            Ok(PeerListRecord {
                                region: get(row, "region")?,
                                sequence: get(row, "sequence")?,
                                document: get(row, "document")?,
                                etag: get(row, "etag")?,
                                fetched_at: ts(row, "fetched_at")?,
                                checked_at: ts(row, "checked_at")?,
                            })
                        })
                        .collect()
                }
            }
        }
    };
}
