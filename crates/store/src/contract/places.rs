//! Contract cases: Venues, visits and check-in scans, tracing reads, checkpoints and passages, retention.

use super::*;

pub async fn venues_round_trip_and_belong_to_their_owner(store: &dyn Store) {
    let a = venue(1, "+84912000001");
    let b = venue(2, "+84912000001");
    let c = venue(3, "+84912000002");
    for v in [&a, &b, &c] {
        store.create_venue(v).await.unwrap();
    }
    assert_eq!(store.venue(a.id).await.unwrap(), a);
    let mine = store.venues_of(&a.owner).await.unwrap();
    assert_eq!(mine.iter().map(|v| v.id).collect::<Vec<_>>(), vec![b.id, a.id], "newest first, only mine");
    // Two rotations from one generation and a close, all at once: one
    // rotation counts, and the close does not undo it.
    let rotated = |n: u8| crate::Venue {
        token_generation: 1,
        previous_generation_until: Some(t(100)),
        qr_token: format!("token-rotated-{n}"),
        ..a.clone()
    };
    let (first, second) = (rotated(1), rotated(2));
    let closing = async { store.set_venue_state(a.id, healthcode_domain::VenueState::Closed).await.map(|()| true) };
    let done = all(vec![
        Box::pin(store.rotate_venue_token(0, &first)),
        Box::pin(store.rotate_venue_token(0, &second)),
        Box::pin(closing),
    ])
    .await;
    assert!(matches!(done[2], Ok(true)), "{done:?}");
    let won = match (done[0].as_ref().unwrap(), done[1].as_ref().unwrap()) {
        (true, false) => first,
        (false, true) => second,
        other => panic!("exactly one rotation from generation 0: {other:?}"),
    };
    let expected = crate::Venue { state: healthcode_domain::VenueState::Closed, ..won };
    assert_eq!(store.venue(a.id).await.unwrap(), expected);
    assert!(!store.rotate_venue_token(0, &rotated(3)).await.unwrap(), "generation 0 is gone");
    let missing = crate::Venue { id: healthcode_domain::VenueId::from_bytes([9; 16]), ..rotated(4) };
    assert!(matches!(store.rotate_venue_token(0, &missing).await, Err(StoreError::NotFound)));
    assert!(matches!(
        store.set_venue_state(missing.id, healthcode_domain::VenueState::Open).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(store.venue(healthcode_domain::VenueId::from_bytes([9; 16])).await, Err(StoreError::NotFound)));
    assert!(matches!(store.create_venue(&a).await, Err(StoreError::Conflict(_))));
}

pub async fn entry_codes_are_one_per_venue_generation_and_unique(store: &dyn Store) {
    let (a, b) = (venue(31, "+84912000031"), venue(32, "+84912000032"));
    for v in [&a, &b] {
        store.create_venue(v).await.unwrap();
    }
    assert_eq!(store.venue_entry_code(a.id, 0).await.unwrap(), None);
    store.create_venue_entry_code("7KQ2M9XD", a.id, 0, t(10)).await.unwrap();
    store.create_venue_entry_code("H3T8W1ZC", a.id, 1, t(20)).await.unwrap();
    assert_eq!(store.venue_entry_code(a.id, 0).await.unwrap().as_deref(), Some("7KQ2M9XD"));
    assert_eq!(store.venue_of_entry_code("H3T8W1ZC").await.unwrap(), (a.id, 1));
    assert!(matches!(store.venue_of_entry_code("00000000").await, Err(StoreError::NotFound)));
    let taken = store.create_venue_entry_code("7KQ2M9XD", b.id, 0, t(30)).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "a code names one venue: {taken:?}");
    let second = store.create_venue_entry_code("N4R6P2VB", a.id, 0, t(30)).await;
    assert!(matches!(second, Err(StoreError::Conflict(_))), "one code per generation: {second:?}");
}

