//! Staff sign-in for pages. Until staff password accounts exist, officers
//! and the authority paste the access token the operator issued
//! (`healthcode token --role officer --subject NAME`); the page keeps it in
//! the session cookie.

use axum::Form;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use healthcode_domain::Role;

use crate::auth::session;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::form_errors::FieldErrors;
use crate::web::i18n::Lang;
use crate::web::pages::{Fields, field};
use crate::web::view::{Page, StaffSignInPage};

pub async fn signin_form(lang: Lang) -> impl IntoResponse {
    StaffSignInPage { page: Page::new(lang, "/staff/signin", false) }
}

pub async fn signin_submit(State(state): State<AppState>, lang: Lang, Form(f): Form<Fields>) -> Response {
    let token = field(&f, "token").trim().to_string();
    let found = session::find(&state, &token).await;
    match found {
        Ok(Some(s))
            if matches!(s.principal.role, Role::Officer | Role::Authority | Role::Supervisor | Role::Auditor) =>
        {
            let lifetime = s.expires_at.duration_since(state.clock.now());
            let cookie = session::session_cookie(&token, lifetime, state.config.secure_cookies());
            let to = match s.principal.role {
                Role::Authority => "/authority/cases",
                Role::Officer => "/checkpoint",
                Role::Supervisor => "/authority/overrides",
                _ => "/",
            };
            (AppendHeaders([(SET_COOKIE, cookie)]), Redirect::to(to)).into_response()
        }
        Ok(_) => {
            let e = ApiError::bad_input("STAFF_TOKEN_INVALID", "this is not a valid staff access token");
            let mut fields = FieldErrors::default();
            fields.add(lang, "token", e.code, &e.message);
            let page = Page::new(lang, "/staff/signin", false).with_fields(fields);
            (e.status(), StaffSignInPage { page }).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
