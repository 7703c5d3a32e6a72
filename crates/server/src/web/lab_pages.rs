//! Laboratory pages (issue 18, items 1 and 6): the health authority (or a
//! lab working under an authority account) records one test result or
//! imports a CSV file, seeing each row accepted or refused; the authority
//! requests a false declaration with its evidence and a supervisor other
//! than the requester decides it; the resident sees their results and any
//! approved false declaration, with the way to appeal. Every page calls the
//! services the JSON API calls.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::{LabName, Role, TestKind, TestOutcome, TestResult};
use healthcode_store::FalseDeclaration;
use jiff::Timestamp;

use crate::auth::extract::PageResident;
use crate::auth::staff::{PageAuditor, PageAuthority, PageSupervisor};
use crate::error::ApiError;
use crate::services::false_declarations;
use crate::services::lab::{self, Channel, NewResult, RowError};
use crate::state::AppState;
use crate::web::form_errors::FieldErrors;
use crate::web::i18n::Lang;
use crate::web::pages::local_minute;
use crate::web::pages::{Fields, error_page, field};
use crate::web::view::{Page, Submitted};

const TESTS: &str = "/authority/tests";
const DECLARATIONS: &str = "/authority/false-declarations";
const MINE: &str = "/me/tests";

/// Service error codes that belong to one field of these forms.
const FIELD_OF_CODE: [(&str, &str); 10] = [
    ("RESIDENT_NOT_FOUND", "phone"),
    ("PHONE_INVALID", "phone"),
    ("EMAIL_INVALID", "phone"),
    ("TEST_KIND_INVALID", "kind"),
    ("TEST_OUTCOME_INVALID", "outcome"),
    ("SAMPLE_TIME_INVALID", "sampled_at"),
    ("SAMPLE_TIME_IN_FUTURE", "sampled_at"),
    ("SAMPLE_TIME_TOO_OLD", "sampled_at"),
    ("LAB_INVALID", "lab"),
    ("EVIDENCE_REQUIRED", "evidence"),
];

/// A service error in the reader's language when the catalogue has its code.
fn message(lang: Lang, code: &str, english: &str) -> String {
    lang.t_opt(&format!("field.{code}")).unwrap_or(english).to_string()
}

/// Puts a service error beside its field, or at the top of the page.
fn placed(lang: Lang, e: &ApiError, typed: &Fields) -> Submitted {
    let mut submitted = Submitted::new(FieldErrors::default(), typed);
    if !submitted.fields.place(lang, e.code, &e.message, &FIELD_OF_CODE) {
        submitted.error = Some(message(lang, e.code, &e.message));
    }
    submitted
}

/// One test result as shown.
#[derive(Debug, Clone)]
pub struct ResultShown {
    pub kind: String,
    /// `positive` or `negative` (the row's style).
    pub outcome: String,
    pub outcome_name: String,
    pub sampled_at: String,
    pub lab: String,
    /// Whether this result opened the person's case.
    pub opened_case: bool,
    /// The first characters of the pseudonymous resident id (staff lists).
    pub person: String,
}

fn result_shown(state: &AppState, lang: Lang, r: &TestResult) -> ResultShown {
    ResultShown {
        kind: lang.t(&format!("lab.kind.{}", r.kind.as_str())).into(),
        outcome: r.outcome.as_str().into(),
        outcome_name: lang.t(&format!("lab.outcome.{}", r.outcome.as_str())).into(),
        sampled_at: local_minute(state, r.sampled_at),
        lab: r.lab.as_str().into(),
        opened_case: r.case.is_some(),
        person: r.resident.to_string().chars().take(8).collect(),
    }
}

/// One imported row's fate.
#[derive(Debug, Clone)]
pub struct RowShown {
    pub line: usize,
    pub reason: String,
}

/// What an import did, as shown.
#[derive(Debug, Clone, Default)]
pub struct ImportShown {
    pub rows: usize,
    pub recorded: usize,
    pub duplicates: usize,
    pub cases_opened: usize,
    /// Refused rows (then nothing was recorded).
    pub refused: Vec<RowShown>,
}

#[derive(Template, WebTemplate)]
#[template(path = "lab.html")]
pub struct LabPage {
    pub page: Page,
    pub recent: Vec<ResultShown>,
    pub import: Option<ImportShown>,
    /// The CSV text sent back when the file was refused (kept to correct it).
    pub csv: String,
    pub csv_error: Option<String>,
}

