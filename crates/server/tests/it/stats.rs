//! The city's daily statistics against a fixture counted by hand: live for
//! today, from rollups for closed days (the same figures either way, and
//! after retention has deleted the raw rows), small counts hidden from the
//! public, CSV equal to JSON, staff exports audited.

use crate::check_in::{operator_token, venue_registered};
use crate::checkpoints::{checkpoint, code_of, scan as checkpoint_scan};
use crate::harness::{Resident, TestApp, spawn_app};
use healthcode_domain::Role;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};

const DAY1: &str = "2026-11-02";
const DAY2: &str = "2026-11-03";
const DAY3: &str = "2026-11-04";

async fn person(app: &TestApp, phone: &str, temperature: f64, symptoms: &[&str]) -> Resident {
    let who = app.resident_signs_in(phone).await;
    let (s, b) = app.resident_declares(&who, temperature, symptoms).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    who
}

async fn check_in(app: &TestApp, who: &Resident, qr: &str) -> Value {
    let (s, b) = app.post_json("/api/v1/check-ins", Some(&who.token), json!({ "venue_qr": qr })).await;
    assert!(s.is_success(), "{b}");
    b
}

/// Day 1: two venues in two districts, three people (one with fever, so
/// yellow), three check-ins (one exit), two checkpoint passages. Day 2: one
/// check-in, the yellow person's clock-in with fever (the streak restarts),
/// a confirmed case, traced and applied (the person who shared the café with
/// it turns red and is notified). Day 3 (today): nothing.
async fn fixture() -> (TestApp, String) {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000800").await;
    let cafe = venue_registered(&app, &op, "Cà phê").await; // HN-HOAN-KIEM
    let body = json!({"name": "Chợ", "address": "1 Phố Huế", "province": "VN-HN", "district": "D1",
        "category": "shop"});
    let (s, market) = app.post_json("/api/v1/venues", Some(&op), body).await;
    assert_eq!(s, StatusCode::CREATED, "{market}");
    let (cafe_qr, market_qr) = (cafe["qr_text"].as_str().unwrap(), market["qr_text"].as_str().unwrap());

    let p1 = person(&app, "+84912000801", 36.5, &[]).await;
    let p2 = person(&app, "+84912000802", 36.6, &[]).await;
    let p3 = person(&app, "+84912000803", 38.0, &["fever"]).await;
    assert_eq!(app.colour_of(&p3).await, "yellow");

    check_in(&app, &p1, cafe_qr).await;
    check_in(&app, &p2, cafe_qr).await;
    app.clock.advance(SignedDuration::from_mins(30));
    assert_eq!(check_in(&app, &p1, cafe_qr).await["outcome"], "exited");
    check_in(&app, &p3, market_qr).await;

    let (cp, officer) = checkpoint(&app).await; // HN-THANH-TRI
    assert_eq!(checkpoint_scan(&app, &officer, &cp, &code_of(&app, &p1.token).await).await["verdict"], "allow");
    assert_eq!(checkpoint_scan(&app, &officer, &cp, &code_of(&app, &p3.token).await).await["verdict"], "deny");

    app.advance_days(1);
    check_in(&app, &p2, market_qr).await; // closes the open café visit first
    let authority = app.token(Role::Authority, "anh").await;
    let (s, b) = app
        .post_json(
            "/api/v1/cases",
            Some(&authority),
            json!({"phone": "+84912000802", "kind": "confirmed", "onset_date": DAY2}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let case = b["id"].as_str().unwrap().to_string();
    let (s, b) = app.post_json(&format!("/api/v1/cases/{case}/trace"), Some(&authority), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.post_json(&format!("/api/v1/cases/{case}/apply"), Some(&authority), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(app.colour_of(&p1).await, "red", "the café contact");
    let (s, b) = app.resident_clocks_in(&p3, 38.0).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.advance_days(1);
    (app, authority)
}

fn row<'a>(stats: &'a Value, day: &str, district: &str) -> &'a Value {
    stats["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["day"] == day && r["district"] == district)
        .unwrap_or_else(|| panic!("no row for {day} {district} in {stats}"))
}

async fn daily(app: &TestApp, token: Option<&str>, query: &str) -> Value {
    let (s, b) = app.get_json(&format!("/api/v1/stats/daily?{query}"), token).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

/// Checks a row's named figures (others must be zero, except the ones listed in `skip`).
fn assert_figures(r: &Value, expected: &[(&str, i64)]) {
    let ignore = [
        "day",
        "district",
        "check_ins_7d_avg",
        "total_points",
        "declarations_total",
        "enterprises_operating_share",
        "employees_back_share",
    ];
    for (k, v) in r.as_object().unwrap() {
        if ignore.contains(&k.as_str()) {
            continue;
        }
        let want = expected.iter().find(|(name, _)| *name == k).map_or(0, |(_, n)| *n);
        assert_eq!(v.as_i64(), Some(want), "{k} in {r}");
    }
}

#[tokio::test]
async fn every_metric_matches_the_hand_counted_fixture() {
    let (app, authority) = fixture().await;
    let stats = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY3}")).await;
    assert_eq!(stats["view"], "authority");
    let districts = ["330102", "D1", "HN-HOAN-KIEM", "HN-THANH-TRI"];
    assert_eq!(stats["rows"].as_array().unwrap().len(), 3 * districts.len(), "{stats}");

    // Venues: the café's district.
    let hk = row(&stats, DAY1, "HN-HOAN-KIEM");
    assert_figures(hk, &[("new_points", 1), ("active_points", 1), ("check_ins", 2)]);
    assert_eq!(hk["total_points"], 1);
    assert_eq!(hk["check_ins_7d_avg"], 0.29);
    assert_figures(row(&stats, DAY2, "HN-HOAN-KIEM"), &[]);
    assert_eq!(row(&stats, DAY3, "HN-HOAN-KIEM")["total_points"], 1, "a running total survives empty days");
    assert_eq!(row(&stats, DAY3, "HN-HOAN-KIEM")["check_ins_7d_avg"], 0.29);

    // The market: one check-in each day.
    assert_figures(row(&stats, DAY1, "D1"), &[("new_points", 1), ("active_points", 1), ("check_ins", 1)]);
    assert_figures(row(&stats, DAY2, "D1"), &[("active_points", 1), ("check_ins", 1)]);
    assert_eq!(row(&stats, DAY2, "D1")["check_ins_7d_avg"], 0.29);
    assert_eq!(row(&stats, DAY3, "D1")["check_ins_7d_avg"], 0.29);

    // People live in 330102 (the declaration's district).
    let people1 = row(&stats, DAY1, "330102");
    assert_figures(
        people1,
        &[
            ("declarations", 3),
            ("symptomatic", 1),
            ("symptom_fever", 1),
            ("green", 2),
            ("yellow", 1),
            ("became_green", 2),
            ("became_yellow", 1),
        ],
    );
    assert_eq!(people1["declarations_total"], 3);
    let people2 = row(&stats, DAY2, "330102");
    assert_figures(
        people2,
        &[
            ("yellow", 1),
            ("red", 2),
            ("became_red", 2),
            ("cases_confirmed", 1),
            ("exposed_close", 1),
            ("clock_ins", 1),
            ("quarantine_restarted", 1),
        ],
    );
    assert_eq!(people2["declarations_total"], 3);
    assert_figures(row(&stats, DAY3, "330102"), &[("yellow", 1), ("red", 2)]);

    // Passages by the checkpoint's district.
    assert_figures(row(&stats, DAY1, "HN-THANH-TRI"), &[("passages_allowed", 1), ("passages_denied", 1)]);

    // The city line adds the districts up.
    let city1 = stats["city"].as_array().unwrap().iter().find(|r| r["day"] == DAY1).unwrap();
    assert_eq!((city1["check_ins"].as_i64(), city1["new_points"].as_i64()), (Some(3), Some(2)));
    assert_eq!(city1["district"], "ALL");

    // A district filter keeps its rows only.
    let d1 = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY3}&district=D1")).await;
    assert_eq!(d1["rows"].as_array().unwrap().len(), 3);
    assert_eq!(d1["city"][1]["check_ins"], 1);
}

#[tokio::test]
async fn rollups_give_the_same_figures_as_the_live_count_and_outlive_retention() {
    let (app, authority) = fixture().await;
    // Day 3 is live now; tomorrow it is a rolled-up closed day.
    let live = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY3}")).await;
    app.advance_days(1);
    let rolled = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY3}")).await;
    assert_eq!(live["rows"], rolled["rows"]);

    // Counting a closed day from the raw rows gives what the rollup holds.
    let day1: jiff::civil::Date = DAY1.parse().unwrap();
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let start = day1.to_zoned(tz.clone()).unwrap().timestamp();
    let end = day1.tomorrow().unwrap().to_zoned(tz).unwrap().timestamp();
    let mut raw = app.state.store.count_day(&healthcode_store::StatDay { day: day1, start, end }).await.unwrap();
    let mut stored = app.state.store.rollups(day1, day1).await.unwrap();
    raw.sort();
    stored.sort();
    assert_eq!(raw, stored);
    assert!(!raw.is_empty());

    // Retention deletes the raw rows; the figures stay.
    app.advance_days(40);
    let now = app.clock_now();
    let purged = healthcode_server::services::retention::purge_once(
        app.state.store.as_ref(),
        now,
        SignedDuration::from_hours(24 * 28),
        healthcode_store::PurgeMode::Delete,
    )
    .await
    .unwrap();
    assert!(purged.visits > 0 && purged.reports > 0, "{purged:?}");
    let authority = app.token(Role::Authority, "anh").await; // the first token has expired
    let after = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY3}")).await;
    assert_eq!(after["rows"], rolled["rows"]);
}

