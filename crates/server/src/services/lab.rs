//! Laboratory test results: a lab's token or a member of the health
//! authority records a result (one by one through the API or the page, or a
//! CSV file through the page or `healthcode tests import`); a positive result
//! opens a case through the ordinary case path ([`cases::record_with_evidence`]:
//! red by `R-CASE`, a notice, `case.recorded` in the audit log), once per
//! person however results race; residents read their results; checkpoints
//! learn only whether a negative sample was taken in the last 72 hours.

use healthcode_domain::policy::CaseKind;
use healthcode_domain::{
    CaseId, Contact, Evidence, LabName, NEGATIVE_TEST_CHECK_HOURS, ResidentId, TestKind, TestOutcome, TestResult,
    TestResultId, local_date, negative_within,
};
use healthcode_store::{AuditAction, AuditActor, StoreError};
use jiff::{SignedDuration, Timestamp};
use std::collections::HashSet;

use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::{audit, cases};
use crate::state::AppState;

/// How far ahead of the server's clock a sample instant may lie (clock skew).
const FUTURE_SLACK: SignedDuration = SignedDuration::from_mins(10);
/// How old a sample may be when recorded.
const OLDEST_SAMPLE: SignedDuration = SignedDuration::from_hours(24 * 60);
/// Rows in one CSV file.
pub const MAX_IMPORT_ROWS: usize = 10_000;

/// How a result arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Api,
    Page,
    Csv,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Page => "page",
            Channel::Csv => "csv",
        }
    }
}

/// A result as given, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResult {
    pub resident: ResidentId,
    pub kind: TestKind,
    pub outcome: TestOutcome,
    pub sampled_at: Timestamp,
    pub lab: LabName,
}

/// What recording one result did.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub result: TestResult,
    /// The case the result opened (a positive result of someone with no case).
    pub case_opened: Option<CaseId>,
}

fn duplicate() -> ApiError {
    ApiError::new(
        ErrorKind::Conflict,
        "TEST_RESULT_DUPLICATE",
        "this sample (person, kind, time, lab) is already recorded",
    )
}

/// Parses a sample instant: RFC 3339 (`2026-11-02T08:30:00+08:00`) or a
/// local `YYYY-MM-DD HH:MM` / `YYYY-MM-DDTHH:MM` in the deployment's zone.
pub fn parse_sample_time(state: &AppState, s: &str) -> Result<Timestamp, ApiError> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    let local = s.replacen(' ', "T", 1);
    local
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(state.config.time_zone.clone()).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            ApiError::bad_input("SAMPLE_TIME_INVALID", "sample time: RFC 3339, or YYYY-MM-DD HH:MM local time")
        })
}

fn check_sample_time(state: &AppState, at: Timestamp) -> Result<(), ApiError> {
    let now = state.clock.now();
    if at > now.checked_add(FUTURE_SLACK).unwrap_or(now) {
        return Err(ApiError::bad_input("SAMPLE_TIME_IN_FUTURE", "the sample time is in the future"));
    }
    if at < now.checked_sub(OLDEST_SAMPLE).unwrap_or(now) {
        return Err(ApiError::bad_input("SAMPLE_TIME_TOO_OLD", "the sample is more than 60 days old"));
    }
    Ok(())
}

/// The resident a phone (or e-mail) names.
pub async fn resident_by(state: &AppState, contact: &str) -> Result<ResidentId, ApiError> {
    let contact = Contact::parse(contact)?;
    state
        .store
        .resident_by_contact(&contact)
        .await?
        .map(|r| r.id)
        .ok_or_else(|| ApiError::new(ErrorKind::NotFound, "RESIDENT_NOT_FOUND", "no resident with this phone"))
}

