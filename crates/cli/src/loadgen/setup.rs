//! `healthcode loadgen setup`: residents declared green through the real
//! service path, venues with their signed QR, a checkpoint, and API tokens
//! minted as `healthcode token` mints them; all written to a fixtures file.

use anyhow::{Context, Result, anyhow};
use healthcode_domain::{Contact, PhoneNumber, Role, VenueProfile};
use healthcode_server::AppState;
use healthcode_server::api::reports::DeclarationRequest;
use healthcode_server::auth::session;
use healthcode_server::services::{accounts, checkpoints, health, venues};
use healthcode_store::{Principal, SessionKind};
use std::path::Path;

use crate::commands::api_error;

use super::error::LoadgenError;
use super::fixtures::{CheckpointFixture, FORMAT, Fixtures, ResidentFixture, VenueFixture};

pub const MAX_RESIDENTS: u32 = 100_000;
pub const MAX_VENUES: u32 = 10_000;
/// Residents set up at once (each is a few small transactions).
const WORKERS: u32 = 8;

/// Resident `i`'s phone number (+86 137 …): the same run after run.
pub fn phone_of(i: u32) -> String {
    format!("+86137{i:08}")
}

async fn api_token(state: &AppState, principal: Principal) -> Result<String> {
    let now = state.clock.now();
    session::issue(state.store.as_ref(), principal, SessionKind::ApiToken, now, state.config.api_token_lifetime)
        .await
        .map_err(api_error)
}

/// An account for resident `i`, a healthy first declaration, and a token.
async fn resident(state: &AppState, i: u32) -> Result<ResidentFixture> {
    let phone = phone_of(i);
    let contact = Contact::Phone(PhoneNumber::parse(&phone).map_err(|e| anyhow!(e.message))?);
    let account =
        accounts::ensure_resident(state.store.as_ref(), &contact, None, state.clock.now()).await.map_err(api_error)?;
    if state.store.status(account.id).await?.is_none() {
        let request = DeclarationRequest {
            name: Some(format!("Load Tester {i}")),
            document_type: Some("national_id".into()),
            document_number: Some(format!("3301021990{i:08}")),
            district: Some("330102".into()),
            temperature_c: Some(36.6),
            ..DeclarationRequest::default()
        };
        let (identity, declaration) = request.parse().map_err(api_error)?;
        health::declare(state, account.id, identity, declaration, healthcode_domain::ReportChannel::App)
            .await
            .map_err(api_error)?;
    }
    let principal =
        Principal { role: Role::Resident, subject: contact.as_str().to_string(), resident: Some(account.id) };
    Ok(ResidentFixture { phone, token: api_token(state, principal).await? })
}

/// Checks the counts before anything is opened or created.
pub fn check_counts(residents: u32, venues: u32) -> Result<(), LoadgenError> {
    if !(1..=MAX_RESIDENTS).contains(&residents) {
        return Err(LoadgenError::new(
            "LOADGEN_RESIDENTS_INVALID",
            format!("--residents must be 1 to {MAX_RESIDENTS}"),
        ));
    }
    if !(1..=MAX_VENUES).contains(&venues) {
        return Err(LoadgenError::new("LOADGEN_VENUES_INVALID", format!("--venues must be 1 to {MAX_VENUES}")));
    }
    Ok(())
}

pub async fn run(state: AppState, residents: u32, venue_count: u32, out: &Path) -> Result<()> {
    check_counts(residents, venue_count)?;
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..WORKERS {
        let state = state.clone();
        tasks.spawn(async move {
            let mut made = Vec::new();
            for i in (worker..residents).step_by(WORKERS as usize) {
                made.push((i, resident(&state, i).await.with_context(|| format!("resident {}", phone_of(i)))?));
            }
            anyhow::Ok(made)
        });
    }
    let mut people = Vec::with_capacity(residents as usize);
    while let Some(done) = tasks.join_next().await {
        people.extend(done??);
    }
    people.sort_by_key(|(i, _)| *i);
    let residents: Vec<ResidentFixture> = people.into_iter().map(|(_, r)| r).collect();

    let owner = PhoneNumber::parse("+84900000001").map_err(|e| anyhow!(e.message))?;
    let mut places = Vec::with_capacity(venue_count as usize);
    for i in 0..venue_count {
        let profile = VenueProfile::parse(
            &format!("Load venue {i}"),
            &format!("{i} Load Street"),
            "VN-HN",
            &format!("D{}", i % 30),
            "",
            "shop",
            None,
            None,
        )
        .map_err(|e| anyhow!(e.message))?;
        let venue = venues::register(&state, owner.clone(), profile).await.map_err(api_error)?;
        places.push(VenueFixture {
            id: venue.id.to_string(),
            qr_text: venues::venue_qr_text(&state, &venue).map_err(api_error)?,
        });
    }

    let checkpoint = checkpoints::register(&state, "Load checkpoint", "station", "330102", "platform 1", None)
        .await
        .map_err(api_error)?;
    let officer = Principal { role: Role::Officer, subject: "loadgen-officer".into(), resident: None };
    let fixtures = Fixtures {
        format: FORMAT,
        residents,
        venues: places,
        checkpoint: CheckpointFixture {
            id: checkpoint.id.to_string(),
            officer_token: api_token(&state, officer).await?,
        },
    };
    fixtures.write(out)?;
    eprintln!(
        "wrote {}: {} green residents with tokens, {} venues, checkpoint {}",
        out.display(),
        fixtures.residents.len(),
        fixtures.venues.len(),
        fixtures.checkpoint.id
    );
    Ok(())
}