pub async fn venues_are_read_by_id_in_one_call(store: &dyn Store) {
    let (a, b, c) = (venue(21, "+84912000021"), venue(22, "+84912000022"), venue(23, "+84912000023"));
    for v in [&a, &b, &c] {
        store.create_venue(v).await.unwrap();
    }
    assert_eq!(store.venues_by_id(&[]).await.unwrap(), vec![], "no ids, no venues");
    let unknown = healthcode_domain::VenueId::from_bytes([9; 16]);
    let mut got = store.venues_by_id(&[c.id, a.id, unknown, c.id]).await.unwrap();
    got.sort_by_key(|v| v.id);
    let mut want = vec![a.clone(), c.clone()];
    want.sort_by_key(|v| v.id);
    assert_eq!(got, want, "the known ones, each once, whole");
    // More ids than one statement takes: every known one still comes back.
    let mut many: Vec<_> = (0..1200u16)
        .map(|n| {
            let mut bytes = [7u8; 16];
            bytes[..2].copy_from_slice(&n.to_be_bytes());
            healthcode_domain::VenueId::from_bytes(bytes)
        })
        .collect();
    many.push(b.id);
    many.push(a.id);
    let got = store.venues_by_id(&many).await.unwrap();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.contains(&a) && got.contains(&b));
}

pub async fn scans_open_and_close_visits_atomically(store: &dyn Store) {
    use healthcode_domain::visit::Closing;
    let who = someone(store, 50).await;
    let (cafe, shop) = (venue(11, "+84912000011"), venue(12, "+84912000012"));
    store.create_venue(&cafe).await.unwrap();
    store.create_venue(&shop).await.unwrap();
    assert_eq!(store.latest_visit(who.id).await.unwrap(), None);
    assert_eq!(store.scan_context(who.id).await.unwrap(), (None, None), "no declaration, no visit");
    let first = stay(1, &who, &cafe, 0);
    store.record_scan(None, Some(&first)).await.unwrap();
    assert_eq!(store.latest_visit(who.id).await.unwrap(), Some(first.clone()));
    assert_eq!(store.scan_context(who.id).await.unwrap(), (None, Some(first.clone())));

    let close = Closing { visit: first.id, at: t(30), kind: healthcode_domain::ExitKind::NextCheckIn };
    let second = stay(2, &who, &shop, 30);
    store.record_scan(Some(&close), Some(&second)).await.unwrap();
    let closed = store.visit(first.id).await.unwrap();
    assert_eq!((closed.exited_at, closed.exit_kind), (Some(t(30)), Some(healthcode_domain::ExitKind::NextCheckIn)));
    assert_eq!(store.latest_visit(who.id).await.unwrap(), Some(second.clone()));
    let rep = report(&who, 60, 35);
    let status = HealthStatus { version: 0, ..yellow(&who) };
    let commit = ReportCommit { report: rep, identity: None, expected_version: None, status, changes: vec![] };
    store.commit_report(&commit).await.unwrap();
    assert_eq!(
        store.scan_context(who.id).await.unwrap(),
        (Some(Colour::Yellow), Some(second.clone())),
        "the colour and the newest visit in one read"
    );

    // Closing an already closed visit conflicts, and the new visit is not written either.
    let third = stay(3, &who, &cafe, 40);
    assert!(matches!(store.record_scan(Some(&close), Some(&third)).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.visit(third.id).await, Err(StoreError::NotFound)));
    let visits = store.resident_visits(who.id, 10).await.unwrap();
    assert_eq!(visits.iter().map(|v| v.id).collect::<Vec<_>>(), vec![second.id, first.id]);
}

