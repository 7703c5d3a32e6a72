//! Creating accounts on first sign-in (or by the operator's `token` command).

use healthcode_domain::{Contact, HolderId, Identity, ResidentId};
use healthcode_store::{AccountKind, Resident, Store, StoreError};
use jiff::Timestamp;

use crate::auth::session::random_bytes;
use crate::error::ApiError;

/// A UUIDv7 for `now`: time-ordered, with random bits from the OS (the uuid
/// crate draws them through getrandom).
pub fn new_uuid_v7(now: Timestamp) -> uuid::Uuid {
    let secs = u64::try_from(now.as_second()).unwrap_or(0);
    let nanos = u32::try_from(now.subsec_nanosecond()).unwrap_or(0);
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos))
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
        id: ResidentId::from_uuid(new_uuid_v7(now)),
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

/// The account holding a contact, if any.
pub async fn by_contact(state: &crate::state::AppState, contact: &Contact) -> Result<Option<Resident>, ApiError> {
    Ok(state.store.resident_by_contact(contact).await?)
}

/// The account a code's holder id names, if any.
pub async fn by_holder(state: &crate::state::AppState, holder: HolderId) -> Result<Option<Resident>, ApiError> {
    match state.store.resident_by_holder(holder).await {
        Ok(r) => Ok(Some(r)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A resident's account.
pub async fn resident(state: &crate::state::AppState, id: ResidentId) -> Result<Resident, ApiError> {
    Ok(state.store.resident(id).await?)
}