/// Records one result; a positive one opens a case when the person has none.
/// The same sample twice is `TEST_RESULT_DUPLICATE` and changes nothing.
pub async fn record(state: &AppState, by: &str, new: NewResult, channel: Channel) -> Result<Recorded, ApiError> {
    check_sample_time(state, new.sampled_at)?;
    let now = state.clock.now();
    let result = TestResult {
        id: TestResultId::from_uuid(new_uuid_v7(now)),
        resident: new.resident,
        kind: new.kind,
        outcome: new.outcome,
        sampled_at: new.sampled_at,
        lab: new.lab,
        recorded_by: by.to_string(),
        recorded_at: now,
        channel: channel.as_str().into(),
        case: None,
    };
    state.store.insert_test_result(&result).await.map_err(|e| match e {
        StoreError::Conflict(_) => duplicate(),
        e => e.into(),
    })?;
    let detail = format!("{} {} via {}", result.kind.as_str(), result.outcome.as_str(), channel.as_str());
    audit::record(state, AuditActor::authority(by), AuditAction::TestResultRecorded, &result.id.to_string(), &detail)
        .await?;
    let case_opened = match result.outcome {
        TestOutcome::Positive => open_case(state, &result, by).await?,
        TestOutcome::Negative => None,
    };
    Ok(Recorded { result: TestResult { case: case_opened, ..result }, case_opened })
}

/// Opens the person's case from a positive result, unless they have one or
/// another result is opening it right now.
async fn open_case(state: &AppState, result: &TestResult, by: &str) -> Result<Option<CaseId>, ApiError> {
    if !state.store.claim_case_opening(result.id).await? {
        return Ok(None);
    }
    // PCR confirms; a positive antigen test makes a suspected case until a PCR.
    let kind = match result.kind {
        TestKind::Pcr => CaseKind::Confirmed,
        TestKind::Antigen => CaseKind::Suspected,
    };
    let onset = local_date(result.sampled_at, &state.config.time_zone);
    let evidence = vec![Evidence::TestResult {
        result_id: result.id.to_string(),
        test_kind: result.kind.as_str().into(),
        outcome: result.outcome.as_str().into(),
        sampled_at: result.sampled_at,
        lab: result.lab.as_str().into(),
    }];
    match cases::record_with_evidence(state, result.resident, kind, onset, None, by, evidence).await {
        Ok(case) => {
            state.store.link_case(result.id, case.id).await?;
            tracing::info!(result = %result.id, case = %case.id, "positive result opened a case");
            Ok(Some(case.id))
        }
        Err(e) => {
            // Leave the claim free for the next result (or a re-import).
            if let Err(release) = state.store.release_case_opening(result.id).await {
                tracing::error!(error = %release, "releasing a case claim failed");
            }
            Err(e)
        }
    }
}

/// Whether the person has a negative sample from the last 72 hours: all a
/// checkpoint learns of their results.
pub async fn negative_within_72h(state: &AppState, resident: ResidentId) -> Result<bool, ApiError> {
    let now = state.clock.now();
    let latest = state.store.latest_sample(resident, TestOutcome::Negative, now).await?;
    Ok(negative_within(latest, now, NEGATIVE_TEST_CHECK_HOURS))
}

/// The latest negative sample at or before now, for the colour rules.
pub async fn latest_negative(state: &AppState, resident: ResidentId) -> Result<Option<Timestamp>, ApiError> {
    Ok(state.store.latest_sample(resident, TestOutcome::Negative, state.clock.now()).await?)
}

/// A refused CSV row: its line number in the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub code: &'static str,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Data rows read.
    pub rows: usize,
    pub recorded: usize,
    /// Rows whose sample was already recorded (before, or earlier in the file).
    pub duplicates: usize,
    pub cases_opened: usize,
}

/// An import: the report, or every refused row (and then nothing was recorded).
pub type ImportResult = Result<ImportReport, Vec<RowError>>;

const COLUMNS: [&str; 5] = ["phone", "kind", "outcome", "sampled_at", "lab"];

/// Splits one CSV line: comma-separated, fields optionally in double quotes
/// (a doubled quote inside is one quote). `None` for an unclosed quote.
fn split_line(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', false) if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields.into_iter().map(|f| f.trim().to_string()).collect())
}

fn row_error(line: usize, e: &ApiError) -> RowError {
    RowError { line, code: e.code, message: e.message.clone() }
}

