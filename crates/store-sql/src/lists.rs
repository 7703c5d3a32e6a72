//! The staff console's lists, a page at a time: each list names its
//! table, the columns its filters read and its sort keys; the filter, the
//! count and the window are written once here.

#[doc(hidden)]
#[macro_export]
macro_rules! __lists {
    ($Store:path, $Db:ty) => {
        pub(crate) mod lists {
            $crate::__prelude!($Store, $Db);
            use store::{
                Alarm, AlarmSort, Appeal, AppealSort, Enterprise, EnterpriseSort, ListQuery, ListStore, Listed, Override,
                OverrideSort, PassageListRow, PassageSort, StoreResult,
            };

            type Args = <Db as sqlx::Database>::Arguments;
            type Query<'q> = sqlx::query::Query<'q, Db, Args>;

            /// A list's table: `select` the columns, `from` the tables (`FROM`
            /// and joins), and the SQL expressions its filters compare
            /// (`''` for a filter the list does not have).
            struct Shape {
                select: &'static str,
                from: &'static str,
                state: &'static str,
                kind: &'static str,
                district: &'static str,
                /// The place a row is at, compared with `places` (`""`: the
                /// list has no place filter).
                place: &'static str,
                direction: &'static str,
                /// The time the date range reads.
                at: &'static str,
                /// The last sort key, so that equal rows keep one order.
                tie: &'static str,
            }

            /// The filter's parameters, `$1`..`$6` then one per place, in
            /// [`page`]'s order.
            fn filtered<'q, S>(query: Query<'q>, q: &ListQuery<S>, shape: &Shape) -> Query<'q> {
                let mut query = query
                    .bind(q.state.clone().unwrap_or_default())
                    .bind(q.kind.clone().unwrap_or_default())
                    .bind(q.district.clone().unwrap_or_default())
                    .bind(q.from.map(Time))
                    .bind(q.to.map(Time))
                    .bind(q.direction.clone().unwrap_or_default());
                if !shape.place.is_empty() {
                    for place in &q.places {
                        query = query.bind(*place);
                    }
                }
                query
            }

            /// The rows of one page, ordered by `order` (one of the list's
            /// fixed spellings, never text from a request), and how many match.
            async fn page<S>(
                store: &Store,
                shape: &Shape,
                q: &ListQuery<S>,
                order: &str,
                what: &'static str,
            ) -> StoreResult<(Vec<Row>, u64)> {
                let Shape { select, from, state, kind, district, place, direction, at, tie } = shape;
                // A bound of the date range is written as a plain comparison
                // when given, so that an index on the time (or PostgreSQL's
                // daily partitions) narrows the rows read.
                let after = if q.from.is_some() { format!("{at} >= $4") } else { "$4 IS NULL".into() };
                let before = if q.to.is_some() { format!("{at} < $5") } else { "$5 IS NULL".into() };
                let mut matching = format!(
                    "{from} WHERE ($1 = '' OR {state} = $1) AND ($2 = '' OR {kind} = $2) AND ($3 = '' OR {district} = $3)
                       AND {after} AND {before} AND ($6 = '' OR {direction} = $6)"
                );
                let mut next = 7;
                if !place.is_empty() && !q.places.is_empty() {
                    let marks = (next..next + q.places.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
                    matching.push_str(&format!(" AND {place} IN ({marks})"));
                    next += q.places.len();
                }
                let count = filtered(sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n {matching}"))), q, shape)
                    .fetch_one(&store.pool)
                    .await
                    .map_err(other(what))?;
                let total = u64::try_from(get::<i64>(&count, "n")?).unwrap_or(0);
                if q.limit == 0 {
                    return Ok((Vec::new(), total));
                }
                let dir = if q.descending { "DESC" } else { "ASC" };
                let sql = format!(
                    "SELECT {select} {matching} ORDER BY {order} {dir}, {tie} {dir} LIMIT ${next} OFFSET ${}",
                    next + 1
                );
                let rows = filtered(sqlx::query(sqlx::AssertSqlSafe(sql)), q, shape)
                    .bind(i64::from(q.limit))
                    .bind(i64::try_from(q.offset).unwrap_or(i64::MAX))
                    .fetch_all(&store.pool)
                    .await
                    .map_err(other(what))?;
                Ok((rows, total))
            }

            fn listed_district(row: &Row) -> StoreResult<Option<String>> {
                let d: String = get(row, "listed_district")?;
                Ok((!d.is_empty()).then_some(d))
            }

            const OVERRIDES: Shape = Shape {
                select: "o.*, COALESCE(r.district, '') AS listed_district",
                from: "FROM overrides o LEFT JOIN residents r ON r.id = o.resident_id",
                state: "o.state",
                kind: "''",
                district: "r.district",
                place: "",
                direction: "''",
                at: "o.requested_at",
                tie: "o.id",
            };

            const ALARMS: Shape = Shape {
                select: "a.*",
                from: "FROM alarms a",
                state: "(CASE WHEN a.acknowledged_at IS NULL THEN 'open' ELSE 'acknowledged' END)",
                kind: "a.kind",
                district: "''",
                place: "",
                direction: "''",
                at: "a.at",
                tie: "a.id",
            };

            const APPEALS: Shape = Shape {
                select: "a.*, COALESCE(r.district, '') AS listed_district",
                from: "FROM appeals a LEFT JOIN residents r ON r.id = a.resident_id",
                state: "a.state",
                kind: "''",
                district: "r.district",
                place: "",
                direction: "''",
                at: "a.submitted_at",
                tie: "a.id",
            };

            const PASSAGES: Shape = Shape {
                select: "p.*, c.name AS checkpoint_name, c.district AS checkpoint_district",
                from: "FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id",
                state: "p.verdict",
                kind: "c.kind",
                district: "c.district",
                place: "p.checkpoint_id",
                direction: "p.direction",
                at: "p.scanned_at",
                tie: "p.id",
            };

            const ENTERPRISES: Shape = Shape {
                select: "e.*",
                from: "FROM enterprises e",
                state: "e.state",
                kind: "''",
                district: "e.district",
                place: "",
                direction: "''",
                at: "e.submitted_at",
                tie: "e.id",
            };

            #[async_trait]
            impl ListStore for Store {
                async fn override_list(&self, q: &ListQuery<OverrideSort>) -> StoreResult<(Vec<Listed<Override>>, u64)> {
                    let order = match q.sort {
                        OverrideSort::Requested => "o.requested_at",
                        OverrideSort::State => "o.state",
                        OverrideSort::Colour => "o.colour",
                        OverrideSort::District => "listed_district",
                    };
                    let (rows, total) = page(self, &OVERRIDES, q, order, "listing overrides").await?;
                    let list = rows
                        .iter()
                        .map(|row| {
                            Ok(Listed {
                                record: super::overrides::override_from_row(row)?,
                                district: listed_district(row)?,
                            })
                        })
                        .collect::<StoreResult<_>>()?;
                    Ok((list, total))
                }

                async fn alarm_list(&self, q: &ListQuery<AlarmSort>) -> StoreResult<(Vec<Alarm>, u64)> {
                    let order = match q.sort {
                        AlarmSort::At => "a.at",
                        AlarmSort::Kind => "a.kind",
                        AlarmSort::State => "(CASE WHEN a.acknowledged_at IS NULL THEN 0 ELSE 1 END)",
                    };
                    let (rows, total) = page(self, &ALARMS, q, order, "listing alarms").await?;
                    Ok((rows.iter().map(super::alarms::alarm_from_row).collect::<StoreResult<_>>()?, total))
                }

                async fn appeal_list(&self, q: &ListQuery<AppealSort>) -> StoreResult<(Vec<Listed<Appeal>>, u64)> {
                    let order = match q.sort {
                        AppealSort::Due => "a.due_at",
                        AppealSort::Submitted => "a.submitted_at",
                        AppealSort::State => "a.state",
                        AppealSort::District => "listed_district",
                    };
                    let (rows, total) = page(self, &APPEALS, q, order, "listing appeals").await?;
                    let list = rows
                        .iter()
                        .map(|row| {
                            Ok(Listed { record: super::appeals::appeal_from_row(row)?, district: listed_district(row)? })
                        })
                        .collect::<StoreResult<_>>()?;
                    Ok((list, total))
                }

                async fn passage_list(&self, q: &ListQuery<PassageSort>) -> StoreResult<(Vec<PassageListRow>, u64)> {
                    let order = match q.sort {
                        PassageSort::Scanned => "p.scanned_at",
                        PassageSort::Checkpoint => "c.name",
                        PassageSort::District => "c.district",
                        PassageSort::Verdict => "p.verdict",
                    };
                    let (rows, total) = page(self, &PASSAGES, q, order, "listing passages").await?;
                    let list = rows
                        .iter()
                        .map(|row| {
                            Ok(PassageListRow {
                                passage: super::checkpoints::passage_from_row(row)?,
                                checkpoint: get(row, "checkpoint_name")?,
                                district: get(row, "checkpoint_district")?,
                            })
                        })
                        .collect::<StoreResult<_>>()?;
                    Ok((list, total))
                }

                async fn enterprise_list(&self, q: &ListQuery<EnterpriseSort>) -> StoreResult<(Vec<Enterprise>, u64)> {
                    let order = match q.sort {
                        EnterpriseSort::Due => "e.due_at",
                        EnterpriseSort::Submitted => "e.submitted_at",
                        EnterpriseSort::Name => "e.name",
                        EnterpriseSort::District => "e.district",
                        EnterpriseSort::State => "e.state",
                        EnterpriseSort::Headcount => "e.planned_headcount",
                    };
                    let (rows, total) = page(self, &ENTERPRISES, q, order, "listing employers' applications").await?;
                    Ok((rows.iter().map(super::enterprises::enterprise_from_row).collect::<StoreResult<_>>()?, total))
                }
            }
        }
    };
}
