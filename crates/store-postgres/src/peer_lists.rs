//! Federation: the last good trust list of each peer region.

use async_trait::async_trait;
use healthcode_store::{PeerListRecord, PeerListStore, StoreError, StoreResult};

use crate::convert::{PgTime, get, ts};
use crate::{PostgresStore, other};

#[async_trait]
impl PeerListStore for PostgresStore {
    async fn put_peer_list(&self, list: &PeerListRecord) -> StoreResult<()> {
        // One statement: the upsert skips a lower sequence, and then affects no row.
        let done = sqlx::query(
            "INSERT INTO peer_lists (region, sequence, document, etag, fetched_at, checked_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (region) DO UPDATE SET sequence = excluded.sequence, document = excluded.document,
                 etag = excluded.etag, fetched_at = excluded.fetched_at, checked_at = excluded.checked_at
             WHERE peer_lists.sequence <= excluded.sequence",
        )
        .bind(&list.region)
        .bind(list.sequence)
        .bind(&list.document)
        .bind(&list.etag)
        .bind(PgTime(list.fetched_at))
        .bind(PgTime(list.checked_at))
        .execute(&self.pool)
        .await
        .map_err(other("keeping a peer list"))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("a newer list of {} is kept", list.region)));
        }
        Ok(())
    }

    async fn peer_lists(&self) -> StoreResult<Vec<PeerListRecord>> {
        let rows = sqlx::query("SELECT * FROM peer_lists ORDER BY region")
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
