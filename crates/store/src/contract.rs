//! The backend-agnostic contract suite. Each backend's test binary calls
//! [`contract_tests!`](crate::contract_tests) with a future that opens a fresh
//! store, and gets one test per function below.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test suite: failures are panics

use healthcode_domain::{
    Actor, Basis, ChangeEvent, Colour, Contact, Declaration, DistrictCode, DocumentNumber, DocumentType, Evidence,
    HealthStatus, HolderId, Identity, PersonName, Quarantine, Report, ReportId, ResidentId, Role, StatusChange,
    SymptomSet, Temperature,
};
use jiff::Timestamp;
use jiff::civil::date;

use crate::{
    AccountKind, OtpChallenge, Principal, ReportCommit, Resident, ResidentBundle, SessionKind, SessionRecord, Store,
    StoreError, StoredReport, TableCounts,
};

/// Expands to one `#[tokio::test]` per contract case. `$make` is an
/// expression giving a future of `(store, guard)`; the guard (a temp dir or a
/// database handle) lives until the test ends.
#[macro_export]
macro_rules! contract_tests {
    ($make:expr) => {
        $crate::contract_tests!(@each $make;
            accounts_round_trip, duplicate_contact_conflicts, missing_resident_is_not_found,
            report_commit_is_atomic_and_versioned, history_is_newest_first_with_evidence,
            one_time_codes_upsert_and_delete, sessions_expire_and_delete, outbox_filters_newest_first,
            importing_writes_everything, export_returns_what_was_imported, sessions_transfer_idempotently,
            venues_round_trip_and_belong_to_their_owner, scans_open_and_close_visits_atomically,
            one_open_visit_per_person, expired_visits_close_automatically, venue_logs_are_time_ranged,
            checkpoints_and_idempotent_passages, the_status_list_names_every_non_green_holder,
            cases_notices_and_exposure_sites, authority_status_changes_are_versioned, the_audit_log_appends_in_order,
            risk_areas_are_in_force_for_their_period, retention_purges_exactly_what_is_old,
            rollups_replace_sum_and_list_their_days, tracing_reads_many_people_and_venues_at_once);
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let (store, _guard) = $make.await;
                $crate::contract::$name(&store).await;
            }
        )*
    };
}

fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_795_000_000 + secs).unwrap()
}

fn resident(n: u8) -> Resident {
    Resident {
        id: ResidentId::from_bytes([n; 16]),
        holder: HolderId::from_bytes([n ^ 0xff; 16]),
        contact: Contact::parse(&format!("+86138000000{n:02}")).unwrap(),
        kind: AccountKind::Resident,
        identity: None,
        created_at: t(0),
    }
}

fn identity() -> Identity {
    Identity {
        name: PersonName::parse("Li Wei").unwrap(),
        document_type: DocumentType::NationalId,
        document_number: DocumentNumber::parse("330102199001011234").unwrap(),
        district: DistrictCode::parse("330102").unwrap(),
    }
}

fn report(r: &Resident, n: u8, secs: i64) -> StoredReport {
    StoredReport {
        id: ReportId::from_bytes([n; 16]),
        resident: r.id,
        at: t(secs),
        local_date: date(2026, 11, 2),
        report: Report::Declaration(Declaration {
            symptoms: SymptomSet::parse_all(&["fever"]).unwrap(),
            temperature: Some(Temperature::from_celsius(38.1).unwrap()),
            visited_regions: vec![],
            contact_with_case: false,
            travel_plan: "train to Hangzhou".into(),
        }),
    }
}

fn yellow(r: &Resident) -> HealthStatus {
    HealthStatus {
        resident: r.id,
        colour: Colour::Yellow,
        since: t(10),
        basis: Basis::Rule { rule_id: "Y-FEVER".into(), policy_version: "v1".into() },
        quarantine: Some(Quarantine {
            required_days: 7,
            streak: 0,
            started_on: date(2026, 11, 2),
            last_counted_on: None,
        }),
        last_report_on: Some(date(2026, 11, 2)),
        version: 0,
    }
}

