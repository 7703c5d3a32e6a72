//! Two servers on one PostgreSQL database work as one city: each periodic
//! job runs on one of them, a session and a one-time code made on one work
//! on the other, the sign-in limit counts both servers' requests together,
//! and a trace asked of one server's stay index finds the visits written
//! through the other. PostgreSQL only (a SQLite file has one server): the
//! test says so and passes on SQLite without checking anything.

use healthcode_domain::policy::CaseKind;
use healthcode_domain::{Case, CaseId, VenueId, VisitSource};
use healthcode_server::services::cases::{TraceSource, trace_case};
use healthcode_server::services::check_in::{ScanOutcome, scan_at};
use healthcode_server::services::jobs::{AUTO_CHECK_OUT, RETENTION, ROLLUPS};
use healthcode_server::services::trace_index::IndexState;
use healthcode_server::synthetic::{CityPlan, resident_id_of, seed_city, seed_places};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

use crate::harness::{TestApp, spawn_app_beside, spawn_app_with};

fn on_postgres() -> bool {
    let on = healthcode_store_postgres::testing::test_database_url().is_some();
    if !on {
        eprintln!("skipped: two servers share a PostgreSQL database only (set HEALTHCODE_TEST_PG)");
    }
    on
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("waited 10 s for {what}");
}

async fn metrics(app: &TestApp) -> String {
    app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn each_job_runs_on_one_of_two_servers() {
    if !on_postgres() {
        return;
    }
    let a = spawn_app_with(|_| {}).await;
    until("server A to run its jobs", || [AUTO_CHECK_OUT, ROLLUPS, RETENTION].iter().all(|j| a.state.jobs.runs(j) > 0))
        .await;
    let b = spawn_app_beside(&a, |_| {}).await;
    // B ticks every job at start too: it must find each led by A.
    until("server B to tick its jobs", || metrics_now(&b).iter().filter(|l| l.contains(" 0")).count() >= 3).await;
    for job in [AUTO_CHECK_OUT, ROLLUPS, RETENTION] {
        assert!(a.state.jobs.runs(job) >= 1, "{job} ran on A");
        assert_eq!(b.state.jobs.runs(job), 0, "{job} did not run on B as well");
    }
    let (ma, mb) = (metrics(&a).await, metrics(&b).await);
    assert!(ma.contains("healthcode_job_leader{job=\"auto-check-out\"} 1"), "{ma}");
    assert!(mb.contains("healthcode_job_leader{job=\"auto-check-out\"} 0"), "{mb}");
    assert!(mb.contains("healthcode_job_runs_total{job=\"retention\"} 0"), "{mb}");
}

/// B's job lines as `/metrics` would show them (read without HTTP inside `until`).
fn metrics_now(app: &TestApp) -> Vec<String> {
    app.state.jobs.render().lines().filter(|l| l.starts_with("healthcode_job_leader{")).map(str::to_owned).collect()
}

#[tokio::test]
async fn sessions_codes_and_sign_in_limits_are_shared() {
    if !on_postgres() {
        return;
    }
    let limits = |c: &mut healthcode_server::ServerConfig| {
        c.sign_in_limits = healthcode_server::SignInLimits { per_address_per_minute: 3, overall_per_minute: 100 };
    };
    let a = spawn_app_with(limits).await;
    let b = spawn_app_beside(&a, limits).await;
    let phone = "+8613800000777";
    // A code requested through A is accepted through B, and B's session works on A.
    let (s, body) = a.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let code = a.otp_for(phone).await;
    let (s, body) = b.post_json("/api/v1/auth/otp/verify", None, json!({ "contact": phone, "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let token = body["token"].as_str().unwrap().to_string();
    let (s, body) = a.get_json("/api/v1/me/status", Some(&token)).await;
    assert_ne!(s, StatusCode::UNAUTHORIZED, "B's session is known to A: {body}");
    // Three sign-in requests a minute from one address, across both servers:
    // two were spent above; one more on B, then A refuses.
    let (s, body) = b.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let (s, body) = a.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "RATE_LIMITED");
    let (s, _) = b.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "and B too");
    // A minute later the shared bucket has refilled for both.
    a.clock.advance(SignedDuration::from_secs(61));
    let (s, body) = a.post_json("/api/v1/auth/otp/request", None, json!({ "contact": phone })).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
}

#[tokio::test]
async fn a_visit_written_through_one_server_is_traced_by_the_other_s_index() {
    if !on_postgres() {
        return;
    }
    let index_on = |c: &mut healthcode_server::ServerConfig| c.trace_index_days = Some(17);
    let a = spawn_app_with(index_on).await;
    let state = &a.state;
    let (policy, tz) = (&state.config.policy, &state.config.time_zone);
    let plan = CityPlan::new(21, 200, 2);
    use healthcode_server::Clock;
    let now = a.clock.now();
    seed_city(state.store.as_ref(), &plan, policy, tz, now, |_| {}).await.unwrap();
    let sign =
        |id: VenueId, generation: u32| healthcode_server::services::venues::sign_token(state, id, generation).ok();
    seed_places(state.store.as_ref(), &plan, tz, now, &sign, |_, _| {}).await.unwrap();
    let b = spawn_app_beside(&a, index_on).await;
    until("B's trace index to load", || matches!(b.state.trace_index.state(), IndexState::Ready { .. })).await;

    // Two people meet for 40 minutes; every scan goes through A.
    let (case_person, other) = (resident_id_of(&plan, 5), resident_id_of(&plan, 6));
    let venue = state.store.venues_after(None, 1).await.unwrap().remove(0);
    for app in [&a, &b] {
        app.clock.advance(SignedDuration::from_hours(1));
    }
    for who in [case_person, other] {
        scan_at(state, who, venue.clone(), VisitSource::SelfScan).await.unwrap();
    }
    for app in [&a, &b] {
        app.clock.advance(SignedDuration::from_mins(40));
    }
    let healthcode_server::services::check_in::ScanAnswer::Recorded(left) =
        scan_at(state, case_person, venue.clone(), VisitSource::SelfScan).await.unwrap()
    else {
        panic!("a green person's exit is recorded")
    };
    assert_eq!(left.outcome, ScanOutcome::Exited);

    // B is asked at once: its index has the visits (no wait, no store path).
    let today = b.clock.now().to_zoned(b.state.config.time_zone.clone()).date();
    let case = Case {
        id: CaseId::from_bytes([201; 16]),
        resident: case_person,
        kind: CaseKind::Confirmed,
        onset: today,
        isolated_on: None,
        recorded_by: "test".into(),
        recorded_at: b.clock.now(),
        applied_at: None,
    };
    let report = trace_case(&b.state, case).await.unwrap();
    assert_eq!(report.read_from, TraceSource::Index, "B traced from its index");
    let met = report.close.iter().find(|c| c.resident == other).expect("the other person is B's close contact");
    assert!(met.shared.iter().any(|s| s.source_visit == left.visit.id && s.minutes() >= 40), "{met:?}");
}
