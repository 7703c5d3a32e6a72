//! Template structs: what each page shows.

use askama::Template;
use askama_web::WebTemplate;

use crate::api::trust::OutboxEntry;
use crate::web::i18n::Lang;

/// What every page needs: language, where it is, who is signed in, an error.
#[derive(Debug, Clone)]
pub struct Page {
    pub lang: Lang,
    pub langs: [Lang; 3],
    pub path: String,
    pub signed_in: bool,
    pub error: Option<String>,
}

impl Page {
    pub fn new(lang: Lang, path: &str, signed_in: bool) -> Self {
        Self { lang, langs: Lang::ALL, path: path.to_string(), signed_in, error: None }
    }

    pub fn with_error(mut self, error: Option<String>) -> Self {
        self.error = error;
        self
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub page: Page,
}

#[derive(Template, WebTemplate)]
#[template(path = "signin.html")]
pub struct SignInPage {
    pub page: Page,
    pub phone: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "visitor.html")]
pub struct VisitorPage {
    pub page: Page,
}

#[derive(Template, WebTemplate)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    pub page: Page,
    pub contact: String,
    /// Visitor fields carried to the verification step.
    pub visitor: Vec<(String, String)>,
    pub dev_outbox: bool,
}

/// Values to put back into the declaration form.
#[derive(Debug, Clone, Default)]
pub struct DeclarationForm {
    pub name: String,
    pub document_type: String,
    pub document_number: String,
    pub district: String,
    pub temperature_c: String,
    pub symptoms: Vec<String>,
    pub visited_regions: String,
    pub contact_with_case: bool,
    pub travel_plan: String,
}

impl DeclarationForm {
    pub fn has_symptom(&self, value: &str) -> bool {
        self.symptoms.iter().any(|s| s == value)
    }

    pub fn is_document_type(&self, value: &str) -> bool {
        self.document_type == value
    }
}

pub type Choice = (&'static str, &'static str);

pub const DOC_TYPES: [Choice; 3] =
    [("national_id", "doc.national_id"), ("passport", "doc.passport"), ("foreign_id", "doc.foreign_id")];

pub const SYMPTOMS: [Choice; 6] = [
    ("fever", "symptom.fever"),
    ("cough", "symptom.cough"),
    ("difficulty_breathing", "symptom.difficulty_breathing"),
    ("fatigue", "symptom.fatigue"),
    ("sore_throat", "symptom.sore_throat"),
    ("loss_of_taste_smell", "symptom.loss_of_taste_smell"),
];

#[derive(Template, WebTemplate)]
#[template(path = "declare.html")]
pub struct DeclarePage {
    pub page: Page,
    pub form: DeclarationForm,
    pub doc_types: [Choice; 3],
    pub symptoms: [Choice; 6],
}

#[derive(Debug, Clone)]
pub struct QuarantineShown {
    pub required_days: u16,
    pub streak: u16,
    pub next_due: String,
    pub broken: bool,
}

#[derive(Debug, Clone)]
pub struct CodeShown {
    pub colour: String,
    pub colour_name: String,
    pub holder_hint: String,
    pub svg: String,
    pub expires_in: i64,
    pub reason: String,
    pub rule: String,
    pub quarantine: Option<QuarantineShown>,
}

#[derive(Template, WebTemplate)]
#[template(path = "code.html")]
pub struct CodePage {
    pub page: Page,
    pub code: Option<CodeShown>,
    pub flash: Option<String>,
    /// JSON string literals for the refresh script.
    pub refreshing_js: String,
    pub offline_js: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "clock_in.html")]
pub struct ClockInPage {
    pub page: Page,
    pub symptoms: [Choice; 6],
}

#[derive(Debug, Clone)]
pub struct HistoryShown {
    pub at: String,
    pub event_name: String,
    pub from: Option<String>,
    pub to: String,
    pub to_name: String,
    pub reason: String,
    pub rule: String,
    pub evidence: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "history.html")]
pub struct HistoryPage {
    pub page: Page,
    pub entries: Vec<HistoryShown>,
}

#[derive(Template, WebTemplate)]
#[template(path = "outbox.html")]
pub struct OutboxPage {
    pub page: Page,
    pub messages: Vec<OutboxEntry>,
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub page: Page,
}
