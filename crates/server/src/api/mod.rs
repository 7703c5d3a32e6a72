//! The JSON API under `/api/v1`, and its OpenAPI document.

pub mod access;
pub mod alarms;
pub mod appeals;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod check_ins;
pub mod checkpoints;
pub mod code;
pub mod dcc;
pub mod enterprises;
pub mod false_declarations;
pub mod json;
pub mod lab;
pub mod overrides;
pub mod reports;
pub mod risk_areas;
pub mod stats;
pub mod status_view;
pub mod trust;
pub mod venues;

use axum::Router;
use axum::routing::{delete, get, post};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};
use crate::state::AppState;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        }
    }
}

/// The errors any operation of a kind can answer, listed on each so clients
/// see them where they occur: 401 and 403 on every authenticated operation
/// (a missing or wrong principal; `CSRF_REFUSED` for a cross-site cookie
/// request), 413 on every operation that takes a body (over 64 KiB), 429 on
/// the one-time-code operations (sending and attempt limits).
struct CommonErrors;

impl CommonErrors {
    fn response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
        let content = utoipa::openapi::Content::new(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")));
        utoipa::openapi::ResponseBuilder::new()
            .description(description)
            .content("application/json", content)
            .build()
            .into()
    }
}

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        const THROTTLED: [&str; 2] = ["/api/v1/auth/otp/request", "/api/v1/auth/otp/verify"];
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in operations.into_iter().flatten() {
                let mut add = |status: &str, description: &str| {
                    op.responses.responses.entry(status.to_string()).or_insert_with(|| Self::response(description));
                };
                let authenticated = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = op.request_body.is_some();
                if authenticated {
                    add("401", "`UNAUTHENTICATED`: no valid session or bearer token");
                    add(
                        "403",
                        "`FORBIDDEN`: the principal's role may not do this; `CSRF_REFUSED`: a cross-site request with the session cookie",
                    );
                }
                if has_body {
                    add("413", "`PAYLOAD_TOO_LARGE`: the body is over 64 KiB");
                }
                if THROTTLED.contains(&path.as_str()) {
                    add("429", "Too many codes sent or attempts made for this contact; wait and retry");
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "healthcode API", version = "1", description = "Health codes, declarations and clock-ins. Errors are `{\"error\":{\"code\",\"message\"}}` with stable codes."),
    paths(
        auth::request_otp, auth::verify_otp, auth::sign_out, auth::refresh,
        reports::declare, reports::clock_in, reports::my_status,
        code::my_code, code::my_code_png, code::my_code_svg, code::my_pass, code::reprint_pass, code::my_pass_png,
        trust::trust_list, trust::signed_trust_list, trust::peers, trust::dev_outbox, dcc::dsc_list, dcc::attach, dcc::mine,
        venues::register, venues::list, venues::get_one, venues::close, venues::reopen, venues::rotate,
        venues::visits, venues::attempts, venues::qr_svg, venues::qr_png, venues::poster_pdf, venues::poster_png, venues::poster_svg,
        check_ins::check_in, check_ins::check_out, check_ins::my_visits,
        checkpoints::register, checkpoints::list, checkpoints::scan, checkpoints::sync, checkpoints::status_list,
        checkpoints::venue_scan, checkpoints::passages,
        cases::record, cases::list, cases::trace, cases::apply, cases::my_notices, cases::exposure_sites,
        audit::list, risk_areas::mark, risk_areas::in_force,
        overrides::request, overrides::pending, overrides::approve, overrides::reject,
        alarms::list, alarms::acknowledge,
        stats::daily, stats::daily_csv, access::my_access,
        appeals::file, appeals::mine, appeals::pending, appeals::answer,
        enterprises::apply, enterprises::list, enterprises::get_one, enterprises::applications,
        enterprises::approve, enterprises::reject, enterprises::invite, enterprises::remove,
        enterprises::my_employers, enterprises::accept, enterprises::leave, enterprises::gate_scan,
        enterprises::dashboard,
        lab::record, lab::import, lab::mine,
        false_declarations::request, false_declarations::pending, false_declarations::approve,
        false_declarations::reject, false_declarations::mine,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerAuth, &CommonErrors),
)]
pub struct ApiDoc;

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/otp/request", post(auth::request_otp))
        .route("/auth/otp/verify", post(auth::verify_otp))
        .route("/auth/signout", post(auth::sign_out))
        .route("/auth/refresh", post(auth::refresh))
        .route("/declarations", post(reports::declare))
        .route("/clock-ins", post(reports::clock_in))
        .route("/me/status", get(reports::my_status))
        .route("/me/code", get(code::my_code))
        .route("/me/code.png", get(code::my_code_png))
        .route("/me/code.svg", get(code::my_code_svg))
        .route("/me/pass", get(code::my_pass))
        .route("/me/pass.png", get(code::my_pass_png))
        .route("/me/pass/reprint", post(code::reprint_pass))
        .route("/trust-list", get(trust::trust_list))
        .route("/federation/trust-list", get(trust::signed_trust_list))
        .route("/federation/peers", get(trust::peers))
        .route("/dcc/dsc-list", get(dcc::dsc_list))
        .route("/me/dcc", post(dcc::attach).get(dcc::mine))
        .route("/dev/outbox", get(trust::dev_outbox))
        .route("/venues", post(venues::register).get(venues::list))
        .route("/venues/{id}", get(venues::get_one))
        .route("/venues/{id}/close", post(venues::close))
        .route("/venues/{id}/reopen", post(venues::reopen))
        .route("/venues/{id}/rotate-token", post(venues::rotate))
        .route("/venues/{id}/visits", get(venues::visits))
        .route("/venues/{id}/attempts", get(venues::attempts))
        .route("/venues/{id}/qr.svg", get(venues::qr_svg))
        .route("/venues/{id}/qr.png", get(venues::qr_png))
        .route("/venues/{id}/poster.pdf", get(venues::poster_pdf))
        .route("/venues/{id}/poster.png", get(venues::poster_png))
        .route("/venues/{id}/poster.svg", get(venues::poster_svg))
        .route("/check-ins", post(check_ins::check_in))
        .route("/check-ins/{id}/check-out", post(check_ins::check_out))
        .route("/me/visits", get(check_ins::my_visits))
        .route("/venues/{id}/scans", post(checkpoints::venue_scan))
        .route("/checkpoints", post(checkpoints::register).get(checkpoints::list))
        .route("/checkpoints/{id}/scans", post(checkpoints::scan))
        .route("/checkpoints/{id}/passages:sync", post(checkpoints::sync))
        .route("/checkpoints/{id}/passages", get(checkpoints::passages))
        .route("/status-list", get(checkpoints::status_list))
        .route("/cases", post(cases::record).get(cases::list))
        .route("/cases/{id}/trace", post(cases::trace))
        .route("/cases/{id}/apply", post(cases::apply))
        .route("/me/notices", get(cases::my_notices))
        .route("/exposure-sites", get(cases::exposure_sites))
        .route("/audit", get(audit::list))
        .route("/overrides", post(overrides::request).get(overrides::pending))
        .route("/overrides/{id}/approve", post(overrides::approve))
        .route("/overrides/{id}/reject", post(overrides::reject))
        .route("/alarms", get(alarms::list))
        .route("/alarms/{id}/acknowledge", post(alarms::acknowledge))
        .route("/risk-areas", post(risk_areas::mark).get(risk_areas::in_force))
        .route("/me/access", get(access::my_access))
        .route("/appeals", post(appeals::file).get(appeals::pending))
        .route("/appeals/{id}/answer", post(appeals::answer))
        .route("/me/appeals", get(appeals::mine))
        .route("/stats/daily", get(stats::daily))
        .route("/stats/daily.csv", get(stats::daily_csv))
        .route("/enterprises", post(enterprises::apply).get(enterprises::list))
        .route("/enterprises/{id}", get(enterprises::get_one))
        .route("/enterprise-applications", get(enterprises::applications))
        .route("/enterprises/{id}/approve", post(enterprises::approve))
        .route("/enterprises/{id}/reject", post(enterprises::reject))
        .route("/enterprises/{id}/employees", post(enterprises::invite))
        .route("/enterprises/{id}/employees/{phone}", delete(enterprises::remove))
        .route("/enterprises/{id}/gate-scans", post(enterprises::gate_scan))
        .route("/enterprises/{id}/dashboard", get(enterprises::dashboard))
        .route("/me/employers", get(enterprises::my_employers))
        .route("/me/employers/{id}/accept", post(enterprises::accept))
        .route("/me/employers/{id}/leave", post(enterprises::leave))
        // lab: test results and false declarations
        .route("/test-results", post(lab::record))
        .route("/test-results/import", post(lab::import))
        .route("/me/test-results", get(lab::mine))
        .route("/false-declarations", post(false_declarations::request).get(false_declarations::pending))
        .route("/false-declarations/{id}/approve", post(false_declarations::approve))
        .route("/false-declarations/{id}/reject", post(false_declarations::reject))
        .route("/me/false-declarations", get(false_declarations::mine))
}
