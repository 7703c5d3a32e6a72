//! Server-rendered, mobile-first pages in three languages. Each handler
//! calls the same service functions as the JSON API.

mod appeal_pages;
mod case_pages;
mod check_in_pages;
mod dcc_lines;
mod enterprise_list;
mod enterprise_pages;
mod error_pages;
mod form_checks;
pub mod form_errors;
pub mod listing;
pub use error_pages::errors_as_pages;
pub use install::scanner_manifest;
mod governance_pages;
pub mod i18n;
mod install;
mod lab_pages;
mod pages;
pub use pages::cross_site_refused;
mod enrol_pages;
mod oidc_pages;
mod passage_pages;
mod scanner_pages;
mod staff_pages;
mod stats_pages;
pub(crate) mod venue_pages;
mod view;

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};

use crate::state::AppState;
use i18n::{LANG_COOKIE, Lang};

/// The page routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/stats", get(stats_pages::dashboard))
        .route("/me/appeal", get(appeal_pages::mine).post(appeal_pages::file))
        .route("/authority/appeals", get(appeal_pages::inbox))
        .route("/authority/appeals/{id}/answer", post(appeal_pages::answer))
        .route("/signin", get(pages::signin_form).post(pages::signin_submit))
        .route("/signin/visitor", get(pages::visitor_form).post(pages::visitor_submit))
        .route("/signin/verify", get(pages::verify_form).post(pages::verify_submit))
        .route("/signout", post(pages::sign_out))
        .route("/declare", get(pages::declare_form).post(pages::declare_submit))
        .route("/clock-in", get(pages::clock_in_form).post(pages::clock_in_submit))
        .route("/me/code", get(pages::my_code))
        .route("/me/history", get(pages::history))
        .route("/me/pass", get(pages::paper_pass))
        .route("/me/pass/reprint", post(pages::reprint_pass))
        .route("/dev/outbox", get(pages::outbox))
        .route("/c", get(check_in_pages::entry_form).post(check_in_pages::entry_submit))
        .route("/c/{token}", get(check_in_pages::venue_link).post(check_in_pages::venue_scan))
        .route("/me/visits", get(check_in_pages::my_visits))
        .route("/me/visits/{id}/check-out", post(check_in_pages::check_out))
        .route("/venue/signin", get(venue_pages::signin_form).post(venue_pages::signin_submit))
        .route("/venue/signin/verify", post(venue_pages::signin_verify))
        .route("/venue", get(venue_pages::list).post(venue_pages::register))
        .route("/venue/{id}", get(venue_pages::show))
        .route("/venue/{id}/{action}", post(venue_pages::action))
        .route("/authority/cases", get(case_pages::list).post(case_pages::record))
        .route("/authority/cases/{id}", get(case_pages::show))
        .route("/authority/cases/{id}/apply", get(case_pages::apply_confirm).post(case_pages::apply))
        .route("/authority/cases/{id}/report.csv", get(case_pages::report_csv))
        .route("/me/notices", get(case_pages::notices))
        .route("/exposure-sites", get(case_pages::exposure_sites))
        .route("/staff/signin", get(staff_pages::signin_form).post(staff_pages::signin_submit))
        .route("/staff/oidc/start", get(oidc_pages::start))
        .route("/staff/oidc/callback", get(oidc_pages::callback))
        .route("/staff/invite/{secret}", get(staff_pages::invite_form).post(staff_pages::invite_submit))
        .route("/staff/accounts", get(staff_pages::accounts).post(staff_pages::invite))
        .route("/staff/accounts/{id}/{action}", post(staff_pages::account_action))
        .route("/staff/enrol", get(enrol_pages::form).post(enrol_pages::submit))
        .route("/signin/link/{secret}", get(enrol_pages::link_form).post(enrol_pages::link_submit))
        .route("/checkpoint", get(scanner_pages::checkpoints).post(scanner_pages::register_checkpoint))
        .route("/checkpoint/{id}", get(scanner_pages::checkpoint_scanner))
        .route("/venue/{id}/scan", get(scanner_pages::venue_scanner))
        .route("/employer", get(enterprise_pages::list).post(enterprise_pages::apply))
        .route("/employer/{id}", get(enterprise_pages::show))
        .route("/employer/{id}/scan", get(enterprise_pages::gate_scanner))
        .route("/employer/{id}/{action}", post(enterprise_pages::action))
        .route("/me/employers", get(enterprise_pages::my_employers))
        .route("/me/employers/{id}/{action}", post(enterprise_pages::my_action))
        .route("/authority/enterprises", get(enterprise_pages::review))
        .route("/authority/employers", get(enterprise_list::list))
        .route("/staff/passages", get(passage_pages::list))
        .route("/authority/enterprises/{id}/decide", post(enterprise_pages::decide))
        .route("/authority/overrides", get(governance_pages::overrides_list).post(governance_pages::override_request))
        .route("/authority/overrides/{id}/{action}", post(governance_pages::override_decide))
        .route("/authority/alarms", get(governance_pages::alarms_list))
        .route("/authority/alarms/{id}/acknowledge", post(governance_pages::alarm_acknowledge))
        .route("/authority/tests", get(lab_pages::tests).post(lab_pages::record))
        .route("/authority/tests/import", post(lab_pages::import))
        .route("/authority/false-declarations", get(lab_pages::declarations).post(lab_pages::request_declaration))
        .route("/authority/false-declarations/{id}/{action}", post(lab_pages::decide_declaration))
        .route("/me/tests", get(lab_pages::mine))
}

/// Remembers a `?lang=` choice in a cookie so the next pages keep it.
pub async fn remember_language(req: Request, next: Next) -> Response {
    let chosen = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").and_then(|(_, v)| Lang::parse(&v))
    });
    let mut response = next.run(req).await;
    if let Some(lang) = chosen {
        let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.key());
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, v);
        }
    }
    response
}
