//! Resident and visitor accounts.

#[doc(hidden)]
#[macro_export]
macro_rules! __accounts {
    ($Store:path, $Db:ty) => {
        pub(crate) mod accounts {
            $crate::__prelude!($Store, $Db);
            use domain::{
                Contact, DistrictCode, DocumentNumber, DocumentType, HolderId, Identity, PersonName, ResidentId,
            };
            use store::{AccountKind, AccountStore, Resident, ResidentBundle, StoreError, StoreResult};

            use domain::{HealthStatus, StatusChange};
            use store::StoredReport;

            use super::health::{ROWS_A_STATEMENT, insert_changes, insert_reports, insert_statuses};

            pub(crate) const RESIDENT_COLUMNS: &str =
                "SELECT id, holder_id, contact, kind, name, document_type, document_number, district, created_at FROM residents";

            pub(crate) fn resident_from_row(row: &Row) -> StoreResult<Resident> {
                let contact: String = get(row, "contact")?;
                let holder: Uuid = get(row, "holder_id")?;
                let kind: String = get(row, "kind")?;
                let name: Option<String> = get(row, "name")?;
                let identity = match name {
                    Some(name) => {
                        let doc_type: String = get(row, "document_type")?;
                        let doc_number: String = get(row, "document_number")?;
                        let district: String = get(row, "district")?;
                        Some(Identity {
                            name: PersonName::parse(&name).map_err(|e| corrupt(e.to_string()))?,
                            document_type: DocumentType::parse(&doc_type).map_err(|e| corrupt(e.to_string()))?,
                            document_number: DocumentNumber::parse(&doc_number).map_err(|e| corrupt(e.to_string()))?,
                            district: DistrictCode::parse(&district).map_err(|e| corrupt(e.to_string()))?,
                        })
                    }
                    None => None,
                };
                Ok(Resident {
                    id: resident_id(row, "id")?,
                    holder: HolderId::from_bytes(holder.into_bytes()),
                    contact: Contact::parse(&contact).map_err(|e| corrupt(e.to_string()))?,
                    kind: AccountKind::parse(&kind).ok_or_else(|| corrupt(format!("account kind {kind}")))?,
                    identity,
                    created_at: ts(row, "created_at")?,
                })
            }

            /// Residents with their history (imports and bulk loads): each table
            /// in multi-row statements, residents first (the others refer to them).
            pub(crate) async fn import_bundles(conn: &mut Conn, batch: &[ResidentBundle]) -> StoreResult<()> {
                let residents: Vec<&Resident> = batch.iter().map(|b| &b.resident).collect();
                for chunk in residents.chunks(ROWS_A_STATEMENT) {
                    insert_residents(conn, chunk).await?;
                }
                import_histories(conn, batch).await
            }

            /// The reports, statuses and changes of residents already written
            /// (SQLite's bulk load writes the residents its own way).
            pub(crate) async fn import_histories(conn: &mut Conn, batch: &[ResidentBundle]) -> StoreResult<()> {
                let reports: Vec<&StoredReport> = batch.iter().flat_map(|b| &b.reports).collect();
                for chunk in reports.chunks(ROWS_A_STATEMENT) {
                    insert_reports(conn, chunk).await?;
                }
                let statuses: Vec<&HealthStatus> = batch.iter().filter_map(|b| b.status.as_ref()).collect();
                for chunk in statuses.chunks(ROWS_A_STATEMENT) {
                    insert_statuses(conn, chunk).await?;
                }
                let changes: Vec<&StatusChange> = batch.iter().flat_map(|b| &b.changes).collect();
                for chunk in changes.chunks(ROWS_A_STATEMENT) {
                    insert_changes(conn, chunk).await?;
                }
                Ok(())
            }

            pub(crate) async fn insert_resident(conn: &mut Conn, r: &Resident) -> StoreResult<()> {
                insert_residents(conn, &[r]).await
            }

            /// The columns [`bind_resident`] binds, in its order.
            pub(crate) const INSERTED_COLUMNS: &str =
                "id, holder_id, contact, kind, name, document_type, document_number, district, created_at";

            /// Binds a person's [`INSERTED_COLUMNS`] into one row of a multi-row insert.
            pub(crate) fn bind_resident(b: &mut sqlx::query_builder::Separated<'_, Db, &'static str>, r: &Resident) {
                let id = r.identity.as_ref();
                b.push_bind(r.id.as_uuid())
                    .push_bind(Uuid::from_bytes(*r.holder.as_bytes()))
                    .push_bind(r.contact.as_str())
                    .push_bind(r.kind.as_str())
                    .push_bind(id.map(|i| i.name.as_str()))
                    .push_bind(id.map(|i| i.document_type.as_str()))
                    .push_bind(id.map(|i| i.document_number.as_str()))
                    .push_bind(id.map(|i| i.district.as_str()))
                    .push_bind(Time(r.created_at));
            }

            async fn insert_residents(conn: &mut Conn, rows: &[&Resident]) -> StoreResult<()> {
                let mut query = sqlx::QueryBuilder::<Db>::new(format!("INSERT INTO residents ({INSERTED_COLUMNS}) "));
                query.push_values(rows, |mut b, r| bind_resident(&mut b, r));
                query.build().execute(&mut *conn).await.map_err(other("inserting resident"))?;
                Ok(())
            }

            pub(crate) async fn update_identity(conn: &mut Conn, resident: ResidentId, i: &Identity) -> StoreResult<()> {
                let done = sqlx::query(
                    "UPDATE residents SET name = $1, document_type = $2, document_number = $3, district = $4 WHERE id = $5",
                )
                .bind(i.name.as_str())
                .bind(i.document_type.as_str())
                .bind(i.document_number.as_str())
                .bind(i.district.as_str())
                .bind(resident.as_uuid())
                .execute(&mut *conn)
                .await
                .map_err(other("updating identity"))?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            #[async_trait]
            impl AccountStore for Store {
                async fn create_resident(&self, resident: &Resident) -> StoreResult<()> {
                    let mut conn = self.pool.acquire().await.map_err(other("creating resident"))?;
                    insert_resident(&mut conn, resident).await
                }

                async fn resident(&self, id: ResidentId) -> StoreResult<Resident> {
                    let sql = sqlx::AssertSqlSafe(format!("{RESIDENT_COLUMNS} WHERE id = $1"));
                    let row = sqlx::query(sql)
                        .bind(id.as_uuid())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading resident"))?
                        .ok_or(StoreError::NotFound)?;
                    resident_from_row(&row)
                }

                async fn resident_by_contact(&self, contact: &Contact) -> StoreResult<Option<Resident>> {
                    let sql = sqlx::AssertSqlSafe(format!("{RESIDENT_COLUMNS} WHERE contact = $1"));
                    let row = sqlx::query(sql)
                        .bind(contact.as_str())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading resident by contact"))?;
                    row.as_ref().map(resident_from_row).transpose()
                }

                async fn resident_by_holder(&self, holder: HolderId) -> StoreResult<Resident> {
                    let sql = sqlx::AssertSqlSafe(format!("{RESIDENT_COLUMNS} WHERE holder_id = $1"));
                    let row = sqlx::query(sql)
                        .bind(Uuid::from_bytes(*holder.as_bytes()))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading resident by holder"))?
                        .ok_or(StoreError::NotFound)?;
                    resident_from_row(&row)
                }

                async fn import_residents(&self, batch: &[ResidentBundle]) -> StoreResult<()> {
                    let mut tx = self.write_tx().await?;
                    import_bundles(&mut tx, batch).await?;
                    tx.commit().await.map_err(other("committing seed batch"))
                }
            }
        }
    };
}
