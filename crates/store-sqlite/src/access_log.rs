//! Who looked at whose records.

use async_trait::async_trait;
use healthcode_domain::{ResidentId, Role};
use healthcode_store::{AccessLogStore, AccessRecord, StoreResult};

use crate::convert::{corrupt, get, ms, resident_id, ts};
use crate::{SqliteStore, other};

fn access_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<AccessRecord> {
    Ok(AccessRecord {
        resident: resident_id(&get::<Vec<u8>>(row, "resident_id")?)?,
        at: ts(get(row, "at")?)?,
        role: Role::parse(&get::<String>(row, "role")?).map_err(|e| corrupt(e.to_string()))?,
        purpose: get(row, "purpose")?,
        reference: get(row, "reference")?,
    })
}

impl SqliteStore {
    /// The whole log in the order it was written, for copies.
    pub(crate) async fn all_accesses(&self) -> StoreResult<Vec<AccessRecord>> {
        let rows = sqlx::query("SELECT resident_id, at, role, purpose, reference FROM access_log ORDER BY rowid")
            .fetch_all(&self.pool)
            .await
            .map_err(other("exporting the access log"))?;
        rows.iter().map(access_from_row).collect()
    }
}

/// Writes a copied log into a store that has none (the log has no key, so a
/// store that has some already got it from an earlier run of the copy).
pub(crate) async fn import(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    records: &[AccessRecord],
) -> StoreResult<()> {
    let present: i64 = sqlx::query_scalar("SELECT count(*) FROM access_log")
        .fetch_one(&mut **tx)
        .await
        .map_err(other("counting the access log"))?;
    if present > 0 {
        return Ok(());
    }
    for r in records {
        insert(tx, r).await?;
    }
    Ok(())
}

async fn insert(tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>, r: &AccessRecord) -> StoreResult<()> {
    sqlx::query("INSERT INTO access_log (resident_id, at, role, purpose, reference) VALUES (?, ?, ?, ?, ?)")
        .bind(r.resident.as_bytes().as_slice())
        .bind(ms(r.at))
        .bind(r.role.as_str())
        .bind(&r.purpose)
        .bind(&r.reference)
        .execute(&mut **tx)
        .await
        .map_err(other("recording an access"))?;
    Ok(())
}

#[async_trait]
impl AccessLogStore for SqliteStore {
    async fn record_access(&self, records: &[AccessRecord]) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for r in records {
            insert(&mut tx, r).await?;
        }
        tx.commit().await.map_err(other("committing accesses"))
    }

    async fn accesses_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<AccessRecord>> {
        let rows = sqlx::query(
            "SELECT resident_id, at, role, purpose, reference FROM access_log
             WHERE resident_id = ? ORDER BY at DESC, rowid DESC LIMIT ?",
        )
        .bind(resident.as_bytes().as_slice())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(other("reading accesses"))?;
        rows.iter().map(access_from_row).collect()
    }
}
