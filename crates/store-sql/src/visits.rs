//! Visits: the reads both backends share. The `VisitStore` impls stay in
//! the backends, whose writes differ: SQLite group-commits scans and decides
//! them in its writer; PostgreSQL keeps the one-open-visit rule in
//! `open_visits` and writes into daily partitions.

#[doc(hidden)]
#[macro_export]
macro_rules! __visits {
    ($Store:path, $Db:ty) => {
        pub(crate) mod visits {
            $crate::__prelude!($Store, $Db);
            use domain::{Colour, ExitKind, ResidentId, VenueId, Visit, VisitId, VisitSource};
            use jiff::{SignedDuration, Timestamp};
            use store::{StoreError, StoreResult};

            pub(crate) fn visit_from_row(row: &Row) -> StoreResult<Visit> {
                let exit_kind: Option<String> = get(row, "exit_kind")?;
                let source: String = get(row, "source")?;
                Ok(Visit {
                    id: VisitId::from_uuid(get::<Uuid>(row, "id")?),
                    resident: resident_id(row, "resident_id")?,
                    venue: VenueId::from_uuid(get::<Uuid>(row, "venue_id")?),
                    entered_at: ts(row, "entered_at")?,
                    exited_at: opt_ts(row, "exited_at")?,
                    exit_kind: exit_kind
                        .as_deref()
                        .map(|k| ExitKind::parse(k).ok_or_else(|| corrupt(format!("exit kind {k}"))))
                        .transpose()?,
                    source: VisitSource::parse(&source).ok_or_else(|| corrupt(format!("visit source {source}")))?,
                    max_stay: SignedDuration::from_millis(get(row, "max_stay_ms")?),
                    colour: colour(&get::<String>(row, "colour")?)?,
                })
            }

            impl Store {
                /// The person's most recent visit, open or not.
                pub(crate) async fn read_latest_visit(&self, resident: ResidentId) -> StoreResult<Option<Visit>> {
                    let row = sqlx::query(
                        "SELECT * FROM visits WHERE resident_id = $1 ORDER BY entered_at DESC, id DESC LIMIT 1",
                    )
                    .bind(resident.as_uuid())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other("reading the latest visit"))?;
                    row.as_ref().map(visit_from_row).transpose()
                }

                /// The person's colour and their open (else latest) visit, in one read.
                pub(crate) async fn read_scan_context(
                    &self,
                    resident: ResidentId,
                ) -> StoreResult<(Option<Colour>, Option<Visit>)> {
                    // The open visit through the one-open-visit key, else the
                    // latest through the (person, entry) index: one
                    // `ORDER BY exited_at IS NULL DESC, ...` read and sorted
                    // every visit the person ever made.
                    let sql = format!(
                        "SELECT s.colour AS status_colour, v.*
                         FROM (SELECT 1) AS one
                         LEFT JOIN health_status s ON s.resident_id = $1
                         LEFT JOIN
                           (SELECT * FROM
                              (SELECT 0 AS rank, o.* FROM {} AS o
                               UNION ALL
                               SELECT 1 AS rank, l.* FROM
                                 (SELECT * FROM visits WHERE resident_id = $1
                                  ORDER BY entered_at DESC, exited_at DESC, id DESC LIMIT 1) AS l) AS both_
                            ORDER BY rank LIMIT 1) AS v
                         ON true",
                        <Db as Dialect>::OPEN_VISIT
                    );
                    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(resident.as_uuid())
                        .fetch_one(&self.pool)
                        .await
                        .map_err(other("reading the status and latest visit"))?;
                    let status: Option<String> = get(&row, "status_colour")?;
                    let latest = match get::<Option<Uuid>>(&row, "id")? {
                        Some(_) => Some(visit_from_row(&row)?),
                        None => None,
                    };
                    Ok((status.as_deref().map(colour).transpose()?, latest))
                }

                /// A person's visits, newest first.
                pub(crate) async fn read_resident_visits(
                    &self,
                    resident: ResidentId,
                    limit: u32,
                ) -> StoreResult<Vec<Visit>> {
                    let rows = sqlx::query(
                        "SELECT * FROM visits WHERE resident_id = $1 ORDER BY entered_at DESC, id DESC LIMIT $2",
                    )
                    .bind(resident.as_uuid())
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing a person's visits"))?;
                    rows.iter().map(visit_from_row).collect()
                }

                /// A venue's visits that began in `[from, to)`, newest first.
                pub(crate) async fn read_venue_visits(
                    &self,
                    venue: VenueId,
                    from: Timestamp,
                    to: Timestamp,
                    limit: u32,
                ) -> StoreResult<Vec<Visit>> {
                    let rows = sqlx::query(
                        "SELECT * FROM visits WHERE venue_id = $1 AND entered_at >= $2 AND entered_at < $3
                         ORDER BY entered_at DESC, id DESC LIMIT $4",
                    )
                    .bind(venue.as_uuid())
                    .bind(Time(from))
                    .bind(Time(to))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing a venue's visits"))?;
                    rows.iter().map(visit_from_row).collect()
                }
            }
        }
    };
}
