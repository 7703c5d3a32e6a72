//! Page handlers. Forms post back to the same path; errors re-render the
//! form with the message; success redirects (post/redirect/get).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use healthcode_credential::render_svg;
use healthcode_domain::{ClockIn, Colour, Contact, ReportChannel, SymptomSet, local_date};
use healthcode_store::SessionKind;

use crate::api::auth::VisitorDocument;
use crate::api::reports::DeclarationRequest;
use crate::api::status_view::{history_entry, reason};
use crate::api::trust::outbox_entries;
use crate::auth::extract::{PageResident, optional_resident, presented_token};
use crate::auth::rate_limit::SignInGate;
use crate::auth::{otp, session};
use crate::error::ApiError;
use crate::services::code::{PassRequest, issue_code};
use crate::services::health;
use crate::state::AppState;
use crate::web::form_errors::{self, DeclarationTyped, FieldErrors, declaration_errors};
use crate::web::i18n::Lang;
use crate::web::view::*;

pub(crate) type Fields = Vec<(String, String)>;

pub(crate) fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

pub(crate) fn all(fields: &Fields, name: &str) -> Vec<String> {
    fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// A moment as the staff pages show it: the deployment's local date and minute.
pub(crate) fn local_minute(state: &AppState, t: jiff::Timestamp) -> String {
    t.to_zoned(state.config.time_zone.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

pub(crate) fn colour_name(lang: Lang, c: Colour) -> &'static str {
    lang.t(&format!("colour.{}", c.as_str()))
}

pub(crate) use crate::web::error_pages::error_page;

/// The page a cross-site form post gets (403 `CSRF_REFUSED`), in the reader's language.
pub fn cross_site_refused(lang: Lang, path: &str) -> Response {
    let e = ApiError::new(crate::error::ErrorKind::Forbidden, "CSRF_REFUSED", lang.t("csrf.refused"));
    error_page(lang, path, false, &e)
}

pub async fn home(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> impl IntoResponse {
    let signed_in = optional_resident(&state, &headers).await.is_some();
    HomePage { page: Page::new(lang, "/", signed_in) }
}

/// A path on this site to return to after signing in; anything else is
/// dropped (the caller then lands on its default page). Browsers read `//x`,
/// `/\\x` and `/<tab>/x` as another host, and some decode `%2F` or `%5C`
/// before they do, so the path must pass as sent and after each round of
/// percent-decoding.
pub fn safe_next(next: &str) -> String {
    /// Rounds of decoding before an ever-changing value is given up on.
    const MAX_ROUNDS: usize = 3;
    let mut current = next.to_string();
    for _ in 0..=MAX_ROUNDS {
        if !is_local_path(&current) {
            return String::new();
        }
        let Ok(decoded) = percent_encoding::percent_decode_str(&current).decode_utf8() else {
            return String::new();
        };
        if decoded == current {
            return next.to_string();
        }
        current = decoded.into_owned();
    }
    String::new()
}

/// One slash, then no second slash or backslash, no backslash anywhere, no
/// control character or whitespace, and short.
fn is_local_path(path: &str) -> bool {
    let mut chars = path.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !path.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace())
        && path.len() <= 300
}

pub async fn signin_form(lang: Lang, Query(q): Query<Fields>) -> impl IntoResponse {
    SignInPage { page: Page::new(lang, "/signin", false), phone: String::new(), next: safe_next(field(&q, "next")) }
}

pub async fn signin_submit(
    _gate: SignInGate,
    State(state): State<AppState>,
    lang: Lang,
    Form(f): Form<Fields>,
) -> Response {
    let phone = field(&f, "phone").to_string();
    let next = safe_next(field(&f, "next"));
    let mut fields = FieldErrors::default();
    let Some(number) = form_errors::phone(lang, &mut fields, "phone", &phone) else {
        let page = Page::new(lang, "/signin", false).with_fields(fields);
        return (StatusCode::UNPROCESSABLE_ENTITY, SignInPage { page, phone, next }).into_response();
    };
    let result = async {
        let contact = Contact::Phone(number);
        otp::request(&state, &contact).await?;
        state.metrics.otp_sent.inc();
        Ok::<_, ApiError>(contact)
    }
    .await;
    match result {
        Ok(contact) => {
            let q: String =
                form_urlencoded::Serializer::new(String::new()).append_pair("contact", contact.as_str()).finish();
            Redirect::to(&format!("/signin/verify?{q}")).into_response()
        }
        Err(e) => {
            let page = Page::new(lang, "/signin", false).with_error(Some(e.message.clone()));
            (e.status(), SignInPage { page, phone, next }).into_response()
        }
    }
}

pub async fn visitor_form(State(state): State<AppState>, lang: Lang) -> impl IntoResponse {
    VisitorPage { page: Page::new(lang, "/signin/visitor", false).with_regions(&state.config.regions) }
}

const VISITOR_FIELDS: [&str; 4] = ["name", "document_type", "document_number", "district"];

fn visitor_document(f: &Fields) -> VisitorDocument {
    VisitorDocument {
        name: field(f, "name").into(),
        document_type: field(f, "document_type").into(),
        document_number: field(f, "document_number").into(),
        district: field(f, "district").into(),
    }
}

pub async fn visitor_submit(
    _gate: SignInGate,
    State(state): State<AppState>,
    lang: Lang,
    Form(mut f): Form<Fields>,
) -> Response {
    state.config.regions.codes_in_form(&mut f, &["district"]);
    let mut fields = FieldErrors::default();
    let contact = if fields.require(lang, "contact", field(&f, "contact")) {
        fields.check(lang, "contact", Contact::parse(field(&f, "contact")))
    } else {
        None
    };
    let identity = DeclarationTyped {
        name: field(&f, "name"),
        document_type: field(&f, "document_type"),
        document_number: field(&f, "document_number"),
        district: field(&f, "district"),
        temperature_c: "",
        symptoms: &[],
        visited_regions: "",
        travel_plan: "",
    };
    for (name, message) in declaration_errors(lang, &identity).iter() {
        fields.add(lang, name, "", message);
    }
    for name in VISITOR_FIELDS {
        fields.require(lang, name, field(&f, name));
    }
    let result = match contact {
        Some(contact) if fields.is_empty() => async {
            visitor_document(&f).parse()?;
            otp::request(&state, &contact).await?;
            Ok::<_, ApiError>(contact)
        }
        .await
        .map_err(Some),
        _ => Err(None),
    };
    let (status, message) = match result {
        Ok(contact) => {
            let mut q = form_urlencoded::Serializer::new(String::new());
            q.append_pair("contact", contact.as_str());
            for k in VISITOR_FIELDS {
                q.append_pair(k, field(&f, k));
            }
            return Redirect::to(&format!("/signin/verify?{}", q.finish())).into_response();
        }
        Err(Some(e)) => (e.status(), Some(e.message)),
        Err(None) => (StatusCode::UNPROCESSABLE_ENTITY, None),
    };
    let page = Page::new(lang, "/signin/visitor", false)
        .with_regions(&state.config.regions)
        .with_submitted(Submitted { error: message, fields, typed: f });
    (status, VisitorPage { page }).into_response()
}

pub async fn verify_form(State(state): State<AppState>, lang: Lang, Query(q): Query<Fields>) -> impl IntoResponse {
    let visitor = q.iter().filter(|(k, _)| VISITOR_FIELDS.contains(&k.as_str())).cloned().collect();
    VerifyPage {
        page: Page::new(lang, "/signin/verify", false),
        contact: field(&q, "contact").to_string(),
        visitor,
        dev_outbox: state.sender.is_dev_outbox(),
        next: safe_next(field(&q, "next")),
    }
}

pub async fn verify_submit(
    _gate: SignInGate,
    State(state): State<AppState>,
    lang: Lang,
    Form(f): Form<Fields>,
) -> Response {
    let result = async {
        let contact = Contact::parse(field(&f, "contact"))?;
        let visitor = if field(&f, "document_number").is_empty() { None } else { Some(visitor_document(&f).parse()?) };
        let (resident, token) = otp::verify(&state, &contact, field(&f, "code"), visitor, SessionKind::Cookie).await?;
        let has_status = crate::services::health::status_of(&state, resident.id).await?.is_some();
        Ok::<_, ApiError>((token, has_status))
    }
    .await;
    match result {
        Ok((token, has_status)) => {
            state.metrics.sign_ins.inc();
            let cookie = session::session_cookie(&token, state.config.session_lifetime, state.config.secure_cookies());
            let next = safe_next(field(&f, "next"));
            let to = if !has_status {
                "/declare".to_string()
            } else if next.is_empty() {
                "/me/code".to_string()
            } else {
                next
            };
            (AppendHeaders([(SET_COOKIE, cookie)]), Redirect::to(&to)).into_response()
        }
        Err(e) => {
            let visitor = f.iter().filter(|(k, _)| VISITOR_FIELDS.contains(&k.as_str())).cloned().collect();
            let mut fields = FieldErrors::default();
            let top = fields.place_or_top(lang, &e, &crate::web::form_checks::FIELD_OF_CODE);
            let page = Page::new(lang, "/signin/verify", false).with_error(top).with_fields(fields);
            let body = VerifyPage {
                page,
                contact: field(&f, "contact").to_string(),
                visitor,
                dev_outbox: state.sender.is_dev_outbox(),
                next: safe_next(field(&f, "next")),
            };
            (e.status(), body).into_response()
        }
    }
}

pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = presented_token(&headers)
        && let Err(e) = session::end(&state, &session::hash_token(&token)).await
    {
        tracing::warn!(error = %e, "could not delete session");
    }
    (AppendHeaders([(SET_COOKIE, session::clear_cookie())]), Redirect::to("/signin")).into_response()
}

async fn declaration_form_for(state: &AppState, lang: Lang, who: PageResident) -> Result<DeclarationForm, ApiError> {
    let account = crate::services::accounts::resident(state, who.resident).await?;
    let mut form = DeclarationForm { document_type: "national_id".into(), ..Default::default() };
    if let Some(i) = account.identity {
        form.name = i.name.as_str().into();
        form.document_type = i.document_type.as_str().into();
        form.document_number = i.document_number.as_str().into();
        form.district = state.config.regions.picker_value(i.district.as_str(), lang);
    }
    Ok(form)
}

pub async fn declare_form(State(state): State<AppState>, lang: Lang, who: PageResident) -> Response {
    match declaration_form_for(&state, lang, who).await {
        Ok(form) => DeclarePage {
            page: Page::new(lang, "/declare", true).with_regions(&state.config.regions),
            form,
            doc_types: DOC_TYPES,
            symptoms: SYMPTOMS,
        }
        .into_response(),
        Err(e) => error_page(lang, "/declare", true, &e),
    }
}

pub(crate) fn declaration_from_form(f: &Fields) -> (DeclarationForm, Result<DeclarationRequest, ApiError>) {
    let form = DeclarationForm {
        name: field(f, "name").into(),
        document_type: field(f, "document_type").into(),
        document_number: field(f, "document_number").into(),
        district: field(f, "district").into(),
        temperature_c: field(f, "temperature_c").into(),
        symptoms: all(f, "symptoms"),
        visited_regions: field(f, "visited_regions").into(),
        contact_with_case: field(f, "contact_with_case") == "true",
        travel_plan: field(f, "travel_plan").into(),
        dcc: field(f, "dcc").trim().into(),
    };
    let temperature = form.temperature_c.trim().replace(',', ".");
    let request = if temperature.is_empty() {
        Ok(None)
    } else {
        temperature
            .parse::<f64>()
            .map(Some)
            .map_err(|_| ApiError::bad_input("TEMPERATURE_INVALID", "temperature must be a number such as 36.6"))
    }
    .map(|temperature_c| DeclarationRequest {
        name: Some(form.name.clone()),
        document_type: Some(form.document_type.clone()),
        document_number: Some(form.document_number.clone()),
        district: Some(form.district.clone()),
        symptoms: form.symptoms.clone(),
        temperature_c,
        visited_regions: form.visited_regions.split([',', ' ', ';']).map(str::to_string).collect(),
        contact_with_case: form.contact_with_case,
        travel_plan: form.travel_plan.clone(),
        dcc: Some(form.dcc.clone()).filter(|d| !d.is_empty()),
    });
    (form, request)
}

pub async fn declare_submit(
    State(state): State<AppState>,
    lang: Lang,
    who: PageResident,
    Form(mut f): Form<Fields>,
) -> Response {
    state.config.regions.codes_in_form(&mut f, &["district", "visited_regions"]);
    let (form, request) = declaration_from_form(&f);
    let typed = DeclarationTyped {
        name: &form.name,
        document_type: &form.document_type,
        document_number: &form.document_number,
        district: &form.district,
        temperature_c: &form.temperature_c,
        symptoms: &form.symptoms,
        visited_regions: &form.visited_regions,
        travel_plan: &form.travel_plan,
    };
    let fields = declaration_errors(lang, &typed);
    if !fields.is_empty() {
        let page = Page::new(lang, "/declare", true).with_regions(&state.config.regions).with_fields(fields);
        let body = DeclarePage { page, form, doc_types: DOC_TYPES, symptoms: SYMPTOMS };
        return (StatusCode::UNPROCESSABLE_ENTITY, body).into_response();
    }
    let result = async {
        let request = request?;
        let (identity, declaration) = request.parse()?;
        match request.dcc.as_deref() {
            Some(dcc) => health::declare_with_dcc(&state, who.resident, identity, declaration, ReportChannel::Web, dcc)
                .await
                .map(|_| ()),
            None => health::declare(&state, who.resident, identity, declaration, ReportChannel::Web).await.map(|_| ()),
        }
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/me/code").into_response(),
        Err(e) => {
            let mut fields = FieldErrors::default();
            // A refused certificate is shown beside the certificate field, in the reader's language.
            let top = if e.code.starts_with("DCC_") {
                let text = lang.t_opt(&format!("reason.{}", e.code)).unwrap_or(&e.message);
                fields.add(lang, "dcc", "", &format!("{text} ({})", e.code));
                None
            } else {
                Some(e.message.clone())
            };
            let page = Page::new(lang, "/declare", true)
                .with_regions(&state.config.regions)
                .with_error(top)
                .with_fields(fields);
            (e.status(), DeclarePage { page, form, doc_types: DOC_TYPES, symptoms: SYMPTOMS }).into_response()
        }
    }
}

pub async fn clock_in_form(lang: Lang, _who: PageResident) -> impl IntoResponse {
    ClockInPage {
        page: Page::new(lang, "/clock-in", true),
        symptoms: SYMPTOMS,
        temperature_c: String::new(),
        checked: Vec::new(),
    }
}

pub async fn clock_in_submit(
    State(state): State<AppState>,
    lang: Lang,
    who: PageResident,
    Form(f): Form<Fields>,
) -> Response {
    let typed = field(&f, "temperature_c").to_string();
    let checked = all(&f, "symptoms");
    let mut fields = FieldErrors::default();
    let temperature = form_errors::temperature(lang, &mut fields, "temperature_c", &typed);
    let symptoms = fields.check(lang, "symptoms", SymptomSet::parse_all(&checked));
    let result = match (temperature, symptoms) {
        (Some(temperature), Some(symptoms)) => {
            health::clock_in(&state, who.resident, ClockIn { temperature, symptoms }, ReportChannel::Web)
                .await
                .map_err(Some)
        }
        _ => Err(None),
    };
    let (status, message) = match result {
        Ok(_) => return Redirect::to("/me/code?done=clock_in").into_response(),
        Err(Some(e)) => (e.status(), Some(e.message)),
        Err(None) => (StatusCode::UNPROCESSABLE_ENTITY, None),
    };
    let page = Page::new(lang, "/clock-in", true).with_error(message).with_fields(fields);
    (status, ClockInPage { page, symptoms: SYMPTOMS, temperature_c: typed, checked }).into_response()
}

pub async fn my_code(
    State(state): State<AppState>,
    lang: Lang,
    who: PageResident,
    Query(q): Query<Fields>,
) -> Response {
    let page = Page::new(lang, "/me/code", true);
    let flash = (field(&q, "done") == "clock_in").then(|| lang.t("clock_in.counted").to_string());
    let code = match issue_code(&state, who.resident).await {
        Ok(c) => c,
        Err(e) if e.code == "DECLARATION_REQUIRED" => {
            return CodePage {
                page,
                code: None,
                flash,
                refreshing: lang.t("code.refreshing"),
                offline: lang.t("code.offline"),
                dccs: Vec::new(),
            }
            .into_response();
        }
        Err(e) => return error_page(lang, "/me/code", true, &e),
    };
    let svg = match render_svg(&code.qr_text) {
        Ok(svg) => svg,
        Err(e) => return error_page(lang, "/me/code", true, &ApiError::internal(e)),
    };
    let today = local_date(state.clock.now(), &state.config.time_zone);
    let r = reason(&state, &code.status.basis, lang);
    let hint = code
        .resident
        .identity
        .as_ref()
        .map(|i| format!("{} · ****{}", i.name.initials(), i.document_number.last4()))
        .unwrap_or_default();
    let shown = CodeShown {
        colour: code.colour.as_str().into(),
        colour_name: colour_name(lang, code.colour).into(),
        holder_hint: hint,
        svg,
        expires_in: code.expires_at.as_second() - code.issued_at.as_second(),
        // An override's reason code is staff jargon: the card says who decided, plainly.
        reason: match code.status.basis {
            healthcode_domain::Basis::Override { .. } => lang.t("code.override_plain").to_string(),
            _ => r.text,
        },
        quarantine: code.status.quarantine.map(|q| QuarantineShown {
            required_days: q.required_days,
            streak: q.streak_on(today),
            next_due: if q.is_broken_on(today) { today.to_string() } else { q.next_due().to_string() },
            broken: q.is_broken_on(today),
        }),
    };
    let dccs = match crate::services::dcc_attachments::of_resident(&state, who.resident).await {
        Ok(list) => list.iter().map(|a| crate::web::dcc_lines::shown(&state, lang, a)).collect(),
        Err(e) => return error_page(lang, "/me/code", true, &e),
    };
    CodePage {
        page,
        code: Some(shown),
        flash,
        refreshing: lang.t("code.refreshing"),
        offline: lang.t("code.offline"),
        dccs,
    }
    .into_response()
}

pub async fn history(State(state): State<AppState>, lang: Lang, who: PageResident) -> Response {
    let changes = match crate::services::health::history_of(&state, who.resident, 100).await {
        Ok(c) => c,
        Err(e) => return error_page(lang, "/me/history", true, &e),
    };
    let entries = changes
        .iter()
        .map(|c| {
            let h = history_entry(&state, c, lang);
            HistoryShown {
                at: local_minute(&state, c.at),
                event_name: lang.t(&format!("event.{}", h.event)).into(),
                from: c.from.map(|f| colour_name(lang, f).to_string()),
                to: h.to.clone(),
                to_name: colour_name(lang, c.to).into(),
                reason: h.reason.text,
                // A change made by no rule (e.g. a first green declaration) names none.
                rule: h.reason.rule_id.map(|id| format!("{id} · {}", h.reason.policy_version)),
                evidence: h.evidence,
            }
        })
        .collect();
    let accesses = match crate::services::access::of_resident(&state, who.resident, 100).await {
        Ok(list) => list
            .iter()
            .map(|a| {
                (
                    local_minute(&state, a.at),
                    lang.t(&format!("access.role.{}", a.role.as_str())).to_string(),
                    lang.t(&format!("access.{}", a.purpose)).to_string(),
                )
            })
            .collect(),
        Err(e) => return error_page(lang, "/me/history", true, &e),
    };
    HistoryPage { page: Page::new(lang, "/me/history", true), entries, accesses }.into_response()
}

pub async fn outbox(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    let signed_in = optional_resident(&state, &headers).await.is_some();
    match outbox_entries(&state, None).await {
        Ok(messages) => OutboxPage { page: Page::new(lang, "/dev/outbox", signed_in), messages }.into_response(),
        Err(e) => error_page(lang, "/dev/outbox", signed_in, &e),
    }
}

pub async fn paper_pass(State(state): State<AppState>, lang: Lang, who: PageResident) -> Response {
    pass_page(&state, lang, &who, PassRequest::Current).await
}

/// Prints a new pass, revoking the earlier ones, and shows it.
pub async fn reprint_pass(State(state): State<AppState>, lang: Lang, who: PageResident) -> Response {
    pass_page(&state, lang, &who, PassRequest::Reprint).await
}

async fn pass_page(state: &AppState, lang: Lang, who: &PageResident, request: PassRequest) -> Response {
    let result = async {
        let pass = crate::services::code::issue_pass(state, who.resident, request).await?;
        let svg = render_svg(&pass.qr_text).map_err(ApiError::internal)?;
        let identity = pass.resident.identity.ok_or_else(|| ApiError::internal("pass without identity"))?;
        let day = |t: jiff::Timestamp| t.strftime("%Y-%m-%d").to_string();
        Ok::<_, ApiError>(PassPage {
            page: Page::new(lang, "/me/pass", true),
            name: identity.name.as_str().into(),
            document_hint: format!("****{}", identity.document_number.last4()),
            svg,
            print: pass.print.print,
            valid_from: day(pass.print.valid_from),
            valid_until: day(pass.print.valid_until),
            holder_view: true,
        })
    }
    .await;
    match result {
        Ok(page) => page.into_response(),
        Err(e) if e.code == "DECLARATION_REQUIRED" => Redirect::to("/declare").into_response(),
        Err(e) => error_page(lang, "/me/pass", true, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;
    use rstest::rstest;

    #[rstest]
    #[case::a_page("/me/code", "/me/code")]
    #[case::with_query("/c/abc?lang=vi", "/c/abc?lang=vi")]
    #[case::encoded_space_in_query_is_refused("/x?q=a%20b", "")]
    #[case::empty("", "")]
    #[case::relative("me/code", "")]
    #[case::absolute_url("https://evil.example/", "")]
    #[case::protocol_relative("//evil.example", "")]
    #[case::slash_backslash("/\\evil.example", "")]
    #[case::backslash_later("/me\\..\\x", "")]
    #[case::tab_then_slash("/\t/evil.example", "")]
    #[case::newline("/me/code\n", "")]
    #[case::space("/ /evil.example", "")]
    #[case::encoded_slashes("/%2F%2Fevil.example", "")]
    #[case::encoded_slashes_lowercase("/%2f%2fevil.example", "")]
    #[case::encoded_backslash("/%5Cevil.example", "")]
    #[case::encoded_tab("/%09/evil.example", "")]
    #[case::double_encoded_slashes("/%252F%252Fevil.example", "")]
    #[case::invalid_utf8("/%FF", "")]
    #[case::too_long(&format!("/{}", "a".repeat(300)), "")]
    fn next_is_kept_only_when_it_stays_on_this_site(#[case] next: &str, #[case] kept: &str) {
        assert_eq!(safe_next(next), kept, "{next:?}");
    }
}
