//! On-site enrolments: the person, their enrolment and its audit entry
//! written in one transaction (the document's uniqueness decides a race),
//! and the one-use sign-in link taken by one statement.

#[doc(hidden)]
#[macro_export]
macro_rules! __enrolments {
    ($Store:path, $Db:ty) => {
        pub(crate) mod enrolments {
            $crate::__prelude!($Store, $Db);
            use domain::{Identity, ReportId, ResidentId};
            use jiff::Timestamp;
            use store::{AuditEntry, Enrolment, EnrolmentStore, Resident, StoreError, StoreResult};

            const COLUMNS: &str = "SELECT resident_id, document_key, staff_id, report_id, handover, link_hash,
                 link_expires_at, enrolled_at FROM enrolments";

            fn from_row(row: &Row) -> StoreResult<Enrolment> {
                let link: Option<Vec<u8>> = get(row, "link_hash")?;
                Ok(Enrolment {
                    resident: resident_id(row, "resident_id")?,
                    document_key: get(row, "document_key")?,
                    staff_id: get(row, "staff_id")?,
                    report: get::<Option<Uuid>>(row, "report_id")?.map(ReportId::from_uuid),
                    handover: get(row, "handover")?,
                    link_hash: link
                        .map(|v| <[u8; 32]>::try_from(v.as_slice()).map_err(|_| corrupt("enrolment link hash".into())))
                        .transpose()?,
                    link_expires_at: opt_ts(row, "link_expires_at")?,
                    enrolled_at: ts(row, "enrolled_at")?,
                })
            }

            /// The oldest account holding this document (`residents_document`, migration 0033).
            const HOLDER_OF_DOCUMENT: &str =
                "SELECT id FROM residents WHERE document_number = $1 AND document_type = $2
                 ORDER BY created_at, id LIMIT 1";

            async fn holder_of(conn: &mut Conn, identity: &Identity) -> StoreResult<Option<ResidentId>> {
                let row = sqlx::query(HOLDER_OF_DOCUMENT)
                    .bind(identity.document_number.as_str())
                    .bind(identity.document_type.as_str())
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(other("reading the account of a document"))?;
                row.map(|r| resident_id(&r, "id")).transpose()
            }

            async fn insert(conn: &mut Conn, e: &Enrolment, keep_existing: bool) -> StoreResult<()> {
                let tail = if keep_existing { " ON CONFLICT DO NOTHING" } else { "" };
                let sql = format!(
                    "INSERT INTO enrolments (resident_id, document_key, staff_id, report_id, handover, link_hash,
                         link_expires_at, enrolled_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8){tail}"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(e.resident.as_uuid())
                    .bind(&e.document_key)
                    .bind(&e.staff_id)
                    .bind(e.report.map(|r| r.as_uuid()))
                    .bind(&e.handover)
                    .bind(e.link_hash.map(|h| h.to_vec()))
                    .bind(e.link_expires_at.map(Time))
                    .bind(Time(e.enrolled_at))
                    .execute(&mut *conn)
                    .await
                    .map_err(other("recording an enrolment"))?;
                Ok(())
            }

            #[async_trait]
            impl EnrolmentStore for Store {
                async fn create_enrolment(
                    &self,
                    resident: &Resident,
                    enrolment: &Enrolment,
                    audit: &AuditEntry,
                ) -> StoreResult<()> {
                    for _ in 0..AUDIT_ATTEMPTS {
                        let mut tx = self.write_tx().await?;
                        if let Some(identity) = &resident.identity
                            && holder_of(&mut tx, identity).await?.is_some()
                        {
                            return Err(StoreError::Conflict("the document is on an account already".into()));
                        }
                        super::accounts::insert_resident(&mut tx, resident).await?;
                        insert(&mut tx, enrolment, false).await?;
                        if super::audit::append_in(&mut tx, audit).await?.is_some() {
                            return tx.commit().await.map_err(other("committing an enrolment"));
                        }
                    }
                    Err(audit_busy())
                }

                async fn set_enrolment_report(&self, resident: ResidentId, report: ReportId) -> StoreResult<()> {
                    let done = sqlx::query("UPDATE enrolments SET report_id = $2 WHERE resident_id = $1")
                        .bind(resident.as_uuid())
                        .bind(report.as_uuid())
                        .execute(&self.pool)
                        .await
                        .map_err(other("naming an enrolment's declaration"))?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                }

                async fn enrolment(&self, resident: ResidentId) -> StoreResult<Option<Enrolment>> {
                    let sql = sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE resident_id = $1"));
                    let row = sqlx::query(sql)
                        .bind(resident.as_uuid())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading an enrolment"))?;
                    row.as_ref().map(from_row).transpose()
                }

                async fn enrolment_by_document(&self, document_key: &str) -> StoreResult<Option<Enrolment>> {
                    let sql = sqlx::AssertSqlSafe(format!("{COLUMNS} WHERE document_key = $1"));
                    let row = sqlx::query(sql)
                        .bind(document_key)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading an enrolment"))?;
                    row.as_ref().map(from_row).transpose()
                }

                async fn resident_by_document(&self, identity: &Identity) -> StoreResult<Option<ResidentId>> {
                    let mut conn = self.pool.acquire().await.map_err(other("reading the account of a document"))?;
                    holder_of(&mut conn, identity).await
                }

                async fn take_enrolment_link(
                    &self,
                    link_hash: &[u8; 32],
                    now: Timestamp,
                ) -> StoreResult<Option<ResidentId>> {
                    let row = sqlx::query(
                        "UPDATE enrolments SET link_hash = NULL, link_expires_at = NULL
                         WHERE link_hash = $1 AND link_expires_at > $2 RETURNING resident_id",
                    )
                    .bind(link_hash.as_slice())
                    .bind(Time(now))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other("using a sign-in link"))?;
                    row.map(|r| resident_id(&r, "resident_id")).transpose()
                }

                async fn enrolments(&self) -> StoreResult<Vec<Enrolment>> {
                    let sql = sqlx::AssertSqlSafe(format!("{COLUMNS} ORDER BY resident_id"));
                    let rows = sqlx::query(sql).fetch_all(&self.pool).await.map_err(other("listing enrolments"))?;
                    rows.iter().map(from_row).collect()
                }

                async fn import_enrolments(&self, enrolments: &[Enrolment]) -> StoreResult<()> {
                    let mut tx = self.write_tx().await?;
                    for e in enrolments {
                        insert(&mut tx, e, true).await?;
                    }
                    tx.commit().await.map_err(other("committing copied enrolments"))
                }
            }
        }
    };
}
