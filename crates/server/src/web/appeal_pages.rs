//! Appeals on pages: the resident's form and answers (`/me/appeal`), and the
//! health authority's inbox, overdue first (`/authority/appeals`).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_store::Appeal;

use crate::auth::extract::PageResident;
use crate::error::ApiError;
use crate::services::appeals::{self, Outcome};
use crate::state::AppState;
use crate::web::case_pages::PageAuthority;
use crate::web::i18n::Lang;
use crate::web::pages::{Fields, error_page, field};
use crate::web::view::{AppealInboxPage, AppealRow, MyAppealPage, Page, Submitted};

fn row(state: &AppState, lang: Lang, a: &Appeal) -> AppealRow {
    let tz = state.config.time_zone.clone();
    let local = |t: jiff::Timestamp| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
    let now = state.clock.now();
    AppealRow {
        id: a.id.to_string(),
        person: a.resident.to_string()[..8].to_string(),
        colour: a.colour.as_str().into(),
        colour_name: lang.t(&format!("colour.{}", a.colour.as_str())).into(),
        message: a.message.clone(),
        submitted: local(a.submitted_at),
        due: local(a.due_at),
        overdue: a.state == "pending" && now > a.due_at,
        state: lang.t(&format!("appeal.state.{}", a.state)).into(),
        answer: a.answer.clone().unwrap_or_default(),
    }
}

async fn my_page(state: &AppState, lang: Lang, who: PageResident, submitted: Submitted, sent: bool) -> Response {
    let status_code = submitted.status();
    let path = "/me/appeal";
    let (status, list) = match (
        crate::services::health::status_of(state, who.resident).await,
        crate::services::appeals::of_resident(state, who.resident, 20).await,
    ) {
        (Ok(s), Ok(l)) => (s, l),
        (Err(e), _) | (_, Err(e)) => return error_page(lang, path, true, &e),
    };
    let body = MyAppealPage {
        page: Page::new(lang, path, true).with_submitted(submitted),
        colour: status.as_ref().map(|s| s.colour.as_str().to_string()).unwrap_or_default(),
        can_appeal: status.is_some_and(|s| s.colour != healthcode_domain::Colour::Green)
            && !list.iter().any(|a| a.state == "pending"),
        sent,
        appeals: list.iter().map(|a| row(state, lang, a)).collect(),
    };
    (status_code, body).into_response()
}

pub async fn mine(State(state): State<AppState>, lang: Lang, who: PageResident) -> Response {
    my_page(&state, lang, who, Submitted::default(), false).await
}

pub async fn file(State(state): State<AppState>, lang: Lang, who: PageResident, Form(f): Form<Fields>) -> Response {
    let fields = crate::web::form_checks::appeal(lang, &f);
    if !fields.is_empty() {
        return my_page(&state, lang, who, Submitted::new(fields, &f), false).await;
    }
    match appeals::file(&state, who.resident, field(&f, "message")).await {
        Ok(_) => my_page(&state, lang, who, Submitted::default(), true).await,
        Err(e) => {
            let submitted = Submitted { error: Some(e.message), ..Submitted::new(Default::default(), &f) };
            my_page(&state, lang, who, submitted, false).await
        }
    }
}

async fn inbox_page(state: &AppState, lang: Lang, who: &PageAuthority, error: Option<String>) -> Response {
    let path = "/authority/appeals";
    match crate::services::appeals::pending(state, 500).await {
        Ok(list) => AppealInboxPage {
            page: Page::staff(lang, path, &who.roles).with_error(error),
            appeals: list.iter().map(|a| row(state, lang, a)).collect(),
        }
        .into_response(),
        Err(e) => error_page(lang, path, false, &e),
    }
}

pub async fn inbox(State(state): State<AppState>, lang: Lang, who: PageAuthority) -> Response {
    inbox_page(&state, lang, &who, None).await
}

pub async fn answer(
    State(state): State<AppState>,
    lang: Lang,
    who: PageAuthority,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let result = async {
        let id: uuid::Uuid = id.parse().map_err(|_| ApiError::not_found())?;
        let outcome = Outcome::parse(field(&f, "outcome"))?;
        appeals::answer(&state, &who.name, id, outcome, field(&f, "answer")).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/authority/appeals").into_response(),
        Err(e) => inbox_page(&state, lang, &who, Some(e.message)).await,
    }
}
