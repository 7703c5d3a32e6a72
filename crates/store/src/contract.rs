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
            one_open_visit_per_person, concurrent_scans_succeed_or_conflict_one_by_one,
            expired_visits_close_automatically, venue_logs_are_time_ranged,
            checkpoints_and_idempotent_passages, the_status_list_names_every_non_green_holder,
            cases_notices_and_exposure_sites, authority_status_changes_are_versioned, the_audit_log_appends_in_order,
            risk_areas_are_in_force_for_their_period, retention_purges_exactly_what_is_old,
            rollups_replace_sum_and_list_their_days, the_access_log_is_per_person_newest_first,
            appeals_are_answered_once_earliest_deadline_first,
            applications_are_decided_once_earliest_deadline_first, rosters_invite_accept_remove_and_reinvite,
            gate_scans_feed_the_roster_snapshot_and_copy,
            alarms_are_listed_open_first_and_acknowledged_once, tracing_reads_many_people_and_venues_at_once);
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
            audit_entries: 0,
            enterprises: 0,
            employees: 0,
            gate_scans: 0,
            appeals: 0,
            access_log: 0,
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

/// Polls every future until all are done: a small `join_all`, so this crate needs no runtime.
async fn all<'a, T>(mut pending: Vec<std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>>) -> Vec<T> {
    use std::task::Poll;
    let mut done: Vec<Option<T>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (future, slot) in pending.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(v) => *slot = Some(v),
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    done.into_iter().map(|v| v.unwrap()).collect()
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

pub async fn the_access_log_is_per_person_newest_first(store: &dyn Store) {
    let (a, b) = (resident(98), resident(99));
    store.create_resident(&a).await.unwrap();
    store.create_resident(&b).await.unwrap();
    let entry = |r: &Resident, secs: i64, role: Role, purpose: &str| crate::AccessRecord {
        resident: r.id,
        at: t(secs),
        role,
        purpose: purpose.into(),
        reference: "ref-1".into(),
    };
    let first = entry(&a, 10, Role::Authority, "trace_report");
    let later = entry(&a, 20, Role::Venue, "venue_log");
    store.record_access(&[first.clone(), entry(&b, 15, Role::Authority, "trace_report")]).await.unwrap();
    store.record_access(std::slice::from_ref(&later)).await.unwrap();
    store.record_access(&[]).await.unwrap();
    assert_eq!(store.accesses_of(a.id, 10).await.unwrap(), vec![later.clone(), first]);
    assert_eq!(store.accesses_of(a.id, 1).await.unwrap(), vec![later]);
    assert_eq!(store.accesses_of(b.id, 10).await.unwrap().len(), 1);
}

fn enterprise(n: u8, owner: &str, submitted: i64, due: i64) -> crate::Enterprise {
    use healthcode_domain::{ApplicationState, EnterpriseId, EnterpriseProfile, PhoneNumber, Site};
    let sites = vec![
        Site::parse("Main plant", "1 River Road", "330102").unwrap(),
        Site::parse("Warehouse 仓库", "9 Canal Street", "330105").unwrap(),
    ];
    crate::Enterprise {
        id: EnterpriseId::from_bytes([n; 16]),
        owner: PhoneNumber::parse(owner).unwrap(),
        profile: EnterpriseProfile::parse(
            &format!("Acme {n}"),
            sites,
            120,
            "masks, distancing, daily temperature checks",
        )
        .unwrap(),
        state: ApplicationState::Pending,
        submitted_at: t(submitted),
        due_at: t(due),
        decided_at: None,
        decided_by: None,
        decision_reason: None,
    }
}

fn phone(s: &str) -> healthcode_domain::PhoneNumber {
    healthcode_domain::PhoneNumber::parse(s).unwrap()
}

