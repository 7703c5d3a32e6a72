//! Contract cases: Work resumption (applications, rosters, gate scans) and the statistics rollups.

use super::*;

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
    store.decide_enterprise(b.id, &decision, &decided_entry()).await.unwrap();
    let decided = store.enterprise(b.id).await.unwrap();
    assert_eq!(
        (decided.state, decided.decided_at, decided.decided_by.as_deref(), decided.decision_reason.as_deref()),
        (ApplicationState::Rejected, Some(t(50)), Some("anh"), Some("no temperature checks at the warehouse"))
    );
    let again = crate::EnterpriseDecision { state: ApplicationState::Approved, ..decision.clone() };
    assert!(
        matches!(store.decide_enterprise(b.id, &again, &decided_entry()).await, Err(StoreError::Conflict(_))),
        "decided once"
    );
    assert_eq!(store.enterprise(b.id).await.unwrap(), decided, "a refused decision changes nothing");
    let missing = healthcode_domain::EnterpriseId::from_bytes([9; 16]);
    assert!(matches!(store.decide_enterprise(missing, &again, &decided_entry()).await, Err(StoreError::NotFound)));
    assert!(matches!(store.enterprise(missing).await, Err(StoreError::NotFound)));
    assert_eq!(store.enterprises_in_state(ApplicationState::Pending, 10).await.unwrap().len(), 2);
    assert_eq!(store.counts().await.unwrap().audit_entries, 1, "only the decision that was made is audited");
    assert_eq!(store.enterprises_in_state(ApplicationState::Rejected, 10).await.unwrap(), vec![decided]);
}

pub async fn enterprises_are_read_by_id_in_one_call(store: &dyn Store) {
    let (a, b) = (enterprise(31, "+84912000131", 0, 300), enterprise(32, "+84912000132", 10, 200));
    for e in [&a, &b] {
        store.create_enterprise(e).await.unwrap();
    }
    assert_eq!(store.enterprises_by_id(&[]).await.unwrap(), vec![], "no ids, no enterprises");
    let unknown = healthcode_domain::EnterpriseId::from_uuid(uuid::Uuid::from_bytes([9; 16]));
    let got = store.enterprises_by_id(&[b.id, unknown, b.id]).await.unwrap();
    assert_eq!(got, vec![b.clone()], "the known one, once, whole");
    let mut many: Vec<_> = (0..1200u16)
        .map(|n| {
            let mut bytes = [5u8; 16];
            bytes[..2].copy_from_slice(&n.to_be_bytes());
            healthcode_domain::EnterpriseId::from_uuid(uuid::Uuid::from_bytes(bytes))
        })
        .collect();
    many.extend([a.id, b.id]);
    let got = store.enterprises_by_id(&many).await.unwrap();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.contains(&a) && got.contains(&b));
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
    // Flagged at the gate (a fever): scanned, but not counted on site.
    assert_eq!(
        (a.colour, a.last_report_on, a.scanned_today, a.fever_today),
        (Some(Colour::Yellow), Some(date(2026, 11, 2)), false, true)
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

fn decided_entry() -> crate::AuditEntry {
    crate::AuditEntry::new(
        t(50),
        crate::AuditActor::authority("anh"),
        crate::AuditAction::EnterpriseRejected,
        "enterprise",
        "within the deadline",
    )
}
