//! On-site enrolment pages: the officer's form (`/staff/enrol`), the printed
//! pass it may end with, and the page a sign-in link opens
//! (`/signin/link/{secret}`: one button, so a link preview never uses it up).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use healthcode_credential::render_svg;
use healthcode_domain::Contact;

use crate::auth::session;
use crate::auth::staff::PageOfficer;
use crate::error::{ApiError, ErrorKind};
use crate::services::code::IssuedPass;
use crate::services::enrolment::{self, EnrolmentRequest, HandedOver, Handover};
use crate::state::AppState;
use crate::web::form_errors::{DeclarationTyped, FieldErrors, declaration_errors};
use crate::web::i18n::Lang;
use crate::web::pages::{Fields, declaration_from_form, error_page, field};
use crate::web::view::{DOC_TYPES, EnrolPage, Page, PassPage, SYMPTOMS, SignInLinkPage, Submitted};

const PATH: &str = "/staff/enrol";

/// Where a service's refusal is shown.
const FIELD_OF_CODE: [(&str, &str); 7] = [
    ("DOCUMENT_ALREADY_ENROLLED", "document_number"),
    ("DOCUMENT_HAS_ACCOUNT", "document_number"),
    ("CONTACT_HAS_ACCOUNT", "contact"),
    ("VISITOR_DOCUMENT_REQUIRED", "contact"),
    ("TRAVEL_PLAN_TOO_LONG", "travel_plan"),
    ("TOO_MANY_REGIONS", "visited_regions"),
    ("HANDOVER_INVALID", "handover"),
];

fn form_page(
    state: &AppState,
    lang: Lang,
    roles: &healthcode_domain::StaffRoles,
    submitted: Submitted,
    done: Option<String>,
) -> Response {
    let status = if submitted.error.is_some() && submitted.fields.is_empty() {
        StatusCode::CONFLICT
    } else {
        submitted.status()
    };
    let page = Page::staff(lang, PATH, roles).with_regions(&state.config.regions).with_submitted(submitted);
    (status, EnrolPage { page, doc_types: DOC_TYPES, symptoms: SYMPTOMS, done }).into_response()
}

pub async fn form(State(state): State<AppState>, lang: Lang, who: PageOfficer) -> Response {
    form_page(&state, lang, &who.staff.roles, Submitted::default(), None)
}

/// The travel plan the declaration keeps: where from, when arriving, and the rest.
fn travel_plan(f: &Fields) -> String {
    let mut parts = Vec::new();
    if !field(f, "origin").trim().is_empty() {
        parts.push(format!("from {}", field(f, "origin").trim()));
    }
    if !field(f, "arrival").trim().is_empty() {
        parts.push(format!("arriving {}", field(f, "arrival").trim()));
    }
    if !field(f, "travel_plan").trim().is_empty() {
        parts.push(field(f, "travel_plan").trim().to_string());
    }
    parts.join("; ")
}

pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    who: PageOfficer,
    Form(mut f): Form<Fields>,
) -> Response {
    let typed = f.clone();
    state.config.regions.codes_in_form(&mut f, &["district", "visited_regions"]);
    let mut declared = f.clone();
    declared.retain(|(k, _)| k != "travel_plan");
    declared.push(("travel_plan".into(), travel_plan(&f)));
    let (form, request) = declaration_from_form(&declared);
    let mut fields = declaration_errors(
        lang,
        &DeclarationTyped {
            name: &form.name,
            document_type: &form.document_type,
            document_number: &form.document_number,
            district: &form.district,
            temperature_c: &form.temperature_c,
            symptoms: &form.symptoms,
            visited_regions: &form.visited_regions,
            travel_plan: &form.travel_plan,
        },
    );
    for name in ["name", "document_number", "district", "temperature_c"] {
        fields.require(lang, name, field(&f, name));
    }
    let contact = if fields.require(lang, "contact", field(&f, "contact")) {
        fields.check(lang, "contact", Contact::parse(field(&f, "contact")))
    } else {
        None
    };
    let handover = match Handover::parse(field(&f, "handover")) {
        Ok(h) => Some(h),
        Err(e) => {
            fields.add(lang, "handover", e.code, &e.message);
            None
        }
    };
    let (Some(contact), Some(handover)) = (contact, handover) else {
        return form_page(&state, lang, &who.staff.roles, Submitted::new(fields, &typed), None);
    };
    if !fields.is_empty() {
        return form_page(&state, lang, &who.staff.roles, Submitted::new(fields, &typed), None);
    }
    let result = async {
        let (identity, declaration) = request?.parse()?;
        let identity =
            identity.ok_or_else(|| ApiError::bad_input("IDENTITY_REQUIRED", "give the person's document"))?;
        enrolment::enrol(&state, &who.staff, who.actor(), EnrolmentRequest { contact, identity, declaration, handover })
            .await
    }
    .await;
    match result {
        Ok(done) => match done.handed_over {
            HandedOver::LinkSent { channel } => {
                let key = if channel == "sms" { "enrol.link_sent_sms" } else { "enrol.link_sent_email" };
                form_page(&state, lang, &who.staff.roles, Submitted::default(), Some(lang.t(key).to_string()))
            }
            HandedOver::PassInstead(pass) => pass_page(lang, &pass, Some(lang.t("enrol.link_failed"))),
            HandedOver::PaperPass(pass) => pass_page(lang, &pass, None),
        },
        Err(e) if e.kind == ErrorKind::Internal => error_page(lang, PATH, false, &e),
        Err(e) => {
            let mut fields = FieldErrors::default();
            let top = fields.place_or_top(lang, &e, &FIELD_OF_CODE);
            let submitted = Submitted { error: top, fields, typed };
            let status = e.status();
            let page = form_page(&state, lang, &who.staff.roles, submitted, None);
            (status, page).into_response()
        }
    }
}

/// The pass to print for the person, with a note when a link could not go out.
fn pass_page(lang: Lang, pass: &IssuedPass, note: Option<&str>) -> Response {
    let result = (|| {
        let svg = render_svg(&pass.qr_text).map_err(ApiError::internal)?;
        let identity = pass.resident.identity.as_ref().ok_or_else(|| ApiError::internal("pass without identity"))?;
        let day = |t: jiff::Timestamp| t.strftime("%Y-%m-%d").to_string();
        Ok::<_, ApiError>(PassPage {
            page: Page::new(lang, PATH, false).with_error(note.map(str::to_string)),
            name: identity.name.as_str().into(),
            document_hint: format!("****{}", identity.document_number.last4()),
            svg,
            print: pass.print.print,
            valid_from: day(pass.print.valid_from),
            valid_until: day(pass.print.valid_until),
            holder_view: false,
        })
    })();
    match result {
        Ok(page) => page.into_response(),
        Err(e) => error_page(lang, PATH, false, &e),
    }
}

pub async fn link_form(lang: Lang, Path(secret): Path<String>) -> Response {
    SignInLinkPage { page: Page::new(lang, "/signin/link", false), secret }.into_response()
}

pub async fn link_submit(State(state): State<AppState>, lang: Lang, Path(secret): Path<String>) -> Response {
    match enrolment::sign_in_with_link(&state, &secret).await {
        Ok((_, token)) => {
            state.metrics.sign_ins.inc();
            let cookie = session::session_cookie(&token, state.config.session_lifetime, state.config.secure_cookies());
            (AppendHeaders([(SET_COOKIE, cookie)]), Redirect::to("/me/code")).into_response()
        }
        Err(e) => error_page(lang, "/signin/link", false, &e),
    }
}
