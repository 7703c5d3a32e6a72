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
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    info(
        title = "healthcode API",
        version = "1",
        description = "Health codes, declarations and clock-ins. Errors are `{\"error\":{\"code\",\"message\"}}` with stable codes."
    ),
    components(schemas(ErrorBody, ErrorDetail))
)]
pub struct ApiDoc;

/// The `/api/v1` routes and the OpenAPI document, both from this one list:
/// `routes!` takes each handler's path and method from its `#[utoipa::path]`,
/// so a handler is registered once and is documented where it is routed.
/// The paths are whole (`/api/v1/...`): `app::router` merges this router, it
/// does not nest it. Add a route here, and to `tests/it/role_matrix.rs`.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::request_otp))
        .routes(routes!(auth::verify_otp))
        .routes(routes!(auth::sign_out))
        .routes(routes!(auth::refresh))
        .routes(routes!(reports::declare))
        .routes(routes!(reports::clock_in))
        .routes(routes!(reports::my_status))
        .routes(routes!(code::my_code))
        .routes(routes!(code::my_code_png))
        .routes(routes!(code::my_code_svg))
        .routes(routes!(code::my_pass))
        .routes(routes!(code::my_pass_png))
        .routes(routes!(code::reprint_pass))
        .routes(routes!(trust::trust_list))
        .routes(routes!(trust::signed_trust_list))
        .routes(routes!(trust::peers))
        .routes(routes!(dcc::dsc_list))
        .routes(routes!(dcc::attach, dcc::mine))
        .routes(routes!(trust::dev_outbox))
        .routes(routes!(venues::register, venues::list))
        .routes(routes!(venues::get_one))
        .routes(routes!(venues::close))
        .routes(routes!(venues::reopen))
        .routes(routes!(venues::rotate))
        .routes(routes!(venues::visits))
        .routes(routes!(venues::attempts))
        .routes(routes!(venues::qr_svg))
        .routes(routes!(venues::qr_png))
        .routes(routes!(venues::poster_pdf))
        .routes(routes!(venues::poster_png))
        .routes(routes!(venues::poster_svg))
        .routes(routes!(check_ins::check_in))
        .routes(routes!(check_ins::check_out))
        .routes(routes!(check_ins::my_visits))
        .routes(routes!(checkpoints::venue_scan))
        .routes(routes!(checkpoints::register, checkpoints::list))
        .routes(routes!(checkpoints::scan))
        .routes(routes!(checkpoints::sync))
        .routes(routes!(checkpoints::passages))
        .routes(routes!(checkpoints::status_list))
        .routes(routes!(cases::record, cases::list))
        .routes(routes!(cases::trace))
        .routes(routes!(cases::apply))
        .routes(routes!(cases::my_notices))
        .routes(routes!(cases::exposure_sites))
        .routes(routes!(audit::list))
        .routes(routes!(overrides::request, overrides::pending))
        .routes(routes!(overrides::approve))
        .routes(routes!(overrides::reject))
        .routes(routes!(alarms::list))
        .routes(routes!(alarms::acknowledge))
        .routes(routes!(risk_areas::mark, risk_areas::in_force))
        .routes(routes!(access::my_access))
        .routes(routes!(appeals::file, appeals::pending))
        .routes(routes!(appeals::answer))
        .routes(routes!(appeals::mine))
        .routes(routes!(stats::daily))
        .routes(routes!(stats::daily_csv))
        .routes(routes!(enterprises::apply, enterprises::list))
        .routes(routes!(enterprises::get_one))
        .routes(routes!(enterprises::applications))
        .routes(routes!(enterprises::approve))
        .routes(routes!(enterprises::reject))
        .routes(routes!(enterprises::invite))
        .routes(routes!(enterprises::remove))
        .routes(routes!(enterprises::gate_scan))
        .routes(routes!(enterprises::dashboard))
        .routes(routes!(enterprises::my_employers))
        .routes(routes!(enterprises::accept))
        .routes(routes!(enterprises::leave))
        // lab: test results and false declarations
        .routes(routes!(lab::record))
        .routes(routes!(lab::import))
        .routes(routes!(lab::mine))
        .routes(routes!(false_declarations::request, false_declarations::pending))
        .routes(routes!(false_declarations::approve))
        .routes(routes!(false_declarations::reject))
        .routes(routes!(false_declarations::mine))
        .split_for_parts();
    BearerAuth.modify(&mut doc);
    CommonErrors.modify(&mut doc);
    (router, doc)
}
