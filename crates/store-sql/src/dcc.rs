//! Attached EU DCCs: one verdict per resident and certificate.

#[doc(hidden)]
#[macro_export]
macro_rules! __dcc {
    ($Store:path, $Db:ty) => {
        pub(crate) mod dcc {
            $crate::__prelude!($Store, $Db);
            use domain::ResidentId;
            use domain::dcc_rules::DccKind;
            use store::{DccAttachment, DccStore, StoreResult};

            fn attachment_from_row(row: &Row) -> StoreResult<DccAttachment> {
                let kind: String = get(row, "kind")?;
                Ok(DccAttachment {
                    resident: resident_id(row, "resident_id")?,
                    certificate_hash: get(row, "certificate_hash")?,
                    kind: DccKind::from_code(&kind).ok_or_else(|| corrupt(format!("DCC kind {kind}")))?,
                    country: get(row, "country")?,
                    rule_id: get(row, "rule_id")?,
                    rule_version: get(row, "rule_version")?,
                    accepted: get(row, "accepted")?,
                    refusal: get(row, "refusal")?,
                    valid_from: opt_ts(row, "valid_from")?,
                    valid_until: opt_ts(row, "valid_until")?,
                    expires_at: ts(row, "expires_at")?,
                    attached_at: ts(row, "attached_at")?,
                })
            }

            #[async_trait]
            impl DccStore for Store {
                async fn attach_dcc(&self, a: &DccAttachment) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "INSERT INTO dcc_attachments (resident_id, certificate_hash, kind, country, rule_id,
                             rule_version, accepted, refusal, valid_from, valid_until, expires_at, attached_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                         ON CONFLICT (resident_id, certificate_hash) DO NOTHING",
                    )
                    .bind(a.resident.as_uuid())
                    .bind(&a.certificate_hash)
                    .bind(a.kind.code())
                    .bind(&a.country)
                    .bind(&a.rule_id)
                    .bind(&a.rule_version)
                    .bind(a.accepted)
                    .bind(&a.refusal)
                    .bind(a.valid_from.map(Time))
                    .bind(a.valid_until.map(Time))
                    .bind(Time(a.expires_at))
                    .bind(Time(a.attached_at))
                    .execute(&self.pool)
                    .await
                    .map_err(other("attaching an EU DCC"))?;
                    Ok(done.rows_affected() == 1)
                }

                async fn dcc_attachments_of(&self, resident: ResidentId) -> StoreResult<Vec<DccAttachment>> {
                    let rows = sqlx::query(
                        "SELECT * FROM dcc_attachments WHERE resident_id = $1
                         ORDER BY attached_at DESC, certificate_hash",
                    )
                    .bind(resident.as_uuid())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("reading attached EU DCCs"))?;
                    rows.iter().map(attachment_from_row).collect()
                }
            }
        }
    };
}
