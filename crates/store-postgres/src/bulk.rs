//! Many rows in one statement: PostgreSQL binds whole arrays and `UNNEST`s
//! them, where the shared code (and SQLite) writes one row per statement.

use healthcode_store::{AccessRecord, StatCell, StoreResult};
use jiff::civil::Date;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::{PostgresStore, other};
use healthcode_store_sql::Day;

impl PostgresStore {
    /// Appends access records, 5 000 a statement.
    pub(crate) async fn insert_accesses(conn: &mut PgConnection, records: &[AccessRecord]) -> StoreResult<()> {
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
            .execute(&mut *conn)
            .await
            .map_err(other("recording accesses"))?;
        }
        Ok(())
    }

    /// Writes a day's statistics cells in one statement.
    pub(crate) async fn insert_rollup_cells(conn: &mut PgConnection, day: Date, cells: &[StatCell]) -> StoreResult<()> {
        let districts: Vec<&str> = cells.iter().map(|c| c.district.as_str()).collect();
        let metrics: Vec<&str> = cells.iter().map(|c| c.metric.as_str()).collect();
        let values: Vec<i64> = cells.iter().map(|c| c.value).collect();
        sqlx::query(
            "INSERT INTO stat_rollups (day, district, metric, value)
             SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::bigint[])",
        )
        .bind(Day(day))
        .bind(&districts)
        .bind(&metrics)
        .bind(&values)
        .execute(&mut *conn)
        .await
        .map_err(other("writing a rollup"))?;
        Ok(())
    }
}
