//! The demo's bulk seeding (`healthcode_store::bulk`) writes the same city,
//! row for row, as the ordinary imports, on either backend; a load cut short
//! leaves a store the server refuses.

use healthcode_domain::{ResidentId, VenueId, VisitId};
use healthcode_server::synthetic::{CityPlan, seed_city, seed_city_bulk, seed_places, seed_places_bulk};
use healthcode_server::{FixedClock, build_state};
use healthcode_store::{ResidentBundle, Store, StoreError, Venue};
use std::sync::Arc;

use crate::harness::{TestApp, spawn_app, start_time};

/// A token the same for both cities (each app signs with its own key).
fn signer(id: VenueId, generation: u32) -> Option<String> {
    Some(format!("token-{}-{generation}", id.as_uuid()))
}

/// Every resident with their history, every venue and every visit, in id order.
async fn everything(store: &dyn Store) -> (Vec<ResidentBundle>, Vec<Venue>, Vec<healthcode_domain::Visit>) {
    let (mut residents, mut after) = (Vec::new(), None::<ResidentId>);
    loop {
        let ids = store.resident_ids_after(after, 500).await.unwrap();
        let Some(last) = ids.last().copied() else { break };
        residents.extend(store.export_residents(&ids).await.unwrap());
        after = Some(last);
    }
    let venues = store.venues_after(None, u32::MAX).await.unwrap();
    let (mut visits, mut after) = (Vec::new(), None::<VisitId>);
    loop {
        let page = store.visits_after(after, 5_000).await.unwrap();
        let Some(last) = page.last().map(|v| v.id) else { break };
        visits.extend(page);
        after = Some(last);
    }
    (residents, venues, visits)
}

#[tokio::test]
async fn seeding_in_bulk_writes_exactly_what_the_ordinary_imports_write() {
    let (slow, fast) = (spawn_app().await, spawn_app().await);
    let plan = CityPlan::new(7, 1_500, 3);
    let now = start_time();
    let (policy, tz) = (&slow.state.config.policy, &slow.state.config.time_zone);

    let slow_store = slow.state.store.as_ref();
    seed_city(slow_store, &plan, policy, tz, now, |_| {}).await.unwrap();
    seed_places(slow_store, &plan, tz, now, &signer, |_, _| {}).await.unwrap();

    let store = fast.state.store.as_ref();
    let mut load = store.begin_bulk_load("test city", now).await.unwrap();
    let marked = store.unfinished_bulk_load().await.unwrap().expect("marked while it runs");
    assert_eq!((marked.what.as_str(), marked.started_at), ("test city", now));
    assert!(matches!(store.begin_bulk_load("another", now).await, Err(StoreError::Conflict(_))), "one load at a time");
    let (mut last_done, mut last_total) = (0, 0);
    let people = seed_city_bulk(load.as_mut(), &plan, policy, tz, now, |d| last_done = d).await.unwrap();
    assert_eq!((people, last_done), (1_500, 1_500));
    let (venues, visits) =
        seed_places_bulk(load.as_mut(), &plan, tz, now, &signer, |_, t| last_total = t).await.unwrap();
    assert_eq!((venues, last_total), (150, 4 * 750));
    assert!(visits > 2_000, "{visits} visits");
    load.finish().await.unwrap();
    assert_eq!(store.unfinished_bulk_load().await.unwrap(), None, "unmarked once finished");

    assert_eq!(store.counts().await.unwrap(), slow_store.counts().await.unwrap());
    let (a, b) = (everything(slow_store).await, everything(store).await);
    assert_eq!(a.0.len(), 1_500);
    assert!(a.0 == b.0, "residents with their reports, statuses and changes");
    assert!(a.1 == b.1, "venues");
    assert_eq!(u64::try_from(b.2.len()).unwrap(), visits);
    assert!(a.2 == b.2, "visits");

    // The bulk-loaded city answers like the other: a person's visits (by
    // the person's index) and a venue's log (by the venue's).
    let who = b.2[0].resident;
    assert_eq!(store.resident_visits(who, 100).await.unwrap(), slow_store.resident_visits(who, 100).await.unwrap());
    let venue = b.1[0].id;
    let (from, to) = (now - jiff::SignedDuration::from_hours(24 * 5), now);
    let log = store.venue_visits(venue, from, to, 10_000).await.unwrap();
    assert!(!log.is_empty());
    assert_eq!(log, slow_store.venue_visits(venue, from, to, 10_000).await.unwrap());
    // One open visit per person still holds: seeded visits are all closed,
    // so a person may open one, and only one.
    let open = |n: u8| healthcode_domain::Visit {
        id: VisitId::from_bytes([n; 16]),
        exited_at: None,
        exit_kind: None,
        entered_at: now,
        ..b.2[0].clone()
    };
    store.import_visits(&[open(1)]).await.unwrap();
    assert!(store.import_visits(&[open(2)]).await.is_err(), "a second open visit is refused");
}

async fn refused(app: &TestApp) -> String {
    // The same database, a data directory of its own (keys are made afresh).
    let mut config = (*app.state.config).clone();
    let data = tempfile::tempdir().unwrap();
    config.data_dir = data.path().to_path_buf();
    match build_state(config, Arc::new(FixedClock::new(start_time()))).await {
        Ok(_) => panic!("a store with an unfinished load was opened"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn a_bulk_load_cut_short_leaves_a_store_the_server_refuses() {
    let app = spawn_app().await;
    let store = app.state.store.as_ref();
    let plan = CityPlan::new(3, 200, 1);
    let (policy, tz) = (&app.state.config.policy, &app.state.config.time_zone);
    let mut load = store.begin_bulk_load("demo city, cut short", start_time()).await.unwrap();
    seed_city_bulk(load.as_mut(), &plan, policy, tz, start_time(), |_| {}).await.unwrap();
    drop(load); // a crash before `finish`
    let err = refused(&app).await;
    assert!(err.contains("unfinished bulk load (demo city, cut short"), "{err}");
    assert!(err.contains("seed again"), "{err}");
}
