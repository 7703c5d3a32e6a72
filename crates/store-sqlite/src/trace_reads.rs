//! Tracing reads on SQLite: one chunk of ids is an `IN` list, and each row
//! is read by position, borrowing its text and bytes.

use healthcode_domain::{ExitKind, ResidentId, VenueId, Visit, VisitId, VisitSource};
use healthcode_store::StoreResult;
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{SqliteStore, other};
use healthcode_store_sql::{TRACE_COLUMNS, Time, TraceKey, colour, corrupt, unreadable};
use uuid::Uuid;

fn column<'r, T>(row: &'r SqliteRow, i: usize) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(i).map_err(|e| corrupt(format!("visit column {i}: {e}")))
}

fn id16(row: &SqliteRow, i: usize) -> StoreResult<[u8; 16]> {
    <[u8; 16]>::try_from(column::<&[u8]>(row, i)?).map_err(|_| corrupt(format!("visit column {i}: not 16 bytes")))
}

/// A visit from a row of [`TRACE_COLUMNS`], by position and borrowing the row's
/// text and bytes (tracing reads hundreds of thousands of rows).
fn visit_at(row: &SqliteRow) -> StoreResult<Visit> {
    let exit_kind: Option<&str> = column(row, 5)?;
    let source: &str = column(row, 6)?;
    Ok(Visit {
        id: VisitId::from_bytes(id16(row, 0)?),
        resident: ResidentId::from_bytes(id16(row, 1)?),
        venue: VenueId::from_bytes(id16(row, 2)?),
        entered_at: column::<Time>(row, 3)?.0,
        exited_at: column::<Option<Time>>(row, 4)?.map(|t| t.0),
        exit_kind: exit_kind
            .map(|k| ExitKind::parse(k).ok_or_else(|| corrupt(format!("exit kind {k}"))))
            .transpose()?,
        source: VisitSource::parse(source).ok_or_else(|| corrupt(format!("visit source {source}")))?,
        max_stay: SignedDuration::from_millis(column(row, 7)?),
        colour: colour(column(row, 8)?)?,
    })
}

impl SqliteStore {
    /// The visits of one chunk of ids that began in `[from, to)`.
    pub(crate) async fn trace_chunk(
        &self,
        key: TraceKey,
        chunk: &[Uuid],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>> {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!(
            "SELECT {TRACE_COLUMNS} FROM visits WHERE {} IN ({marks}) AND entered_at >= ? AND entered_at < ?",
            key.column()
        );
        // Only placeholders and a fixed column name are spliced in.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for k in chunk {
            query = query.bind(*k);
        }
        // Each row becomes a visit as it arrives: rows are never all held at once.
        query
            .bind(Time(from))
            .bind(Time(to))
            .try_map(|row: SqliteRow| visit_at(&row).map_err(unreadable))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing visits for tracing"))
    }
}
