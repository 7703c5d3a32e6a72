//! Work resumption: applications decided by the authority within three
//! working days, rosters joined by the employee, gate scans, and a dashboard
//! that never shows what an employee declared or where they went.

use crate::check_in::{operator_token, venue_registered};
use crate::harness::{Resident, TestApp, spawn_app, urlencode};
use healthcode_domain::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn application(name: &str) -> Value {
    json!({
        "name": name,
        "sites": [
            {"name": "Main plant", "address": "1 River Road", "district": "330102"},
            {"name": "Warehouse", "address": "9 Canal Street", "district": "330105"}
        ],
        "planned_headcount": 120,
        "measures": "masks, two-metre spacing, temperature at the gate, staggered shifts"
    })
}

pub async fn applies(app: &TestApp, operator: &str, name: &str) -> Value {
    let (s, b) = app.post_json("/api/v1/enterprises", Some(operator), application(name)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b
}

/// An operator with an approved enterprise: (operator token, enterprise id).
pub async fn approved_enterprise(app: &TestApp, phone: &str, name: &str) -> (String, String) {
    let operator = operator_token(app, phone).await;
    let e = applies(app, &operator, name).await;
    let id = e["id"].as_str().unwrap().to_string();
    let authority = app.token(Role::Authority, "anh").await;
    let (s, b) = app
        .post_json(
            &format!("/api/v1/enterprises/{id}/approve"),
            Some(&authority),
            json!({"reason": "measures adequate"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    (operator, id)
}

async fn invites(app: &TestApp, operator: &str, id: &str, phone: &str) -> (StatusCode, Value) {
    app.post_json(&format!("/api/v1/enterprises/{id}/employees"), Some(operator), json!({ "phone": phone })).await
}

/// A declared resident who accepted the enterprise's invitation.
pub async fn employee(app: &TestApp, operator: &str, id: &str, phone: &str, symptoms: &[&str]) -> Resident {
    let (s, b) = invites(app, operator, id, phone).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let who = app.resident_signs_in(phone).await;
    let temperature = if symptoms.is_empty() { 36.6 } else { 37.9 };
    let (s, b) = app.resident_declares(&who, temperature, symptoms).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app.post_json(&format!("/api/v1/me/employers/{id}/accept"), Some(&who.token), json!({})).await;
    assert_eq!((s, b["link"].as_str()), (StatusCode::OK, Some("linked")), "{b}");
    who
}

pub async fn code_of(app: &TestApp, who: &Resident) -> String {
    let (s, code) = app.get_json("/api/v1/me/code", Some(&who.token)).await;
    assert_eq!(s, StatusCode::OK, "{code}");
    code["qr_text"].as_str().unwrap().to_string()
}

pub async fn gate_scan(
    app: &TestApp,
    operator: &str,
    id: &str,
    qr: &str,
    temperature: Option<f64>,
) -> (StatusCode, Value) {
    let body = json!({ "qr_text": qr, "temperature_c": temperature });
    app.post_json(&format!("/api/v1/enterprises/{id}/gate-scans"), Some(operator), body).await
}

async fn dashboard(app: &TestApp, operator: &str, id: &str) -> Value {
    let (s, b) = app.get_json(&format!("/api/v1/enterprises/{id}/dashboard"), Some(operator)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

pub async fn delete(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let resp = app.client.delete(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn error_code(b: &Value) -> Option<&str> {
    b["error"]["code"].as_str()
}

#[tokio::test]
async fn the_authority_decides_once_within_three_working_days_and_it_is_audited() {
    let app = spawn_app().await; // Monday 2026-11-02 09:00, Asia/Shanghai
    let operator = operator_token(&app, "+84912000701").await;
    let monday = applies(&app, &operator, "Early Textiles").await;
    assert_eq!(monday["state"], "pending");
    assert_eq!(monday["due_at"], "2026-11-05T15:59:59.999Z", "Monday + 3 working days: end of Thursday, local");

    // Bad input changes nothing.
    let mut bad = application("No Measures Ltd");
    bad["measures"] = json!("none");
    let (s, b) = app.post_json("/api/v1/enterprises", Some(&operator), bad).await;
    assert_eq!((s, error_code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, Some("MEASURES_REQUIRED")));
    let (s, b) = app
        .post_json(
            "/api/v1/enterprises",
            Some(&operator),
            json!({"name": "No Sites", "sites": [], "planned_headcount": 3, "measures": "masks and distancing"}),
        )
        .await;
    assert_eq!((s, error_code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, Some("SITES_REQUIRED")));

    app.advance_days(4); // Friday 2026-11-06
    let friday = applies(&app, &operator, "Friday Foods").await;
    assert_eq!(friday["due_at"], "2026-11-11T15:59:59.999Z", "a Friday submission is due the next Wednesday");
    let (_, mine) = app.get_json("/api/v1/enterprises", Some(&operator)).await;
    assert_eq!(mine.as_array().unwrap().len(), 2, "the refused applications left nothing behind");

    let authority = app.token(Role::Authority, "anh").await;
    let (s, queue) = app.get_json("/api/v1/enterprise-applications", Some(&authority)).await;
    assert_eq!(s, StatusCode::OK, "{queue}");
    let queue = queue.as_array().unwrap();
    assert_eq!(queue.len(), 2);
    assert_eq!((queue[0]["name"].as_str(), queue[0]["overdue"].as_bool()), (Some("Early Textiles"), Some(true)));
    assert_eq!((queue[1]["name"].as_str(), queue[1]["overdue"].as_bool()), (Some("Friday Foods"), Some(false)));
    let (s, _) = app.get_json("/api/v1/enterprise-applications", Some(&operator)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "an operator cannot read the queue");

    let approve = format!("/api/v1/enterprises/{}/approve", monday["id"].as_str().unwrap());
    let (s, _) = app.post_json(&approve, Some(&operator), json!({"reason": "self-approved"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let officer = app.token(Role::Officer, "olga").await;
    let (s, _) = app.post_json(&approve, Some(&officer), json!({"reason": "not my job"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the authority decides");
    let (s, b) = app.post_json(&approve, Some(&authority), json!({"reason": " "})).await;
    assert_eq!((s, error_code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, Some("REASON_REQUIRED")));
    let (s, b) = app.post_json(&approve, Some(&authority), json!({"reason": "measures adequate"})).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("approved")), "{b}");
    assert_eq!(b["overdue"], false, "decided applications are not overdue");
    let (s, b) = app.post_json(&approve, Some(&authority), json!({"reason": "twice"})).await;
    assert_eq!((s, error_code(&b)), (StatusCode::CONFLICT, Some("APPLICATION_ALREADY_DECIDED")));
    let reject_decided = approve.replace("/approve", "/reject");
    let (s, b) = app.post_json(&reject_decided, Some(&authority), json!({"reason": "changed my mind"})).await;
    assert_eq!((s, error_code(&b)), (StatusCode::CONFLICT, Some("APPLICATION_ALREADY_DECIDED")));

    let friday_id = friday["id"].as_str().unwrap();
    let reason = "no temperature checks at the warehouse";
    let (s, b) = app
        .post_json(&format!("/api/v1/enterprises/{friday_id}/reject"), Some(&authority), json!({ "reason": reason }))
        .await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("rejected")), "{b}");
    let (_, seen) = app.get_json(&format!("/api/v1/enterprises/{friday_id}"), Some(&operator)).await;
    assert_eq!((seen["state"].as_str(), seen["decision_reason"].as_str()), (Some("rejected"), Some(reason)));
    let (s, b) = invites(&app, &operator, friday_id, "+8613800000701").await;
    assert_eq!((s, error_code(&b)), (StatusCode::CONFLICT, Some("APPLICATION_REJECTED")));
    let (_, queue) = app.get_json("/api/v1/enterprise-applications", Some(&authority)).await;
    assert!(queue.as_array().unwrap().is_empty());
    let (_, rejected) = app.get_json("/api/v1/enterprise-applications?state=rejected", Some(&authority)).await;
    assert_eq!(rejected.as_array().unwrap().len(), 1);

    let auditor = app.token(Role::Auditor, "audrey").await;
    let (_, log) = app.get_json("/api/v1/audit", Some(&auditor)).await;
    let entries: Vec<(&str, &str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap(), e["detail"].as_str().unwrap()))
        .collect();
    let actions: Vec<&str> = entries.iter().map(|e| e.0).collect();
    assert_eq!(actions, vec!["enterprise.applied", "enterprise.applied", "enterprise.approved", "enterprise.rejected"]);
    assert_eq!(entries[2].1, "authority:anh");
    assert!(entries[2].2.contains("after the deadline"), "{}", entries[2].2);
    assert!(entries[3].2.contains("within the deadline") && entries[3].2.contains(reason), "{}", entries[3].2);
    assert!(log.to_string().find("+84912000701").is_none(), "no phone number in the audit log");
}

#[tokio::test]
async fn employees_join_by_accepting_and_removal_is_immediate() {
    let app = spawn_app().await;
    let (operator, id) = approved_enterprise(&app, "+84912000702", "Roster Works").await;
    let phone = "+8613800000711";
    let (s, b) = invites(&app, &operator, &id, phone).await;
    assert_eq!((s, b["link"].as_str()), (StatusCode::CREATED, Some("invited")), "{b}");
    let (_, outbox) = app.get_json(&format!("/api/v1/dev/outbox?recipient={}", urlencode(phone)), None).await;
    let message = outbox["messages"][0]["body"].as_str().unwrap();
    assert!(message.contains("Roster Works") && message.contains("/me/employers"), "the employee is told: {message}");
    let (s, b) = invites(&app, &operator, &id, phone).await;
    assert_eq!((s, error_code(&b)), (StatusCode::CONFLICT, Some("ALREADY_ON_ROSTER")));
    let (s, b) = invites(&app, &operator, &id, "12345").await;
    assert_eq!((s, error_code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, Some("PHONE_INVALID")));

    // Someone else cannot take the invitation.
    let other = app.resident_signs_in("+8613800000712").await;
    let accept = format!("/api/v1/me/employers/{id}/accept");
    let (s, b) = app.post_json(&accept, Some(&other.token), json!({})).await;
    assert_eq!((s, error_code(&b)), (StatusCode::NOT_FOUND, Some("INVITATION_NOT_FOUND")));
    let (_, others) = app.get_json("/api/v1/me/employers", Some(&other.token)).await;
    assert!(others.as_array().unwrap().is_empty());
    let (s, _) = app.post_json(&accept, Some(&operator), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "operators are not residents");

    let who = app.resident_signs_in(phone).await;
    let (_, invitations) = app.get_json("/api/v1/me/employers", Some(&who.token)).await;
    assert_eq!(invitations[0]["name"], "Roster Works");
    assert_eq!(invitations[0]["link"], "invited");
    let d = dashboard(&app, &operator, &id).await;
    assert_eq!((d["employees"].as_u64(), d["invited"].as_u64()), (Some(0), Some(1)));

    let (s, b) = app.post_json(&accept, Some(&who.token), json!({})).await;
    assert_eq!((s, b["link"].as_str()), (StatusCode::OK, Some("linked")), "{b}");
    let (s, b) = app.post_json(&accept, Some(&who.token), json!({})).await;
    assert_eq!((s, error_code(&b)), (StatusCode::CONFLICT, Some("INVITATION_ALREADY_ACCEPTED")));
    let d = dashboard(&app, &operator, &id).await;
    assert_eq!((d["employees"].as_u64(), d["invited"].as_u64()), (Some(1), Some(0)));
    assert_eq!(d["roster"][0]["phone"], phone);
    assert_eq!(d["roster"][0]["link"], "linked");
    assert_eq!(d["roster"][0]["colour"], Value::Null, "no declaration yet");
    assert_eq!(d["attention"].as_array().unwrap().len(), 1, "no code and no clock-in");

    let remove = format!("/api/v1/enterprises/{id}/employees/{}", urlencode(phone));
    let (s, b) = delete(&app, &remove, &operator).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let d = dashboard(&app, &operator, &id).await;
    assert_eq!((d["employees"].as_u64(), d["invited"].as_u64()), (Some(0), Some(0)), "gone at once");
    assert!(d["roster"].as_array().unwrap().is_empty() && d["attention"].as_array().unwrap().is_empty());
    assert!(!d.to_string().contains(phone));
    let (_, mine) = app.get_json("/api/v1/me/employers", Some(&who.token)).await;
    assert!(mine.as_array().unwrap().is_empty());
    let (s, b) = delete(&app, &remove, &operator).await;
    assert_eq!((s, error_code(&b)), (StatusCode::NOT_FOUND, Some("NOT_ON_ROSTER")));

    // Inviting again starts afresh: the person has to accept again.
    let (s, b) = invites(&app, &operator, &id, phone).await;
    assert_eq!((s, b["link"].as_str()), (StatusCode::CREATED, Some("invited")), "{b}");
    let (s, _) = app.post_json(&format!("/api/v1/me/employers/{id}/leave"), Some(&who.token), json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "declining an invitation");
    assert_eq!(dashboard(&app, &operator, &id).await["invited"], 0);
}

#[tokio::test]
async fn the_gate_flags_fever_and_colour_and_refuses_non_employees() {
    let app = spawn_app().await;
    let (operator, id) = approved_enterprise(&app, "+84912000703", "Gate Motors").await;
    let green = employee(&app, &operator, &id, "+8613800000721", &[]).await;
    let yellow = employee(&app, &operator, &id, "+8613800000722", &["cough"]).await;
    assert_eq!(app.colour_of(&yellow).await, "yellow");
    let stranger = app.resident_signs_in("+8613800000723").await;
    app.resident_declares(&stranger, 36.5, &[]).await;

    let (s, b) = gate_scan(&app, &operator, &id, &code_of(&app, &green).await, Some(36.5)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        (b["colour"].as_str(), b["flagged"].as_bool(), b["reason"].as_str()),
        (Some("green"), Some(false), Some("CLEAR"))
    );
    assert_eq!(b["holder_hint"], "LW ****1234");

    let (s, b) = gate_scan(&app, &operator, &id, &code_of(&app, &green).await, Some(37.3)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        (b["flagged"].as_bool(), b["fever"].as_bool(), b["reason"].as_str()),
        (Some(true), Some(true), Some("FEVER"))
    );

    let (s, b) = gate_scan(&app, &operator, &id, &code_of(&app, &yellow).await, None).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        (b["colour"].as_str(), b["flagged"].as_bool(), b["reason"].as_str()),
        (Some("yellow"), Some(true), Some("COLOUR_YELLOW"))
    );

    let (s, b) = gate_scan(&app, &operator, &id, &code_of(&app, &stranger).await, Some(36.5)).await;
    assert_eq!((s, error_code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, Some("NOT_ON_ROSTER")));
    let (s, b) = gate_scan(&app, &operator, &id, "HCODE1:not-a-code", Some(36.5)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(error_code(&b).unwrap().starts_with("CODE_"), "{b}");
    let (s, b) = gate_scan(&app, &operator, &id, &code_of(&app, &green).await, Some(51.0)).await;
    assert_eq!((s, error_code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, Some("TEMPERATURE_OUT_OF_RANGE")));

    // An expired screenshot is turned back like at a checkpoint.
    let old = code_of(&app, &green).await;
    app.clock.advance(jiff::SignedDuration::from_mins(10));
    let (s, b) = gate_scan(&app, &operator, &id, &old, Some(36.5)).await;
    assert_eq!((s, error_code(&b)), (StatusCode::UNPROCESSABLE_ENTITY, Some("CODE_EXPIRED")));

    let d = dashboard(&app, &operator, &id).await;
    assert_eq!(
        (d["employees"].as_u64(), d["green"].as_u64(), d["clocked_in"].as_u64(), d["on_site"].as_u64()),
        // Both were flagged at the gate today (a fever, a yellow code): neither is on site.
        (Some(2), Some(1), Some(2), Some(0)),
        "{d}"
    );
    assert_eq!(d["share_green"].as_f64(), Some(0.5));
    let attention = d["attention"].as_array().unwrap();
    assert_eq!(attention.len(), 2, "a fever at the gate and a yellow code: {d}");
    let green_line = d["roster"].as_array().unwrap().iter().find(|l| l["phone"] == "+8613800000721").unwrap();
    assert_eq!(
        (green_line["fever"].as_bool(), green_line["on_site"].as_bool()),
        (Some(true), Some(false)),
        "flagged at the gate: not on site"
    );

    // A pending enterprise does not scan yet.
    let other_operator = operator_token(&app, "+84912000704").await;
    let pending = applies(&app, &other_operator, "Not Yet Ltd").await;
    let (s, b) =
        gate_scan(&app, &other_operator, pending["id"].as_str().unwrap(), &code_of(&app, &green).await, None).await;
    assert_eq!((s, error_code(&b)), (StatusCode::CONFLICT, Some("ENTERPRISE_NOT_APPROVED")));

    // Next day: a green employee records the daily clock-in through the resident endpoint.
    app.advance_days(1);
    let d = dashboard(&app, &operator, &id).await;
    assert_eq!((d["clocked_in"].as_u64(), d["on_site"].as_u64()), (Some(0), Some(0)), "a new day: {d}");
    let (s, b) = app.resident_clocks_in(&green, 36.4).await;
    assert_eq!((s, b["status"]["colour"].as_str()), (StatusCode::CREATED, Some("green")), "{b}");
    let (s, b) = app.resident_clocks_in(&green, 36.4).await;
    assert_eq!((s, error_code(&b)), (StatusCode::CONFLICT, Some("CLOCK_IN_ALREADY_TODAY")), "one clock-in a day");
    let d = dashboard(&app, &operator, &id).await;
    assert_eq!(d["clocked_in"], 1);
    let line = d["roster"].as_array().unwrap().iter().find(|l| l["phone"] == "+8613800000721").unwrap().clone();
    assert_eq!(
        (line["clocked_in_today"].as_bool(), line["fever"].as_bool(), line["needs_attention"].as_bool()),
        (Some(true), Some(false), Some(false))
    );
}

#[tokio::test]
async fn the_employer_never_sees_declarations_symptoms_or_visits() {
    let app = spawn_app().await;
    let (operator, id) = approved_enterprise(&app, "+84912000705", "Discreet Ltd").await;
    let worker = employee(&app, &operator, &id, "+8613800000731", &["cough", "sore_throat"]).await;
    let cafe_owner = operator_token(&app, "+84912000706").await;
    let cafe = venue_registered(&app, &cafe_owner, "Cà phê Giảng").await;
    // Yellow (symptoms): turned away at the café, an attempted entry the employer never sees either.
    let (s, b) = app.post_json("/api/v1/check-ins", Some(&worker.token), json!({ "venue_qr": cafe["qr_text"] })).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    gate_scan(&app, &operator, &id, &code_of(&app, &worker).await, Some(36.8)).await;

    let d = dashboard(&app, &operator, &id).await;
    assert_eq!(d["roster"][0]["colour"], "yellow", "the colour is shown");
    assert_eq!(d["roster"][0]["initials"], "LW", "initials, not the name");
    let (_, page) = app.get_json(&format!("/employer/{id}"), Some(&operator)).await;
    let page = page.as_str().unwrap().to_lowercase();
    assert!(page.contains("lw"), "the page shows the initials");
    let values = [
        "cough",
        "sore_throat",
        "sore throat",
        "37.9",
        "36.8",
        "giảng",
        "cà phê",
        "li wei",
        "330102199001011234",
        "stay home",
    ];
    for body in [d.to_string().to_lowercase(), page] {
        for secret in values {
            assert!(!body.contains(secret), "the employer's view shows {secret:?}");
        }
    }
    let json = d.to_string();
    for key in ["symptom", "declaration", "visit", "temperature", "document", "travel"] {
        assert!(!json.contains(key), "the dashboard has a {key:?} field");
    }
}

#[tokio::test]
async fn an_employer_reads_only_its_own_enterprises() {
    let app = spawn_app().await;
    let (a, a_id) = approved_enterprise(&app, "+84912000707", "Alpha Co").await;
    let (b, b_id) = approved_enterprise(&app, "+84912000708", "Beta Co").await;
    let worker = employee(&app, &b, &b_id, "+8613800000741", &[]).await;
    for path in [format!("/api/v1/enterprises/{b_id}"), format!("/api/v1/enterprises/{b_id}/dashboard")] {
        let (s, body) = app.get_json(&path, Some(&a)).await;
        assert_eq!((s, error_code(&body)), (StatusCode::NOT_FOUND, Some("ENTERPRISE_NOT_FOUND")), "{path}");
    }
    let (s, body) = invites(&app, &a, &b_id, "+8613800000742").await;
    assert_eq!((s, error_code(&body)), (StatusCode::NOT_FOUND, Some("ENTERPRISE_NOT_FOUND")));
    let (s, body) = gate_scan(&app, &a, &b_id, &code_of(&app, &worker).await, None).await;
    assert_eq!((s, error_code(&body)), (StatusCode::NOT_FOUND, Some("ENTERPRISE_NOT_FOUND")));
    let (s, body) = delete(&app, &format!("/api/v1/enterprises/{b_id}/employees/%2B8613800000741"), &a).await;
    assert_eq!((s, error_code(&body)), (StatusCode::NOT_FOUND, Some("ENTERPRISE_NOT_FOUND")));
    let (s, _) = app.get_json(&format!("/employer/{b_id}"), Some(&a)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = app.get_json("/api/v1/enterprises/not-an-id/dashboard", Some(&a)).await;
    assert_eq!((s, error_code(&body)), (StatusCode::NOT_FOUND, Some("ENTERPRISE_NOT_FOUND")));
    let (_, mine) = app.get_json("/api/v1/enterprises", Some(&a)).await;
    let names: Vec<&str> = mine.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Alpha Co"]);
    let (s, _) = app.get_json(&format!("/api/v1/enterprises/{a_id}/dashboard"), Some(&worker.token)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a resident is not an employer");
    // B still works and still sees its employee.
    assert_eq!(dashboard(&app, &b, &b_id).await["employees"], 1);
}

#[tokio::test]
async fn the_pages_work_for_employer_employee_and_authority() {
    let app = spawn_app().await;
    let operator = operator_token(&app, "+84912000709").await;
    let form = [
        ("name", "Page Plastics"),
        ("site_name", "Plant"),
        ("site_address", "3 Lake Road"),
        ("site_district", "330106"),
        ("more_sites", "Depot; 4 Hill Road; 330107"),
        ("planned_headcount", "25"),
        ("measures", "masks, spacing and a thermometer at the door"),
    ];
    let resp = app.client.post(app.url("/employer")).bearer_auth(&operator).form(&form).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let id = location.trim_start_matches("/employer/").to_string();

    let authority = app.token(Role::Authority, "anh").await;
    let (s, queue) = app.get_json("/authority/enterprises?lang=vi", Some(&authority)).await;
    assert_eq!(s, StatusCode::OK);
    let queue = queue.as_str().unwrap();
    assert!(
        queue.contains("Page Plastics") && queue.contains("Depot, 4 Hill Road (330107)") && queue.contains("Duyệt")
    );
    let resp = app
        .client
        .post(app.url(&format!("/authority/enterprises/{id}/decide")))
        .bearer_auth(&authority)
        .form(&[("verdict", "approve"), ("reason", "checked on site")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    let resp = app
        .client
        .post(app.url(&format!("/employer/{id}/invite")))
        .bearer_auth(&operator)
        .form(&[("phone", "+8613800000751")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let worker = app.resident_signs_in("+8613800000751").await;
    let (_, mine) = app.get_json("/me/employers?lang=zh", Some(&worker.token)).await;
    assert!(mine.as_str().unwrap().contains("接受"), "the invitation shows with an accept button");
    let resp = app
        .client
        .post(app.url(&format!("/me/employers/{id}/accept")))
        .bearer_auth(&worker.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    for (lang, word) in [("en", "Roster"), ("zh", "员工名单"), ("vi", "Danh sách nhân viên")] {
        let (s, page) = app.get_json(&format!("/employer/{id}?lang={lang}"), Some(&operator)).await;
        assert_eq!(s, StatusCode::OK);
        let page = page.as_str().unwrap();
        assert!(page.contains(word) && page.contains("+8613800000751"), "{lang}");
        assert!(!page.contains("??"), "every text is translated ({lang})");
    }
    let (s, scanner) = app.get_json(&format!("/employer/{id}/scan?lang=vi"), Some(&operator)).await;
    assert_eq!(s, StatusCode::OK);
    let scanner = scanner.as_str().unwrap();
    let config = crate::scanner_pages::scanner_config(scanner);
    assert_eq!(config["mode"], "gate");
    assert!(config.to_string().contains(&format!("/api/v1/enterprises/{id}/gate-scans")), "{config}");
    assert!(
        scanner.contains(r#"id="temperature""#) && scanner.contains("Sốt: từ 37,3 °C"),
        "temperature box and texts"
    );
    let (s, page) = app.get_json("/employer", Some(&operator)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("Page Plastics"));
    let other = operator_token(&app, "+84912000710").await;
    let (s, _) = app.get_json(&format!("/employer/{id}/scan"), Some(&other)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another employer's gate");
    let (s, _) = app.get_json("/employer", None).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "to the operator sign-in");
}

#[tokio::test]
async fn the_demo_seeds_employers_with_realistic_numbers() {
    use healthcode_server::Clock;
    use healthcode_server::synthetic::{CityPlan, enterprise_id_of, seed_city, seed_enterprises};
    let app = spawn_app().await;
    let plan = CityPlan::new(7, 6_000, 14);
    let (store, config, now) = (app.state.store.as_ref(), &app.state.config, app.clock.now());
    seed_city(store, &plan, &config.policy, &config.time_zone, now, |_| {}).await.unwrap();
    let seeded = seed_enterprises(store, &plan, &config.policy, &config.time_zone, now).await.unwrap();
    assert_eq!(seeded.enterprises, 6, "{seeded:?}");
    assert!(seeded.employees > 60 && seeded.clock_ins > 30 && seeded.gate_scans > 20, "{seeded:?}");
    let again = seed_enterprises(store, &plan, &config.policy, &config.time_zone, now).await.unwrap();
    assert_eq!(again.enterprises, 0, "seeding twice writes nothing");

    let authority = app.token(Role::Authority, "anh").await;
    for (state, expected) in [("pending", 1), ("rejected", 1), ("approved", 4)] {
        let (_, list) = app.get_json(&format!("/api/v1/enterprise-applications?state={state}"), Some(&authority)).await;
        assert_eq!(list.as_array().unwrap().len(), expected, "{state}");
        if state == "pending" {
            assert_eq!(list[0]["overdue"], true, "the demo shows an overdue application");
        }
    }
    let operator = operator_token(&app, "+84900000000").await;
    let id = enterprise_id_of(&plan, 0).to_string();
    let d = dashboard(&app, &operator, &id).await;
    let (employees, clocked, on_site) =
        (d["employees"].as_u64().unwrap(), d["clocked_in"].as_u64().unwrap(), d["on_site"].as_u64().unwrap());
    assert!(employees >= 4 && clocked > employees / 2 && on_site > 0 && on_site <= clocked, "{d}");
}