#[tokio::test]
async fn the_public_sees_no_count_below_five_and_staff_exports_are_audited() {
    let (app, authority) = fixture().await;
    let public = daily(&app, None, &format!("from={DAY1}&to={DAY3}")).await;
    assert_eq!((public["view"].as_str(), public["min_count"].as_i64()), (Some("public"), Some(5)));
    let hk = row(&public, DAY1, "HN-HOAN-KIEM");
    assert_eq!(hk["check_ins"], Value::Null, "2 is below the threshold");
    assert_eq!(hk["check_ins_7d_avg"], Value::Null, "an average of 2 a week would reveal it");
    assert_eq!(hk["cases_confirmed"], 0, "zero is not hidden");
    assert_eq!(row(&public, DAY2, "330102")["cases_confirmed"], Value::Null);
    let city = public["city"].as_array().unwrap();
    assert_eq!(city[0]["check_ins"], Value::Null, "3 city-wide is still small");

    let resident = app.resident_signs_in("+84912000801").await;
    let as_resident = daily(&app, Some(&resident.token), &format!("from={DAY1}&to={DAY3}")).await;
    assert_eq!(as_resident["view"], "public", "a resident reads the public view");

    let auditor = app.token(Role::Auditor, "kim").await;
    let (_, log) = app.get_json("/api/v1/audit", Some(&auditor)).await;
    let exports = |log: &Value| log.to_string().matches("stats.exported").count();
    assert_eq!(exports(&log), 0, "public reads are not exports: {log}");
    daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY3}")).await;
    let (_, log) = app.get_json("/api/v1/audit", Some(&auditor)).await;
    assert_eq!(exports(&log), 1, "{log}");
}