async fn lab_page(
    state: &AppState,
    lang: Lang,
    roles: &healthcode_domain::StaffRoles,
    submitted: Submitted,
    (import, csv, csv_error): (Option<ImportShown>, String, Option<String>),
    status: StatusCode,
) -> Response {
    let recent = match lab::recent(state, 50).await {
        Ok(list) => list.iter().map(|r| result_shown(state, lang, r)).collect(),
        Err(e) => return error_page(lang, TESTS, false, &e),
    };
    let page =
        LabPage { page: Page::staff(lang, TESTS, roles).with_submitted(submitted), recent, import, csv, csv_error };
    (status, page).into_response()
}

pub async fn tests(State(state): State<AppState>, lang: Lang, who: PageAuthority) -> Response {
    lab_page(&state, lang, &who.staff.roles, Submitted::default(), (None, String::new(), None), StatusCode::OK).await
}

/// Every field of the one-result form checked at once.
fn result_fields(
    state: &AppState,
    lang: Lang,
    f: &Fields,
) -> (FieldErrors, Option<(TestKind, TestOutcome, Timestamp, LabName)>) {
    let mut e = FieldErrors::default();
    if e.require(lang, "phone", field(f, "phone")) {
        e.check(lang, "phone", healthcode_domain::Contact::parse(field(f, "phone")));
    }
    let kind = e.check(lang, "kind", TestKind::parse(field(f, "kind")));
    let outcome = e.check(lang, "outcome", TestOutcome::parse(field(f, "outcome")));
    let sampled_at = if e.require(lang, "sampled_at", field(f, "sampled_at")) {
        match lab::parse_sample_time(state, field(f, "sampled_at")) {
            Ok(t) => Some(t),
            Err(err) => {
                e.add(lang, "sampled_at", err.code, &err.message);
                None
            }
        }
    } else {
        None
    };
    let lab = e.check(lang, "lab", LabName::parse(field(f, "lab")));
    match (kind, outcome, sampled_at, lab) {
        (Some(k), Some(o), Some(t), Some(l)) if e.is_empty() => (e, Some((k, o, t, l))),
        _ => (e, None),
    }
}