fn change(r: &Resident, secs: i64, event: ChangeEvent, report: ReportId) -> StatusChange {
    StatusChange {
        resident: r.id,
        at: t(secs),
        event,
        from: None,
        to: Colour::Yellow,
        basis: Basis::Rule { rule_id: "Y-FEVER".into(), policy_version: "v1".into() },
        evidence: vec![Evidence::Report { report_id: report, summary: "temperature 38.1 °C".into() }],
        actor: Actor::Resident(r.id),
    }
}

pub async fn accounts_round_trip(store: &dyn Store) {
    let mut r = resident(1);
    store.create_resident(&r).await.unwrap();
    assert_eq!(store.resident(r.id).await.unwrap(), r);
    assert_eq!(store.resident_by_contact(&r.contact).await.unwrap(), Some(r.clone()));
    assert_eq!(store.resident_by_holder(r.holder).await.unwrap(), r);
    let email = Contact::parse("visitor@example.org").unwrap();
    assert_eq!(store.resident_by_contact(&email).await.unwrap(), None);
    r = Resident {
        id: ResidentId::from_bytes([9; 16]),
        holder: HolderId::from_bytes([8; 16]),
        contact: email,
        kind: AccountKind::Visitor,
        identity: Some(identity()),
        created_at: t(5),
    };
    store.create_resident(&r).await.unwrap();
    assert_eq!(store.resident(r.id).await.unwrap(), r);
}

pub async fn duplicate_contact_conflicts(store: &dyn Store) {
    let r = resident(2);
    store.create_resident(&r).await.unwrap();
    let twin = Resident { id: ResidentId::from_bytes([3; 16]), holder: HolderId::from_bytes([4; 16]), ..r };
    assert!(matches!(store.create_resident(&twin).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.resident(twin.id).await, Err(StoreError::NotFound)));
}

pub async fn missing_resident_is_not_found(store: &dyn Store) {
    assert!(matches!(store.resident(ResidentId::from_bytes([7; 16])).await, Err(StoreError::NotFound)));
    assert!(matches!(store.resident_by_holder(HolderId::from_bytes([7; 16])).await, Err(StoreError::NotFound)));
    assert_eq!(store.status(ResidentId::from_bytes([7; 16])).await.unwrap(), None);
}

pub async fn report_commit_is_atomic_and_versioned(store: &dyn Store) {
    let r = resident(4);
    store.create_resident(&r).await.unwrap();
    let first = report(&r, 1, 10);
    let commit = ReportCommit {
        report: first.clone(),
        identity: Some(identity()),
        expected_version: None,
        status: yellow(&r),
        changes: vec![change(&r, 10, ChangeEvent::Initial, first.id)],
    };
    let saved = store.commit_report(&commit).await.unwrap();
    assert_eq!(saved.version, 1);
    assert_eq!(store.status(r.id).await.unwrap(), Some(saved.clone()));
    assert_eq!(store.resident(r.id).await.unwrap().identity, Some(identity()));
    assert_eq!(store.reports(r.id, 10).await.unwrap(), vec![first]);

    // A second first-status insert and a stale update both conflict and write nothing.
    let again = ReportCommit { report: report(&r, 2, 20), ..commit.clone() };
    assert!(matches!(store.commit_report(&again).await, Err(StoreError::Conflict(_))));
    let stale = ReportCommit { report: report(&r, 3, 30), expected_version: Some(0), ..commit.clone() };
    assert!(matches!(store.commit_report(&stale).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.reports(r.id, 10).await.unwrap().len(), 1, "a refused commit leaves no report");
    assert_eq!(store.status_history(r.id, 10).await.unwrap().len(), 1);

    let mut next = yellow(&r);
    next.quarantine =
        Some(Quarantine { streak: 1, last_counted_on: Some(date(2026, 11, 3)), ..next.quarantine.unwrap() });
    let ok = ReportCommit {
        report: report(&r, 4, 40),
        identity: None,
        expected_version: Some(1),
        status: next,
        changes: vec![],
    };
    let saved = store.commit_report(&ok).await.unwrap();
    assert_eq!(saved.version, 2);
    assert_eq!(store.status(r.id).await.unwrap().unwrap().quarantine.unwrap().streak, 1);
    let reports = store.reports(r.id, 10).await.unwrap();
    assert_eq!(
        reports.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![ReportId::from_bytes([4; 16]), ReportId::from_bytes([1; 16])]
    );
}

pub async fn history_is_newest_first_with_evidence(store: &dyn Store) {
    let r = resident(5);
    store.create_resident(&r).await.unwrap();
    let first = report(&r, 5, 10);
    let mut second_change = change(&r, 20, ChangeEvent::StreakRestarted, first.id);
    second_change.evidence.push(Evidence::MissedDays { from: date(2026, 11, 3), to: date(2026, 11, 4) });
    second_change.actor = Actor::System;
    let commit = ReportCommit {
        report: first.clone(),
        identity: None,
        expected_version: None,
        status: yellow(&r),
        changes: vec![change(&r, 10, ChangeEvent::Initial, first.id), second_change.clone()],
    };
    store.commit_report(&commit).await.unwrap();
    let history = store.status_history(r.id, 10).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0], second_change);
    assert_eq!(history[1].event, ChangeEvent::Initial);
    assert_eq!(store.status_history(r.id, 1).await.unwrap().len(), 1);
}