pub async fn scans_are_decided_where_they_are_written(store: &dyn Store) {
    use crate::{ScanApplied, ScanRequest};
    use healthcode_domain::{ExitKind, ScanDecision, VisitId};
    let who = someone(store, 70).await;
    let (cafe, shop) = (venue(70, "+84912000070"), venue(71, "+84912000071"));
    store.create_venue(&cafe).await.unwrap();
    store.create_venue(&shop).await.unwrap();
    let scan = |n: u8, at: &crate::Venue, secs: i64| ScanRequest {
        visit: VisitId::from_bytes([n; 16]),
        resident: who.id,
        venue: at.id,
        at: t(secs),
        source: healthcode_domain::VisitSource::SelfScan,
        max_stay: jiff::SignedDuration::from_mins(240),
        duplicate_window: jiff::SignedDuration::from_mins(5),
    };
    let done = |applied: ScanApplied| match applied {
        ScanApplied::Done { colour, decision, visit } => (colour, decision, visit),
        other => panic!("the person has a status and is green: {other:?}"),
    };
    assert_eq!(store.scan(&scan(80, &cafe, 0)).await.unwrap(), ScanApplied::NoStatus);
    assert_eq!(store.latest_visit(who.id).await.unwrap(), None, "no declaration, nothing written");

    let status = HealthStatus { version: 0, ..yellow(&who) };
    let commit =
        ReportCommit { report: report(&who, 70, 1), identity: None, expected_version: None, status, changes: vec![] };
    store.commit_report(&commit).await.unwrap();
    // Yellow: the entry is refused where it is decided, and nothing is written.
    assert_eq!(
        store.scan(&scan(79, &cafe, 0)).await.unwrap(),
        ScanApplied::Refused { colour: Colour::Yellow, at: t(0) }
    );
    assert_eq!(store.latest_visit(who.id).await.unwrap(), None, "a refused entry writes no visit");
    let status = HealthStatus { version: 0, colour: Colour::Green, quarantine: None, ..yellow(&who) };
    let commit = ReportCommit {
        report: report(&who, 71, 1),
        identity: None,
        expected_version: Some(1),
        status,
        changes: vec![],
    };
    store.commit_report(&commit).await.unwrap();
    let (colour, decision, entered) = done(store.scan(&scan(81, &cafe, 0)).await.unwrap());
    assert_eq!((colour, decision), (Colour::Green, ScanDecision::Enter { close: None }));
    // The store may number the visit (SQLite does) instead of taking the
    // request's id: the id answered is the one stored.
    assert_eq!(entered.colour, Colour::Green, "the colour at the scan");
    assert_eq!(store.visit(entered.id).await.unwrap(), entered, "what it answers is what it wrote");

    let (_, decision, repeated) = done(store.scan(&scan(82, &cafe, 60)).await.unwrap());
    assert_eq!((decision, &repeated), (ScanDecision::Duplicate { visit: entered.id }, &entered));
    let (_, decision, left) = done(store.scan(&scan(83, &cafe, 600)).await.unwrap());
    assert!(matches!(decision, ScanDecision::Exit { .. }), "{decision:?}");
    assert_eq!((left.exited_at, left.exit_kind), (Some(t(600)), Some(ExitKind::Scan)));
    assert_eq!(store.visit(entered.id).await.unwrap(), left);

    let (_, _, at_shop) = done(store.scan(&scan(84, &shop, 1200)).await.unwrap());
    let (_, decision, back) = done(store.scan(&scan(85, &cafe, 1800)).await.unwrap());
    let moved = healthcode_domain::visit::Closing { visit: at_shop.id, at: t(1800), kind: ExitKind::NextCheckIn };
    assert_eq!(decision, ScanDecision::Enter { close: Some(moved) });
    assert_eq!(store.visit(at_shop.id).await.unwrap().exited_at, Some(t(1800)), "the shop visit closed by the move");

    // Many scans of one person at once: each is decided after the one before
    // it (or, where the backend cannot, conflicts), and one visit stays open.
    let requests: Vec<ScanRequest> = (0..12u8)
        .map(|i| scan(90 + i, if i % 2 == 0 { &shop } else { &cafe }, 2400 + 600 * i64::from(i % 3)))
        .collect();
    let results = all(requests.iter().map(|r| store.scan(r)).collect()).await;
    for r in &results {
        assert!(matches!(r, Ok(ScanApplied::Done { .. }) | Err(StoreError::Conflict(_))), "{r:?}");
    }
    let visits = store.resident_visits(who.id, 100).await.unwrap();
    let open = visits.iter().filter(|v| v.exited_at.is_none()).count();
    assert!(open <= 1, "at most one open visit: {visits:#?}");
    assert_eq!(Some(back.id), visits.iter().find(|v| v.id == back.id).map(|v| v.id));
}

pub async fn one_open_visit_per_person(store: &dyn Store) {
    let who = someone(store, 51).await;
    let cafe = venue(13, "+84912000013");
    store.create_venue(&cafe).await.unwrap();
    store.record_scan(None, Some(&stay(4, &who, &cafe, 0))).await.unwrap();
    let again = stay(5, &who, &cafe, 1);
    assert!(matches!(store.record_scan(None, Some(&again)).await, Err(StoreError::Conflict(_))));
    let other = someone(store, 52).await;
    store.record_scan(None, Some(&stay(6, &other, &cafe, 1))).await.unwrap();
}

