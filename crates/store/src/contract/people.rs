//! Contract cases: Accounts, reports and statuses, sessions and one-time codes, the outbox, imports and exports.

use super::*;

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
        report: StoredReport { channel: Some(ReportChannel::StaffAssisted), ..report(&r, 4, 40) },
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
    // The channel a report arrived by is kept.
    assert_eq!(
        reports.iter().map(|x| x.channel).collect::<Vec<_>>(),
        vec![Some(ReportChannel::StaffAssisted), Some(ReportChannel::HotlineImport)]
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

/// Fifty guesses race at one code: at most `max` are counted and get the hash
/// to compare, the rest see nothing; an expired code counts no guess at all.
pub async fn one_time_code_guesses_are_counted_atomically(store: &dyn Store) {
    const MAX: u32 = 5;
    let c = OtpChallenge {
        contact: "+8613800000016".into(),
        code_hash: [9; 32],
        expires_at: t(300),
        attempts: 0,
        window_start: t(0),
        sent_in_window: 1,
    };
    store.put_otp(&c).await.unwrap();
    let guesses = (0..50).map(|_| store.count_otp_attempt(&c.contact, MAX, t(10))).collect();
    let results = super::all(guesses).await;
    let evaluated = results.iter().filter(|r| matches!(r, Ok(Some(h)) if *h == c.code_hash)).count();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(evaluated, MAX as usize, "exactly max guesses were counted");
    assert_eq!(store.otp(&c.contact).await.unwrap().unwrap().attempts, MAX);
    assert_eq!(store.count_otp_attempt(&c.contact, MAX, t(10)).await.unwrap(), None);

    let fresh = OtpChallenge { contact: "+8613800000017".into(), ..c.clone() };
    store.put_otp(&fresh).await.unwrap();
    assert_eq!(store.count_otp_attempt(&fresh.contact, MAX, t(300)).await.unwrap(), None, "expired at expires_at");
    assert_eq!(store.otp(&fresh.contact).await.unwrap().unwrap().attempts, 0);
    assert_eq!(store.count_otp_attempt("+8613800000018", MAX, t(10)).await.unwrap(), None, "never requested");

    // A code works once: only the first taker with the right hash deletes it.
    assert!(!store.take_otp(&fresh.contact, &[1; 32]).await.unwrap());
    let takes =
        super::all(vec![store.take_otp(&fresh.contact, &c.code_hash), store.take_otp(&fresh.contact, &c.code_hash)])
            .await;
    assert_eq!(takes.iter().filter(|r| matches!(r, Ok(true))).count(), 1, "{takes:?}");
    assert_eq!(store.otp(&fresh.contact).await.unwrap(), None);
}

pub async fn a_subjects_sessions_are_listed_extended_and_revoked(store: &dyn Store) {
    let r = resident(17);
    store.create_resident(&r).await.unwrap();
    let subject = r.contact.to_string();
    let older = SessionRecord {
        token_hash: [17; 32],
        kind: SessionKind::Cookie,
        principal: Principal { role: Role::Resident, subject: subject.clone(), resident: Some(r.id) },
        created_at: t(0),
        expires_at: t(100),
        scope: None,
    };
    let newer = SessionRecord { token_hash: [18; 32], kind: SessionKind::ApiToken, created_at: t(10), ..older.clone() };
    let other = SessionRecord {
        token_hash: [19; 32],
        principal: Principal { role: Role::Auditor, subject: "audrey".into(), resident: None },
        ..older.clone()
    };
    for s in [&older, &newer, &other] {
        store.insert_session(s).await.unwrap();
    }
    assert_eq!(store.sessions_of(&subject).await.unwrap(), vec![newer.clone(), older.clone()]);
    store.extend_session(&older.token_hash, t(500)).await.unwrap();
    assert_eq!(store.session(&older.token_hash, t(200)).await.unwrap().unwrap().expires_at, t(500));
    assert_eq!(store.delete_sessions_of(&subject).await.unwrap(), 2);
    assert_eq!(store.sessions_of(&subject).await.unwrap(), vec![]);
    assert_eq!(store.session(&older.token_hash, t(50)).await.unwrap(), None);
    assert_eq!(store.session(&other.token_hash, t(50)).await.unwrap(), Some(other));
}

/// A new resident `n`, stored, and a session of theirs with hash `[n; 32]`,
/// from `t(0)` to `t(100)` (not stored).
async fn residents_session(store: &dyn Store, n: u8, kind: SessionKind) -> SessionRecord {
    let r = resident(n);
    store.create_resident(&r).await.unwrap();
    SessionRecord {
        token_hash: [n; 32],
        kind,
        principal: Principal { role: Role::Resident, subject: r.contact.to_string(), resident: Some(r.id) },
        created_at: t(0),
        expires_at: t(100),
        scope: None,
    }
}

pub async fn sessions_expire_and_delete(store: &dyn Store) {
    let s = residents_session(store, 7, SessionKind::Cookie).await;
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

/// Two requests exchange one session at the same moment (a refresh from two
/// tabs, or a stolen token raced against its owner): one gets the new
/// session, the other nothing, and the old one is gone.
pub async fn a_session_is_exchanged_once(store: &dyn Store) {
    let old = residents_session(store, 9, SessionKind::ApiToken).await;
    store.insert_session(&old).await.unwrap();
    let news: Vec<SessionRecord> =
        (22..26).map(|n| SessionRecord { token_hash: [n; 32], created_at: t(10), ..old.clone() }).collect();
    let exchanged = all(news.iter().map(|new| store.replace_session(&old.token_hash, new)).collect()).await;
    let won: Vec<&SessionRecord> =
        news.iter().zip(&exchanged).filter(|(_, done)| *done.as_ref().unwrap()).map(|(new, _)| new).collect();
    assert_eq!(won.len(), 1, "exactly one exchange: {exchanged:?}");
    assert_eq!(store.session(&old.token_hash, t(50)).await.unwrap(), None, "the old session is gone");
    for new in &news {
        let kept = store.session(&new.token_hash, t(50)).await.unwrap();
        assert_eq!(kept.as_ref(), (new == won[0]).then_some(new), "only the winner's new session exists");
    }
    assert!(!store.replace_session(&old.token_hash, &news[0]).await.unwrap(), "an ended session is not exchanged");
}

pub async fn outbox_filters_newest_first(store: &dyn Store) {
    store.push_outbox("sms", "+8613800000008", "code 111111", Some("111111"), t(1)).await.unwrap();
    store.push_outbox("sms", "+8613800000009", "code 222222", Some("222222"), t(2)).await.unwrap();
    store.push_outbox("sms", "+8613800000008", "code 333333", Some("333333"), t(3)).await.unwrap();
    let mine = store.outbox(Some("+8613800000008"), 10).await.unwrap();
    assert_eq!(mine.iter().map(|m| m.code.as_deref().unwrap()).collect::<Vec<_>>(), vec!["333333", "111111"]);
    assert_eq!(store.outbox(None, 2).await.unwrap().len(), 2);
    assert_eq!(store.clear_outbox().await.unwrap(), 3);
    assert_eq!(store.outbox(None, 10).await.unwrap(), vec![]);
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
            test_results: 0,
            false_declarations: 0,
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
            scope: Some(format!("{{\"checkpoints\":[\"c{n}\"]}}")),
        })
        .collect();
    store.import_sessions(&sessions).await.unwrap();
    store.import_sessions(&sessions[..2]).await.unwrap();
    let page = store.sessions_after(None, 3).await.unwrap();
    let rest = store.sessions_after(Some(page[2].token_hash), 10).await.unwrap();
    assert_eq!([page, rest].concat(), sessions, "expired ones too, in hash order");
}
