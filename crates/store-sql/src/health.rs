//! Health reports, statuses and status history.

#[doc(hidden)]
#[macro_export]
macro_rules! __health {
    ($Store:path, $Db:ty) => {
        pub(crate) mod health {
            $crate::__prelude!($Store, $Db);
            use domain::{Basis, ChangeEvent, HealthStatus, ReportChannel, ReportId, ResidentId, StatusChange};
            use store::{HealthStore, ReportCommit, StoreError, StoreResult, StoredReport};

            use super::accounts::update_identity;

            pub(crate) const REPORT_COLUMNS: &str = "SELECT id, resident_id, at, local_date, body, channel FROM reports";
            pub(crate) const CHANGE_COLUMNS: &str =
                "SELECT resident_id, at, event, from_colour, to_colour, basis, evidence, actor FROM status_changes";

            fn u16_col(row: &Row, col: &str) -> StoreResult<u16> {
                u16::try_from(get::<i32>(row, col)?).map_err(|_| corrupt(format!("column {col} out of range")))
            }

            pub(crate) fn status_from_row(row: &Row) -> StoreResult<HealthStatus> {
                let basis_kind: String = get(row, "basis_kind")?;
                let policy_version: String = get(row, "policy_version")?;
                let basis = match basis_kind.as_str() {
                    "rule" => Basis::Rule { rule_id: get(row, "rule_id")?, policy_version },
                    "no_rule_matched" => Basis::NoRuleMatched { policy_version },
                    "override" => Basis::Override { reason_code: get(row, "rule_id")?, policy_version },
                    other => return Err(corrupt(format!("basis kind {other}"))),
                };
                let quarantine = match get::<Option<i32>>(row, "q_required_days")? {
                    Some(_) => Some(domain::Quarantine {
                        required_days: u16_col(row, "q_required_days")?,
                        streak: u16_col(row, "q_streak")?,
                        started_on: date(row, "q_started_on")?,
                        last_counted_on: opt_date(row, "q_last_counted_on")?,
                    }),
                    None => None,
                };
                Ok(HealthStatus {
                    resident: resident_id(row, "resident_id")?,
                    colour: colour(&get::<String>(row, "colour")?)?,
                    since: ts(row, "since")?,
                    basis,
                    quarantine,
                    last_report_on: opt_date(row, "last_report_on")?,
                    version: get(row, "version")?,
                })
            }

            /// Rows a multi-row insert writes at most: 12,000 parameters at 12
            /// columns, under SQLite's 32,766 and PostgreSQL's 65,535.
            pub(crate) const ROWS_A_STATEMENT: usize = 1_000;

            pub(crate) async fn insert_report(conn: &mut Conn, r: &StoredReport) -> StoreResult<()> {
                insert_reports(conn, &[r]).await
            }

            pub(crate) async fn insert_reports(conn: &mut Conn, rows: &[&StoredReport]) -> StoreResult<()> {
                let mut query = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO reports (id, resident_id, at, local_date, kind, symptoms, temperature_dc, body, channel) ",
                );
                query.push_values(rows, |mut b, r| {
                    b.push_bind(r.id.as_uuid())
                        .push_bind(r.resident.as_uuid())
                        .push_bind(Time(r.at))
                        .push_bind(Day(r.local_date))
                        .push_bind(r.report.kind().as_str())
                        .push_bind(i16::from(r.report.symptoms().bits()))
                        .push_bind(r.report.temperature().map(|t| i32::from(t.tenths())))
                        .push_bind(Json(stored::ReportBody::from(&r.report)))
                        .push_bind(r.channel.map(|c| c.as_str()));
                });
                query.build().execute(&mut *conn).await.map_err(other("inserting report"))?;
                Ok(())
            }

            /// Inserts (expected `None`: version 1, or the record's own when importing)
            /// or updates (expected `Some(v)`: version v + 1) a status and returns its
            /// version; `Conflict` when the stored version differs.
            pub(crate) async fn upsert_status(
                conn: &mut Conn,
                s: &HealthStatus,
                expected: Option<i64>,
            ) -> StoreResult<i64> {
                let new_version = expected.map_or(s.version.max(1), |v| v + 1);
                let sql = match expected {
                    None => {
                        "INSERT INTO health_status (colour, since, basis_kind, rule_id, policy_version, q_required_days, q_streak,
                             q_started_on, q_last_counted_on, last_report_on, version, resident_id)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
                    }
                    Some(_) => {
                        "UPDATE health_status SET colour = $1, since = $2, basis_kind = $3, rule_id = $4, policy_version = $5,
                             q_required_days = $6, q_streak = $7, q_started_on = $8, q_last_counted_on = $9, last_report_on = $10,
                             version = $11
                         WHERE resident_id = $12 AND version = $13"
                    }
                };
                let v = StatusValues::of(s, new_version);
                let mut query = sqlx::query(sql)
                    .bind(v.colour)
                    .bind(v.since)
                    .bind(v.basis_kind)
                    .bind(v.rule_id)
                    .bind(v.policy_version)
                    .bind(v.required_days)
                    .bind(v.streak)
                    .bind(v.started_on)
                    .bind(v.last_counted_on)
                    .bind(v.last_report_on)
                    .bind(v.version)
                    .bind(v.resident);
                if let Some(expected) = expected {
                    query = query.bind(expected);
                }
                let done = query.execute(&mut *conn).await.map_err(|e| match other("writing status")(e) {
                    StoreError::Conflict(_) => StoreError::Conflict("status already exists".into()),
                    e => e,
                })?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::Conflict("status changed since it was read".into()));
                }
                Ok(new_version)
            }

            /// A status's columns, in the order of `health_status`'s statements.
            struct StatusValues<'a> {
                colour: &'static str,
                since: Time,
                basis_kind: &'static str,
                rule_id: Option<&'a str>,
                policy_version: &'a str,
                required_days: Option<i32>,
                streak: Option<i32>,
                started_on: Option<Day>,
                last_counted_on: Option<Day>,
                last_report_on: Option<Day>,
                version: i64,
                resident: Uuid,
            }

            impl<'a> StatusValues<'a> {
                fn of(s: &'a HealthStatus, version: i64) -> Self {
                    let (basis_kind, rule_id) = match &s.basis {
                        Basis::Rule { rule_id, .. } => ("rule", Some(rule_id.as_str())),
                        Basis::NoRuleMatched { .. } => ("no_rule_matched", None),
                        Basis::Override { reason_code, .. } => ("override", Some(reason_code.as_str())),
                    };
                    let q = s.quarantine.as_ref();
                    StatusValues {
                        colour: s.colour.as_str(),
                        since: Time(s.since),
                        basis_kind,
                        rule_id,
                        policy_version: s.basis.policy_version(),
                        required_days: q.map(|q| i32::from(q.required_days)),
                        streak: q.map(|q| i32::from(q.streak)),
                        started_on: q.map(|q| Day(q.started_on)),
                        last_counted_on: q.and_then(|q| q.last_counted_on).map(Day),
                        last_report_on: s.last_report_on.map(Day),
                        version,
                        resident: s.resident.as_uuid(),
                    }
                }
            }

            /// New statuses, each at its own version (at least 1): imports.
            pub(crate) async fn insert_statuses(conn: &mut Conn, rows: &[&HealthStatus]) -> StoreResult<()> {
                let mut query = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO health_status (colour, since, basis_kind, rule_id, policy_version, q_required_days, q_streak,
                         q_started_on, q_last_counted_on, last_report_on, version, resident_id) ",
                );
                query.push_values(rows, |mut b, s| {
                    let v = StatusValues::of(s, s.version.max(1));
                    b.push_bind(v.colour)
                        .push_bind(v.since)
                        .push_bind(v.basis_kind)
                        .push_bind(v.rule_id)
                        .push_bind(v.policy_version)
                        .push_bind(v.required_days)
                        .push_bind(v.streak)
                        .push_bind(v.started_on)
                        .push_bind(v.last_counted_on)
                        .push_bind(v.last_report_on)
                        .push_bind(v.version)
                        .push_bind(v.resident);
                });
                query.build().execute(&mut *conn).await.map_err(other("inserting statuses"))?;
                Ok(())
            }

            pub(crate) async fn insert_change(conn: &mut Conn, c: &StatusChange) -> StoreResult<()> {
                insert_changes(conn, &[c]).await
            }

            pub(crate) async fn insert_changes(conn: &mut Conn, rows: &[&StatusChange]) -> StoreResult<()> {
                let mut query = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO status_changes (resident_id, at, event, from_colour, to_colour, basis, evidence, actor) ",
                );
                query.push_values(rows, |mut b, c| {
                    b.push_bind(c.resident.as_uuid())
                        .push_bind(Time(c.at))
                        .push_bind(c.event.as_str())
                        .push_bind(c.from.map(|f| f.as_str()))
                        .push_bind(c.to.as_str())
                        .push_bind(Json(stored::StoredBasis::from(&c.basis)))
                        .push_bind(Json(stored::evidence_to_stored(&c.evidence)))
                        .push_bind(Json(stored::StoredActor::from(&c.actor)));
                });
                query.build().execute(&mut *conn).await.map_err(other("inserting status change"))?;
                Ok(())
            }

            #[async_trait]
            impl HealthStore for Store {
                async fn status(&self, resident: ResidentId) -> StoreResult<Option<HealthStatus>> {
                    let row = sqlx::query("SELECT * FROM health_status WHERE resident_id = $1")
                        .bind(resident.as_uuid())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading status"))?;
                    row.as_ref().map(status_from_row).transpose()
                }

                async fn commit_report(&self, commit: &ReportCommit) -> StoreResult<HealthStatus> {
                    let mut tx = self.write_tx().await?;
                    insert_report(&mut tx, &commit.report).await?;
                    if let Some(identity) = &commit.identity {
                        update_identity(&mut tx, commit.report.resident, identity).await?;
                    }
                    let version = upsert_status(&mut tx, &commit.status, commit.expected_version).await?;
                    for change in &commit.changes {
                        insert_change(&mut tx, change).await?;
                    }
                    tx.commit().await.map_err(other("committing report"))?;
                    Ok(HealthStatus { version, ..commit.status.clone() })
                }

                async fn status_history(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<StatusChange>> {
                    let sql = format!("{CHANGE_COLUMNS} WHERE resident_id = $1 ORDER BY seq DESC LIMIT $2");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(resident.as_uuid())
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("reading status history"))?;
                    rows.iter().map(change_from_row).collect()
                }

                async fn reports(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<StoredReport>> {
                    let sql = format!("{REPORT_COLUMNS} WHERE resident_id = $1 ORDER BY at DESC, id DESC LIMIT $2");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(resident.as_uuid())
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("reading reports"))?;
                    rows.iter().map(report_from_row).collect()
                }
            }

            pub(crate) fn change_from_row(row: &Row) -> StoreResult<StatusChange> {
                let event: String = get(row, "event")?;
                let from: Option<String> = get(row, "from_colour")?;
                Ok(StatusChange {
                    resident: resident_id(row, "resident_id")?,
                    at: ts(row, "at")?,
                    event: ChangeEvent::parse(&event).ok_or_else(|| corrupt(format!("event {event}")))?,
                    from: from.as_deref().map(colour).transpose()?,
                    to: colour(&get::<String>(row, "to_colour")?)?,
                    basis: from_json::<_, stored::StoredBasis>(row, "basis")?.into(),
                    evidence: stored::evidence_from_stored(from_json(row, "evidence")?),
                    actor: from_json::<_, stored::StoredActor>(row, "actor")?.into(),
                })
            }

            pub(crate) fn report_from_row(row: &Row) -> StoreResult<StoredReport> {
                Ok(StoredReport {
                    id: ReportId::from_uuid(get::<Uuid>(row, "id")?),
                    resident: resident_id(row, "resident_id")?,
                    at: ts(row, "at")?,
                    local_date: date(row, "local_date")?,
                    report: from_json::<_, stored::ReportBody>(row, "body")?.try_into()?,
                    channel: get::<Option<String>>(row, "channel")?
                        .map(|n| ReportChannel::parse(&n).ok_or_else(|| corrupt(format!("report channel {n}"))))
                        .transpose()?,
                })
            }
        }
    };
}
