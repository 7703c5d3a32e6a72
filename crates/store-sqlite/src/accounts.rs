//! Resident and visitor accounts.

use async_trait::async_trait;
use healthcode_domain::{
    Contact, DistrictCode, DocumentNumber, DocumentType, HolderId, Identity, PersonName, ResidentId,
};
use healthcode_store::{AccountKind, AccountStore, Resident, ResidentBundle, StoreError, StoreResult};
use sqlx::sqlite::SqliteRow;

use crate::convert::{corrupt, get, ms, resident_id, ts};
use crate::health::{insert_change, insert_report, upsert_status};
use crate::{SqliteStore, other};

pub(crate) const RESIDENT_COLUMNS: &str =
    "SELECT id, holder_id, contact, kind, name, document_type, document_number, district, created_at FROM residents";

pub(crate) fn resident_from_row(row: &SqliteRow) -> StoreResult<Resident> {
    let contact: String = get(row, "contact")?;
    let holder: Vec<u8> = get(row, "holder_id")?;
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
        id: resident_id(&get::<Vec<u8>>(row, "id")?)?,
        holder: HolderId::from_slice(&holder).ok_or_else(|| corrupt("holder id".into()))?,
        contact: Contact::parse(&contact).map_err(|e| corrupt(e.to_string()))?,
        kind: AccountKind::parse(&kind).ok_or_else(|| corrupt(format!("account kind {kind}")))?,
        identity,
        created_at: ts(get(row, "created_at")?)?,
    })
}

pub(crate) async fn insert_resident(conn: &mut sqlx::SqliteConnection, r: &Resident) -> StoreResult<()> {
    let id = r.identity.as_ref();
    sqlx::query(
        "INSERT INTO residents (id, holder_id, contact, kind, name, document_type, document_number, district, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.id.as_bytes().as_slice())
    .bind(r.holder.as_bytes().as_slice())
    .bind(r.contact.as_str())
    .bind(r.kind.as_str())
    .bind(id.map(|i| i.name.as_str()))
    .bind(id.map(|i| i.document_type.as_str()))
    .bind(id.map(|i| i.document_number.as_str()))
    .bind(id.map(|i| i.district.as_str()))
    .bind(ms(r.created_at))
    .execute(&mut *conn)
    .await
    .map_err(other("inserting resident"))?;
    Ok(())
}

pub(crate) async fn update_identity(
    conn: &mut sqlx::SqliteConnection,
    resident: ResidentId,
    i: &Identity,
) -> StoreResult<()> {
    let done =
        sqlx::query("UPDATE residents SET name = ?, document_type = ?, document_number = ?, district = ? WHERE id = ?")
            .bind(i.name.as_str())
            .bind(i.document_type.as_str())
            .bind(i.document_number.as_str())
            .bind(i.district.as_str())
            .bind(resident.as_bytes().as_slice())
            .execute(&mut *conn)
            .await
            .map_err(other("updating identity"))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_resident(&self, resident: &Resident) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        insert_resident(&mut tx, resident).await?;
        tx.commit().await.map_err(other("committing resident"))
    }

    async fn resident(&self, id: ResidentId) -> StoreResult<Resident> {
        let sql = sqlx::AssertSqlSafe(format!("{RESIDENT_COLUMNS} WHERE id = ?"));
        let row = sqlx::query(sql)
            .bind(id.as_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading resident"))?
            .ok_or(StoreError::NotFound)?;
        resident_from_row(&row)
    }

    async fn resident_by_contact(&self, contact: &Contact) -> StoreResult<Option<Resident>> {
        let sql = sqlx::AssertSqlSafe(format!("{RESIDENT_COLUMNS} WHERE contact = ?"));
        let row = sqlx::query(sql)
            .bind(contact.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading resident by contact"))?;
        row.as_ref().map(resident_from_row).transpose()
    }

    async fn resident_by_holder(&self, holder: HolderId) -> StoreResult<Resident> {
        let sql = sqlx::AssertSqlSafe(format!("{RESIDENT_COLUMNS} WHERE holder_id = ?"));
        let row = sqlx::query(sql)
            .bind(holder.as_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading resident by holder"))?
            .ok_or(StoreError::NotFound)?;
        resident_from_row(&row)
    }

    async fn import_residents(&self, batch: &[ResidentBundle]) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for seed in batch {
            insert_resident(&mut tx, &seed.resident).await?;
            for report in &seed.reports {
                insert_report(&mut tx, report).await?;
            }
            if let Some(status) = &seed.status {
                upsert_status(&mut tx, status, None).await?;
            }
            for change in &seed.changes {
                insert_change(&mut tx, change).await?;
            }
        }
        tx.commit().await.map_err(other("committing seed batch"))
    }
}
