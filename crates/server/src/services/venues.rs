//! Registering venues, their signed QR, closing and token rotation, and
//! resolving a scanned venue QR back to an open venue.

use healthcode_credential::{VenueToken, sign_venue_token};
use healthcode_domain::{PhoneNumber, VenueEntryCode, VenueId, VenueProfile, VenueState};
use healthcode_store::{StoreError, Venue};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::state::AppState;

/// Posters of the previous token generation keep working this long after a rotation.
pub const TOKEN_GRACE: SignedDuration = SignedDuration::from_hours(24);

/// Signs the token for a venue generation with the active key.
pub fn sign_token(state: &AppState, venue: VenueId, generation: u32) -> Result<String, ApiError> {
    let token = VenueToken { venue, generation };
    state.keys.with_active(|key| sign_venue_token(&token, key)).map_err(ApiError::internal)
}

/// The URL a venue's QR carries (the same every time: the token is kept).
pub fn venue_qr_text(state: &AppState, venue: &Venue) -> Result<String, ApiError> {
    Ok(format!("{}/c/{}", state.config.public_base_url.trim_end_matches('/'), venue.qr_token))
}

pub async fn register(state: &AppState, owner: PhoneNumber, profile: VenueProfile) -> Result<Venue, ApiError> {
    let now = state.clock.now();
    let id = VenueId::from_uuid(new_uuid_v7(now));
    let venue = Venue {
        id,
        qr_token: sign_token(state, id, 0)?,
        owner,
        profile,
        state: VenueState::Open,
        token_generation: 0,
        previous_generation_until: None,
        created_at: now,
    };
    state.store.create_venue(&venue).await?;
    tracing::info!(venue = %venue.id, "venue registered");
    Ok(venue)
}