pub async fn one_time_codes_upsert_and_delete(store: &dyn Store) {
    let c = OtpChallenge {
        contact: "+8613800000006".into(),
        code_hash: [1; 32],
        expires_at: t(300),
        attempts: 0,
        window_start: t(0),
        sent_in_window: 1,
    };
    store.put_otp(&c).await.unwrap();
    assert_eq!(store.otp(&c.contact).await.unwrap(), Some(c.clone()));
    let c2 = OtpChallenge { code_hash: [2; 32], attempts: 3, sent_in_window: 2, ..c.clone() };
    store.put_otp(&c2).await.unwrap();
    assert_eq!(store.otp(&c.contact).await.unwrap(), Some(c2));
    store.delete_otp(&c.contact).await.unwrap();
    assert_eq!(store.otp(&c.contact).await.unwrap(), None);
}

pub async fn sessions_expire_and_delete(store: &dyn Store) {
    let r = resident(7);
    store.create_resident(&r).await.unwrap();
    let s = SessionRecord {
        token_hash: [7; 32],
        kind: SessionKind::Cookie,
        principal: Principal { role: Role::Resident, subject: r.contact.to_string(), resident: Some(r.id) },
        created_at: t(0),
        expires_at: t(100),
    };
    store.insert_session(&s).await.unwrap();
    let staff = SessionRecord {
        token_hash: [8; 32],
        kind: SessionKind::ApiToken,
        principal: Principal { role: Role::Auditor, subject: "audrey".into(), resident: None },
        ..s.clone()
    };
    store.insert_session(&staff).await.unwrap();
    assert_eq!(store.session(&s.token_hash, t(50)).await.unwrap(), Some(s.clone()));
    assert_eq!(store.session(&staff.token_hash, t(50)).await.unwrap(), Some(staff));
    assert_eq!(store.session(&s.token_hash, t(100)).await.unwrap(), None, "expired at expires_at");
    assert_eq!(store.session(&[0; 32], t(50)).await.unwrap(), None);
    store.delete_session(&s.token_hash).await.unwrap();
    assert_eq!(store.session(&s.token_hash, t(50)).await.unwrap(), None);
}

pub async fn outbox_filters_newest_first(store: &dyn Store) {
    store.push_outbox("sms", "+8613800000008", "code 111111", Some("111111"), t(1)).await.unwrap();
    store.push_outbox("sms", "+8613800000009", "code 222222", Some("222222"), t(2)).await.unwrap();
    store.push_outbox("sms", "+8613800000008", "code 333333", Some("333333"), t(3)).await.unwrap();
    let mine = store.outbox(Some("+8613800000008"), 10).await.unwrap();
    assert_eq!(mine.iter().map(|m| m.code.as_deref().unwrap()).collect::<Vec<_>>(), vec!["333333", "111111"]);
    assert_eq!(store.outbox(None, 2).await.unwrap().len(), 2);
}

fn bundle(n: u8) -> ResidentBundle {
    let r = Resident { identity: Some(identity()), ..resident(n) };
    let rep = report(&r, n, 10);
    let mut status = yellow(&r);
    status.version = 3;
    ResidentBundle {
        status: Some(status),
        changes: vec![change(&r, 10, ChangeEvent::Initial, rep.id)],
        reports: vec![rep],
        resident: r,
    }
}

