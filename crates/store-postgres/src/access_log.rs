//! Who looked at whose records.

use async_trait::async_trait;
use healthcode_domain::{ResidentId, Role};
use healthcode_store::{AccessLogStore, AccessRecord, StoreResult};
use uuid::Uuid;

use crate::convert::{corrupt, get, resident_id, ts};
use crate::{PostgresStore, other};

fn access_from_row(row: &sqlx::postgres::PgRow) -> StoreResult<AccessRecord> {
    Ok(AccessRecord {
        resident: resident_id(row, "resident_id")?,
        at: ts(row, "at")?,
        role: Role::parse(&get::<String>(row, "role")?).map_err(|e| corrupt(e.to_string()))?,
        purpose: get(row, "purpose")?,
        reference: get(row, "reference")?,
    })
}

impl PostgresStore {
    /// The whole log in the order it was written, for copies.
    pub(crate) async fn all_accesses(&self) -> StoreResult<Vec<AccessRecord>> {
        let rows = sqlx::query("SELECT resident_id, at, role, purpose, reference FROM access_log ORDER BY seq")
            .fetch_all(&self.pool)
            .await
            .map_err(other("exporting the access log"))?;
        rows.iter().map(access_from_row).collect()
    }
}

/// Writes a copied log into a store that has none (the log has no natural
/// key, so a store that has some already got it from an earlier run).
pub(crate) async fn import(
    tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    records: &[AccessRecord],
) -> StoreResult<()> {
    let present: i64 = sqlx::query_scalar("SELECT count(*) FROM access_log")
        .fetch_one(&mut **tx)
        .await
        .map_err(other("counting the access log"))?;
    if present > 0 {
        return Ok(());
    }
    insert(tx, records).await
}

async fn insert(tx: &mut sqlx::Transaction<'static, sqlx::Postgres>, records: &[AccessRecord]) -> StoreResult<()> {
    for chunk in records.chunks(5_000) {
        let residents: Vec<Uuid> = chunk.iter().map(|r| r.resident.as_uuid()).collect();
        let micros: Vec<i64> = chunk.iter().map(|r| r.at.as_microsecond()).collect();
        let roles: Vec<&str> = chunk.iter().map(|r| r.role.as_str()).collect();
        let purposes: Vec<&str> = chunk.iter().map(|r| r.purpose.as_str()).collect();
        let references: Vec<&str> = chunk.iter().map(|r| r.reference.as_str()).collect();
        sqlx::query(
            "INSERT INTO access_log (resident_id, at, role, purpose, reference)
                 SELECT r, timestamptz 'epoch' + a * interval '1 microsecond', ro, p, re
                 FROM UNNEST($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[]) AS t (r, a, ro, p, re)",
        )
        .bind(&residents)
        .bind(&micros)
        .bind(&roles)
        .bind(&purposes)
        .bind(&references)
        .execute(&mut **tx)
        .await
        .map_err(other("recording accesses"))?;
    }
    Ok(())
}

#[async_trait]
impl AccessLogStore for PostgresStore {
    async fn record_access(&self, records: &[AccessRecord]) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        insert(&mut tx, records).await?;
        tx.commit().await.map_err(other("committing accesses"))
    }

    async fn accesses_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<AccessRecord>> {
        let rows = sqlx::query(
            "SELECT resident_id, at, role, purpose, reference FROM access_log
             WHERE resident_id = $1 ORDER BY at DESC, seq DESC LIMIT $2",
        )
        .bind(resident.as_uuid())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(other("reading accesses"))?;
        rows.iter().map(access_from_row).collect()
    }
}