/// The venue if `owner` registered it; "missing" and "not yours" are the same 404.
pub async fn owned(state: &AppState, owner: &PhoneNumber, id: VenueId) -> Result<Venue, ApiError> {
    match state.store.venue(id).await {
        Ok(v) if &v.owner == owner => Ok(v),
        Ok(_) | Err(StoreError::NotFound) => {
            Err(ApiError::new(ErrorKind::NotFound, "VENUE_NOT_FOUND", "no such venue among yours"))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn close(state: &AppState, owner: &PhoneNumber, id: VenueId) -> Result<Venue, ApiError> {
    set_state(state, owner, id, VenueState::Closed).await
}

pub async fn reopen(state: &AppState, owner: &PhoneNumber, id: VenueId) -> Result<Venue, ApiError> {
    set_state(state, owner, id, VenueState::Open).await
}

/// Opens or closes a venue: only its state is written, so a token rotated
/// at the same moment stays rotated. Closing a closed venue changes nothing.
async fn set_state(state: &AppState, owner: &PhoneNumber, id: VenueId, to: VenueState) -> Result<Venue, ApiError> {
    owned(state, owner, id).await?;
    state.store.set_venue_state(id, to).await?;
    state.venues.forget(&id);
    Ok(state.store.venue(id).await?)
}

/// A new token generation: new posters; old ones work for [`TOKEN_GRACE`].
/// Only the token is written, and only from the generation read: of two
/// rotations at the same moment one counts and the other is answered 409
/// `VENUE_TOKEN_ROTATED` (its poster would have named a generation that
/// never was), and a close made meanwhile stays.
pub async fn rotate_token(state: &AppState, owner: &PhoneNumber, id: VenueId) -> Result<Venue, ApiError> {
    let venue = owned(state, owner, id).await?;
    let from = venue.token_generation;
    let mut rotated = venue;
    rotated.token_generation = from.saturating_add(1);
    rotated.previous_generation_until = state.clock.now().checked_add(TOKEN_GRACE).ok();
    rotated.qr_token = sign_token(state, rotated.id, rotated.token_generation)?;
    let done = state.store.rotate_venue_token(from, &rotated).await?;
    state.venues.forget(&id);
    if !done {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "VENUE_TOKEN_ROTATED",
            "the poster's code was renewed from elsewhere at the same moment; reload the venue to print the new one",
        ));
    }
    Ok(state.store.venue(id).await?)
}

/// The venue as read in the last moments ([`crate::cache::HOT_READS_TTL`]):
/// a poster is scanned many times a minute and a venue rarely changes.
pub async fn read_recent(state: &AppState, id: VenueId) -> Result<Venue, StoreError> {
    let now = state.clock.now();
    if let Some(venue) = state.venues.get(&id, now) {
        return Ok(venue);
    }
    let venue = state.store.venue(id).await?;
    state.venues.put(id, venue.clone(), now);
    Ok(venue)
}

fn generation_accepted(venue: &Venue, generation: u32, now: Timestamp) -> bool {
    generation == venue.token_generation
        || (generation.checked_add(1) == Some(venue.token_generation)
            && venue.previous_generation_until.is_some_and(|until| now < until))
}

/// Resolves scanned venue QR text to an open venue, or a stable refusal:
/// `VENUE_TOKEN_FORGED`, `VENUE_UNKNOWN`, `VENUE_TOKEN_ROTATED`, `VENUE_CLOSED`.
pub async fn resolve(state: &AppState, qr_text: &str) -> Result<Venue, ApiError> {
    let now = state.clock.now();
    let token = state.keys.verify_venue_token(qr_text).map_err(|e| ApiError::bad_input(e.code(), e.to_string()))?;
    let venue = match read_recent(state, token.venue).await {
        Ok(v) => v,
        Err(StoreError::NotFound) => {
            return Err(ApiError::new(ErrorKind::NotFound, "VENUE_UNKNOWN", "this venue is not registered here"));
        }
        Err(e) => return Err(e.into()),
    };
    if !generation_accepted(&venue, token.generation, now) {
        return Err(ApiError::bad_input(
            "VENUE_TOKEN_ROTATED",
            "this poster has been replaced: scan the venue's current poster",
        ));
    }
    if venue.state == VenueState::Closed {
        return Err(ApiError::new(ErrorKind::Conflict, "VENUE_CLOSED", "this venue is closed and takes no check-ins"));
    }
    Ok(venue)
}

/// The venues `ids` name, by id, in one store read however many rows name
/// them (an unknown id has no entry). Lists of visits, sites or contacts
/// take their venues from here, never one read per row.
pub async fn by_id(
    state: &AppState,
    ids: impl IntoIterator<Item = VenueId>,
) -> Result<HashMap<VenueId, Venue>, ApiError> {
    let ids: Vec<VenueId> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(state.store.venues_by_id(&ids).await?.into_iter().map(|v| (v.id, v)).collect())
}

/// The venues a phone registered, newest first.
pub async fn of_owner(state: &AppState, owner: &PhoneNumber) -> Result<Vec<Venue>, ApiError> {
    Ok(state.store.venues_of(owner).await?)
}

/// A venue's visits in `[from, to)`, newest first.
pub async fn visits(
    state: &AppState,
    venue: VenueId,
    from: Timestamp,
    to: Timestamp,
    limit: u32,
) -> Result<Vec<healthcode_domain::Visit>, ApiError> {
    Ok(state.store.venue_visits(venue, from, to, limit).await?)
}

/// A venue's attempted entries in `[from, to)`, newest first.
pub async fn attempts(
    state: &AppState,
    venue: VenueId,
    from: Timestamp,
    to: Timestamp,
    limit: u32,
) -> Result<Vec<healthcode_domain::AttemptedEntry>, ApiError> {
    Ok(state.store.venue_attempts(venue, from, to, limit).await?)
}

/// The entry code printed on the poster of the venue's current QR
/// generation, made the first time that poster is drawn (a rotation makes a
/// new poster and so a new code; the old one works as long as the old QR).
pub async fn entry_code(state: &AppState, venue: &Venue) -> Result<VenueEntryCode, ApiError> {
    // A random code can be taken (1 in 2^40 per code already made), and two
    // first posters can race: read again, then try another code.
    for _ in 0..5 {
        if let Some(code) = state.store.venue_entry_code(venue.id, venue.token_generation).await? {
            return VenueEntryCode::parse(&code).map_err(ApiError::internal);
        }
        let code = VenueEntryCode::from_random(crate::auth::session::random_bytes::<5>()?);
        let now = state.clock.now();
        match state.store.create_venue_entry_code(code.as_str(), venue.id, venue.token_generation, now).await {
            Ok(()) => return Ok(code),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal("no free venue entry code after 5 tries"))
}

/// The venue a typed entry code names, when its poster is still valid
/// (the same rules as its QR: `resolve`).
pub async fn by_entry_code(state: &AppState, typed: &str) -> Result<Venue, ApiError> {
    let code = VenueEntryCode::parse(typed)?;
    let unknown =
        || ApiError::new(ErrorKind::NotFound, "ENTRY_CODE_UNKNOWN", "no venue has this code: check the poster");
    let (id, generation) = match state.store.venue_of_entry_code(code.as_str()).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Err(unknown()),
        Err(e) => return Err(e.into()),
    };
    let venue = match read_recent(state, id).await {
        Ok(v) => v,
        Err(StoreError::NotFound) => return Err(unknown()),
        Err(e) => return Err(e.into()),
    };
    if !generation_accepted(&venue, generation, state.clock.now()) {
        return Err(ApiError::bad_input(
            "VENUE_TOKEN_ROTATED",
            "this poster has been replaced: use the code on the venue's current poster",
        ));
    }
    if venue.state == VenueState::Closed {
        return Err(ApiError::new(ErrorKind::Conflict, "VENUE_CLOSED", "this venue is closed and takes no check-ins"));
    }
    Ok(venue)
}