/// Imports a CSV file of results: a header naming the columns `phone`,
/// `kind`, `outcome`, `sampled_at` and `lab` (any order; other columns are
/// ignored), then one result a line. Every row is checked first; if any is
/// refused, the answer lists each with its line number and nothing is
/// recorded. Otherwise each row is recorded in turn (a positive one may open
/// a case); a sample already recorded counts as a duplicate, so importing
/// the same file again records nothing twice and opens no second case.
pub async fn import_csv(state: &AppState, by: &str, text: &str) -> Result<ImportResult, ApiError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty());
    let Some((header_line, header)) = lines.next() else {
        return Err(ApiError::bad_input("TEST_IMPORT_EMPTY", "the file has no header and no rows"));
    };
    let header: Vec<String> = split_line(header).unwrap_or_default().iter().map(|h| h.to_ascii_lowercase()).collect();
    let mut at = [0usize; 5];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        match header.iter().position(|h| h == name) {
            Some(i) => *slot = i,
            None => {
                return Ok(Err(vec![RowError {
                    line: header_line,
                    code: "TEST_IMPORT_HEADER",
                    message: format!("the header must name the columns {}; {name} is missing", COLUMNS.join(", ")),
                }]));
            }
        }
    }
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (line, text) in lines {
        if rows.len() + errors.len() >= MAX_IMPORT_ROWS {
            return Err(ApiError::bad_input(
                "TEST_IMPORT_TOO_LARGE",
                format!("at most {MAX_IMPORT_ROWS} rows a file; split it"),
            ));
        }
        match parse_row(state, &at, text).await {
            Ok(row) => rows.push((line, row)),
            Err(e) => errors.push(row_error(line, &e)),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut report = ImportReport { rows: rows.len(), ..ImportReport::default() };
    let mut seen = HashSet::new();
    for (_, row) in rows {
        if !seen.insert((row.resident, row.kind, row.sampled_at, row.lab.clone())) {
            report.duplicates += 1;
            continue;
        }
        match record(state, by, row, Channel::Csv).await {
            Ok(r) => {
                report.recorded += 1;
                report.cases_opened += usize::from(r.case_opened.is_some());
            }
            Err(e) if e.code == "TEST_RESULT_DUPLICATE" => report.duplicates += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(Ok(report))
}

async fn parse_row(state: &AppState, at: &[usize; 5], text: &str) -> Result<NewResult, ApiError> {
    let fields = split_line(text).ok_or_else(|| ApiError::bad_input("CSV_QUOTE_UNCLOSED", "a quote is not closed"))?;
    let field = |i: usize| fields.get(at[i]).map(String::as_str).unwrap_or("");
    if at.iter().any(|&i| i >= fields.len()) {
        return Err(ApiError::bad_input("CSV_COLUMNS_MISSING", "the row has fewer columns than the header"));
    }
    let kind = TestKind::parse(field(1))?;
    let outcome = TestOutcome::parse(field(2))?;
    let sampled_at = parse_sample_time(state, field(3))?;
    check_sample_time(state, sampled_at)?;
    let lab = LabName::parse(field(4))?;
    let resident = resident_by(state, field(0)).await?;
    Ok(NewResult { resident, kind, outcome, sampled_at, lab })
}

/// The latest results recorded, newest first.
pub async fn recent(state: &AppState, limit: u32) -> Result<Vec<healthcode_domain::TestResult>, ApiError> {
    Ok(state.store.recent_test_results(limit).await?)
}

/// A person's test results, newest first.
pub async fn results_of(
    state: &AppState,
    resident: healthcode_domain::ResidentId,
    limit: u32,
) -> Result<Vec<healthcode_domain::TestResult>, ApiError> {
    Ok(state.store.test_results_of(resident, limit).await?)
}

#[cfg(test)]
mod tests {
    use super::split_line;

    #[test]
    fn csv_lines_split_with_quotes() {
        assert_eq!(split_line("a, b ,c").unwrap(), vec!["a", "b", "c"]);
        assert_eq!(split_line(r#""Lab, Hanoi","say ""hi""",x"#).unwrap(), vec!["Lab, Hanoi", r#"say "hi""#, "x"]);
        assert_eq!(split_line("a,,").unwrap(), vec!["a", "", ""]);
        assert!(split_line(r#""open"#).is_none());
    }
}