/// Scans arriving together (a SQLite group commit takes them in one
/// transaction): a conflict fails that scan alone, the others are written.
pub async fn concurrent_scans_succeed_or_conflict_one_by_one(store: &dyn Store) {
    let cafe = venue(15, "+84912000015");
    store.create_venue(&cafe).await.unwrap();
    let mut people = Vec::new();
    for n in 53..57 {
        people.push(someone(store, n).await);
    }
    let first = stay(20, &people[0], &cafe, 0);
    store.record_scan(None, Some(&first)).await.unwrap();
    let close =
        healthcode_domain::visit::Closing { visit: first.id, at: t(10), kind: healthcode_domain::ExitKind::Scan };
    store.record_scan(Some(&close), None).await.unwrap();
    let (a, b) = (stay(21, &people[0], &cafe, 20), stay(22, &people[0], &cafe, 21));
    let (c, d) = (stay(23, &people[1], &cafe, 20), stay(24, &people[2], &cafe, 20));
    let late_close = healthcode_domain::visit::Closing { at: t(30), ..close };
    let e = stay(25, &people[3], &cafe, 20);
    // Closes c, then fails on a taken id: the close must be undone with it.
    let close_c = healthcode_domain::visit::Closing { visit: c.id, at: t(40), kind: healthcode_domain::ExitKind::Scan };
    let taken = healthcode_domain::Visit { id: first.id, ..stay(26, &people[1], &cafe, 40) };
    let results = all(vec![
        store.record_scan(None, Some(&a)),
        store.record_scan(None, Some(&c)),
        store.record_scan(None, Some(&b)),
        store.record_scan(Some(&late_close), Some(&e)),
        store.record_scan(None, Some(&d)),
        store.record_scan(Some(&close_c), Some(&taken)),
    ])
    .await;
    assert!(matches!(results[5], Err(StoreError::Conflict(_))), "a taken visit id: {results:?}");
    assert!(results[1].is_ok() && results[4].is_ok(), "{results:?}");
    // Two open visits for one person: one is written, the other conflicts (which one is the race's).
    let (won, lost) = match (&results[0], &results[2]) {
        (Ok(()), Err(StoreError::Conflict(_))) => (&a, &b),
        (Err(StoreError::Conflict(_)), Ok(())) => (&b, &a),
        other => panic!("exactly one of two open visits for one person: {other:?}"),
    };
    assert!(matches!(results[3], Err(StoreError::Conflict(_))), "closing a closed visit: {results:?}");
    for ok in [won, &c, &d] {
        assert_eq!(&store.visit(ok.id).await.unwrap(), ok);
    }
    for refused in [lost, &e] {
        assert!(
            matches!(store.visit(refused.id).await, Err(StoreError::NotFound)),
            "nothing of a refused scan is written"
        );
    }
    assert_eq!(store.visit(first.id).await.unwrap().exited_at, Some(t(10)), "the first close stands");
    assert_eq!(store.visit(c.id).await.unwrap().exited_at, None, "a refused scan's close is undone");
}

pub async fn expired_visits_close_automatically(store: &dyn Store) {
    let cafe = venue(14, "+84912000014");
    store.create_venue(&cafe).await.unwrap();
    let (a, b) = (someone(store, 53).await, someone(store, 54).await);
    store.record_scan(None, Some(&stay(7, &a, &cafe, 0))).await.unwrap();
    store.record_scan(None, Some(&stay(8, &b, &cafe, 100))).await.unwrap();
    assert_eq!(store.close_expired_visits(t(239 * 60), 100).await.unwrap(), 0);
    assert_eq!(store.close_expired_visits(t(240 * 60), 100).await.unwrap(), 1);
    let v = store.visit(healthcode_domain::VisitId::from_bytes([7; 16])).await.unwrap();
    assert_eq!((v.exited_at, v.exit_kind), (Some(t(240 * 60)), Some(healthcode_domain::ExitKind::Auto)));
    assert_eq!(store.close_expired_visits(t(240 * 60), 100).await.unwrap(), 0, "idempotent");
    assert!(store.visit(healthcode_domain::VisitId::from_bytes([8; 16])).await.unwrap().exited_at.is_none());
}

