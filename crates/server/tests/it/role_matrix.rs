//! The endpoint × role matrix, generated from the route table: every route
//! the server declares (`api::routes`, read from the OpenAPI document it
//! generates, which `openapi.rs` holds equal to its router; `web::routes` and
//! `app::router`, read from their source) must be
//! listed once in [`ROUTES`] with who may call it; the test then calls each
//! as nobody, with a foreign token, and as every role, and checks the
//! outcome the table implies. A route missing from the table fails the test
//! with its name: add it there.

use healthcode_domain::Role;
use healthcode_server::Clock;
use healthcode_store::{Principal, SessionKind};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION};

use crate::harness::spawn_app;

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Anyone signed in, whatever their role.
    SignedIn,
    /// Everyone is sent to the sign-in page (signing out).
    SignOut,
    /// A sign-in form sent empty: 401 for everyone, whoever is signed in.
    EmptySignIn,
    Resident,
    Venue,
    /// Staff holding one of these roles (device tokens here; accounts in `staff.rs`).
    Staff(&'static [Role]),
    /// Pages: the signed-out are sent to `/signin`, `/venue/signin` or `/staff/signin`; anyone
    /// else signed in gets 403 on a staff page.
    PageResident,
    PageVenue,
    PageStaff(&'static [Role]),
    /// The scanner pages: like `PageStaff`, but residents and venue operators (perhaps at a shared
    /// phone) are sent to the staff sign-in too.
    PageScanner(&'static [Role]),
}

use Access::*;

const OFFICERS: &[Role] = &[Role::Officer, Role::Authority];
const AUTHORITY: &[Role] = &[Role::Authority];
const SUPERVISOR: &[Role] = &[Role::Supervisor];
const READERS: &[Role] = &[Role::Auditor, Role::Authority, Role::Supervisor];
const OVERSIGHT: &[Role] = &[Role::Authority, Role::Supervisor];

/// Every route: method, path as declared (API paths with `/api/v1`), access.
/// THE place a new route is listed.
const ROUTES: &[(&str, &str, Access)] = &[
    // JSON API
    ("POST", "/api/v1/auth/otp/request", Public),
    ("POST", "/api/v1/auth/otp/verify", Public),
    ("POST", "/api/v1/auth/signout", SignedIn),
    ("POST", "/api/v1/auth/refresh", SignedIn),
    ("POST", "/api/v1/declarations", Resident),
    ("POST", "/api/v1/clock-ins", Resident),
    ("GET", "/api/v1/me/status", Resident),
    ("GET", "/api/v1/me/code", Resident),
    ("GET", "/api/v1/me/code.png", Resident),
    ("GET", "/api/v1/me/code.svg", Resident),
    ("GET", "/api/v1/me/pass", Resident),
    ("POST", "/api/v1/me/pass/reprint", Resident),
    ("GET", "/api/v1/me/pass.png", Resident),
    ("GET", "/api/v1/trust-list", Public),
    ("GET", "/api/v1/federation/trust-list", Public),
    ("GET", "/api/v1/federation/peers", Staff(OFFICERS)),
    ("GET", "/api/v1/dcc/dsc-list", Public),
    ("POST", "/api/v1/me/dcc", Resident),
    ("GET", "/api/v1/me/dcc", Resident),
    ("GET", "/api/v1/dev/outbox", Public),
    ("POST", "/api/v1/venues", Venue),
    ("GET", "/api/v1/venues", Venue),
    ("GET", "/api/v1/venues/{id}", Venue),
    ("POST", "/api/v1/venues/{id}/close", Venue),
    ("POST", "/api/v1/venues/{id}/reopen", Venue),
    ("POST", "/api/v1/venues/{id}/rotate-token", Venue),
    ("GET", "/api/v1/venues/{id}/visits", Venue),
    ("GET", "/api/v1/venues/{id}/attempts", Venue),
    ("GET", "/api/v1/venues/{id}/qr.svg", Venue),
    ("GET", "/api/v1/venues/{id}/qr.png", Venue),
    ("GET", "/api/v1/venues/{id}/poster.pdf", Venue),
    ("GET", "/api/v1/venues/{id}/poster.png", Venue),
    ("GET", "/api/v1/venues/{id}/poster.svg", Venue),
    ("POST", "/api/v1/check-ins", Resident),
    ("POST", "/api/v1/check-ins/{id}/check-out", Resident),
    ("GET", "/api/v1/me/visits", Resident),
    ("POST", "/api/v1/venues/{id}/scans", Venue),
    ("POST", "/api/v1/checkpoints", Staff(AUTHORITY)),
    ("GET", "/api/v1/checkpoints", Staff(OFFICERS)),
    ("POST", "/api/v1/checkpoints/{id}/scans", Staff(OFFICERS)),
    ("POST", "/api/v1/checkpoints/{id}/passages:sync", Staff(OFFICERS)),
    ("GET", "/api/v1/checkpoints/{id}/passages", Staff(OFFICERS)),
    ("GET", "/api/v1/status-list", Staff(OFFICERS)),
    ("POST", "/api/v1/cases", Staff(AUTHORITY)),
    ("GET", "/api/v1/cases", Staff(AUTHORITY)),
    ("POST", "/api/v1/cases/{id}/trace", Staff(AUTHORITY)),
    ("POST", "/api/v1/cases/{id}/apply", Staff(AUTHORITY)),
    ("GET", "/api/v1/me/notices", Resident),
    ("GET", "/api/v1/exposure-sites", Public),
    ("GET", "/api/v1/audit", Staff(READERS)),
    ("POST", "/api/v1/test-results", Staff(AUTHORITY)),
    ("POST", "/api/v1/test-results/import", Staff(AUTHORITY)),
    ("GET", "/api/v1/me/test-results", Resident),
    ("POST", "/api/v1/false-declarations", Staff(AUTHORITY)),
    ("GET", "/api/v1/false-declarations", Staff(READERS)),
    ("POST", "/api/v1/false-declarations/{id}/approve", Staff(SUPERVISOR)),
    ("POST", "/api/v1/false-declarations/{id}/reject", Staff(SUPERVISOR)),
    ("GET", "/api/v1/me/false-declarations", Resident),
    ("POST", "/api/v1/overrides", Staff(AUTHORITY)),
    ("GET", "/api/v1/overrides", Staff(READERS)),
    ("POST", "/api/v1/overrides/{id}/approve", Staff(SUPERVISOR)),
    ("POST", "/api/v1/overrides/{id}/reject", Staff(SUPERVISOR)),
    ("GET", "/api/v1/alarms", Staff(READERS)),
    ("POST", "/api/v1/alarms/{id}/acknowledge", Staff(OVERSIGHT)),
    ("POST", "/api/v1/risk-areas", Staff(AUTHORITY)),
    ("GET", "/api/v1/risk-areas", Public),
    ("GET", "/api/v1/me/access", Resident),
    ("POST", "/api/v1/appeals", Resident),
    ("GET", "/api/v1/appeals", Staff(READERS)),
    ("POST", "/api/v1/appeals/{id}/answer", Staff(AUTHORITY)),
    ("GET", "/api/v1/me/appeals", Resident),
    ("GET", "/api/v1/stats/daily", Public),
    ("GET", "/api/v1/stats/daily.csv", Public),
    ("POST", "/api/v1/enterprises", Venue),
    ("GET", "/api/v1/enterprises", Venue),
    ("GET", "/api/v1/enterprises/{id}", Venue),
    ("GET", "/api/v1/enterprise-applications", Staff(AUTHORITY)),
    ("POST", "/api/v1/enterprises/{id}/approve", Staff(AUTHORITY)),
    ("POST", "/api/v1/enterprises/{id}/reject", Staff(AUTHORITY)),
    ("POST", "/api/v1/enterprises/{id}/employees", Venue),
    ("DELETE", "/api/v1/enterprises/{id}/employees/{phone}", Venue),
    ("POST", "/api/v1/enterprises/{id}/gate-scans", Venue),
    ("GET", "/api/v1/enterprises/{id}/dashboard", Venue),
    ("GET", "/api/v1/me/employers", Resident),
    ("POST", "/api/v1/me/employers/{id}/accept", Resident),
    ("POST", "/api/v1/me/employers/{id}/leave", Resident),
    // pages
    ("GET", "/", Public),
    ("GET", "/stats", Public),
    ("GET", "/me/appeal", PageResident),
    ("POST", "/me/appeal", PageResident),
    ("GET", "/authority/appeals", PageStaff(AUTHORITY)),
    ("POST", "/authority/appeals/{id}/answer", PageStaff(AUTHORITY)),
    ("GET", "/signin", Public),
    ("POST", "/signin", Public),
    ("GET", "/signin/visitor", Public),
    ("POST", "/signin/visitor", Public),
    ("GET", "/signin/verify", Public),
    ("POST", "/signin/verify", Public),
    ("POST", "/signout", SignOut),
    ("GET", "/declare", PageResident),
    ("POST", "/declare", PageResident),
    ("GET", "/clock-in", PageResident),
    ("POST", "/clock-in", PageResident),
    ("GET", "/me/code", PageResident),
    ("GET", "/me/history", PageResident),
    ("GET", "/me/pass", PageResident),
    ("POST", "/me/pass/reprint", PageResident),
    ("GET", "/dev/outbox", Public),
    ("GET", "/c", Public),
    ("POST", "/c", Public),
    ("GET", "/c/{token}", Public),
    ("POST", "/c/{token}", PageResident),
    ("GET", "/me/visits", PageResident),
    ("POST", "/me/visits/{id}/check-out", PageResident),
    ("GET", "/venue/signin", Public),
    ("POST", "/venue/signin", Public),
    ("POST", "/venue/signin/verify", Public),
    ("GET", "/venue", PageVenue),
    ("POST", "/venue", PageVenue),
    ("GET", "/venue/{id}", PageVenue),
    ("POST", "/venue/{id}/{action}", PageVenue),
    ("GET", "/authority/cases", PageStaff(AUTHORITY)),
    ("POST", "/authority/cases", PageStaff(AUTHORITY)),
    ("GET", "/authority/cases/{id}", PageStaff(AUTHORITY)),
    ("GET", "/authority/cases/{id}/apply", PageStaff(AUTHORITY)),
    ("POST", "/authority/cases/{id}/apply", PageStaff(AUTHORITY)),
    ("GET", "/authority/cases/{id}/report.csv", PageStaff(AUTHORITY)),
    ("GET", "/me/notices", PageResident),
    ("GET", "/exposure-sites", Public),
    ("GET", "/staff/signin", Public),
    ("POST", "/staff/signin", EmptySignIn),
    ("GET", "/staff/oidc/start", Public),
    ("GET", "/staff/oidc/callback", Public),
    ("GET", "/staff/invite/{secret}", Public),
    ("POST", "/staff/invite/{secret}", Public),
    ("GET", "/staff/accounts", PageStaff(SUPERVISOR)),
    ("POST", "/staff/accounts", PageStaff(SUPERVISOR)),
    ("POST", "/staff/accounts/{id}/{action}", PageStaff(SUPERVISOR)),
    ("GET", "/staff/enrol", PageStaff(OFFICERS)),
    ("POST", "/staff/enrol", PageStaff(OFFICERS)),
    ("GET", "/signin/link/{secret}", Public),
    ("POST", "/signin/link/{secret}", Public),
    ("GET", "/checkpoint", PageScanner(OFFICERS)),
    ("POST", "/checkpoint", PageScanner(AUTHORITY)),
    ("GET", "/checkpoint/{id}", PageScanner(OFFICERS)),
    ("GET", "/venue/{id}/scan", PageVenue),
    ("GET", "/employer", PageVenue),
    ("POST", "/employer", PageVenue),
    ("GET", "/employer/{id}", PageVenue),
    ("GET", "/employer/{id}/scan", PageVenue),
    ("POST", "/employer/{id}/{action}", PageVenue),
    ("GET", "/me/employers", PageResident),
    ("POST", "/me/employers/{id}/{action}", PageResident),
    ("GET", "/authority/enterprises", PageStaff(AUTHORITY)),
    ("GET", "/authority/employers", PageStaff(AUTHORITY)),
    ("GET", "/staff/passages", PageStaff(OFFICERS)),
    ("POST", "/authority/enterprises/{id}/decide", PageStaff(AUTHORITY)),
    ("GET", "/authority/overrides", PageStaff(READERS)),
    ("POST", "/authority/overrides", PageStaff(AUTHORITY)),
    ("POST", "/authority/overrides/{id}/{action}", PageStaff(SUPERVISOR)),
    ("GET", "/authority/alarms", PageStaff(READERS)),
    ("POST", "/authority/alarms/{id}/acknowledge", PageStaff(OVERSIGHT)),
    ("GET", "/authority/tests", PageStaff(AUTHORITY)),
    ("POST", "/authority/tests", PageStaff(AUTHORITY)),
    ("POST", "/authority/tests/import", PageStaff(AUTHORITY)),
    ("GET", "/authority/false-declarations", PageStaff(READERS)),
    ("POST", "/authority/false-declarations", PageStaff(AUTHORITY)),
    ("POST", "/authority/false-declarations/{id}/{action}", PageStaff(SUPERVISOR)),
    ("GET", "/me/tests", PageResident),
    // the server's own
    ("GET", "/static/{*path}", Public),
    ("GET", "/healthz", Public),
    ("GET", "/sw.js", Public),
    ("GET", "/scanner.webmanifest", Public),
    ("GET", "/metrics", Public),
];

/// `(method, path)` of every `.route(..)` in a router source file.
fn declared(file: &str, prefix: &str) -> Vec<(String, String)> {
    let source = std::fs::read_to_string(format!("{}/src/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut out = Vec::new();
    for line in source.lines() {
        let Some(rest) = line.trim().strip_prefix(".route(\"") else { continue };
        let path = rest.split('"').next().unwrap();
        let path = if path == "/" && !prefix.is_empty() { prefix.to_string() } else { format!("{prefix}{path}") };
        for (call, method) in
            [("get(", "GET"), ("post(", "POST"), ("delete(", "DELETE"), ("put(", "PUT"), ("patch(", "PATCH")]
        {
            if rest.contains(call) {
                out.push((method.to_string(), path.clone()));
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Nobody,
    Foreign,
    As(Role),
}

pub(crate) fn concrete(path: &str) -> String {
    path.replace("{id}", "00000000-0000-7000-8000-000000000000")
        .replace("{token}", "not-a-venue-token")
        .replace("{phone}", "%2B8613800000000")
        .replace("{secret}", "hci_not_an_invitation")
        .replace("{action}", "reset")
        .replace("{*path}", "base.css")
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_table_says() {
    let (_, api_doc) = healthcode_server::api::routes();
    let mut declared_routes: Vec<(String, String)> = crate::openapi::documented(&api_doc).into_iter().collect();
    declared_routes.extend(declared("web/mod.rs", ""));
    declared_routes.extend(declared("app.rs", ""));
    assert!(declared_routes.len() > 100, "{declared_routes:?}");
    let missing: Vec<String> = declared_routes
        .iter()
        .filter(|(m, p)| !ROUTES.iter().any(|(rm, rp, _)| rm == m && rp == p))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from role_matrix::ROUTES (list each with who may call it): {missing:#?}"
    );
    let stale: Vec<String> = ROUTES
        .iter()
        .filter(|(m, p, _)| !declared_routes.iter().any(|(dm, dp)| dm == m && dp == p))
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    assert!(stale.is_empty(), "role_matrix::ROUTES lists routes the server no longer declares: {stale:#?}");

    let app = spawn_app().await;
    let resident = app.resident_signs_in("+8613800000171").await;
    let resident_id = app
        .state
        .store
        .session(&healthcode_server::auth::session::hash_token(&resident.token), app.clock.now())
        .await
        .unwrap()
        .unwrap()
        .principal
        .resident;
    let principal = |role: Role| match role {
        Role::Resident => Principal { role, subject: "+8613800000171".into(), resident: resident_id },
        Role::Venue => Principal { role, subject: "+84912000171".into(), resident: None },
        _ => Principal { role, subject: format!("matrix-{role}"), resident: None },
    };
    let everyone = [
        Who::Nobody,
        Who::Foreign,
        Who::As(Role::Resident),
        Who::As(Role::Venue),
        Who::As(Role::Officer),
        Who::As(Role::Authority),
        Who::As(Role::Supervisor),
        Who::As(Role::Auditor),
    ];
    let mut wrong = Vec::new();
    for (method, path, access) in ROUTES {
        for who in everyone {
            // A fresh token per call: sign-out and refresh end the one they get.
            let token = match who {
                Who::Nobody => None,
                Who::Foreign => Some("hct_this-token-was-never-issued-by-this-server".to_string()),
                Who::As(role) => Some(
                    healthcode_server::auth::session::issue(
                        app.state.store.as_ref(),
                        principal(role),
                        SessionKind::ApiToken,
                        app.clock.now(),
                        jiff::SignedDuration::from_hours(1),
                    )
                    .await
                    .unwrap(),
                ),
            };
            let page = !path.starts_with("/api/");
            let mut req = app
                .client
                .request(method.parse().unwrap(), app.url(&concrete(path)))
                .header("sec-fetch-site", "same-origin");
            req = match (&token, page) {
                (Some(t), true) => req.header(COOKIE, format!("hc_session={t}")),
                (Some(t), false) => req.header(AUTHORIZATION, format!("Bearer {t}")),
                (None, _) => req,
            };
            if *method != "GET" {
                req = if page {
                    req.header("content-type", "application/x-www-form-urlencoded").body("")
                } else {
                    req.header("content-type", "application/json").body("{}")
                };
            }
            let resp = req.send().await.unwrap();
            let status = resp.status();
            let location = resp.headers().get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
            let body = resp.text().await.unwrap_or_default();
            let forbidden = status == StatusCode::FORBIDDEN && (page || body.contains("\"FORBIDDEN\""));
            let to_signin = status == StatusCode::SEE_OTHER && location.ends_with("signin");
            let signed_in = matches!(who, Who::As(_));
            let role = match who {
                Who::As(r) => Some(r),
                _ => None,
            };
            let outcome = if status == StatusCode::UNAUTHORIZED {
                "401"
            } else if forbidden {
                "403"
            } else if to_signin {
                "sign-in"
            } else {
                "allowed"
            };
            let expected = match access {
                Public => "allowed",
                SignedIn => {
                    if signed_in {
                        "allowed"
                    } else {
                        "401"
                    }
                }
                SignOut => "sign-in",
                EmptySignIn => "401",
                Resident | Venue | Staff(_) => {
                    let admitted = match access {
                        Resident => role == Some(Role::Resident),
                        Venue => role == Some(Role::Venue),
                        Staff(roles) => role.is_some_and(|r| roles.contains(&r)),
                        _ => false,
                    };
                    if admitted {
                        "allowed"
                    } else if signed_in {
                        "403"
                    } else {
                        "401"
                    }
                }
                PageResident => {
                    if role == Some(Role::Resident) {
                        "allowed"
                    } else {
                        "sign-in"
                    }
                }
                PageVenue => {
                    if role == Some(Role::Venue) {
                        "allowed"
                    } else {
                        "sign-in"
                    }
                }
                PageScanner(roles) => {
                    let staff = role.is_some_and(|r| !matches!(r, Role::Resident | Role::Venue));
                    if role.is_some_and(|r| roles.contains(&r)) {
                        "allowed"
                    } else if staff {
                        "403"
                    } else {
                        "sign-in"
                    }
                }
                PageStaff(roles) => {
                    if role.is_some_and(|r| roles.contains(&r)) {
                        "allowed"
                    } else if signed_in {
                        "403"
                    } else {
                        "sign-in"
                    }
                }
            };
            if outcome != expected {
                wrong.push(format!(
                    "{method} {path} as {who:?}: expected {expected}, got {outcome} ({status} {location})"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{} outcomes differ from the table:\n{}", wrong.len(), wrong.join("\n"));
}
