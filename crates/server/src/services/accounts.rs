//! Creating accounts on first sign-in (or by the operator's `token` command).

use healthcode_domain::{Contact, HolderId, Identity, ResidentId};
use healthcode_store::{AccountKind, Resident, Store, StoreError};
use jiff::Timestamp;

use crate::auth::session::random_bytes;
use crate::error::ApiError;

/// A new time-ordered resident id.
pub fn new_resident_id(now: Timestamp) -> Result<ResidentId, ApiError> {
    Ok(ResidentId::from_uuid(new_uuid_v7(now)?))
}

/// A UUIDv7 for `now` with random bits from the OS generator.
pub fn new_uuid_v7(now: Timestamp) -> Result<uuid::Uuid, ApiError> {
    let secs = u64::try_from(now.as_second()).unwrap_or(0);
    let nanos = u32::try_from(now.subsec_nanosecond()).unwrap_or(0);
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos);
    let mut id = *uuid::Uuid::new_v7(ts).as_bytes();
    // Replace the generator's random part with OS randomness (keeps version/variant bits).
    let rand = random_bytes::<10>()?;
    id[6] = (id[6] & 0xf0) | (rand[0] & 0x0f);
    id[7] = rand[1];
    id[8] = (id[8] & 0xc0) | (rand[2] & 0x3f);
    id[9..16].copy_from_slice(&rand[3..10]);
    Ok(uuid::Uuid::from_bytes(id))
}

/// Returns the account for a contact, creating it when missing. A visitor
/// identity (passport or foreign ID) makes a new account a visitor's.
pub async fn ensure_resident(
    store: &dyn Store,
    contact: &Contact,
    visitor: Option<Identity>,
    now: Timestamp,
) -> Result<Resident, ApiError> {
    if let Some(existing) = store.resident_by_contact(contact).await? {
        return Ok(existing);
    }
    if visitor.is_none() && matches!(contact, Contact::Email(_)) {
        return Err(ApiError::bad_input(
            "VISITOR_DOCUMENT_REQUIRED",
            "sign-in by e-mail is for visitors: give your passport or foreign ID",
        ));
    }
    let resident = Resident {
        id: new_resident_id(now)?,
        holder: HolderId::from_bytes(random_bytes::<16>()?),
        contact: contact.clone(),
        kind: if visitor.is_some() { AccountKind::Visitor } else { AccountKind::Resident },
        identity: visitor,
        created_at: now,
    };
    match store.create_resident(&resident).await {
        Ok(()) => Ok(resident),
        // Two first sign-ins raced: the other one created it.
        Err(StoreError::Conflict(_)) => store.resident_by_contact(contact).await?.ok_or_else(ApiError::not_found),
        Err(e) => Err(e.into()),
    }
}
