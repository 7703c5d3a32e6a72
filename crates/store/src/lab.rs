//! Laboratory test results and false declarations: the records and the
//! [`LabStore`] trait (issue 18, items 1 and 6).

use async_trait::async_trait;
use healthcode_domain::{CaseId, ResidentId, TestOutcome, TestResult, TestResultId};
use jiff::Timestamp;

use crate::audit::AuditEntry;
use crate::error::StoreResult;

/// A false declaration the authority recorded: no effect until a supervisor
/// other than the requester approves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FalseDeclaration {
    pub id: uuid::Uuid,
    pub resident: ResidentId,
    /// What shows the declaration was false (10 to 1000 characters).
    pub evidence: String,
    pub requested_by: String,
    /// The requester's stable id (a staff account id, or `token:<name>`) that
    /// four eyes compare; `None` for records made before it was kept.
    pub requested_by_id: Option<String>,
    pub requested_at: Timestamp,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
}

/// A test result as stored, with the mark of the one result per person that
/// opened their case (for copying a deployment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTestResult {
    pub result: TestResult,
    pub opens_case: bool,
}

/// Every test result and false declaration, in id order, for `store copy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabRecords {
    pub test_results: Vec<StoredTestResult>,
    pub false_declarations: Vec<FalseDeclaration>,
}

/// Test results and false declarations.
#[async_trait]
pub trait LabStore: Send + Sync {
    /// Records a result; `Conflict` when the same sample (person, kind,
    /// sample instant, lab) is already recorded, and then nothing is written.
    async fn insert_test_result(&self, result: &TestResult) -> StoreResult<()>;
    async fn test_result(&self, id: TestResultId) -> StoreResult<TestResult>;
    /// A person's results, latest sample first.
    async fn test_results_of(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<TestResult>>;
    /// The latest results recorded by anyone, newest first (the authority's list).
    async fn recent_test_results(&self, limit: u32) -> StoreResult<Vec<TestResult>>;
    /// When the person's latest sample with this outcome was taken, among
    /// samples taken at or before `at`.
    async fn latest_sample(
        &self,
        resident: ResidentId,
        outcome: TestOutcome,
        at: Timestamp,
    ) -> StoreResult<Option<Timestamp>>;
    /// Marks `result` as the one that opens its person's case: `true` when
    /// it did, `false` when the person already has a case, or another result
    /// claimed it first (one case per person, however results race).
    async fn claim_case_opening(&self, result: TestResultId) -> StoreResult<bool>;
    /// Gives up a claim whose case could not be recorded.
    async fn release_case_opening(&self, result: TestResultId) -> StoreResult<()>;
    /// Links the case a result opened.
    async fn link_case(&self, result: TestResultId, case: CaseId) -> StoreResult<()>;

    async fn create_false_declaration(&self, f: &FalseDeclaration) -> StoreResult<()>;
    async fn false_declaration(&self, id: uuid::Uuid) -> StoreResult<FalseDeclaration>;
    /// Pending ones, oldest first.
    async fn pending_false_declarations(&self) -> StoreResult<Vec<FalseDeclaration>>;
    /// A person's, newest first.
    async fn false_declarations_of(&self, resident: ResidentId) -> StoreResult<Vec<FalseDeclaration>>;
    /// Records the decision and `audit` in one transaction; `Conflict` when
    /// it was already decided (and then nothing is written).
    async fn decide_false_declaration(
        &self,
        id: uuid::Uuid,
        state: &str,
        by: &str,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Every test result and false declaration, in id order.
    async fn lab_records(&self) -> StoreResult<LabRecords>;
    /// Inserts them in one transaction, skipping any already present (after
    /// residents and cases: a result refers to both).
    async fn import_lab_records(&self, records: &LabRecords) -> StoreResult<()>;
}
