//! The city's daily statistics against a fixture counted by hand: live for
//! today, from rollups for closed days (the same figures either way, and
//! after retention has deleted the raw rows), small counts hidden from the
//! public, CSV equal to JSON, staff exports audited.

use crate::check_in::{operator_token, venue_registered};
use crate::checkpoints::{checkpoint, code_of, scan as checkpoint_scan};
use crate::harness::{Resident, TestApp, spawn_app};
use healthcode_domain::Role;
use healthcode_server::web::i18n::Lang;
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
/// yellow), three check-ins (one exit), the yellow person turned away at the
/// market (an attempted entry), two checkpoint passages. Day 2: one
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
    check_in(&app, &p2, market_qr).await; // closes p2's café visit
    // The yellow person is turned away at the market: an attempted entry, no visit.
    let (s, b) = app.post_json("/api/v1/check-ins", Some(&p3.token), json!({ "venue_qr": market_qr })).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("ENTRY_REFUSED")), "{b}");

    let (cp, officer) = checkpoint(&app).await; // HN-THANH-TRI
    assert_eq!(checkpoint_scan(&app, &officer, &cp, &code_of(&app, &p1.token).await).await["verdict"], "allow");
    assert_eq!(checkpoint_scan(&app, &officer, &cp, &code_of(&app, &p3.token).await).await["verdict"], "deny");

    app.advance_days(1);
    check_in(&app, &p2, market_qr).await; // a new visit (yesterday's closed automatically)
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
    assert_figures(
        row(&stats, DAY1, "D1"),
        &[("new_points", 1), ("active_points", 1), ("check_ins", 1), ("attempted_entries", 1)],
    );
    assert_figures(row(&stats, DAY2, "D1"), &[("active_points", 1), ("check_ins", 1)]);
    assert_eq!(row(&stats, DAY2, "D1")["check_ins_7d_avg"], 0.29);
    assert_eq!(row(&stats, DAY3, "D1")["check_ins_7d_avg"], 0.29);

    // People live in 330102 (the declaration's district).
    let people1 = row(&stats, DAY1, "330102");
    assert_figures(
        people1,
        &[
            ("declarations", 3),
            ("declarations_app", 3),
            ("symptomatic", 1),
            ("symptomatic_app", 1),
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
    // Passages by the checkpoint's district, and by its kind (registered as
    // `city_entry`, taken as `other`) and direction (both in).
    assert_figures(
        row(&stats, DAY1, "HN-THANH-TRI"),
        &[("passages_allowed", 1), ("passages_denied", 1), ("passages_other_in", 2), ("turned_back_other_in", 1)],
    );

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
    assert!(csv.contains(",330102,Shangcheng District,"), "codes and names: {csv}");
    assert!(csv.contains(",HN-HOAN-KIEM,Hoan Kiem District,"), "an older code by its alias");
    assert!(csv.contains(",D1,D1,"), "an unknown code shows as itself");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows = stats["rows"].as_array().unwrap();
    let body: Vec<&str> = lines.collect();
    assert_eq!(body.len(), rows.len());
    for (line, json_row) in body.iter().zip(rows) {
        for (name, cell) in header.iter().zip(line.split(',')) {
            if *name == "district_name" {
                let code = json_row["district"].as_str().unwrap();
                let named = healthcode_server::regions::Catalogue::embedded().name(code, Lang::En).to_owned();
                assert_eq!(cell, named, "{line}");
                continue;
            }
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
    // Day 1: approved (main site in 330102), two employees, one scanned in,
    // the other flagged at the gate with a fever (so never on site).
    let (op, id) = approved_enterprise(&app, "+84912000950", "Acme").await;
    let a = employee(&app, &op, &id, "+84912000951", &[]).await;
    let feverish = employee(&app, &op, &id, "+84912000952", &[]).await;
    let (s, b) = gate_scan(&app, &op, &id, &employee_code(&app, &a).await, Some(36.5)).await;
    assert!(s.is_success(), "{b}");
    let (s, b) = gate_scan(&app, &op, &id, &employee_code(&app, &feverish).await, Some(38.6)).await;
    assert!(s.is_success() && b["flagged"] == true, "{b}");
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

/// The resident id behind a phone, read from the store (for records imported
/// behind the server's back, as the demo and `store copy` write them).
async fn resident_id(app: &TestApp, phone: &str) -> healthcode_domain::ResidentId {
    let contact = healthcode_domain::Contact::parse(phone).unwrap();
    app.state.store.resident_by_contact(&contact).await.unwrap().unwrap().id
}

/// A small city counted by hand. Through the API, on day 1 in district
/// 330102: Acme (approved) with three employees, two scanned at the gate (one
/// of them twice); Bolt (approved) with two employees, nobody scanned; Cato
/// (pending) with one employee. Imported as the demo imports them, dated
/// before any statistics existed: Dyne (approved ten days earlier, district
/// 330105) with two employees accepted nine days earlier, one scanned on day
/// 1, and a third who left five days earlier. The old running totals missed
/// Dyne's approval and roster and answered shares over 100 %.
///
/// Day 1: approved 3 (Acme, Bolt, Dyne), operating 2 (Acme, Dyne): 66.7 %;
/// rosters 8 (3 + 2 + 1 + 2), back 3 (two at Acme, one at Dyne): 37.5 %.
/// Day 2: one Acme employee scanned and another removed from the roster:
/// operating 1 of 3: 33.3 %; back 1 of 7: 14.3 %.
#[tokio::test]
async fn resumption_shares_of_a_hand_counted_city_stay_within_a_hundred_percent() {
    use crate::enterprises::{approved_enterprise, code_of as employee_code, delete, employee, gate_scan};
    use healthcode_domain::{
        ApplicationState, Colour, EnterpriseId, EnterpriseProfile, PhoneNumber, Site, Temperature,
    };
    use healthcode_server::Clock;
    use healthcode_store::{Employee, Enterprise, EnterpriseRecords, GateScan};

    let app = spawn_app().await;
    let (acme_op, acme) = approved_enterprise(&app, "+84912000960", "Acme").await;
    let a1 = employee(&app, &acme_op, &acme, "+84912000961", &[]).await;
    let a2 = employee(&app, &acme_op, &acme, "+84912000962", &[]).await;
    employee(&app, &acme_op, &acme, "+84912000963", &[]).await;
    let (bolt_op, bolt) = approved_enterprise(&app, "+84912000970", "Bolt").await;
    employee(&app, &bolt_op, &bolt, "+84912000971", &[]).await;
    employee(&app, &bolt_op, &bolt, "+84912000972", &[]).await;
    let cato_op = operator_token(&app, "+84912000975").await;
    let body = json!({"name": "Cato", "sites": [{"name": "Shop", "address": "3 Lake Road", "district": "330102"}],
        "planned_headcount": 5, "measures": "masks, temperature at the door, one customer at a time"});
    let (s, cato) = app.post_json("/api/v1/enterprises", Some(&cato_op), body).await;
    assert_eq!(s, StatusCode::CREATED, "{cato}");
    let cato = cato["id"].as_str().unwrap().to_string();
    employee(&app, &cato_op, &cato, "+84912000976", &[]).await;
    for who in [&a1, &a2, &a1] {
        let (s, b) = gate_scan(&app, &acme_op, &acme, &employee_code(&app, who).await, Some(36.5)).await;
        assert!(s.is_success(), "{b}");
    }

    // Dyne, imported with its history.
    let now = app.clock.now();
    let days_ago = |n: i64| now.checked_sub(SignedDuration::from_hours(24 * n)).unwrap();
    let dyne = EnterpriseId::from_bytes([0xd7; 16]);
    let site = Site::parse("Mill", "8 Canal Street", "330105").unwrap();
    let profile = EnterpriseProfile::parse("Dyne", vec![site], 30, "masks and temperature at the gate").unwrap();
    let mut records = EnterpriseRecords::default();
    records.enterprises.push(Enterprise {
        id: dyne,
        owner: PhoneNumber::parse("+84912000980").unwrap(),
        profile,
        state: ApplicationState::Approved,
        submitted_at: days_ago(12),
        due_at: days_ago(9),
        decided_at: Some(days_ago(10)),
        decided_by: Some("anh".into()),
        decision_reason: Some("measures adequate".into()),
    });
    let mut dyne_people = Vec::new();
    for (n, phone) in ["+84912000981", "+84912000982", "+84912000983"].into_iter().enumerate() {
        let who = app.resident_signs_in(phone).await;
        let (s, b) = app.resident_declares(&who, 36.6, &[]).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let id = resident_id(&app, phone).await;
        dyne_people.push(id);
        records.employees.push(Employee {
            enterprise: dyne,
            phone: PhoneNumber::parse(phone).unwrap(),
            resident: Some(id),
            invited_at: days_ago(10),
            accepted_at: Some(days_ago(9)),
            removed_at: (n == 2).then(|| days_ago(5)),
        });
    }
    app.state.store.import_enterprise_records(&records).await.unwrap();
    let scan = EnterpriseRecords {
        gate_scans: vec![GateScan {
            id: uuid_from(0xd8),
            enterprise: dyne,
            resident: dyne_people[0],
            scanned_at: now,
            colour: Colour::Green,
            temperature: Temperature::from_tenths(365).ok(),
            flagged: false,
            reason: "CLEAR".into(),
        }],
        ..EnterpriseRecords::default()
    };
    app.state.store.import_enterprise_records(&scan).await.unwrap();

    app.advance_days(1);
    let (s, b) = gate_scan(&app, &acme_op, &acme, &employee_code(&app, &a1).await, None).await;
    assert!(s.is_success(), "{b}");
    let (s, b) = delete(&app, &format!("/api/v1/enterprises/{acme}/employees/%2B84912000963"), &acme_op).await;
    assert!(s.is_success(), "{b}");
    app.advance_days(1);

    let authority = app.token(Role::Authority, "anh").await;
    // Day 1 and 2 from rollups (closed), day 3 live; each the same read twice.
    for _ in 0..2 {
        let stats = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY3}")).await;
        let figures = |r: &Value| {
            let n = |k: &str| r[k].as_i64().unwrap();
            let f = |k: &str| r[k].as_f64().unwrap();
            (
                n("enterprises_approved"),
                n("enterprises_operating"),
                f("enterprises_operating_share"),
                n("employees"),
                n("employees_on_site"),
                f("employees_back_share"),
            )
        };
        let city = stats["city"].as_array().unwrap();
        assert_eq!(figures(&city[0]), (3, 2, 0.667, 8, 3, 0.375), "day 1: {}", city[0]);
        assert_eq!(figures(&city[1]), (3, 1, 0.333, 7, 1, 0.143), "day 2: {}", city[1]);
        assert_eq!(figures(&city[2]), (3, 0, 0.0, 7, 0, 0.0), "day 3: {}", city[2]);
        // By district: Dyne is in 330105, the others in 330102.
        assert_eq!(figures(row(&stats, DAY1, "330105")), (1, 1, 1.0, 2, 1, 0.5));
        assert_eq!(figures(row(&stats, DAY1, "330102")), (2, 1, 0.5, 6, 2, 0.333));
        for r in stats["rows"].as_array().unwrap().iter().chain(city) {
            for share in ["enterprises_operating_share", "employees_back_share"] {
                assert!(r[share].as_f64().is_none_or(|v| (0.0..=1.0).contains(&v)), "{share} in {r}");
            }
        }
    }

    // The dashboard shows the shares as percentages with one decimal.
    let resp = app.client.get(app.url(&format!("/stats?from={DAY1}&to={DAY2}"))).bearer_auth(&authority).send().await;
    let html = resp.unwrap().text().await.unwrap();
    assert!(html.contains("33.3 %") && html.contains("14.3 %"), "{html}");
}

fn uuid_from(byte: u8) -> uuid::Uuid {
    uuid::Uuid::from_bytes([byte; 16])
}

#[tokio::test]
async fn districts_are_ranked_by_check_ins_for_staff_and_hidden_when_small() {
    let (app, authority) = fixture().await;
    let ranks = |stats: &Value| -> Vec<(i64, String, i64)> {
        stats["top_check_in_districts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["rank"].as_i64().unwrap(),
                    r["district"].as_str().unwrap().to_string(),
                    r["check_ins"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    // Day 1: two check-ins at the café (HN-HOAN-KIEM), one at the market (D1).
    let day1 = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY1}")).await;
    assert_eq!(ranks(&day1), vec![(1, "HN-HOAN-KIEM".to_string(), 2), (2, "D1".to_string(), 1)]);
    // The ranking is of the range's last day: day 2 has only the market.
    let both = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY2}")).await;
    assert_eq!(ranks(&both), vec![(1, "D1".to_string(), 1)]);
    // Counts under five are hidden from the public, and so is their place.
    assert_eq!(ranks(&daily(&app, None, &format!("from={DAY1}&to={DAY1}")).await), vec![]);

    let resp =
        app.client.get(app.url(&format!("/stats?from={DAY1}&to={DAY1}&lang=vi"))).bearer_auth(&authority).send().await;
    let html = resp.unwrap().text().await.unwrap();
    let list = html.split("id=\"top-districts\"").nth(1).expect("the ranking is on the page");
    let list = list.split("</ol>").next().unwrap();
    assert!(
        list.find("Quận Hoàn Kiếm").unwrap() < list.find("D1").unwrap(),
        "by name (an unknown code as itself): {list}"
    );
    assert!(html.contains("Quận/huyện có nhiều lượt quét mã nhất"), "in Vietnamese");
}

/// Declarations and symptoms by channel, counted by hand: on day 1 two
/// people declare through the JSON API (app; one with fever), one on the web
/// page (with a cough), one through staff at a desk (fever) and one from the
/// hotline import (no symptoms); the last two through the same service
/// function the resident paths use, as a staff or import path would.
#[tokio::test]
async fn declarations_and_symptoms_are_counted_by_channel() {
    use healthcode_domain::ReportChannel;
    use healthcode_server::api::reports::DeclarationRequest;
    use healthcode_server::services::health;

    let app = spawn_app().await;
    person(&app, "+84912000991", 38.2, &["fever"]).await;
    person(&app, "+84912000992", 36.5, &[]).await;
    let web = app.resident_signs_in("+84912000993").await;
    let body = [
        ("name", "Tran An"),
        ("document_type", "national_id"),
        ("document_number", "001099001234"),
        ("district", "330102"),
        ("temperature_c", "36.8"),
        ("symptoms", "cough"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", crate::harness::urlencode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let resp = app
        .client
        .post(app.url("/declare"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("hc_session={}", web.token))
        .header("sec-fetch-site", "same-origin")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{:?}", resp.text().await);
    for (phone, symptoms, channel) in [
        ("+84912000994", vec!["fever".to_string()], ReportChannel::StaffAssisted),
        ("+84912000995", vec![], ReportChannel::HotlineImport),
    ] {
        app.resident_signs_in(phone).await;
        let id = resident_id(&app, phone).await;
        let request = DeclarationRequest {
            name: Some("Pham Binh".into()),
            document_type: Some("national_id".into()),
            document_number: Some(format!("0010990{}", &phone[8..])),
            district: Some("330102".into()),
            temperature_c: Some(if symptoms.is_empty() { 36.6 } else { 38.4 }),
            symptoms,
            visited_regions: vec![],
            contact_with_case: false,
            travel_plan: String::new(),
            dcc: None,
        };
        let (identity, declaration) = request.parse().unwrap();
        health::declare(&app.state, id, identity, declaration, channel).await.unwrap();
    }

    let authority = app.token(Role::Authority, "anh").await;
    let by_channel = |r: &Value| {
        let n = |k: &str| r[k].as_i64().unwrap();
        (
            [
                n("declarations_app"),
                n("declarations_web"),
                n("declarations_staff_assisted"),
                n("declarations_hotline_import"),
            ],
            [
                n("symptomatic_app"),
                n("symptomatic_web"),
                n("symptomatic_staff_assisted"),
                n("symptomatic_hotline_import"),
            ],
            (n("declarations"), n("symptomatic")),
        )
    };
    let want = ([2, 1, 1, 1], [1, 1, 1, 0], (5, 3));
    let live = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY1}")).await;
    assert_eq!(by_channel(&live["city"][0]), want, "live: {}", live["city"][0]);
    app.advance_days(1);
    let rolled = daily(&app, Some(&authority), &format!("from={DAY1}&to={DAY1}")).await;
    assert_eq!(by_channel(&rolled["city"][0]), want, "rolled up: {}", rolled["city"][0]);
    // Small counts are hidden from the public, channel by channel.
    let public = daily(&app, None, &format!("from={DAY1}&to={DAY1}")).await;
    assert_eq!((&public["city"][0]["declarations_app"], &public["city"][0]["declarations"]), (&Value::Null, &json!(5)));

    let resp = app.client.get(app.url(&format!("/stats?from={DAY1}&to={DAY1}"))).bearer_auth(&authority).send().await;
    let html = resp.unwrap().text().await.unwrap();
    let table = html.split("id=\"channels\"").nth(1).expect("the channel table is on the page");
    let table = table.split("</table>").next().unwrap();
    let row_of = |label: &str| {
        let row = table.split(&format!("<th scope=\"row\">{label}</th>")).nth(1).unwrap();
        let row = row.split("</tr>").next().unwrap();
        row.split("<td class=\"n\">").skip(1).map(|c| c.split('<').next().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(row_of("App"), ["2", "1"]);
    assert_eq!(row_of("Web"), ["1", "1"]);
    assert_eq!(row_of("Staff-assisted"), ["1", "1"]);
    assert_eq!(row_of("Hotline import"), ["1", "0"]);
}
