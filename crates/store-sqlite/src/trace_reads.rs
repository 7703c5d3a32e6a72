//! Tracing reads on SQLite: one chunk of ids is an `IN` list over the people
//! or the venues, joined with `visit_rows` through their numbers, and each
//! row is read by position, borrowing its bytes.

use healthcode_domain::Visit;
use healthcode_store::StoreResult;
use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;

use crate::visit_rows::{self, COLUMNS};
use crate::{SqliteStore, other};
use healthcode_store_sql::{Time, TraceKey, corrupt, unreadable};
use uuid::Uuid;

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
        // The chunk's people or venues first, then their visits through the
        // (number, entered_at) index, then the other side by its number: a
        // person through `residents_no_id`, which holds the id (SQLite would
        // pick the unique `residents_no` and read each person's row: a
        // quarter slower over 19,056 visits at scale M, warm).
        let (first, alias, number, other_side) = match key {
            TraceKey::Resident => ("residents r", "r", "v.resident_no = r.no", "venues p ON p.no = v.venue_no"),
            TraceKey::Venue => {
                ("venues p", "p", "v.venue_no = p.no", "residents r INDEXED BY residents_no_id ON r.no = v.resident_no")
            }
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM {first} JOIN visit_rows v ON {number} JOIN {other_side}
             WHERE {alias}.id IN ({marks}) AND v.entered_at >= ? AND v.entered_at < ?"
        );
        // Only placeholders and fixed names are spliced in.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for k in chunk {
            query = query.bind(*k);
        }
        // Each row becomes a visit as it arrives: rows are never all held at once.
        query
            .bind(Time(from))
            .bind(Time(to))
            .try_map(|row: SqliteRow| {
                visit_rows::visit_at(&row, 0)
                    .and_then(|v| v.ok_or_else(|| corrupt("a traced visit without a key".into())))
                    .map_err(unreadable)
            })
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing visits for tracing"))
    }
}