pub async fn importing_writes_everything(store: &dyn Store) {
    let mut batch: Vec<ResidentBundle> = (10..20).map(bundle).collect();
    batch.push(ResidentBundle { resident: resident(30), reports: vec![], status: None, changes: vec![] });
    store.import_residents(&batch).await.unwrap();
    for seed in &batch[..10] {
        let got = store.status(seed.resident.id).await.unwrap().unwrap();
        assert_eq!(got.colour, Colour::Yellow);
        assert_eq!(got.version, 3, "an imported status keeps its version");
        assert_eq!(store.status_history(seed.resident.id, 5).await.unwrap().len(), 1);
    }
    assert_eq!(store.status(resident(30).id).await.unwrap(), None);
    assert!(matches!(store.import_residents(&batch[..1]).await, Err(StoreError::Conflict(_))), "no double import");
    assert_eq!(
        store.counts().await.unwrap(),
        TableCounts {
            residents: 11,
            reports: 10,
            statuses: 10,
            status_changes: 10,
            sessions: 0,
            venues: 0,
            visits: 0,
            checkpoints: 0,
            passages: 0,
            cases: 0,
            notices: 0,
            exposure_sites: 0,
            audit_entries: 0
        }
    );
    assert!(store.ping().await.is_ok());
}

pub async fn export_returns_what_was_imported(store: &dyn Store) {
    let mut batch: Vec<ResidentBundle> = [40u8, 41, 42, 43].into_iter().map(bundle).collect();
    // A second report and change, to check the order.
    let r = batch[1].resident.clone();
    let mut later = report(&r, 99, 20);
    later.at = t(20);
    batch[1].reports.push(later.clone());
    batch[1].changes.push(StatusChange {
        at: t(20),
        event: ChangeEvent::StreakRestarted,
        ..change(&r, 20, ChangeEvent::Initial, later.id)
    });
    store.import_residents(&batch).await.unwrap();
    let mut ids: Vec<ResidentId> = batch.iter().map(|b| b.resident.id).collect();
    ids.sort();
    assert_eq!(store.last_resident_id().await.unwrap(), ids.last().copied());
    let first = store.resident_ids_after(None, 2).await.unwrap();
    let rest = store.resident_ids_after(first.last().copied(), 10).await.unwrap();
    assert_eq!([first, rest].concat(), ids, "paging walks every id once, in order");
    let exported = store.export_residents(&[batch[1].resident.id, batch[0].resident.id]).await.unwrap();
    assert_eq!(exported, vec![batch[1].clone(), batch[0].clone()]);
}

pub async fn sessions_transfer_idempotently(store: &dyn Store) {
    let sessions: Vec<SessionRecord> = (1..=5u8)
        .map(|n| SessionRecord {
            token_hash: [n; 32],
            kind: SessionKind::ApiToken,
            principal: Principal { role: Role::Officer, subject: format!("officer{n}"), resident: None },
            created_at: t(0),
            expires_at: t(i64::from(n)),
        })
        .collect();
    store.import_sessions(&sessions).await.unwrap();
    store.import_sessions(&sessions[..2]).await.unwrap();
    let page = store.sessions_after(None, 3).await.unwrap();
    let rest = store.sessions_after(Some(page[2].token_hash), 10).await.unwrap();
    assert_eq!([page, rest].concat(), sessions, "expired ones too, in hash order");
}

fn venue(n: u8, owner: &str) -> crate::Venue {
    crate::Venue {
        id: healthcode_domain::VenueId::from_bytes([n; 16]),
        owner: healthcode_domain::PhoneNumber::parse(owner).unwrap(),
        profile: healthcode_domain::VenueProfile::parse(
            "Phở Hà Nội 河内粉",
            "12 Hàng Bạc",
            "VN-HN",
            "HN-HOAN-KIEM",
            "Hàng Bạc",
            "restaurant",
            Some(40),
            None,
        )
        .unwrap(),
        state: healthcode_domain::VenueState::Open,
        token_generation: 0,
        previous_generation_until: None,
        qr_token: format!("token-{n}"),
        created_at: t(i64::from(n)),
    }
}

