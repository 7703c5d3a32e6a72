//! Bulk loading on PostgreSQL (`healthcode demo`'s seeding; see
//! `healthcode_store::bulk`): visits go in with `COPY ... FROM STDIN` (text
//! format) into the partitioned table, whose partitions are created first as
//! for any write; residents and venues go through the shared statements,
//! each batch in one transaction. The load's connection commits with
//! `synchronous_commit = off` (a crash may lose the last commits, never
//! consistency; the mark covers the loss), and nothing is dropped: the
//! partitioned indexes stay, so every constraint is checked as rows go in.
//! `finish` checks what `import_visits` checks row by row and a `COPY`
//! cannot (a visit id used twice, which the partitioned primary key
//! `(id, entered_at)` does not catch), then removes the mark.

use std::fmt::Write as _;

use async_trait::async_trait;
use healthcode_domain::{ExitKind, Visit};
use healthcode_store::{BulkLoad, BulkLoadStore, ResidentBundle, StoreError, StoreResult, UnfinishedLoad, Venue};
use jiff::Timestamp;
use sqlx::{Connection, PgConnection};

use crate::partitions::Partitioned;
use crate::{PostgresStore, other, sql};
use healthcode_store_sql::Time;

struct PostgresLoad {
    store: PostgresStore,
    conn: PgConnection,
}

/// An instant as `COPY` reads it, truncated to the microsecond as `Time`
/// sends it (RFC 3339, which PostgreSQL's `timestamptz` input accepts).
fn instant(t: Timestamp) -> String {
    Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t).to_string()
}

/// One visit as a line of `COPY`'s text format (no value here holds a tab,
/// a newline or a backslash: ids, instants, integers and fixed words).
fn copy_line(out: &mut String, v: &Visit) {
    let opt = |t: Option<String>| t.unwrap_or_else(|| "\\N".into());
    let _ = writeln!(
        out,
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        v.id.as_uuid(),
        v.resident.as_uuid(),
        v.venue.as_uuid(),
        instant(v.entered_at),
        opt(v.exited_at.map(instant)),
        opt(v.exit_kind.map(|k| ExitKind::as_str(k).to_owned())),
        v.source.as_str(),
        i64::try_from(v.max_stay.as_millis()).unwrap_or(i64::MAX),
        v.colour.as_str(),
    );
}

#[async_trait]
impl BulkLoad for PostgresLoad {
    async fn residents(&mut self, batch: &[ResidentBundle]) -> StoreResult<()> {
        let mut tx = self.conn.begin().await.map_err(other("starting a bulk batch"))?;
        sql::accounts::import_bundles(&mut tx, batch).await?;
        tx.commit().await.map_err(other("committing a bulk batch of residents"))
    }

    async fn venues(&mut self, batch: &[Venue]) -> StoreResult<()> {
        let mut tx = self.conn.begin().await.map_err(other("starting a bulk batch"))?;
        for v in batch {
            sql::venues::insert_venue(&mut tx, v).await?;
        }
        tx.commit().await.map_err(other("committing a bulk batch of venues"))
    }

    async fn visits(&mut self, batch: &[Visit]) -> StoreResult<()> {
        let store = &self.store;
        store.partitions.ensure(&store.pool, Partitioned::Visits, batch.iter().map(|v| v.entered_at)).await;
        let mut text = String::with_capacity(batch.len() * 200);
        for v in batch {
            copy_line(&mut text, v);
        }
        let mut tx = self.conn.begin().await.map_err(other("starting a bulk batch"))?;
        let mut copy = tx
            .copy_in_raw(
                "COPY visits (id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour)
                 FROM STDIN",
            )
            .await
            .map_err(other("starting to copy visits"))?;
        copy.send(text.into_bytes()).await.map_err(other("copying visits"))?;
        copy.finish().await.map_err(other("copying visits"))?;
        // The one-open-visit rule lives in `open_visits` (seeded visits are
        // closed; an open one is written as `import_visits` writes it).
        for v in batch.iter().filter(|v| v.exited_at.is_none()) {
            sqlx::query("INSERT INTO open_visits (resident_id, visit_id, entered_at) VALUES ($1, $2, $3)")
                .bind(v.resident.as_uuid())
                .bind(v.id.as_uuid())
                .bind(Time(v.entered_at))
                .execute(&mut *tx)
                .await
                .map_err(other("opening visit"))?;
        }
        tx.commit().await.map_err(other("committing a bulk batch of visits"))
    }

    async fn finish(mut self: Box<Self>) -> StoreResult<()> {
        let mut tx = self.conn.begin().await.map_err(other("finishing a bulk load"))?;
        let twice: Option<uuid::Uuid> =
            sqlx::query_scalar("SELECT id FROM visits GROUP BY id HAVING count(*) > 1 LIMIT 1")
                .fetch_optional(&mut *tx)
                .await
                .map_err(other("checking bulk-loaded visit ids"))?;
        if let Some(id) = twice {
            return Err(StoreError::Conflict(format!("bulk load: the visit id {id} is used twice")));
        }
        sql::bulk::unmark(&mut tx).await?;
        tx.commit().await.map_err(other("committing the end of a bulk load"))?;
        self.conn.close().await.map_err(other("closing the bulk-load connection"))
    }
}

#[async_trait]
impl BulkLoadStore for PostgresStore {
    async fn begin_bulk_load(&self, what: &str, now: Timestamp) -> StoreResult<Box<dyn BulkLoad>> {
        let mut conn = self.pool.acquire().await.map_err(other("opening the bulk-load connection"))?.detach();
        sqlx::query("SET synchronous_commit = off")
            .execute(&mut conn)
            .await
            .map_err(other("setting up the bulk-load connection"))?;
        // The check over every visit id at the end may take longer than a
        // request's statement timeout at scale L.
        sqlx::query("SET statement_timeout = 0")
            .execute(&mut conn)
            .await
            .map_err(other("setting up the bulk-load connection"))?;
        let mut tx = conn.begin().await.map_err(other("starting a bulk load"))?;
        // One load at a time: the mark's primary key and this lock.
        sqlx::query("LOCK TABLE bulk_loads IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(other("starting a bulk load"))?;
        sql::bulk::mark(&mut tx, what, now, &[]).await?;
        tx.commit().await.map_err(other("committing the start of a bulk load"))?;
        Ok(Box::new(PostgresLoad { store: self.clone(), conn }))
    }

    async fn unfinished_bulk_load(&self) -> StoreResult<Option<UnfinishedLoad>> {
        sql::bulk::unfinished(&self.pool).await
    }
}