pub async fn venue_logs_are_time_ranged(store: &dyn Store) {
    let cafe = venue(15, "+84912000015");
    store.create_venue(&cafe).await.unwrap();
    let mut batch = Vec::new();
    for n in 0..10u8 {
        let who = someone(store, 60 + n).await;
        let mut v = stay(20 + n, &who, &cafe, i64::from(n) * 60);
        v.exited_at = Some(t(i64::from(n) * 60 + 30));
        v.exit_kind = Some(healthcode_domain::ExitKind::Scan);
        batch.push(v);
    }
    store.import_visits(&batch).await.unwrap();
    let mut ids: Vec<_> = batch.iter().map(|v| v.id).collect();
    ids.sort();
    let first = store.visits_after(None, 4).await.unwrap();
    let rest = store.visits_after(first.last().map(|v| v.id), 100).await.unwrap();
    assert_eq!([first, rest].concat().iter().map(|v| v.id).collect::<Vec<_>>(), ids, "visits page in id order");
    assert_eq!(store.last_venue_and_visit_ids().await.unwrap(), (Some(cafe.id), ids.last().copied()));
    assert_eq!(store.venues_after(None, 10).await.unwrap(), vec![cafe.clone()]);
    assert_eq!(store.counts().await.unwrap().visits, 10);
    let log = store.venue_visits(cafe.id, t(120), t(300), 100).await.unwrap();
    assert_eq!(log.iter().map(|v| v.entered_at).collect::<Vec<_>>(), vec![t(240), t(180), t(120)]);
    assert_eq!(log[0], batch[4]);
    assert_eq!(store.venue_visits(cafe.id, t(0), t(600), 2).await.unwrap().len(), 2);
}

pub async fn tracing_reads_many_people_and_venues_at_once(store: &dyn Store) {
    use healthcode_domain::{VenueId, Visit};
    let (cafe, bar) = (venue(16, "+84912000016"), venue(17, "+84912000017"));
    store.create_venue(&cafe).await.unwrap();
    store.create_venue(&bar).await.unwrap();
    let mut people = Vec::new();
    for n in 0..4u8 {
        people.push(someone(store, 80 + n).await);
    }
    // Twelve stays ten minutes apart, person n % 4, every third one at the bar.
    let mut batch = Vec::new();
    for n in 0..12u8 {
        let at = if n % 3 == 0 { &bar } else { &cafe };
        let mut v = stay(100 + n, &people[usize::from(n % 4)], at, i64::from(n) * 600);
        v.exited_at = Some(t(i64::from(n) * 600 + 300));
        v.exit_kind = Some(healthcode_domain::ExitKind::Scan);
        batch.push(v);
    }
    store.import_visits(&batch).await.unwrap();
    let by_id = |mut v: Vec<Visit>| {
        v.sort_by_key(|v| v.id);
        v
    };
    let expected = |keep: &dyn Fn(&Visit) -> bool| by_id(batch.iter().filter(|v| keep(v)).cloned().collect());
    let began = |v: &Visit, from: i64, to: i64| v.entered_at >= t(from) && v.entered_at < t(to);

    // More ids than one statement takes, mostly unknown, the known ones spread out.
    let unknown = |i: u32| u128::from(i) | (0xabcd_u128 << 112);
    let mut residents: Vec<ResidentId> = (0..1200).map(|i| ResidentId::from_bytes(unknown(i).to_be_bytes())).collect();
    residents[0] = people[0].id;
    residents[700] = people[1].id;
    residents[1199] = people[2].id;
    let wanted = [people[0].id, people[1].id, people[2].id];
    let got = store.residents_visits_between(&residents, t(1200), t(6000)).await.unwrap();
    let want = expected(&|v| wanted.contains(&v.resident) && began(v, 1200, 6000));
    assert_eq!(want.len(), 6, "the range holds its start, not its end");
    assert_eq!(by_id(got), want, "every field, each visit once");

    let mut venues: Vec<VenueId> = (0..900).map(|i| VenueId::from_bytes(unknown(i).to_be_bytes())).collect();
    venues[899] = bar.id;
    let got = store.venues_visits_between(&venues, t(0), t(3600)).await.unwrap();
    assert_eq!(by_id(got), expected(&|v| v.venue == bar.id && began(v, 0, 3600)));
    let both = store.venues_visits_between(&[cafe.id, bar.id], t(0), t(7200)).await.unwrap();
    assert_eq!(by_id(both), expected(&|v| began(v, 0, 7200)));
    assert!(store.venues_visits_between(&[], t(0), t(7200)).await.unwrap().is_empty());
    assert!(store.residents_visits_between(&[people[3].id], t(7200), t(7200)).await.unwrap().is_empty());
}