#[tokio::test]
async fn the_csv_has_the_json_rows() {
    let (app, authority) = fixture().await;
    let stats = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY3}")).await;
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/stats/daily.csv?from={DAY1}&to={DAY3}")))
        .bearer_auth(&authority)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = resp.text().await.unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows = stats["rows"].as_array().unwrap();
    let body: Vec<&str> = lines.collect();
    assert_eq!(body.len(), rows.len());
    for (line, json_row) in body.iter().zip(rows) {
        for (name, cell) in header.iter().zip(line.split(',')) {
            match &json_row[*name] {
                Value::String(s) => assert_eq!(cell, s, "{name} in {line}"),
                Value::Null => assert_eq!(cell, "", "{name} in {line}"),
                v => assert_eq!(cell.parse::<f64>().ok(), v.as_f64(), "{name} in {line}"),
            }
        }
    }
}

#[tokio::test]
async fn bad_ranges_get_clear_codes() {
    let app = spawn_app().await;
    for (query, code) in [
        ("from=2026-11-05&to=2026-11-01", "STATS_BAD_RANGE"),
        ("to=2026-12-30", "STATS_RANGE_IN_FUTURE"),
        ("from=2024-01-01&to=2026-11-01", "STATS_RANGE_TOO_LONG"),
        ("from=yesterday", "STATS_BAD_DATE"),
        ("district=a%20b", "DISTRICT_INVALID"),
    ] {
        let (s, b) = app.get_json(&format!("/api/v1/stats/daily?{query}"), None).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {b}");
        assert_eq!(b["error"]["code"], code, "{query}: {b}");
    }
    // An empty city answers with no rows rather than an error.
    let empty = daily(&app, None, "").await;
    assert_eq!(empty["rows"].as_array().unwrap().len(), 0);
    assert_eq!(empty["city"].as_array().unwrap().len(), 28);
}