pub async fn applications_are_decided_once_earliest_deadline_first(store: &dyn Store) {
    use healthcode_domain::ApplicationState;
    let (a, b, c) = (
        enterprise(1, "+84912000101", 0, 300),
        enterprise(2, "+84912000101", 10, 200),
        enterprise(3, "+84912000102", 20, 100),
    );
    for e in [&a, &b, &c] {
        store.create_enterprise(e).await.unwrap();
    }
    assert!(matches!(store.create_enterprise(&a).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.enterprise(a.id).await.unwrap(), a, "sites, district and measures round-trip");
    let mine = store.enterprises_of(&a.owner).await.unwrap();
    assert_eq!(mine.iter().map(|e| e.id).collect::<Vec<_>>(), vec![b.id, a.id], "newest first, only mine");
    let pending = store.enterprises_in_state(ApplicationState::Pending, 10).await.unwrap();
    assert_eq!(pending.iter().map(|e| e.id).collect::<Vec<_>>(), vec![c.id, b.id, a.id], "earliest deadline first");

    let decision = crate::EnterpriseDecision {
        state: ApplicationState::Rejected,
        by: "anh".into(),
        reason: "no temperature checks at the warehouse".into(),
        at: t(50),
    };
    store.decide_enterprise(b.id, &decision).await.unwrap();
    let decided = store.enterprise(b.id).await.unwrap();
    assert_eq!(
        (decided.state, decided.decided_at, decided.decided_by.as_deref(), decided.decision_reason.as_deref()),
        (ApplicationState::Rejected, Some(t(50)), Some("anh"), Some("no temperature checks at the warehouse"))
    );
    let again = crate::EnterpriseDecision { state: ApplicationState::Approved, ..decision.clone() };
    assert!(matches!(store.decide_enterprise(b.id, &again).await, Err(StoreError::Conflict(_))), "decided once");
    assert_eq!(store.enterprise(b.id).await.unwrap(), decided, "a refused decision changes nothing");
    let missing = healthcode_domain::EnterpriseId::from_bytes([9; 16]);
    assert!(matches!(store.decide_enterprise(missing, &again).await, Err(StoreError::NotFound)));
    assert!(matches!(store.enterprise(missing).await, Err(StoreError::NotFound)));
    assert_eq!(store.enterprises_in_state(ApplicationState::Pending, 10).await.unwrap().len(), 2);
    assert_eq!(store.enterprises_in_state(ApplicationState::Rejected, 10).await.unwrap(), vec![decided]);
}

pub async fn rosters_invite_accept_remove_and_reinvite(store: &dyn Store) {
    let firm = enterprise(4, "+84912000103", 0, 100);
    store.create_enterprise(&firm).await.unwrap();
    let worker = someone(store, 30).await;
    let line = phone(worker.contact.as_str());
    store.invite_employee(firm.id, &line, t(1)).await.unwrap();
    assert!(matches!(store.invite_employee(firm.id, &line, t(2)).await, Err(StoreError::Conflict(_))));
    let invited = store.employee(firm.id, &line).await.unwrap();
    assert_eq!((invited.resident, invited.invited_at, invited.accepted_at), (None, t(1), None));
    assert_eq!(store.employers_of(&line).await.unwrap(), vec![invited.clone()]);
    assert_eq!(store.employee_by_resident(firm.id, worker.id).await.unwrap(), None, "not linked before accepting");

    store.accept_invitation(firm.id, &line, worker.id, t(3)).await.unwrap();
    assert!(matches!(store.accept_invitation(firm.id, &line, worker.id, t(4)).await, Err(StoreError::Conflict(_))));
    let linked = store.employee_by_resident(firm.id, worker.id).await.unwrap().unwrap();
    assert_eq!((linked.resident, linked.accepted_at), (Some(worker.id), Some(t(3))));
    let stranger = phone("+84912000999");
    assert!(matches!(store.accept_invitation(firm.id, &stranger, worker.id, t(4)).await, Err(StoreError::NotFound)));

    store.remove_employee(firm.id, &line, t(5)).await.unwrap();
    assert!(matches!(store.remove_employee(firm.id, &line, t(6)).await, Err(StoreError::NotFound)));
    assert_eq!(store.employee_by_resident(firm.id, worker.id).await.unwrap(), None, "removal is immediate");
    assert!(store.employers_of(&line).await.unwrap().is_empty());
    assert!(store.roster_snapshot(firm.id, t(0), t(100), 373).await.unwrap().is_empty());
    let kept = store.employee(firm.id, &line).await.unwrap();
    assert_eq!(kept.removed_at, Some(t(5)), "the line stays for the statistics");
    assert!(matches!(store.accept_invitation(firm.id, &line, worker.id, t(6)).await, Err(StoreError::NotFound)));

    store.invite_employee(firm.id, &line, t(7)).await.unwrap();
    let again = store.employee(firm.id, &line).await.unwrap();
    assert_eq!(
        (again.resident, again.invited_at, again.accepted_at, again.removed_at),
        (None, t(7), None, None),
        "a new invitation starts afresh"
    );
}

pub async fn gate_scans_feed_the_roster_snapshot_and_copy(store: &dyn Store) {
    use healthcode_domain::{EnterpriseId, Temperature};
    let firm = enterprise(5, "+84912000104", 0, 100);
    store.create_enterprise(&firm).await.unwrap();
    let mut batch = vec![bundle(31), bundle(32)];
    let (ill, well) = (batch[0].resident.clone(), batch[1].resident.clone());
    if let Some(s) = batch[1].status.as_mut() {
        s.colour = Colour::Green;
        s.quarantine = None;
    }
    store.import_residents(&batch).await.unwrap();
    for who in [&ill, &well] {
        let line = phone(who.contact.as_str());
        store.invite_employee(firm.id, &line, t(1)).await.unwrap();
        store.accept_invitation(firm.id, &line, who.id, t(2)).await.unwrap();
    }
    store.invite_employee(firm.id, &phone("+84912000998"), t(3)).await.unwrap();

    let scan = |n: u8, who: &Resident, secs: i64, tenths: Option<u16>| crate::GateScan {
        id: uuid::Uuid::from_bytes([n; 16]),
        enterprise: firm.id,
        resident: who.id,
        scanned_at: t(secs),
        colour: Colour::Green,
        temperature: tenths.map(|v| Temperature::from_tenths(v).unwrap()),
        flagged: tenths.is_some_and(|v| v >= 373),
        reason: if tenths.is_some_and(|v| v >= 373) { "FEVER".into() } else { "CLEAR".into() },
    };
    let (yesterday, fever, normal) =
        (scan(1, &well, 5, Some(380)), scan(2, &ill, 60, Some(375)), scan(3, &well, 70, None));
    for s in [&yesterday, &fever, &normal] {
        store.record_gate_scan(s).await.unwrap();
    }
    assert!(matches!(store.record_gate_scan(&fever).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.gate_scans(firm.id, t(50), t(100), 10).await.unwrap(), vec![normal.clone(), fever.clone()]);

    let roster = store.roster_snapshot(firm.id, t(50), t(100), 373).await.unwrap();
    assert_eq!(roster.len(), 3, "two linked lines and one invitation");
    let line_of = |who: &Resident| roster.iter().find(|l| l.resident == Some(who.id)).unwrap().clone();
    let (a, b) = (line_of(&ill), line_of(&well));
    assert_eq!(
        (a.colour, a.last_report_on, a.scanned_today, a.fever_today),
        (Some(Colour::Yellow), Some(date(2026, 11, 2)), true, true)
    );
    assert_eq!(a.name.as_ref().map(|n| n.as_str()), Some("Li Wei"));
    assert_eq!(
        (b.colour, b.scanned_today, b.fever_today),
        (Some(Colour::Green), true, false),
        "yesterday's fever is not today's"
    );
    let pending = roster.iter().find(|l| l.resident.is_none()).unwrap();
    assert_eq!((pending.accepted_at, pending.colour, pending.name.clone()), (None, None, None));
    assert!(store.roster_snapshot(EnterpriseId::from_bytes([8; 16]), t(0), t(100), 373).await.unwrap().is_empty());

    let records = store.enterprise_records().await.unwrap();
    assert_eq!((records.enterprises.len(), records.employees.len(), records.gate_scans.len()), (1, 3, 3));
    store.import_enterprise_records(&records).await.unwrap();
    assert_eq!(store.enterprise_records().await.unwrap(), records, "importing what is there changes nothing");
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.enterprises, counts.employees, counts.gate_scans), (1, 3, 3));
}

