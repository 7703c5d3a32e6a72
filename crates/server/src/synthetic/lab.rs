//! lab: test results and false declarations in the synthetic city, so the
//! resident's results, the checkpoint's "negative test within 72 h" and the
//! false-declaration queue have data on first start. Each seeded case gets
//! the positive PCR that opened it; a share of residents get a negative test
//! (half of them within the last 72 hours); resident 0 (the first synthetic
//! phone) has a negative test from this morning; one false declaration is
//! approved (its person turns red by rule) and one waits for a supervisor.

use healthcode_domain::random::SeededRng;
use healthcode_domain::{
    Actor, ColourPolicy, Evidence, LabName, StandingFacts, TestKind, TestOutcome, TestResult, TestResultId,
    apply_finding,
};
use healthcode_store::{AuditAction, AuditActor, AuditEntry, FalseDeclaration, Store, StoreError, StoreResult};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::{CityPlan, ids, resident_id_of};

const LAB_STREAM: u64 = 0x1AB_7E57;
const LABS: [&str; 3] = ["City CDC laboratory", "Provincial hospital laboratory", "Station testing point"];

/// What the lab seeding wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabCounts {
    pub results: u32,
    pub positives: u32,
    pub false_declarations: u32,
}

fn lab(i: u64) -> LabName {
    LabName::parse(LABS[usize::try_from(i).unwrap_or(0) % LABS.len()]).unwrap_or_else(|_| unreachable!())
}

/// Writes the results and false declarations (once: a second run finds them and writes nothing).
pub async fn seed_lab(
    store: &dyn Store,
    plan: &CityPlan,
    policy: &ColourPolicy,
    tz: &TimeZone,
    now: Timestamp,
) -> StoreResult<LabCounts> {
    let mut counts = LabCounts::default();
    let mut rng = SeededRng::for_item(plan.seed ^ LAB_STREAM, 0);
    let first = resident_id_of(plan, 0);
    if !store.test_results_of(first, 1).await?.is_empty() {
        return Ok(counts); // seeded before
    }
    let insert = |r: TestResult| async move {
        match store.insert_test_result(&r).await {
            Ok(()) | Err(StoreError::Conflict(_)) => Ok::<_, StoreError>(()),
            Err(e) => Err(e),
        }
    };
    let hours_ago = |h: i64| now.checked_sub(SignedDuration::from_hours(h)).unwrap_or(now);
    let result = |rng: &mut SeededRng, resident, kind, outcome, sampled_at, case| TestResult {
        id: TestResultId::from_bytes(ids(rng).0),
        resident,
        kind,
        outcome,
        sampled_at,
        lab: lab(rng.below(3)),
        recorded_by: "synthetic".into(),
        recorded_at: now,
        channel: "csv".into(),
        case,
    };
    // The positive PCR behind every seeded case, sampled the day before it was recorded.
    for case in store.cases(10_000).await? {
        let sampled = case.recorded_at.checked_sub(SignedDuration::from_hours(20)).unwrap_or(case.recorded_at);
        insert(result(&mut rng, case.resident, TestKind::Pcr, TestOutcome::Positive, sampled, Some(case.id))).await?;
        counts.results += 1;
        counts.positives += 1;
    }
    // Negative tests: half within 72 hours, half older; resident 0 this morning.
    insert(result(&mut rng, first, TestKind::Pcr, TestOutcome::Negative, hours_ago(2), None)).await?;
    counts.results += 1;
    let negatives = (plan.residents / 200).max(20);
    for k in 0..negatives {
        let who = resident_id_of(plan, 1 + u32::try_from(rng.below(u64::from(plan.residents.max(2) - 1))).unwrap_or(0));
        let hours = if k % 2 == 0 { 1 + rng.below(70) } else { 80 + rng.below(24 * 10) };
        let kind = if rng.unit() < 0.6 { TestKind::Pcr } else { TestKind::Antigen };
        insert(result(&mut rng, who, kind, TestOutcome::Negative, hours_ago(i64::try_from(hours).unwrap_or(1)), None))
            .await?;
        counts.results += 1;
    }
    // False declarations: one approved (red by rule), one pending.
    for (n, approved) in [(1u32, true), (2, false)] {
        let resident = resident_id_of(plan, n.min(plan.residents.saturating_sub(1)));
        if store.resident(resident).await.is_err() {
            continue;
        }
        let requested_at = hours_ago(if approved { 30 } else { 3 });
        let f = FalseDeclaration {
            id: uuid::Uuid::from_bytes(ids(&mut rng).0),
            resident,
            evidence: "declared no travel; the rail operator's manifest shows an arrival from a risk area".into(),
            requested_by: "synthetic-authority".into(),
            requested_by_id: Some("token:synthetic-authority".into()),
            requested_at,
            state: "pending".into(),
            decided_by: None,
            decided_at: None,
        };
        store.create_false_declaration(&f).await?;
        counts.false_declarations += 1;
        if !approved {
            continue;
        }
        // Approved now, so the change follows everything in the person's history.
        let at = now;
        let entry = AuditEntry::new(
            at,
            AuditActor::supervisor("synthetic-supervisor"),
            AuditAction::FalseDeclarationApproved,
            &f.id.to_string(),
            "approved",
        );
        store.decide_false_declaration(f.id, "approved", "synthetic-supervisor", at, &entry).await?;
        let current = store.status(resident).await?;
        let last = store.status_history(resident, 1).await?;
        if last.first().is_some_and(|c| c.at >= at) {
            continue; // keep the history in order
        }
        let standing = StandingFacts { false_declaration: true, ..StandingFacts::default() };
        let evidence = vec![Evidence::FalseDeclaration {
            declaration_id: f.id.to_string(),
            evidence: f.evidence.clone(),
            requested_by: f.requested_by.clone(),
            approved_by: "synthetic-supervisor".into(),
        }];
        let actor = Actor::Staff("synthetic-supervisor".into());
        if let Some(t) = apply_finding(policy, current.as_ref(), resident, &standing, at, tz, evidence, actor) {
            store.commit_status(current.as_ref().map(|c| c.version), &t.status, &t.changes).await?;
        }
    }
    Ok(counts)
}
