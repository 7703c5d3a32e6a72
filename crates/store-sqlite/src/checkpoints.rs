//! Checkpoints and passages.

use async_trait::async_trait;
use healthcode_domain::{
    Checkpoint, CheckpointId, CheckpointKind, Colour, Direction, DistrictCode, HolderId, Passage, Verdict,
};
use healthcode_store::{CheckpointStore, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;

use crate::convert::{colour, corrupt, get, ms, ts};
use crate::{SqliteStore, other};

fn id16(v: Vec<u8>, what: &str) -> StoreResult<[u8; 16]> {
    <[u8; 16]>::try_from(v.as_slice()).map_err(|_| corrupt(what.into()))
}

fn checkpoint_from_row(row: &SqliteRow) -> StoreResult<Checkpoint> {
    let parse = |e: healthcode_domain::ParseError| corrupt(e.to_string());
    Ok(Checkpoint {
        id: CheckpointId::from_bytes(id16(get(row, "id")?, "checkpoint id")?),
        name: get(row, "name")?,
        kind: CheckpointKind::parse(&get::<String>(row, "kind")?).map_err(parse)?,
        district: DistrictCode::parse(&get::<String>(row, "district")?).map_err(parse)?,
        location: get(row, "location")?,
        created_at: ts(get(row, "created_at")?)?,
    })
}

pub(crate) fn passage_from_row(row: &SqliteRow) -> StoreResult<Passage> {
    let parse = |e: healthcode_domain::ParseError| corrupt(e.to_string());
    let holder: Option<Vec<u8>> = get(row, "holder_id")?;
    let colour_text: Option<String> = get(row, "colour")?;
    Ok(Passage {
        id: uuid::Uuid::from_bytes(id16(get(row, "id")?, "passage id")?),
        checkpoint: CheckpointId::from_bytes(id16(get(row, "checkpoint_id")?, "checkpoint id")?),
        holder: holder.map(|h| id16(h, "holder id").map(HolderId::from_bytes)).transpose()?,
        colour: colour_text.as_deref().map(colour).transpose()?,
        verdict: Verdict::parse(&get::<String>(row, "verdict")?).map_err(parse)?,
        reason: get(row, "reason")?,
        direction: Direction::parse(&get::<String>(row, "direction")?).map_err(parse)?,
        scanned_at: ts(get(row, "scanned_at")?)?,
        officer: get(row, "officer")?,
        offline: get::<i64>(row, "offline")? != 0,
    })
}

#[async_trait]
impl CheckpointStore for SqliteStore {
    async fn create_checkpoint(&self, c: &Checkpoint) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO checkpoints (id, name, kind, district, location, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(c.id.as_bytes().as_slice())
        .bind(&c.name)
        .bind(c.kind.as_str())
        .bind(c.district.as_str())
        .bind(&c.location)
        .bind(ms(c.created_at))
        .execute(&self.pool)
        .await
        .map_err(other("inserting checkpoint"))?;
        Ok(())
    }

    async fn checkpoint(&self, id: CheckpointId) -> StoreResult<Checkpoint> {
        let row = sqlx::query("SELECT * FROM checkpoints WHERE id = ?")
            .bind(id.as_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading checkpoint"))?
            .ok_or(StoreError::NotFound)?;
        checkpoint_from_row(&row)
    }

    async fn checkpoints(&self) -> StoreResult<Vec<Checkpoint>> {
        let rows = sqlx::query("SELECT * FROM checkpoints ORDER BY name, id")
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing checkpoints"))?;
        rows.iter().map(checkpoint_from_row).collect()
    }

    async fn record_passages(&self, passages: &[Passage]) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let mut inserted = 0;
        for p in passages {
            let done = sqlx::query(
                "INSERT INTO passages (id, checkpoint_id, holder_id, colour, verdict, reason, direction, scanned_at,
                     officer, offline)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            )
            .bind(p.id.as_bytes().as_slice())
            .bind(p.checkpoint.as_bytes().as_slice())
            .bind(p.holder.map(|h| h.as_bytes().to_vec()))
            .bind(p.colour.map(Colour::as_str))
            .bind(p.verdict.as_str())
            .bind(&p.reason)
            .bind(p.direction.as_str())
            .bind(ms(p.scanned_at))
            .bind(&p.officer)
            .bind(i64::from(p.offline))
            .execute(&mut *tx)
            .await
            .map_err(other("recording passage"))?;
            inserted += done.rows_affected();
        }
        tx.commit().await.map_err(other("committing passages"))?;
        Ok(inserted)
    }

    async fn passages(
        &self,
        checkpoint: CheckpointId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<Passage>> {
        let rows = sqlx::query(
            "SELECT * FROM passages WHERE checkpoint_id = ? AND scanned_at >= ? AND scanned_at < ?
             ORDER BY scanned_at DESC, id DESC LIMIT ?",
        )
        .bind(checkpoint.as_bytes().as_slice())
        .bind(ms(from))
        .bind(ms(to))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(other("listing passages"))?;
        rows.iter().map(passage_from_row).collect()
    }

    async fn passages_after(&self, after: Option<uuid::Uuid>, limit: u32) -> StoreResult<Vec<Passage>> {
        let rows = sqlx::query("SELECT * FROM passages WHERE (?1 IS NULL OR id > ?1) ORDER BY id LIMIT ?2")
            .bind(after.map(|a| a.as_bytes().to_vec()))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing passages"))?;
        rows.iter().map(passage_from_row).collect()
    }

    async fn non_green_holders(&self) -> StoreResult<Vec<(HolderId, Colour)>> {
        let rows = sqlx::query(
            "SELECT r.holder_id, s.colour FROM health_status s JOIN residents r ON r.id = s.resident_id
             WHERE s.colour <> 'green'",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(other("listing non-green holders"))?;
        rows.iter()
            .map(|row| {
                let holder = HolderId::from_bytes(id16(get(row, "holder_id")?, "holder id")?);
                Ok((holder, colour(&get::<String>(row, "colour")?)?))
            })
            .collect()
    }
}