pub async fn alarms_are_listed_open_first_and_acknowledged_once(store: &dyn Store) {
    use crate::{Alarm, AlarmKind};
    let alarm = |n: u8, secs: i64, kind: AlarmKind, subject: &str| Alarm {
        id: uuid::Uuid::from_bytes([n; 16]),
        at: t(secs),
        kind,
        subject: subject.into(),
        detail: format!("detail {n}"),
        acknowledged_by: None,
        acknowledged_at: None,
    };
    let (old, burst, red) = (
        alarm(1, 10, AlarmKind::ManualChangesBurst, "all"),
        alarm(2, 20, AlarmKind::ManualChangesBurst, "staff:sam"),
        alarm(3, 30, AlarmKind::RedWithoutCaseOrPresence, "0190aaaa"),
    );
    for a in [&old, &burst, &red] {
        store.raise_alarm(a).await.unwrap();
    }
    assert!(matches!(store.raise_alarm(&old).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.alarm(red.id).await.unwrap(), red);
    let missing = uuid::Uuid::from_bytes([9; 16]);
    assert!(matches!(store.alarm(missing).await, Err(StoreError::NotFound)));

    store.acknowledge_alarm(burst.id, "supervisor:sam", t(40)).await.unwrap();
    assert!(
        matches!(store.acknowledge_alarm(burst.id, "authority:anh", t(41)).await, Err(StoreError::Conflict(_))),
        "acknowledged once"
    );
    assert!(matches!(store.acknowledge_alarm(missing, "authority:anh", t(41)).await, Err(StoreError::NotFound)));
    let acknowledged = store.alarm(burst.id).await.unwrap();
    assert_eq!(
        (acknowledged.acknowledged_by.as_deref(), acknowledged.acknowledged_at),
        (Some("supervisor:sam"), Some(t(40))),
        "the first acknowledgement stays"
    );
    let ids: Vec<_> = store.alarms(10).await.unwrap().iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![red.id, old.id, burst.id], "open ones first, newest first");
    assert_eq!(store.alarms(1).await.unwrap().len(), 1);
    let records = store.case_records().await.unwrap();
    assert_eq!(records.alarms.iter().map(|a| a.id).collect::<Vec<_>>(), vec![old.id, burst.id, red.id]);
    assert_eq!(records.alarms[1], acknowledged, "alarms travel with the case records");
    store.import_case_records(&records).await.unwrap();
    assert_eq!(store.case_records().await.unwrap(), records, "importing what is there changes nothing");

    let open = |kind, subject, secs| store.open_alarm_since(kind, subject, t(secs));
    assert_eq!(
        open(AlarmKind::ManualChangesBurst, None, 0).await.unwrap(),
        Some(old.clone()),
        "acknowledged ones do not count"
    );
    assert_eq!(open(AlarmKind::ManualChangesBurst, None, 11).await.unwrap(), None, "too old");
    assert_eq!(open(AlarmKind::RedWithoutCaseOrPresence, Some("0190aaaa"), 0).await.unwrap(), Some(red));
    assert_eq!(open(AlarmKind::RedWithoutCaseOrPresence, Some("0190bbbb"), 0).await.unwrap(), None);

    let (a, b) = (someone(store, 120).await, someone(store, 121).await);
    let sam = Actor::Staff("sam".into());
    let manual = |who: &Resident, secs: i64, event: ChangeEvent, actor: &Actor| StatusChange {
        actor: actor.clone(),
        ..change(who, secs, event, ReportId::from_bytes([1; 16]))
    };
    let changes = [
        manual(&a, 10, ChangeEvent::Override, &sam),
        manual(&a, 20, ChangeEvent::Override, &Actor::Staff("kim".into())),
        manual(&a, 30, ChangeEvent::ColourRaised, &sam),
        manual(&a, 35, ChangeEvent::AppealUpheld, &Actor::Staff("kim".into())),
    ];
    store.commit_status(None, &yellow(&a), &changes).await.unwrap();
    store.commit_status(None, &yellow(&b), &[manual(&b, 40, ChangeEvent::Override, &sam)]).await.unwrap();
    assert_eq!(store.manual_changes_since(t(0), None).await.unwrap(), 4, "a rule change is not manual");
    assert_eq!(store.manual_changes_since(t(20), None).await.unwrap(), 3, "since is inclusive");
    assert_eq!(
        store.manual_changes_since(t(0), Some(&Actor::Staff("kim".into()))).await.unwrap(),
        2,
        "upheld appeals count"
    );
    assert_eq!(store.manual_changes_since(t(0), Some(&sam)).await.unwrap(), 2);
    assert_eq!(store.manual_changes_since(t(41), Some(&sam)).await.unwrap(), 0);
    assert_eq!(store.manual_changes_since(t(0), Some(&Actor::System)).await.unwrap(), 0);
}