pub async fn checkpoints_and_idempotent_passages(store: &dyn Store) {
    let (a, b) = (post(2), post(1));
    store.create_checkpoint(&a).await.unwrap();
    store.create_checkpoint(&b).await.unwrap();
    assert_eq!(store.checkpoint(a.id).await.unwrap(), a);
    assert_eq!(store.checkpoints().await.unwrap(), vec![b.clone(), a.clone()], "by name");
    assert!(matches!(store.create_checkpoint(&a).await, Err(StoreError::Conflict(_))));
    let batch: Vec<_> = (1..=4).map(|n| passage(n, &a, i64::from(n) * 10)).collect();
    assert_eq!(store.record_passages(&batch).await.unwrap(), 4);
    assert_eq!(store.record_passages(&batch[2..]).await.unwrap(), 0, "a second sync records nothing new");
    let mut unreadable = passage(9, &a, 50);
    unreadable.holder = None;
    unreadable.colour = None;
    unreadable.verdict = healthcode_domain::Verdict::Deny;
    unreadable.reason = "CODE_BASE45_INVALID".into();
    assert_eq!(store.record_passages(std::slice::from_ref(&unreadable)).await.unwrap(), 1);
    let listed = store.passages(a.id, t(20), t(60), 10).await.unwrap();
    assert_eq!(listed, vec![unreadable.clone(), batch[3].clone(), batch[2].clone(), batch[1].clone()]);
    let all = store.passages_after(None, 100).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(store.counts().await.unwrap().passages, 5);
    assert!(store.passages(b.id, t(0), t(100), 10).await.unwrap().is_empty());

    // An upload past one statement (500 rows) that repeats a passage across
    // statements (at another instant) and one kept before: each passage once.
    let mut upload: Vec<_> = (0..600u16)
        .map(|k| {
            let mut p = passage(0, &b, 1_000 + i64::from(k));
            p.id = uuid::Uuid::from_u128(0xb000 + u128::from(k));
            p
        })
        .collect();
    let mut twin = upload[10].clone();
    twin.scanned_at = t(5_000);
    upload.insert(550, twin);
    upload.push(batch[0].clone());
    assert_eq!(store.record_passages(&upload).await.unwrap(), 600);
    assert_eq!(store.counts().await.unwrap().passages, 605);
    let at_b = store.passages(b.id, t(0), t(6_000), 1_000).await.unwrap();
    assert_eq!(at_b.len(), 600);
    assert!(at_b.iter().all(|p| p.scanned_at < t(5_000)), "the first of the twins stands");
}

pub async fn the_status_list_names_every_non_green_holder(store: &dyn Store) {
    let batch: Vec<ResidentBundle> = (80..84).map(bundle).collect();
    store.import_residents(&batch).await.unwrap();
    let mut green = bundle(85);
    if let Some(s) = green.status.as_mut() {
        s.colour = Colour::Green;
        s.quarantine = None;
    }
    store.import_residents(std::slice::from_ref(&green)).await.unwrap();
    let mut listed = store.non_green_holders().await.unwrap();
    listed.sort();
    let mut expected: Vec<_> = batch.iter().map(|b| (b.resident.holder, Colour::Yellow)).collect();
    expected.sort();
    assert_eq!(listed, expected);
}

