//! Tracing reads: many people's or many venues' visits in a time range, a
//! few statements instead of one per person or venue.

use healthcode_domain::{ExitKind, ResidentId, VenueId, Visit, VisitId, VisitSource};
use healthcode_store::{StoreError, StoreResult};
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::{SqliteStore, other};
use healthcode_store_sql::{Time, colour, corrupt};

/// Ids bound per statement (well under SQLite's limit on variables).
const CHUNK: usize = 500;

/// Which index a batch read goes through.
#[derive(Debug, Clone, Copy)]
enum Key {
    Resident,
    Venue,
}

impl Key {
    fn column(self) -> &'static str {
        match self {
            Key::Resident => "resident_id",
            Key::Venue => "venue_id",
        }
    }
}

/// The columns [`visit_at`] reads, in its order.
const COLUMNS: &str = "id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour";

fn column<'r, T>(row: &'r SqliteRow, i: usize) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(i).map_err(|e| corrupt(format!("visit column {i}: {e}")))
}

fn id16(row: &SqliteRow, i: usize) -> StoreResult<[u8; 16]> {
    <[u8; 16]>::try_from(column::<&[u8]>(row, i)?).map_err(|_| corrupt(format!("visit column {i}: not 16 bytes")))
}

/// A visit from a row of [`COLUMNS`], by position and borrowing the row's
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

/// A visit that cannot be read, as the error a row mapping returns.
fn unreadable(e: StoreError) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(std::io::Error::other(e.to_string())))
}

impl SqliteStore {
    pub(crate) async fn visits_of_residents_between(
        &self,
        residents: &[ResidentId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>> {
        let keys: Vec<[u8; 16]> = residents.iter().map(|r| *r.as_bytes()).collect();
        self.visits_by_key(Key::Resident, &keys, from, to).await
    }

    pub(crate) async fn visits_at_venues_between(
        &self,
        venues: &[VenueId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>> {
        let keys: Vec<[u8; 16]> = venues.iter().map(|v| *v.as_bytes()).collect();
        self.visits_by_key(Key::Venue, &keys, from, to).await
    }

    async fn visits_by_key(
        &self,
        key: Key,
        keys: &[[u8; 16]],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>> {
        let mut out = Vec::new();
        for chunk in keys.chunks(CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT {COLUMNS} FROM visits WHERE {} IN ({marks}) AND entered_at >= ? AND entered_at < ?",
                key.column()
            );
            // Only placeholders and a fixed column name are spliced in.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                query = query.bind(k.as_slice());
            }
            // Each row becomes a visit as it arrives: rows are never all held at once.
            let visits = query
                .bind(Time(from))
                .bind(Time(to))
                .try_map(|row: SqliteRow| visit_at(&row).map_err(unreadable))
                .fetch_all(&self.pool)
                .await
                .map_err(other("listing visits for tracing"))?;
            out.extend(visits);
        }
        Ok(out)
    }
}