fn stay(n: u8, who: &Resident, at: &crate::Venue, entered: i64) -> healthcode_domain::Visit {
    healthcode_domain::Visit {
        id: healthcode_domain::VisitId::from_bytes([n; 16]),
        resident: who.id,
        venue: at.id,
        entered_at: t(entered),
        exited_at: None,
        exit_kind: None,
        source: healthcode_domain::VisitSource::SelfScan,
        max_stay: jiff::SignedDuration::from_mins(240),
        colour: Colour::Green,
    }
}

async fn someone(store: &dyn Store, n: u8) -> Resident {
    let r = resident(n);
    store.create_resident(&r).await.unwrap();
    r
}

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
    let mut closed = a.clone();
    closed.state = healthcode_domain::VenueState::Closed;
    closed.token_generation = 1;
    closed.previous_generation_until = Some(t(100));
    closed.qr_token = "token-rotated".into();
    store.save_venue(&closed).await.unwrap();
    assert_eq!(store.venue(a.id).await.unwrap(), closed);
    assert!(matches!(store.venue(healthcode_domain::VenueId::from_bytes([9; 16])).await, Err(StoreError::NotFound)));
    assert!(matches!(store.create_venue(&a).await, Err(StoreError::Conflict(_))));
}

pub async fn scans_open_and_close_visits_atomically(store: &dyn Store) {
    use healthcode_domain::visit::Closing;
    let who = someone(store, 50).await;
    let (cafe, shop) = (venue(11, "+84912000011"), venue(12, "+84912000012"));
    store.create_venue(&cafe).await.unwrap();
    store.create_venue(&shop).await.unwrap();
    assert_eq!(store.latest_visit(who.id).await.unwrap(), None);
    let first = stay(1, &who, &cafe, 0);
    store.record_scan(None, Some(&first)).await.unwrap();
    assert_eq!(store.latest_visit(who.id).await.unwrap(), Some(first.clone()));

    let close = Closing { visit: first.id, at: t(30), kind: healthcode_domain::ExitKind::NextCheckIn };
    let second = stay(2, &who, &shop, 30);
    store.record_scan(Some(&close), Some(&second)).await.unwrap();
    let closed = store.visit(first.id).await.unwrap();
    assert_eq!((closed.exited_at, closed.exit_kind), (Some(t(30)), Some(healthcode_domain::ExitKind::NextCheckIn)));
    assert_eq!(store.latest_visit(who.id).await.unwrap(), Some(second.clone()));

    // Closing an already closed visit conflicts, and the new visit is not written either.
    let third = stay(3, &who, &cafe, 40);
    assert!(matches!(store.record_scan(Some(&close), Some(&third)).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.visit(third.id).await, Err(StoreError::NotFound)));
    let visits = store.resident_visits(who.id, 10).await.unwrap();
    assert_eq!(visits.iter().map(|v| v.id).collect::<Vec<_>>(), vec![second.id, first.id]);
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

fn post(n: u8) -> healthcode_domain::Checkpoint {
    healthcode_domain::Checkpoint {
        id: healthcode_domain::CheckpointId::from_bytes([n; 16]),
        name: format!("QL1A km {n}"),
        kind: healthcode_domain::CheckpointKind::CityEntry,
        district: DistrictCode::parse("HN-THANH-TRI").unwrap(),
        location: "National highway 1A, southbound".into(),
        created_at: t(i64::from(n)),
    }
}

fn passage(n: u8, at: &healthcode_domain::Checkpoint, secs: i64) -> healthcode_domain::Passage {
    healthcode_domain::Passage {
        id: uuid::Uuid::from_bytes([n; 16]),
        checkpoint: at.id,
        holder: Some(HolderId::from_bytes([n; 16])),
        colour: Some(Colour::Green),
        verdict: healthcode_domain::Verdict::Allow,
        reason: "CODE_VALID".into(),
        direction: healthcode_domain::Direction::In,
        scanned_at: t(secs),
        officer: "olga".into(),
        offline: n.is_multiple_of(2),
    }
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

fn case_of(n: u8, who: &Resident, secs: i64) -> healthcode_domain::Case {
    healthcode_domain::Case {
        id: healthcode_domain::CaseId::from_bytes([n; 16]),
        resident: who.id,
        kind: healthcode_domain::policy::CaseKind::Confirmed,
        onset: date(2026, 11, 1),
        isolated_on: Some(date(2026, 11, 3)),
        recorded_by: "anh".into(),
        recorded_at: t(secs),
        applied_at: None,
    }
}

pub async fn cases_notices_and_exposure_sites(store: &dyn Store) {
    let who = someone(store, 90).await;
    let (first, second) = (case_of(1, &who, 10), case_of(2, &who, 20));
    store.create_case(&first).await.unwrap();
    store.create_case(&second).await.unwrap();
    assert_eq!(store.case(first.id).await.unwrap(), first);
    assert_eq!(store.cases(10).await.unwrap(), vec![second.clone(), first.clone()]);
    assert_eq!(store.case_of(who.id).await.unwrap(), Some(second.clone()));
    assert_eq!(store.case_of(resident(91).id).await.unwrap(), None);

    let cafe = venue(16, "+84912000016");
    store.create_venue(&cafe).await.unwrap();
    let site = crate::ExposureSite { case: first.id, venue: cafe.id, from: t(100), to: t(200) };
    store.mark_case_applied(first.id, t(300), &[site.clone(), site.clone()]).await.unwrap();
    assert_eq!(store.case(first.id).await.unwrap().applied_at, Some(t(300)));
    assert_eq!(store.exposure_sites(t(150), 10).await.unwrap(), vec![site.clone()]);
    assert!(store.exposure_sites(t(200), 10).await.unwrap().is_empty(), "ended");
    assert!(matches!(
        store.mark_case_applied(healthcode_domain::CaseId::from_bytes([9; 16]), t(1), &[]).await,
        Err(StoreError::NotFound)
    ));

    let notice = crate::Notice {
        id: uuid::Uuid::from_bytes([5; 16]),
        resident: who.id,
        at: t(400),
        case: first.id,
        kind: "close".into(),
        message: "You were at a place with a case.".into(),
    };
    store.push_notice(&notice).await.unwrap();
    assert_eq!(store.notices_of(who.id, 10).await.unwrap(), vec![notice.clone()]);

    let records = store.case_records().await.unwrap();
    assert_eq!(records.cases.len(), 2);
    assert_eq!((records.notices.clone(), records.sites.clone()), (vec![notice], vec![site]));
    store.import_case_records(&records).await.unwrap();
    assert_eq!(store.case_records().await.unwrap(), records, "importing what is there changes nothing");
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.cases, counts.notices, counts.exposure_sites), (2, 1, 1));
}