pub async fn retention_purges_exactly_what_is_old(store: &dyn Store) {
    let cafe = venue(17, "+84912000017");
    store.create_venue(&cafe).await.unwrap();
    let (old_visitor, new_visitor, still_there) =
        (someone(store, 93).await, someone(store, 94).await, someone(store, 95).await);
    let mut old = stay(40, &old_visitor, &cafe, 0);
    old.exited_at = Some(t(60));
    old.exit_kind = Some(healthcode_domain::ExitKind::Scan);
    let mut recent = stay(41, &new_visitor, &cafe, 500);
    recent.exited_at = Some(t(600));
    recent.exit_kind = Some(healthcode_domain::ExitKind::Scan);
    let open_old = stay(42, &still_there, &cafe, 10); // never checked out: stays until closed
    store.import_visits(&[old.clone(), recent.clone(), open_old.clone()]).await.unwrap();
    let checkpoint = post(3);
    store.create_checkpoint(&checkpoint).await.unwrap();
    store.record_passages(&[passage(30, &checkpoint, 50), passage(31, &checkpoint, 700)]).await.unwrap();
    let r = resident(96);
    store.create_resident(&r).await.unwrap();
    let (early, late) = (report(&r, 50, 40), report(&r, 51, 900));
    for (rep, expected) in [(early.clone(), None), (late.clone(), Some(1))] {
        let status = HealthStatus { version: 0, ..yellow(&r) };
        let commit = ReportCommit { report: rep, identity: None, expected_version: expected, status, changes: vec![] };
        store.commit_report(&commit).await.unwrap();
    }

    let attempt = |n: u8, secs: i64| healthcode_domain::AttemptedEntry {
        id: uuid::Uuid::from_bytes([n; 16]),
        venue: cafe.id,
        resident: r.id,
        at: t(secs),
        colour: Colour::Red,
        source: healthcode_domain::VisitSource::SelfScan,
    };
    store.record_attempt(&attempt(60, 20)).await.unwrap();
    store.record_attempt(&attempt(61, 800)).await.unwrap();
    let expected = crate::PurgeCounts { visits: 1, reports: 1, passages: 1, attempts: 1 };
    assert_eq!(store.purge_before(t(100), crate::PurgeMode::DryRun).await.unwrap(), expected, "dry run counts");
    assert_eq!(store.counts().await.unwrap().visits, 3, "a dry run deletes nothing");
    assert_eq!(store.purge_before(t(100), crate::PurgeMode::Delete).await.unwrap(), expected);
    assert!(matches!(store.visit(old.id).await, Err(StoreError::NotFound)));
    assert_eq!(store.visit(recent.id).await.unwrap(), recent);
    assert_eq!(store.visit(open_old.id).await.unwrap(), open_old, "an open visit is never purged");
    assert_eq!(store.reports(r.id, 10).await.unwrap(), vec![late]);
    assert_eq!(store.passages_after(None, 10).await.unwrap().len(), 1);
    assert_eq!(store.venue_attempts(cafe.id, t(0), t(1000), 10).await.unwrap(), vec![attempt(61, 800)]);
    assert_eq!(
        store.purge_before(t(100), crate::PurgeMode::Delete).await.unwrap(),
        crate::PurgeCounts::default(),
        "idempotent"
    );
}