#[tokio::test]
async fn work_resumption_figures_match_the_roster_and_the_gate() {
    use crate::enterprises::{approved_enterprise, code_of as employee_code, delete, employee, gate_scan};
    let app = spawn_app().await;
    // Day 1: approved (main site in 330102), two employees, one scanned in.
    let (op, id) = approved_enterprise(&app, "+84912000950", "Acme").await;
    let a = employee(&app, &op, &id, "+84912000951", &[]).await;
    employee(&app, &op, &id, "+84912000952", &[]).await;
    let (s, b) = gate_scan(&app, &op, &id, &employee_code(&app, &a).await, Some(36.5)).await;
    assert!(s.is_success(), "{b}");
    // Day 2: the second employee leaves the roster; the first comes in again.
    app.advance_days(1);
    let (s, b) = delete(&app, &format!("/api/v1/enterprises/{id}/employees/%2B84912000952"), &op).await;
    assert!(s.is_success(), "{b}");
    let (s, b) = gate_scan(&app, &op, &id, &employee_code(&app, &a).await, None).await;
    assert!(s.is_success(), "{b}");
    // Day 3: nobody comes.
    app.advance_days(1);

    let authority = app.token(Role::Authority, "anh").await;
    let stats = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY3}&district=330102")).await;
    let figures = |day: &str| {
        let r = row(&stats, day, "330102");
        (
            r["enterprises_approved"].as_i64(),
            r["enterprises_operating"].as_i64(),
            r["employees"].as_i64(),
            r["employees_on_site"].as_i64(),
            r["enterprises_operating_share"].as_f64(),
            r["employees_back_share"].as_f64(),
        )
    };
    assert_eq!(figures(DAY1), (Some(1), Some(1), Some(2), Some(1), Some(1.0), Some(0.5)));
    assert_eq!(figures(DAY2), (Some(1), Some(1), Some(1), Some(1), Some(1.0), Some(1.0)));
    assert_eq!(figures(DAY3), (Some(1), Some(0), Some(1), Some(0), Some(0.0), Some(0.0)));
    let city = &stats["city"][0];
    assert_eq!((city["employees"].as_i64(), city["employees_back_share"].as_f64()), (Some(2), Some(0.5)));

    // Shares of so few are hidden from the public.
    let public = daily(&app, None, &format!("from={DAY1}&to={DAY3}&district=330102")).await;
    let r = row(&public, DAY1, "330102");
    assert_eq!((&r["employees_back_share"], &r["enterprises_operating_share"]), (&Value::Null, &Value::Null));
}