pub async fn appeals_are_answered_once_earliest_deadline_first(store: &dyn Store) {
    let r = resident(91);
    store.create_resident(&r).await.unwrap();
    let appeal = |n: u8, submitted: i64, due: i64| crate::Appeal {
        id: uuid::Uuid::from_bytes([n; 16]),
        resident: r.id,
        colour: Colour::Yellow,
        message: format!("appeal {n}: the reading was wrong"),
        submitted_at: t(submitted),
        due_at: t(due),
        state: "pending".into(),
        answered_at: None,
        answered_by: None,
        answer: None,
    };
    let (first, second) = (appeal(1, 0, 500), appeal(2, 10, 100));
    store.create_appeal(&first).await.unwrap();
    store.create_appeal(&second).await.unwrap();
    assert_eq!(store.appeal(first.id).await.unwrap(), first);
    assert!(matches!(store.appeal(uuid::Uuid::from_bytes([9; 16])).await, Err(StoreError::NotFound)));
    let pending: Vec<_> = store.pending_appeals(10).await.unwrap().into_iter().map(|a| a.id).collect();
    assert_eq!(pending, vec![second.id, first.id], "earliest deadline first");
    let mine: Vec<_> = store.appeals_of(r.id, 10).await.unwrap().into_iter().map(|a| a.id).collect();
    assert_eq!(mine, vec![second.id, first.id], "newest first");

    store.answer_appeal(second.id, "upheld", "anh", "right", t(50)).await.unwrap();
    let again = store.answer_appeal(second.id, "rejected", "bao", "wrong", t(60)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "answered once");
    let answered = store.appeal(second.id).await.unwrap();
    assert_eq!(
        (answered.state.as_str(), answered.answered_by.as_deref(), answered.answer.as_deref(), answered.answered_at),
        ("upheld", Some("anh"), Some("right"), Some(t(50)))
    );
    assert_eq!(store.pending_appeals(10).await.unwrap().len(), 1);
}