/// Scans of one person whose instants arrive out of order (two requests
/// read the clock in one order and reach the store in the other), one after
/// another and all at once: none fails, and the person's visits stay a line
/// (each exit at or after its entry and at or before the next entry, one
/// open visit at most, the latest).
pub async fn scans_out_of_clock_order_keep_visits_in_line(store: &dyn Store) {
    use crate::ScanRequest;
    use healthcode_domain::VisitId;
    let who = someone(store, 75).await;
    let places: Vec<crate::Venue> = (75..80).map(|n| venue(n, &format!("+849120000{n}"))).collect();
    for v in &places {
        store.create_venue(v).await.unwrap();
    }
    // Green: a yellow person's entries would be refused (attempted entries).
    let status = HealthStatus { version: 0, colour: Colour::Green, quarantine: None, ..yellow(&who) };
    let commit =
        ReportCommit { report: report(&who, 75, 1), identity: None, expected_version: None, status, changes: vec![] };
    store.commit_report(&commit).await.unwrap();
    let scan = |n: u8, place: usize, secs: i64| ScanRequest {
        visit: VisitId::from_bytes([n; 16]),
        resident: who.id,
        venue: places[place].id,
        at: t(secs),
        source: healthcode_domain::VisitSource::SelfScan,
        max_stay: jiff::SignedDuration::from_mins(240),
        duplicate_window: jiff::SignedDuration::from_mins(5),
    };
    // One after another, each read earlier than the one before.
    for (n, place, secs) in [(90, 0, 100), (91, 1, 50), (92, 2, 10), (93, 0, 5)] {
        store.scan(&scan(n, place, secs)).await.unwrap();
    }
    // All at once, in no order.
    let requests: Vec<ScanRequest> =
        (0..8u8).map(|i| scan(100 + i, usize::from(i % 4), 200 - i64::from(i) * 7)).collect();
    let results = all(requests.iter().map(|r| store.scan(r)).collect()).await;
    for r in &results {
        assert!(r.is_ok(), "a scan failed: {results:?}");
    }
    // A later scan at a fifth place enters (no open visit left behind).
    let last = match store.scan(&scan(120, 4, 2_000)).await.unwrap() {
        crate::ScanApplied::Done { visit, .. } => visit.id,
        other => panic!("the last scan enters: {other:?}"),
    };
    let mut visits = store.resident_visits(who.id, 100).await.unwrap();
    visits.sort_by_key(|v| (v.entered_at, v.exited_at.is_none(), v.exited_at));
    assert_eq!(visits.iter().filter(|v| v.exited_at.is_none()).count(), 1, "{visits:#?}");
    assert_eq!(visits.last().map(|v| v.id), Some(last), "{visits:#?}");
    for v in &visits {
        assert!(v.exited_at.is_none_or(|exit| exit >= v.entered_at), "exit before entry: {v:?}");
    }
    for pair in visits.windows(2) {
        assert!(pair[0].exited_at.is_some_and(|exit| exit <= pair[1].entered_at), "overlap: {pair:#?}");
    }
}

/// Yellow and red holders turned away at a venue: kept per venue (newest
/// first) and per person (oldest first, for tracing), time-ranged, and an id
/// taken twice is a conflict.
pub async fn attempted_entries_are_kept_per_venue_and_person(store: &dyn Store) {
    use healthcode_domain::{AttemptedEntry, VisitSource};
    let (cafe, shop) = (venue(72, "+84912000072"), venue(73, "+84912000073"));
    store.create_venue(&cafe).await.unwrap();
    store.create_venue(&shop).await.unwrap();
    let (a, b) = (someone(store, 74).await, someone(store, 75).await);
    let attempt = |n: u8, at: &crate::Venue, who: &Resident, secs: i64, colour: Colour| AttemptedEntry {
        id: uuid::Uuid::from_bytes([n; 16]),
        venue: at.id,
        resident: who.id,
        at: t(secs),
        colour,
        source: if n.is_multiple_of(2) { VisitSource::SelfScan } else { VisitSource::Staff },
    };
    let all = [
        attempt(1, &cafe, &a, 10, Colour::Yellow),
        attempt(2, &cafe, &b, 20, Colour::Red),
        attempt(3, &shop, &a, 30, Colour::Red),
        attempt(4, &cafe, &a, 40, Colour::Red),
    ];
    for x in &all {
        store.record_attempt(x).await.unwrap();
    }
    assert!(matches!(store.record_attempt(&all[0]).await, Err(StoreError::Conflict(_))), "an id is kept once");
    let at_cafe = store.venue_attempts(cafe.id, t(0), t(100), 10).await.unwrap();
    assert_eq!(at_cafe, vec![all[3].clone(), all[1].clone(), all[0].clone()], "newest first");
    assert_eq!(store.venue_attempts(cafe.id, t(15), t(40), 10).await.unwrap(), vec![all[1].clone()], "[from, to)");
    let of_a = store.resident_attempts(a.id, t(0), t(100), 10).await.unwrap();
    assert_eq!(of_a, vec![all[0].clone(), all[2].clone(), all[3].clone()], "oldest first");
    assert_eq!(store.resident_attempts(a.id, t(0), t(100), 1).await.unwrap().len(), 1, "limited");
}
