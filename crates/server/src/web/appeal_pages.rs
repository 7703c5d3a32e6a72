//! Appeals on pages: the resident's form and answers (`/me/appeal`), and the
//! health authority's inbox, overdue first (`/authority/appeals`).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_store::{Appeal, AppealSort, ListQuery};

use crate::auth::extract::PageResident;
use crate::error::ApiError;
use crate::services::appeals::{self, Outcome};
use crate::services::lists;
use crate::state::AppState;
use crate::web::case_pages::PageAuthority;
use crate::web::i18n::Lang;
use crate::web::listing::{self, ListParams, ListSpec, Listing};
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
        pending: a.state == "pending",
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

const INBOX: &str = "/authority/appeals";

/// The inbox: the nearest deadline first unless asked.
const APPEAL_LIST: ListSpec = ListSpec {
    sorts: &["due", "submitted", "state", "district"],
    descending: false,
    filters: &[("state", &["pending", "upheld", "rejected"]), ("district", &[]), ("from", &[]), ("to", &[])],
};
const APPEAL_SORTS: &[(&str, AppealSort)] = &[
    ("due", AppealSort::Due),
    ("submitted", AppealSort::Submitted),
    ("state", AppealSort::State),
    ("district", AppealSort::District),
];

async fn inbox_page(
    state: &AppState,
    lang: Lang,
    who: &PageAuthority,
    error: Option<String>,
    query: &[(String, String)],
) -> Response {
    let result = async {
        let mut list = ListParams::parse(INBOX, query, &APPEAL_LIST)?;
        let q = list.query(state, APPEAL_SORTS)?;
        let (rows, total) = lists::appeals(state, &q).await?;
        let pending = ListQuery { state: Some("pending".into()), limit: 0, ..ListQuery::default() };
        let (_, waiting) = lists::appeals(state, &pending).await?;
        Ok::<_, ApiError>((list, rows, total, waiting))
    }
    .await;
    let (list, rows, total, waiting) = match result {
        Ok(r) => r,
        Err(e) => return listing::error_page(lang, INBOX, &e),
    };
    let appeals = rows
        .iter()
        .map(|r| (row(state, lang, &r.record), listing::district_name(state, lang, r.district.as_deref())))
        .collect::<Vec<_>>();
    AppealInboxPage {
        page: Page::staff(lang, INBOX, &who.roles).with_error(error),
        waiting,
        l: Listing::new(state, lang, list, appeals.len(), total).select(
            "state",
            lang.t("list.status"),
            ["pending", "upheld", "rejected"].map(|s| (s, lang.t(&format!("appeal.state.{s}")))),
        ),
        appeals,
    }
    .into_response()
}

pub async fn inbox(
    State(state): State<AppState>,
    lang: Lang,
    who: PageAuthority,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    inbox_page(&state, lang, &who, None, &query).await
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
        Err(e) => inbox_page(&state, lang, &who, Some(e.message), &[]).await,
    }
}