pub async fn authority_status_changes_are_versioned(store: &dyn Store) {
    let who = someone(store, 92).await;
    let mut status = yellow(&who);
    status.colour = Colour::Red;
    let change = StatusChange {
        actor: Actor::Staff("anh".into()),
        ..change(&who, 10, ChangeEvent::Initial, ReportId::from_bytes([1; 16]))
    };
    let saved = store.commit_status(None, &status, std::slice::from_ref(&change)).await.unwrap();
    assert_eq!(saved.version, 1);
    assert!(matches!(store.commit_status(Some(0), &status, &[]).await, Err(StoreError::Conflict(_))));
    let saved = store.commit_status(Some(1), &status, &[]).await.unwrap();
    assert_eq!(saved.version, 2);
    assert_eq!(store.status_history(who.id, 10).await.unwrap(), vec![change]);
}

pub async fn the_audit_log_appends_in_order(store: &dyn Store) {
    assert_eq!(store.last_audit().await.unwrap(), None);
    let entry = |seq: i64, prev: [u8; 32]| crate::AuditRecord {
        seq,
        at: t(seq),
        actor: "authority:anh".into(),
        action: "case.recorded".into(),
        subject: format!("case-{seq}"),
        detail: "{}".into(),
        prev_hash: prev,
        hash: [u8::try_from(seq).unwrap(); 32],
    };
    let (first, second) = (entry(1, [0; 32]), entry(2, [1; 32]));
    store.append_audit(&first).await.unwrap();
    store.append_audit(&second).await.unwrap();
    assert!(matches!(store.append_audit(&entry(2, [1; 32])).await, Err(StoreError::Conflict(_))), "no fork");
    assert_eq!(store.last_audit().await.unwrap(), Some(second.clone()));
    assert_eq!(store.audit_after(0, 10).await.unwrap(), vec![first, second.clone()]);
    assert_eq!(store.audit_after(1, 10).await.unwrap(), vec![second]);
    assert_eq!(store.counts().await.unwrap().audit_entries, 2);
}

