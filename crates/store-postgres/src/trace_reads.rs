//! Tracing reads on PostgreSQL: one chunk of ids is one array parameter.

use healthcode_domain::Visit;
use healthcode_store::StoreResult;
use healthcode_store_sql::{TRACE_COLUMNS, Time, TraceKey, unreadable};
use jiff::Timestamp;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use crate::sql::visits::visit_from_row;
use crate::{PostgresStore, other};

impl PostgresStore {
    /// The visits of one chunk of ids that began in `[from, to)`.
    pub(crate) async fn trace_chunk(
        &self,
        key: TraceKey,
        chunk: &[Uuid],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Visit>> {
        let sql = format!(
            "SELECT {TRACE_COLUMNS} FROM visits WHERE {} = ANY($1) AND entered_at >= $2 AND entered_at < $3",
            key.column()
        );
        // Only a fixed column name is spliced in. Each row becomes a visit as
        // it arrives: rows are never all held at once.
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(chunk)
            .bind(Time(from))
            .bind(Time(to))
            .try_map(|row: PgRow| visit_from_row(&row).map_err(unreadable))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing visits for tracing"))
    }
}
