//! Contract cases: laboratory test results and false declarations.

use super::*;
use healthcode_domain::{LabName, TestKind, TestOutcome, TestResult, TestResultId};

fn result(n: u8, who: &Resident, outcome: TestOutcome, sampled: i64) -> TestResult {
    TestResult {
        id: TestResultId::from_bytes([n; 16]),
        resident: who.id,
        kind: TestKind::Pcr,
        outcome,
        sampled_at: t(sampled),
        lab: LabName::parse("Hanoi CDC").unwrap(),
        recorded_by: "lab-hn".into(),
        recorded_at: t(sampled + 3600),
        channel: "csv".into(),
        case: None,
    }
}

pub async fn test_results_are_recorded_once_and_open_one_case(store: &dyn Store) {
    let who = someone(store, 70).await;
    let first = result(1, &who, TestOutcome::Negative, 0);
    store.insert_test_result(&first).await.unwrap();
    assert_eq!(store.test_result(first.id).await.unwrap(), first);
    // The same sample again (another id): a conflict, nothing written.
    let again = TestResult { id: TestResultId::from_bytes([2; 16]), ..first.clone() };
    assert!(matches!(store.insert_test_result(&again).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.test_result(again.id).await, Err(StoreError::NotFound)));
    let positive = result(3, &who, TestOutcome::Positive, 100);
    let antigen = TestResult { id: TestResultId::from_bytes([4; 16]), kind: TestKind::Antigen, ..positive.clone() };
    store.insert_test_result(&positive).await.unwrap();
    store.insert_test_result(&antigen).await.unwrap();
    let mine: Vec<_> = store.test_results_of(who.id, 10).await.unwrap().into_iter().map(|r| r.id).collect();
    assert_eq!(mine, vec![antigen.id, positive.id, first.id], "latest sample first");
    assert_eq!(store.recent_test_results(1).await.unwrap().len(), 1);
    assert_eq!(store.latest_sample(who.id, TestOutcome::Negative, t(50)).await.unwrap(), Some(t(0)));
    assert_eq!(store.latest_sample(who.id, TestOutcome::Positive, t(50)).await.unwrap(), None, "not yet sampled");
    assert_eq!(store.latest_sample(who.id, TestOutcome::Positive, t(100)).await.unwrap(), Some(t(100)));

    // One claim per person; a released claim can be taken by another result.
    assert!(store.claim_case_opening(positive.id).await.unwrap());
    assert!(!store.claim_case_opening(antigen.id).await.unwrap());
    assert!(!store.claim_case_opening(positive.id).await.unwrap(), "claimed once");
    store.release_case_opening(positive.id).await.unwrap();
    assert!(store.claim_case_opening(antigen.id).await.unwrap());
    let case = case_of(5, &who, 200);
    store.create_case(&case).await.unwrap();
    store.link_case(antigen.id, case.id).await.unwrap();
    assert_eq!(store.test_result(antigen.id).await.unwrap().case, Some(case.id));
    // A person with a case opens no other.
    store.release_case_opening(antigen.id).await.unwrap();
    let other = result(6, &who, TestOutcome::Positive, 300);
    store.insert_test_result(&other).await.unwrap();
    assert!(!store.claim_case_opening(other.id).await.unwrap(), "the person already has a case");
}

