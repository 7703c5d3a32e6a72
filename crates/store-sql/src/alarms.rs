//! Anomaly alarms, and counting recent manual status changes.

#[doc(hidden)]
#[macro_export]
macro_rules! __alarms {
    ($Store:path, $Db:ty) => {
        pub(crate) mod alarms {
            $crate::__prelude!($Store, $Db);
            use domain::Actor;
            use store::{Alarm, AlarmKind, AlarmStore, MANUAL_CHANGE_EVENTS, StoreError, StoreResult};
            use jiff::Timestamp;

            pub(crate) fn alarm_from_row(row: &Row) -> StoreResult<Alarm> {
                let kind: String = get(row, "kind")?;
                let acknowledged: Option<Time> = get(row, "acknowledged_at")?;
                Ok(Alarm {
                    id: get(row, "id")?,
                    at: ts(row, "at")?,
                    kind: AlarmKind::parse(&kind).ok_or_else(|| corrupt(format!("alarm kind {kind}")))?,
                    subject: get(row, "subject")?,
                    detail: get(row, "detail")?,
                    acknowledged_by: get(row, "acknowledged_by")?,
                    acknowledged_at: acknowledged.map(|t| t.0),
                })
            }

            impl Store {
                /// Every alarm, for copies.
                pub(crate) async fn all_alarms(&self) -> StoreResult<Vec<Alarm>> {
                    let rows = sqlx::query("SELECT * FROM alarms ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("exporting alarms"))?;
                    rows.iter().map(alarm_from_row).collect()
                }
            }

            /// Inserts alarms, skipping ids already present (copies).
            pub(crate) async fn import_alarms(conn: &mut Conn, alarms: &[Alarm]) -> StoreResult<()> {
                for a in alarms {
                    sqlx::query(
                        "INSERT INTO alarms (id, at, kind, subject, detail, acknowledged_by, acknowledged_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
                    )
                    .bind(a.id)
                    .bind(Time(a.at))
                    .bind(a.kind.as_str())
                    .bind(&a.subject)
                    .bind(&a.detail)
                    .bind(&a.acknowledged_by)
                    .bind(a.acknowledged_at.map(Time))
                    .execute(&mut *conn)
                    .await
                    .map_err(other("importing alarm"))?;
                }
                Ok(())
            }

            #[async_trait]
            impl AlarmStore for Store {
                async fn raise_alarm(&self, alarm: &Alarm) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO alarms (id, at, kind, subject, detail, acknowledged_by, acknowledged_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(alarm.id)
                    .bind(Time(alarm.at))
                    .bind(alarm.kind.as_str())
                    .bind(&alarm.subject)
                    .bind(&alarm.detail)
                    .bind(&alarm.acknowledged_by)
                    .bind(alarm.acknowledged_at.map(Time))
                    .execute(&self.pool)
                    .await
                    .map_err(other("raising alarm"))?;
                    Ok(())
                }

                async fn alarm(&self, id: Uuid) -> StoreResult<Alarm> {
                    let row = sqlx::query("SELECT * FROM alarms WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading alarm"))?
                        .ok_or(StoreError::NotFound)?;
                    alarm_from_row(&row)
                }

                async fn alarms(&self, limit: u32) -> StoreResult<Vec<Alarm>> {
                    let rows = sqlx::query("SELECT * FROM alarms ORDER BY acknowledged_at IS NOT NULL, at DESC, id DESC LIMIT $1")
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing alarms"))?;
                    rows.iter().map(alarm_from_row).collect()
                }

                async fn open_alarm_since(
                    &self,
                    kind: AlarmKind,
                    subject: Option<&str>,
                    since: Timestamp,
                ) -> StoreResult<Option<Alarm>> {
                    let row = sqlx::query(
                        "SELECT * FROM alarms
                         WHERE kind = $1 AND at >= $2 AND acknowledged_at IS NULL AND (CAST($3 AS TEXT) IS NULL OR subject = $3)
                         ORDER BY at DESC, id DESC LIMIT 1",
                    )
                    .bind(kind.as_str())
                    .bind(Time(since))
                    .bind(subject)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other("reading open alarms"))?;
                    row.as_ref().map(alarm_from_row).transpose()
                }

                async fn acknowledge_alarm(&self, id: Uuid, by: &str, at: Timestamp) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE alarms SET acknowledged_by = $1, acknowledged_at = $2 WHERE id = $3 AND acknowledged_at IS NULL",
                    )
                    .bind(by)
                    .bind(Time(at))
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(other("acknowledging alarm"))?;
                    if done.rows_affected() == 1 {
                        return Ok(());
                    }
                    // Missing, or acknowledged by someone else first.
                    self.alarm(id).await?;
                    Err(StoreError::Conflict("the alarm was already acknowledged".into()))
                }

                async fn manual_changes_since(&self, since: Timestamp, by: Option<&Actor>) -> StoreResult<u64> {
                    let [first, second] = MANUAL_CHANGE_EVENTS;
                    let n: i64 = sqlx::query_scalar(
                        "SELECT count(*) FROM status_changes
                         WHERE at >= $1 AND event IN ($2, $3) AND ($4 IS NULL OR actor = $4)",
                    )
                    .bind(Time(since))
                    .bind(first)
                    .bind(second)
                    .bind(by.map(|actor| Json(stored::StoredActor::from(actor))))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other("counting manual changes"))?;
                    Ok(u64::try_from(n).unwrap_or(0))
                }
            }
        }
    };
}