pub async fn record(State(state): State<AppState>, lang: Lang, who: PageAuthority, Form(f): Form<Fields>) -> Response {
    let (fields, parsed) = result_fields(&state, lang, &f);
    let Some((kind, outcome, sampled_at, lab_name)) = parsed else {
        let submitted = Submitted::new(fields, &f);
        return lab_page(
            &state,
            lang,
            &who.staff.roles,
            submitted,
            (None, String::new(), None),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let result = async {
        let resident = lab::resident_by(&state, field(&f, "phone")).await?;
        let new = NewResult { resident, kind, outcome, sampled_at, lab: lab_name };
        lab::record(&state, &who.name, new, Channel::Page).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(TESTS).into_response(),
        Err(e) => {
            let status = e.status();
            lab_page(&state, lang, &who.staff.roles, placed(lang, &e, &f), (None, String::new(), None), status).await
        }
    }
}

fn refused_rows(lang: Lang, rows: Vec<RowError>) -> Vec<RowShown> {
    rows.into_iter().map(|r| RowShown { line: r.line, reason: message(lang, r.code, &r.message) }).collect()
}

pub async fn import(State(state): State<AppState>, lang: Lang, who: PageAuthority, Form(f): Form<Fields>) -> Response {
    let csv = field(&f, "csv").to_string();
    let none = Submitted::default();
    match lab::import_csv(&state, &who.name, &csv).await {
        Ok(Ok(r)) => {
            let shown = ImportShown {
                rows: r.rows,
                recorded: r.recorded,
                duplicates: r.duplicates,
                cases_opened: r.cases_opened,
                refused: Vec::new(),
            };
            lab_page(&state, lang, &who.staff.roles, none, (Some(shown), String::new(), None), StatusCode::OK).await
        }
        Ok(Err(rows)) => {
            let shown = ImportShown { refused: refused_rows(lang, rows), ..ImportShown::default() };
            lab_page(&state, lang, &who.staff.roles, none, (Some(shown), csv, None), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => {
            let status = e.status();
            let error = Some(message(lang, e.code, &e.message));
            lab_page(&state, lang, &who.staff.roles, none, (None, csv, error), status).await
        }
    }
}

/// One false declaration as shown.
#[derive(Debug, Clone)]
pub struct DeclarationShown {
    pub id: String,
    pub person: String,
    pub evidence: String,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: String,
    pub decided_at: String,
}

fn declaration_shown(state: &AppState, f: &FalseDeclaration) -> DeclarationShown {
    DeclarationShown {
        id: f.id.to_string(),
        person: f.resident.to_string().chars().take(8).collect(),
        evidence: f.evidence.clone(),
        requested_by: f.requested_by.clone(),
        requested_at: local_minute(state, f.requested_at),
        decided_by: f.decided_by.clone().unwrap_or_default(),
        decided_at: f.decided_at.map(|t| local_minute(state, t)).unwrap_or_default(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "false_declarations.html")]
pub struct FalseDeclarationsPage {
    pub page: Page,
    pub may_request: bool,
    pub may_decide: bool,
    pub pending: Vec<DeclarationShown>,
}

async fn declarations_page(
    state: &AppState,
    lang: Lang,
    roles: &healthcode_domain::StaffRoles,
    (may_request, may_decide): (bool, bool),
    submitted: Submitted,
    status: StatusCode,
) -> Response {
    let pending = match false_declarations::pending(state).await {
        Ok(list) => list.iter().map(|f| declaration_shown(state, f)).collect(),
        Err(e) => return error_page(lang, DECLARATIONS, false, &e),
    };
    let page = FalseDeclarationsPage {
        page: Page::staff(lang, DECLARATIONS, roles).with_submitted(submitted),
        may_request,
        may_decide,
        pending,
    };
    (status, page).into_response()
}

/// The list, for the authority, supervisors and auditors; the request form
/// shows to the authority, the decision buttons to supervisors.
pub async fn declarations(State(state): State<AppState>, lang: Lang, who: PageAuditor) -> Response {
    let may = (who.staff.roles.contains(Role::Authority), who.staff.roles.contains(Role::Supervisor));
    declarations_page(&state, lang, &who.staff.roles, may, Submitted::default(), StatusCode::OK).await
}

pub async fn request_declaration(
    State(state): State<AppState>,
    lang: Lang,
    who: PageAuthority,
    Form(f): Form<Fields>,
) -> Response {
    let may = (true, who.staff.roles.contains(Role::Supervisor));
    let mut fields = FieldErrors::default();
    if fields.require(lang, "phone", field(&f, "phone")) {
        fields.check(lang, "phone", healthcode_domain::Contact::parse(field(&f, "phone")));
    }
    if !(10..=1000).contains(&field(&f, "evidence").trim().chars().count()) {
        fields.add(lang, "evidence", "EVIDENCE_REQUIRED", "state the evidence in 10 to 1000 characters");
    }
    if !fields.is_empty() {
        return declarations_page(
            &state,
            lang,
            &who.staff.roles,
            may,
            Submitted::new(fields, &f),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let result = async {
        let resident = lab::resident_by(&state, field(&f, "phone")).await?;
        false_declarations::request(&state, &who.name, &who.staff.id, resident, field(&f, "evidence")).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(DECLARATIONS).into_response(),
        Err(e) => {
            let status = e.status();
            declarations_page(&state, lang, &who.staff.roles, may, placed(lang, &e, &f), status).await
        }
    }
}

/// A supervisor other than the requester approves or rejects; a lost race
/// or a second click is the page with `FALSE_DECLARATION_DECIDED` (409).
pub async fn decide_declaration(
    State(state): State<AppState>,
    lang: Lang,
    who: PageSupervisor,
    Path((id, action)): Path<(String, String)>,
) -> Response {
    let may = (who.staff.roles.contains(Role::Authority), true);
    let result = async {
        let approve = match action.as_str() {
            "approve" => true,
            "reject" => false,
            _ => return Err(ApiError::not_found()),
        };
        let id = false_declarations::parse_id(&id)?;
        false_declarations::decide(&state, &who.name, &who.staff.id, id, approve).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(DECLARATIONS).into_response(),
        Err(e) => {
            let status = e.status();
            let submitted = Submitted { error: Some(message(lang, e.code, &e.message)), ..Submitted::default() };
            declarations_page(&state, lang, &who.staff.roles, may, submitted, status).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "my_tests.html")]
pub struct MyTestsPage {
    pub page: Page,
    pub results: Vec<ResultShown>,
    /// Approved false declarations: what the person's red may rest on.
    pub declarations: Vec<DeclarationShown>,
}

/// The resident's results, latest sample first, and the false declarations
/// recorded against them (approved ones: a pending one has no effect yet).
pub async fn mine(State(state): State<AppState>, lang: Lang, who: PageResident) -> Response {
    let read = async {
        let results = lab::results_of(&state, who.resident, 100).await?;
        let declarations = false_declarations::of_resident(&state, who.resident).await?;
        Ok::<_, ApiError>((results, declarations))
    };
    match read.await {
        Ok((results, declarations)) => MyTestsPage {
            page: Page::new(lang, MINE, true),
            results: results.iter().map(|r| result_shown(&state, lang, r)).collect(),
            declarations: declarations
                .iter()
                .filter(|f| f.state == "approved")
                .map(|f| declaration_shown(&state, f))
                .collect(),
        }
        .into_response(),
        Err(e) => error_page(lang, MINE, true, &e),
    }
}