pub async fn false_declarations_are_decided_once(store: &dyn Store) {
    let who = someone(store, 71).await;
    let fd = |n: u8, at: i64| crate::FalseDeclaration {
        id: uuid::Uuid::from_bytes([n; 16]),
        resident: who.id,
        evidence: format!("declaration {n} named no travel; rail records show Wuhan"),
        requested_by: "anh".into(),
        requested_by_id: Some(format!("account-{n}")),
        requested_at: t(at),
        state: "pending".into(),
        decided_by: None,
        decided_at: None,
    };
    let (first, second) = (fd(1, 0), fd(2, 10));
    store.create_false_declaration(&first).await.unwrap();
    store.create_false_declaration(&second).await.unwrap();
    assert_eq!(store.false_declaration(first.id).await.unwrap(), first);
    assert!(matches!(store.false_declaration(uuid::Uuid::from_bytes([9; 16])).await, Err(StoreError::NotFound)));
    let pending: Vec<_> = store.pending_false_declarations().await.unwrap().into_iter().map(|f| f.id).collect();
    assert_eq!(pending, vec![first.id, second.id], "oldest first");
    let entry = |s: i64| {
        crate::AuditEntry::new(
            t(s),
            crate::AuditActor::supervisor("sam"),
            crate::AuditAction::FalseDeclarationApproved,
            "x",
            "test",
        )
    };
    store.decide_false_declaration(first.id, "approved", "sam", t(20), &entry(20)).await.unwrap();
    let again = store.decide_false_declaration(first.id, "rejected", "sue", t(30), &entry(30)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "decided once");
    let decided = store.false_declaration(first.id).await.unwrap();
    assert_eq!(
        (decided.state.as_str(), decided.decided_by.as_deref(), decided.decided_at),
        ("approved", Some("sam"), Some(t(20)))
    );
    let mine: Vec<_> = store.false_declarations_of(who.id).await.unwrap().into_iter().map(|f| f.id).collect();
    assert_eq!(mine, vec![second.id, first.id], "newest first");
    assert_eq!(store.pending_false_declarations().await.unwrap().len(), 1);
    assert_eq!(store.counts().await.unwrap().audit_entries, 1, "the decision is audited, the refused one not");
}

pub async fn lab_records_copy_idempotently(store: &dyn Store) {
    let who = someone(store, 72).await;
    let positive = result(11, &who, TestOutcome::Positive, 0);
    let negative = result(12, &who, TestOutcome::Negative, 50);
    store.insert_test_result(&negative).await.unwrap();
    store.insert_test_result(&positive).await.unwrap();
    assert!(store.claim_case_opening(positive.id).await.unwrap());
    let case = case_of(13, &who, 100);
    store.create_case(&case).await.unwrap();
    store.link_case(positive.id, case.id).await.unwrap();
    let decided = crate::FalseDeclaration {
        id: uuid::Uuid::from_bytes([14; 16]),
        resident: who.id,
        evidence: "declared no travel; rail records show Wuhan".into(),
        requested_by: "anh".into(),
        requested_by_id: None,
        requested_at: t(10),
        state: "approved".into(),
        decided_by: Some("sam".into()),
        decided_at: Some(t(20)),
    };
    store.create_false_declaration(&decided).await.unwrap();
    let records = store.lab_records().await.unwrap();
    let ids: Vec<_> = records.test_results.iter().map(|r| (r.result.id, r.opens_case)).collect();
    assert_eq!(ids, vec![(positive.id, true), (negative.id, false)], "id order, with the case mark");
    assert_eq!(records.test_results[0].result.case, Some(case.id));
    // Creating writes no decider (deciding does), so the export has none.
    assert_eq!(records.false_declarations.len(), 1);
    // Importing what is there already writes nothing and fails nothing.
    let mut all = records.clone();
    all.false_declarations = vec![decided.clone()];
    store.import_lab_records(&all).await.unwrap();
    assert_eq!(store.lab_records().await.unwrap(), records);
    let counts = store.counts().await.unwrap();
    assert_eq!((counts.test_results, counts.false_declarations), (2, 1));
    // A decided record imported into a fresh row keeps its decision.
    let copied = crate::FalseDeclaration { id: uuid::Uuid::from_bytes([15; 16]), ..decided };
    store
        .import_lab_records(&crate::LabRecords { test_results: vec![], false_declarations: vec![copied.clone()] })
        .await
        .unwrap();
    assert_eq!(store.false_declaration(copied.id).await.unwrap(), copied);
}
