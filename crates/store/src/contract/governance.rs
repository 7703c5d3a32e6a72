//! Contract cases: Cases and notices, authority findings, the audit log, risk areas, the access log, alarms and appeals.

use super::*;

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
    store.mark_case_applied(first.id, t(300), &[site.clone(), site.clone()], &audited(300)).await.unwrap();
    assert_eq!(store.case(first.id).await.unwrap().applied_at, Some(t(300)));
    assert!(
        matches!(store.mark_case_applied(first.id, t(301), &[], &audited(301)).await, Err(StoreError::Conflict(_))),
        "a case is applied once"
    );
    assert_eq!(store.case(first.id).await.unwrap().applied_at, Some(t(300)));
    assert_eq!(store.counts().await.unwrap().audit_entries, 1, "the application is audited once");
    assert_eq!(store.exposure_sites(t(150), 10).await.unwrap(), vec![site.clone()]);
    assert!(store.exposure_sites(t(200), 10).await.unwrap().is_empty(), "ended");
    assert!(matches!(
        store.mark_case_applied(healthcode_domain::CaseId::from_bytes([9; 16]), t(1), &[], &audited(1)).await,
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

pub async fn the_case_list_filters_sorts_and_pages(store: &dyn Store) {
    use crate::{CaseListQuery, CaseSort, CaseStatusFilter};
    let placed = Resident { identity: Some(identity()), ..resident(93) };
    store.create_resident(&placed).await.unwrap();
    let nowhere = someone(store, 94).await;
    let (close_a, close_b, other) = (someone(store, 95).await, someone(store, 96).await, someone(store, 97).await);
    let a = case_of(11, &placed, 10);
    let b = case_of(12, &nowhere, 20);
    let c = healthcode_domain::Case { onset: jiff::civil::date(2026, 10, 1), ..case_of(13, &placed, 30) };
    for case in [&a, &b, &c] {
        store.create_case(case).await.unwrap();
    }
    store.mark_case_applied(a.id, t(300), &[], &audited(300)).await.unwrap();
    for (n, who, kind) in [(1u8, &close_a, "close"), (2, &close_b, "close"), (3, &other, "secondary")] {
        let notice = crate::Notice {
            id: uuid::Uuid::from_bytes([n; 16]),
            resident: who.id,
            at: t(400),
            case: a.id,
            kind: kind.into(),
            message: "notified".into(),
        };
        store.push_notice(&notice).await.unwrap();
    }
    let list = |q: CaseListQuery| async move {
        let (rows, total) = store.case_list(&CaseListQuery { limit: 10, ..q }).await.unwrap();
        (rows.iter().map(|r| r.case.id).collect::<Vec<_>>(), total, rows)
    };
    let newest = CaseListQuery { descending: true, ..CaseListQuery::default() };
    let (ids, total, rows) = list(newest.clone()).await;
    assert_eq!((ids, total), (vec![c.id, b.id, a.id], 3), "newest recorded first");
    assert_eq!(rows[2].district.as_deref(), Some("330102"));
    assert_eq!(rows[1].district, None, "no declared district");
    assert_eq!((rows[2].close_notified, rows[2].secondary_notified), (2, 1));
    assert_eq!((rows[0].close_notified, rows[0].secondary_notified), (0, 0));

    let applied = CaseListQuery { status: Some(CaseStatusFilter::Applied), ..newest.clone() };
    assert_eq!(list(applied).await.0, vec![a.id]);
    let traced = CaseListQuery { status: Some(CaseStatusFilter::Traced), ..newest.clone() };
    assert_eq!(list(traced).await.0[..], [c.id, b.id]);
    let here = CaseListQuery { district: Some("330102".into()), ..newest.clone() };
    assert_eq!(list(here).await.0[..], [c.id, a.id]);
    let by_onset = CaseListQuery { sort: CaseSort::Onset, ..CaseListQuery::default() };
    assert_eq!(list(by_onset).await.0[0], c.id, "the earliest onset first");
    let by_contacts = CaseListQuery { sort: CaseSort::Contacts, ..newest.clone() };
    assert_eq!(list(by_contacts).await.0[0], a.id, "the most contacts first");
    let by_status = CaseListQuery { sort: CaseSort::Status, ..CaseListQuery::default() };
    assert_eq!(list(by_status).await.0[2], a.id, "applied after those not yet applied");

    let (page, total) = store.case_list(&CaseListQuery { limit: 2, offset: 2, ..newest.clone() }).await.unwrap();
    assert_eq!((page.iter().map(|r| r.case.id).collect::<Vec<_>>(), total), (vec![a.id], 3), "the last page");
    let (page, total) = store.case_list(&CaseListQuery { limit: 2, offset: 9, ..newest }).await.unwrap();
    assert!(page.is_empty() && total == 3, "past the end: nothing, and the total");

    let notified = store.notified_among(&[close_a.id, other.id, nowhere.id, close_a.id]).await.unwrap();
    assert_eq!(notified, [close_a.id, other.id].into_iter().collect());
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
        reader: Some(format!("{}-reader", role.as_str())),
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

/// One entry per person, reader, role, purpose, reference and UTC day: a
/// second look the same day adds nothing, another reader or day its own,
/// entries written before the rule (no reader) are never merged, and
/// readers writing overlapping sets at once all succeed.
pub async fn the_access_log_keeps_one_entry_per_reader_a_day(store: &dyn Store) {
    let (a, b) = (resident(96), resident(97));
    store.create_resident(&a).await.unwrap();
    store.create_resident(&b).await.unwrap();
    let look = |r: &Resident, secs: i64, reader: &str, reference: &str| crate::AccessRecord {
        resident: r.id,
        at: t(secs),
        role: Role::Authority,
        purpose: "trace_report".into(),
        reference: reference.into(),
        reader: Some(reader.into()),
    };
    let morning = [look(&a, 10, "anh", "case-1"), look(&b, 10, "anh", "case-1")];
    store.record_access(&morning).await.unwrap();
    store.record_access(&[look(&a, 20, "anh", "case-1"), look(&b, 20, "anh", "case-1")]).await.unwrap();
    assert_eq!(store.accesses_of(a.id, 10).await.unwrap(), vec![morning[0].clone()], "the first look of the day stays");
    assert_eq!(store.accesses_of(b.id, 10).await.unwrap(), vec![morning[1].clone()]);

    let binh = look(&a, 30, "binh", "case-1");
    let other_case = look(&a, 40, "anh", "case-2");
    let next_day = look(&a, 86_400 + 10, "anh", "case-1");
    store.record_access(&[binh.clone(), other_case.clone(), next_day.clone()]).await.unwrap();
    store.record_access(&[look(&a, 86_400 + 20, "anh", "case-1")]).await.unwrap();
    assert_eq!(
        store.accesses_of(a.id, 10).await.unwrap(),
        vec![next_day, other_case, binh, morning[0].clone()],
        "another reader, reference or day adds its own"
    );

    // Entries without a reader (written before the rule) are kept each.
    let old = crate::AccessRecord { reader: None, ..look(&b, 50, "", "case-1") };
    store.record_access(&[old.clone(), old.clone()]).await.unwrap();
    assert_eq!(store.accesses_of(b.id, 10).await.unwrap().len(), 3);

    // Readers writing overlapping sets at once: none fails, each row once.
    let mut people = Vec::new();
    for n in 0..40u8 {
        let r = resident(150 + n);
        store.create_resident(&r).await.unwrap();
        people.push(r);
    }
    let writes: Vec<std::pin::Pin<Box<dyn Future<Output = crate::StoreResult<()>> + Send + '_>>> = (0..8)
        .map(|w| {
            let rows: Vec<crate::AccessRecord> = people
                .iter()
                .enumerate()
                .filter(|(i, _)| (i + w) % 3 != 0)
                .map(|(i, p)| look(p, 100 + i as i64, if w % 2 == 0 { "chi" } else { "dung" }, "case-3"))
                .rev()
                .collect();
            Box::pin(async move { store.record_access(&rows).await }) as _
        })
        .collect();
    for result in all(writes).await {
        result.unwrap();
    }
    for p in &people {
        let entries = store.accesses_of(p.id, 10).await.unwrap();
        assert_eq!(entries.len(), 2, "one entry per reader for {:?}", p.id);
    }
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

    store.answer_appeal(second.id, "upheld", "anh", "right", t(50), &audited(50)).await.unwrap();
    let again = store.answer_appeal(second.id, "rejected", "bao", "wrong", t(60), &audited(60)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "answered once");
    let answered = store.appeal(second.id).await.unwrap();
    assert_eq!(
        (answered.state.as_str(), answered.answered_by.as_deref(), answered.answer.as_deref(), answered.answered_at),
        ("upheld", Some("anh"), Some("right"), Some(t(50)))
    );
    assert_eq!(store.pending_appeals(10).await.unwrap().len(), 1);
    assert_eq!(store.counts().await.unwrap().audit_entries, 1, "the answer is audited, the refused one not");
}

pub async fn audited_changes_commit_with_their_entry_or_not_at_all(store: &dyn Store) {
    use crate::{AuditAction, AuditActor, AuditEntry};
    let who = someone(store, 95).await;
    let first = store
        .append_audit_entry(&AuditEntry::new(t(1), AuditActor::System, AuditAction::RetentionPurged, "", "n=0"))
        .await
        .unwrap();
    assert_eq!((first.seq, first.prev_hash, first.actor.as_str()), (1, [0; 32], "system"));

    // An override decided with its entry: both are written, the entry next in the chain.
    let o = crate::Override {
        id: uuid::Uuid::from_bytes([7; 16]),
        resident: who.id,
        colour: Colour::Green,
        reason_code: "LAB-NEGATIVE".into(),
        basis: "two negative tests".into(),
        requested_by: "anh".into(),
        requested_by_id: Some("token:anh".into()),
        requested_at: t(10),
        state: "pending".into(),
        decided_by: None,
        decided_at: None,
    };
    store.create_override(&o).await.unwrap();
    let approve = AuditEntry::new(
        t(20),
        AuditActor::supervisor("bao"),
        AuditAction::OverrideApproved,
        &o.id.to_string(),
        "LAB-NEGATIVE",
    );
    store.decide_override(o.id, "approved", "bao", t(20), &approve).await.unwrap();
    assert_eq!(store.get_override(o.id).await.unwrap().state, "approved");
    let second = store.last_audit().await.unwrap().unwrap();
    assert_eq!(second, approve.chained(2, first.hash), "appended after the first, hashed over it");
    assert_eq!(second.actor, "supervisor:bao");
    assert_eq!(second.action, "override.approved");

    // A refused change writes no entry either.
    let again = AuditEntry { at: t(30), ..approve.clone() };
    let refused = store.decide_override(o.id, "rejected", "chi", t(30), &again).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "decided once");
    let missing = store.decide_override(uuid::Uuid::from_bytes([8; 16]), "approved", "chi", t(30), &again).await;
    assert!(missing.is_err());
    assert_eq!(store.last_audit().await.unwrap(), Some(second.clone()), "no entry for a refused change");
    assert_eq!(store.counts().await.unwrap().audit_entries, 2);
}

/// An audit entry for tests of changes that carry one.
fn audited(secs: i64) -> crate::AuditEntry {
    crate::AuditEntry::new(t(secs), crate::AuditActor::authority("anh"), crate::AuditAction::CaseApplied, "x", "test")
}

/// For a store whose audit log refuses every insert (each backend's own
/// test breaks it with a trigger): a change with an audit entry fails whole,
/// so neither the change nor the entry is left.
pub async fn a_failing_audit_entry_undoes_its_change(store: &dyn Store) {
    use crate::{AuditAction, AuditActor, AuditEntry};
    let who = someone(store, 96).await;
    let o = crate::Override {
        id: uuid::Uuid::from_bytes([7; 16]),
        resident: who.id,
        colour: Colour::Green,
        reason_code: "LAB-NEGATIVE".into(),
        basis: "two negative tests".into(),
        requested_by: "anh".into(),
        requested_by_id: Some("token:anh".into()),
        requested_at: t(10),
        state: "pending".into(),
        decided_by: None,
        decided_at: None,
    };
    store.create_override(&o).await.unwrap();
    let entry = AuditEntry::new(t(20), AuditActor::supervisor("bao"), AuditAction::OverrideApproved, "o", "x");
    assert!(store.decide_override(o.id, "approved", "bao", t(20), &entry).await.is_err(), "the audit insert fails");
    assert_eq!(store.get_override(o.id).await.unwrap().state, "pending", "so the decision is undone");
    assert_eq!(store.last_audit().await.unwrap(), None);
}

pub async fn peer_lists_are_kept_per_region_and_never_roll_back(store: &dyn Store) {
    use crate::PeerListRecord;
    let list = |region: &str, sequence: i64, secs: i64| PeerListRecord {
        region: region.into(),
        sequence,
        document: format!("{{\"seq\":{sequence}}}"),
        etag: Some(format!("\"{sequence}\"")),
        fetched_at: t(secs),
        checked_at: t(secs + 1),
    };
    assert!(store.peer_lists().await.unwrap().is_empty());
    store.put_peer_list(&list("XB-BBB", 10, 0)).await.unwrap();
    store.put_peer_list(&list("XA-AAA", 3, 0)).await.unwrap();
    let newer = list("XB-BBB", 11, 5);
    store.put_peer_list(&newer).await.unwrap();
    assert!(
        matches!(store.put_peer_list(&list("XB-BBB", 9, 6)).await, Err(StoreError::Conflict(_))),
        "a lower sequence is refused"
    );
    // The same sequence again (the peer confirmed it): the check time moves.
    let confirmed = PeerListRecord { checked_at: t(20), etag: None, ..newer.clone() };
    store.put_peer_list(&confirmed).await.unwrap();
    assert_eq!(store.peer_lists().await.unwrap(), vec![list("XA-AAA", 3, 0), confirmed]);
}

pub async fn the_console_lists_filter_sort_and_page(store: &dyn Store) {
    use crate::{AlarmKind, AlarmSort, AppealSort, ListQuery, OverrideSort};
    let placed = Resident { identity: Some(identity()), ..resident(98) };
    store.create_resident(&placed).await.unwrap();
    let nowhere = someone(store, 99).await;
    let over = |n: u8, who: &Resident, state: &str| crate::Override {
        id: uuid::Uuid::from_bytes([n; 16]),
        resident: who.id,
        colour: healthcode_domain::Colour::Red,
        reason_code: format!("CODE_{n}"),
        basis: "entered for the wrong person".into(),
        requested_by: "anh".into(),
        requested_by_id: None,
        requested_at: t(i64::from(n) * 10),
        state: state.into(),
        decided_by: None,
        decided_at: None,
    };
    for o in [over(31, &placed, "pending"), over(32, &nowhere, "approved"), over(33, &placed, "pending")] {
        store.create_override(&o).await.unwrap();
    }
    let overrides = |q: ListQuery<OverrideSort>| async move {
        let (rows, total) = store.override_list(&ListQuery { limit: q.limit.max(1), ..q }).await.unwrap();
        (rows.iter().map(|r| r.record.reason_code.clone()).collect::<Vec<_>>(), total, rows)
    };
    let newest = ListQuery::<OverrideSort> { descending: true, limit: 10, ..ListQuery::default() };
    let (codes, total, rows) = overrides(newest.clone()).await;
    assert_eq!((codes, total), (vec!["CODE_33".to_string(), "CODE_32".into(), "CODE_31".into()], 3));
    assert_eq!((rows[0].district.as_deref(), rows[1].district.as_deref()), (Some("330102"), None));
    let pending = ListQuery { state: Some("pending".into()), ..newest.clone() };
    assert_eq!(overrides(pending).await.1, 2);
    let here = ListQuery { district: Some("330102".into()), sort: OverrideSort::State, ..newest.clone() };
    assert_eq!(overrides(here).await.1, 2);
    let window = ListQuery { from: Some(t(320)), to: Some(t(330)), ..newest.clone() };
    assert_eq!(overrides(window).await.0, ["CODE_32"], "from included, to excluded");
    let by_state = ListQuery { sort: OverrideSort::State, descending: false, ..newest.clone() };
    assert_eq!(overrides(by_state).await.0[0], "CODE_32", "approved before pending");
    let (page, total) = store.override_list(&ListQuery { limit: 2, offset: 2, ..newest.clone() }).await.unwrap();
    assert_eq!((page.len(), total), (1, 3), "the last page");
    let (page, total) = store.override_list(&ListQuery { limit: 0, ..newest }).await.unwrap();
    assert!(page.is_empty() && total == 3, "a count alone");

    for (n, kind) in [(41u8, AlarmKind::ManualChangesBurst), (42, AlarmKind::RedWithoutCaseOrPresence)] {
        let alarm = crate::Alarm {
            id: uuid::Uuid::from_bytes([n; 16]),
            at: t(i64::from(n)),
            kind,
            subject: "all".into(),
            detail: "seen".into(),
            acknowledged_by: (n == 41).then(|| "supervisor:sam".into()),
            acknowledged_at: (n == 41).then(|| t(50)),
        };
        store.raise_alarm(&alarm).await.unwrap();
    }
    let alarms = |q: ListQuery<AlarmSort>| async move {
        let (rows, total) = store.alarm_list(&ListQuery { limit: 10, ..q }).await.unwrap();
        (rows.iter().map(|a| a.id.as_bytes()[0]).collect::<Vec<_>>(), total)
    };
    assert_eq!(alarms(ListQuery { descending: true, ..ListQuery::default() }).await, (vec![42, 41], 2));
    assert_eq!(alarms(ListQuery { state: Some("open".into()), ..ListQuery::default() }).await, (vec![42], 1));
    let burst = ListQuery { kind: Some("MANUAL_CHANGES_BURST".into()), ..ListQuery::default() };
    assert_eq!(alarms(burst).await, (vec![41], 1));
    assert_eq!(alarms(ListQuery { sort: AlarmSort::State, ..ListQuery::default() }).await.0, [42, 41], "open first");

    for (n, who, due) in [(51u8, &placed, 900), (52, &nowhere, 800)] {
        let appeal = crate::Appeal {
            id: uuid::Uuid::from_bytes([n; 16]),
            resident: who.id,
            colour: healthcode_domain::Colour::Yellow,
            message: "wrong".into(),
            submitted_at: t(i64::from(n)),
            due_at: t(due),
            state: "pending".into(),
            answered_at: None,
            answered_by: None,
            answer: None,
        };
        store.create_appeal(&appeal).await.unwrap();
    }
    let appeals = |q: ListQuery<AppealSort>| async move {
        let (rows, total) = store.appeal_list(&ListQuery { limit: 10, ..q }).await.unwrap();
        (rows.iter().map(|a| a.record.id.as_bytes()[0]).collect::<Vec<_>>(), total)
    };
    assert_eq!(appeals(ListQuery::default()).await, (vec![52, 51], 2), "the nearest deadline first");
    let here = ListQuery { district: Some("330102".into()), ..ListQuery::default() };
    assert_eq!(appeals(here).await, (vec![51], 1));
    let submitted = ListQuery { sort: AppealSort::Submitted, ..ListQuery::default() };
    assert_eq!(appeals(submitted).await.0, [51, 52]);
    assert_eq!(appeals(ListQuery { state: Some("upheld".into()), ..ListQuery::default() }).await.1, 0);
}

pub async fn the_passage_and_enterprise_lists_filter_sort_and_page(store: &dyn Store) {
    use crate::{EnterpriseSort, ListQuery, PassageSort};
    use healthcode_domain::Passage;
    let (north, south) = (post(61), post(62));
    for c in [&north, &south] {
        store.create_checkpoint(c).await.unwrap();
    }
    let turned_back = healthcode_domain::Passage {
        verdict: healthcode_domain::Verdict::Deny,
        reason: "COLOUR_RED".into(),
        ..passage(65, &south, 300)
    };
    store.record_passages(&[passage(63, &north, 100), passage(64, &south, 200), turned_back]).await.unwrap();
    let passages = |q: ListQuery<PassageSort>| async move {
        let (rows, total) = store.passage_list(&ListQuery { limit: q.limit.max(1), ..q }).await.unwrap();
        (rows.iter().map(|r| r.passage.id.as_bytes()[0]).collect::<Vec<_>>(), total, rows)
    };
    let newest = ListQuery::<PassageSort> { descending: true, limit: 10, ..ListQuery::default() };
    let (ids, total, rows) = passages(newest.clone()).await;
    assert_eq!((ids, total), (vec![65, 64, 63], 3));
    assert_eq!((rows[0].checkpoint.as_str(), rows[0].district.as_str()), ("QL1A km 62", "HN-THANH-TRI"));
    assert_eq!(passages(ListQuery { state: Some("deny".into()), ..newest.clone() }).await.0, [65]);
    let window = ListQuery { from: Some(t(100)), to: Some(t(300)), ..newest.clone() };
    assert_eq!(passages(window).await.0, [64, 63], "from included, to excluded");
    let by_place = ListQuery { sort: PassageSort::Checkpoint, descending: false, ..newest.clone() };
    assert_eq!(passages(by_place).await.0, [63, 64, 65], "by checkpoint name, then id");
    let at_south = ListQuery { places: vec![south.id.as_uuid()], ..newest.clone() };
    assert_eq!(passages(at_south).await.0, [65, 64], "at one checkpoint");
    let at_both = ListQuery { places: vec![north.id.as_uuid(), south.id.as_uuid()], ..newest.clone() };
    assert_eq!(passages(at_both).await.1, 3, "at either of two");
    let leaving = Passage { direction: healthcode_domain::Direction::Out, ..passage(66, &north, 400) };
    store.record_passages(&[leaving]).await.unwrap();
    assert_eq!(passages(ListQuery { direction: Some("out".into()), ..newest.clone() }).await.0, [66]);
    let entering_north = ListQuery {
        direction: Some("in".into()),
        places: vec![north.id.as_uuid()],
        from: Some(t(50)),
        ..newest.clone()
    };
    assert_eq!(passages(entering_north).await.0, [63], "every filter at once");
    let (page, total) = store.passage_list(&ListQuery { limit: 2, offset: 2, ..newest }).await.unwrap();
    assert_eq!((page.len(), total), (2, 4), "the last page");

    for e in [enterprise(71, "+8613700000071", 10, 500), enterprise(72, "+8613700000072", 20, 400)] {
        store.create_enterprise(&e).await.unwrap();
    }
    let enterprises = |q: ListQuery<EnterpriseSort>| async move {
        let (rows, total) = store.enterprise_list(&ListQuery { limit: q.limit.max(1), ..q }).await.unwrap();
        (rows.iter().map(|e| e.id.as_bytes()[0]).collect::<Vec<_>>(), total)
    };
    let all = ListQuery::<EnterpriseSort> { limit: 10, ..ListQuery::default() };
    assert_eq!(enterprises(all.clone()).await, (vec![72, 71], 2), "the nearest deadline first");
    assert_eq!(enterprises(ListQuery { sort: EnterpriseSort::Submitted, ..all.clone() }).await.0, [71, 72]);
    assert_eq!(
        enterprises(ListQuery { sort: EnterpriseSort::Name, descending: true, ..all.clone() }).await.0,
        [72, 71]
    );
    assert_eq!(enterprises(ListQuery { state: Some("pending".into()), ..all.clone() }).await.1, 2);
    assert_eq!(enterprises(ListQuery { state: Some("approved".into()), ..all.clone() }).await.1, 0);
    assert_eq!(enterprises(ListQuery { from: Some(t(15)), ..all.clone() }).await.0, [72]);
    let (page, total) = store.enterprise_list(&ListQuery { limit: 1, offset: 1, ..all }).await.unwrap();
    assert_eq!((page.len(), total), (1, 2));
}
