//! The mark of a bulk load in progress (`bulk_loads`, see
//! `healthcode_store::bulk`): written before the load's first row, removed
//! after its last index is rebuilt.

#[doc(hidden)]
#[macro_export]
macro_rules! __bulk {
    ($Store:path, $Db:ty) => {
        pub(crate) mod bulk {
            $crate::__prelude!($Store, $Db);
            use jiff::Timestamp;
            use store::{StoreError, StoreResult, UnfinishedLoad};

            /// Marks a load as begun, keeping the statements that rebuild
            /// what it drops; `Conflict` when a load is already marked.
            pub(crate) async fn mark(
                conn: &mut Conn,
                what: &str,
                now: Timestamp,
                indexes: &[String],
            ) -> StoreResult<()> {
                if let Some(load) = unfinished(&mut *conn).await? {
                    return Err(StoreError::Conflict(format!(
                        "a bulk load ({}) begun at {} is already marked",
                        load.what, load.started_at
                    )));
                }
                sqlx::query("INSERT INTO bulk_loads (what, started_at, indexes) VALUES ($1, $2, $3)")
                    .bind(what)
                    .bind(Time(now))
                    .bind(indexes.join(";\n"))
                    .execute(&mut *conn)
                    .await
                    .map_err(other("marking a bulk load"))?;
                Ok(())
            }

            /// The statements the marked load dropped, to run again at its end.
            pub(crate) async fn dropped_indexes(conn: &mut Conn) -> StoreResult<Vec<String>> {
                let all: Vec<String> = sqlx::query_scalar("SELECT indexes FROM bulk_loads")
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(other("reading a bulk load's indexes"))?;
                Ok(all
                    .iter()
                    .flat_map(|s| s.split(";\n"))
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_owned)
                    .collect())
            }

            /// Removes the mark: the load is complete.
            pub(crate) async fn unmark(conn: &mut Conn) -> StoreResult<()> {
                sqlx::query("DELETE FROM bulk_loads")
                    .execute(&mut *conn)
                    .await
                    .map_err(other("unmarking a bulk load"))?;
                Ok(())
            }

            pub(crate) async fn unfinished<'c, E>(conn: E) -> StoreResult<Option<UnfinishedLoad>>
            where
                E: sqlx::Executor<'c, Database = Db>,
            {
                let row = sqlx::query("SELECT what, started_at FROM bulk_loads ORDER BY started_at LIMIT 1")
                    .fetch_optional(conn)
                    .await
                    .map_err(other("reading the bulk-load mark"))?;
                row.map(|r| Ok(UnfinishedLoad { what: get(&r, "what")?, started_at: ts(&r, "started_at")? }))
                    .transpose()
            }
        }
    };
}