pub async fn risk_areas_are_in_force_for_their_period(store: &dyn Store) {
    let area = crate::RiskArea {
        id: uuid::Uuid::from_bytes([6; 16]),
        code: healthcode_domain::RegionCode::parse("VN-HN-DONG-DA").unwrap(),
        from: t(100),
        until: t(200),
        marked_by: "anh".into(),
        reason: "cluster at a market".into(),
    };
    store.add_risk_area(&area).await.unwrap();
    let records = store.case_records().await.unwrap();
    assert_eq!(records.risk_areas, vec![area.clone()], "risk areas travel with the case records");
    store.import_case_records(&records).await.unwrap();
    assert!(store.risk_areas_at(t(99)).await.unwrap().is_empty());
    assert_eq!(store.risk_areas_at(t(100)).await.unwrap(), vec![area.clone()]);
    assert!(store.risk_areas_at(t(200)).await.unwrap().is_empty(), "until is exclusive");
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

    let expected = crate::PurgeCounts { visits: 1, reports: 1, passages: 1 };
    assert_eq!(store.purge_before(t(100), crate::PurgeMode::DryRun).await.unwrap(), expected, "dry run counts");
    assert_eq!(store.counts().await.unwrap().visits, 3, "a dry run deletes nothing");
    assert_eq!(store.purge_before(t(100), crate::PurgeMode::Delete).await.unwrap(), expected);
    assert!(matches!(store.visit(old.id).await, Err(StoreError::NotFound)));
    assert_eq!(store.visit(recent.id).await.unwrap(), recent);
    assert_eq!(store.visit(open_old.id).await.unwrap(), open_old, "an open visit is never purged");
    assert_eq!(store.reports(r.id, 10).await.unwrap(), vec![late]);
    assert_eq!(store.passages_after(None, 10).await.unwrap().len(), 1);
    assert_eq!(
        store.purge_before(t(100), crate::PurgeMode::Delete).await.unwrap(),
        crate::PurgeCounts::default(),
        "idempotent"
    );
}

pub async fn rollups_replace_sum_and_list_their_days(store: &dyn Store) {
    let cell = |d: i8, district: &str, metric: &str, value: i64| crate::StatCell {
        day: date(2026, 11, d),
        district: district.into(),
        metric: metric.into(),
        value,
    };
    assert_eq!(store.first_activity().await.unwrap(), None, "an empty store has no first day");
    let day1 = vec![cell(1, "D1", "check_ins", 3), cell(1, "D2", "net_green", -2)];
    store.put_rollup(date(2026, 11, 1), &day1, t(0)).await.unwrap();
    store.put_rollup(date(2026, 11, 2), &[cell(2, "D1", "check_ins", 5)], t(0)).await.unwrap();
    // Counting a day again replaces it: no stale cell survives.
    store.put_rollup(date(2026, 11, 2), &[cell(2, "D1", "check_ins", 7)], t(1)).await.unwrap();
    store.put_rollup(date(2026, 11, 3), &[], t(1)).await.unwrap();

    let mut all = store.rollups(date(2026, 11, 1), date(2026, 11, 3)).await.unwrap();
    all.sort();
    let mut expected = day1.clone();
    expected.push(cell(2, "D1", "check_ins", 7));
    expected.sort();
    assert_eq!(all, expected);
    let mut sums = store.rollup_sums_before(date(2026, 11, 3)).await.unwrap();
    sums.sort();
    assert_eq!(sums, vec![cell(3, "D1", "check_ins", 10), cell(3, "D2", "net_green", -2)]);
    assert_eq!(
        store.rolled_days(date(2026, 11, 2), date(2026, 11, 30)).await.unwrap(),
        vec![date(2026, 11, 2), date(2026, 11, 3)],
        "an empty day is rolled too"
    );

    let r = resident(97);
    store.create_resident(&r).await.unwrap();
    assert_eq!(store.first_activity().await.unwrap(), Some(t(0)));
    let day = crate::StatDay { day: date(2026, 11, 2), start: t(-10), end: t(10) };
    assert_eq!(store.count_day(&day).await.unwrap(), vec![], "a resident alone counts nothing");
}
