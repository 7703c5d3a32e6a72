//! The anomaly alarm: bursts of manual changes, and red codes with no case
//! and no presence; listing and acknowledging them; the governance pages.

use crate::check_in::{operator_token, venue_registered};
use crate::harness::{TestApp, spawn_app, spawn_app_with};
use healthcode_domain::Role;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::{Value, json};

/// The authority requests an override for a phone and a supervisor approves it.
async fn overridden(app: &TestApp, authority: &str, supervisor: &str, phone: &str, colour: &str) -> Value {
    let body = json!({"phone": phone, "colour": colour, "reason_code": "DATA_ERROR",
        "basis": "the record was entered for the wrong person at the desk"});
    let (s, o) = app.post_json("/api/v1/overrides", Some(authority), body).await;
    assert_eq!(s, StatusCode::CREATED, "{o}");
    let approve = format!("/api/v1/overrides/{}/approve", o["id"].as_str().unwrap());
    let (s, decided) = app.post_json(&approve, Some(supervisor), json!({})).await;
    assert_eq!((s, decided["state"].as_str()), (StatusCode::OK, Some("approved")), "{decided}");
    decided
}

/// The authority marks a district as a risk area from now for `hours`.
async fn marks_risk_area(app: &TestApp, authority: &str, code: &str, hours: i64) {
    use healthcode_server::Clock;
    let until = app.clock.now().checked_add(jiff::SignedDuration::from_hours(hours)).unwrap();
    let body = json!({"code": code, "until": until.to_string(), "reason": "cluster at a market"});
    let (s, b) = app.post_json("/api/v1/risk-areas", Some(authority), body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

async fn alarms(app: &TestApp, token: &str) -> Vec<Value> {
    let (s, list) = app.get_json("/api/v1/alarms", Some(token)).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

fn of_kind<'a>(list: &'a [Value], kind: &str) -> Vec<&'a Value> {
    list.iter().filter(|a| a["kind"] == kind).collect()
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String, String)> {
    let auditor = app.token(Role::Auditor, "audrey").await;
    let (s, log) = app.get_json("/api/v1/audit", Some(&auditor)).await;
    assert_eq!(s, StatusCode::OK, "{log}");
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (text("action"), text("subject"), text("detail"))
        })
        .collect()
}

#[tokio::test]
async fn a_burst_of_approved_overrides_raises_one_alarm() {
    let app = spawn_app_with(|c| c.alarm_manual_changes_per_hour = 3).await;
    let authority = app.token(Role::Authority, "anh").await;
    let (sam, kim) = (app.token(Role::Supervisor, "sam").await, app.token(Role::Supervisor, "kim").await);
    for n in 0..6 {
        let phone = format!("+841230000{n:02}");
        app.resident_signs_in(&phone).await;
        let supervisor = if n % 2 == 0 { &sam } else { &kim };
        overridden(&app, &authority, supervisor, &phone, "green").await;
        let raised = of_kind(&alarms(&app, &authority).await, "MANUAL_CHANGES_BURST").len();
        assert_eq!(raised, usize::from(n >= 2), "after {} approvals", n + 1);
    }
    let list = alarms(&app, &authority).await;
    let burst = of_kind(&list, "MANUAL_CHANGES_BURST");
    assert_eq!(burst.len(), 1, "one open alarm per hour, not one per change: {list:?}");
    assert_eq!(burst[0]["subject"], "all");
    assert!(burst[0]["detail"].as_str().unwrap().starts_with("3 manual status changes"), "{}", burst[0]);
    assert!(of_kind(&list, "RED_WITHOUT_CASE_OR_PRESENCE").is_empty(), "green overrides are no red alarm");
    let raised: Vec<_> = audit_actions(&app).await.into_iter().filter(|(a, _, _)| a == "alarm.raised").collect();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].1, burst[0]["id"].as_str().unwrap());
    assert!(raised[0].2.starts_with("MANUAL_CHANGES_BURST all: 3 manual"), "{raised:?}");

    // Once acknowledged, the burst that goes on raises a new one.
    let ack = format!("/api/v1/alarms/{}/acknowledge", burst[0]["id"].as_str().unwrap());
    let (s, b) = app.post_json(&ack, Some(&sam), json!({"note": "called the district office"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.resident_signs_in("+84123000099").await;
    overridden(&app, &authority, &kim, "+84123000099", "green").await;
    let list = alarms(&app, &authority).await;
    assert_eq!(of_kind(&list, "MANUAL_CHANGES_BURST").len(), 2);
    assert_eq!(list[0]["acknowledged_by"], Value::Null, "the open one comes first");
    assert_eq!(list[1]["acknowledged_by"], "supervisor:sam");
}

#[tokio::test]
async fn one_approver_making_many_changes_is_named() {
    let app = spawn_app_with(|c| c.alarm_manual_changes_per_approver_per_hour = 2).await;
    let authority = app.token(Role::Authority, "anh").await;
    let (sam, kim) = (app.token(Role::Supervisor, "sam").await, app.token(Role::Supervisor, "kim").await);
    for (n, supervisor) in [&kim, &sam, &sam].into_iter().enumerate() {
        let phone = format!("+841240000{n:02}");
        app.resident_signs_in(&phone).await;
        overridden(&app, &authority, supervisor, &phone, "yellow").await;
    }
    let list = alarms(&app, &authority).await;
    let burst = of_kind(&list, "MANUAL_CHANGES_BURST");
    assert_eq!(burst.len(), 1, "{list:?}");
    assert_eq!(burst[0]["subject"], "staff:sam");
    assert!(burst[0]["detail"].as_str().unwrap().starts_with("sam approved 2 manual"), "{}", burst[0]);
}

#[tokio::test]
async fn red_without_a_case_or_presence_raises_an_alarm_naming_only_the_pseudonym() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let supervisor = app.token(Role::Supervisor, "sam").await;
    let away = app.resident_signs_in("+84912000901").await;
    let here = app.resident_signs_in("+84912000902").await;
    app.resident_declares(&away, 36.6, &[]).await;
    app.resident_declares(&here, 36.6, &[]).await;
    app.advance_days(10);
    let op = operator_token(&app, "+84912000903").await;
    let venue = venue_registered(&app, &op, "Bánh Mì 25").await; // HN-HOAN-KIEM
    // The venue's district is a marked risk area while `here` is there.
    marks_risk_area(&app, &authority, "HN-HOAN-KIEM", 48).await;
    let (s, b) = app.post_json("/api/v1/check-ins", Some(&here.token), json!({"venue_qr": venue["qr_text"]})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.advance_days(10); // the declarations are 20 days old, the visit 10

    let turned = overridden(&app, &authority, &supervisor, "+84912000901", "red").await;
    overridden(&app, &authority, &supervisor, "+84912000902", "red").await;
    assert_eq!(app.colour_of(&away).await, "red");

    let list = alarms(&app, &authority).await;
    let red = of_kind(&list, "RED_WITHOUT_CASE_OR_PRESENCE");
    assert_eq!(red.len(), 1, "the person who checked in 10 days ago was in a risk area then: {list:?}");
    assert_eq!(red[0]["subject"], turned["resident_id"]);
    let detail = red[0]["detail"].as_str().unwrap();
    assert!(detail.contains(turned["resident_id"].as_str().unwrap()) && detail.contains("staff:sam"), "{detail}");
    assert!(!detail.contains("912000901") && !detail.contains("Li Wei"), "no phone, no name: {detail}");
    assert!(of_kind(&list, "MANUAL_CHANGES_BURST").is_empty(), "two changes are no burst");

    let log = audit_actions(&app).await;
    let raised: Vec<_> = log.iter().filter(|(a, _, _)| a == "alarm.raised").collect();
    assert_eq!(raised.len(), 1);
    assert!(raised[0].2.starts_with("RED_WITHOUT_CASE_OR_PRESENCE "), "{raised:?}");
    assert!(!raised[0].2.contains("912000901"));

    // Only the authority and supervisors acknowledge, once, with a note.
    let id = red[0]["id"].as_str().unwrap();
    let ack = format!("/api/v1/alarms/{id}/acknowledge");
    let auditor = app.token(Role::Auditor, "audrey").await;
    let officer = app.token(Role::Officer, "olga").await;
    assert_eq!(alarms(&app, &auditor).await.len(), 1, "the auditor reads them");
    for token in [&officer, &away.token] {
        assert_eq!(app.get_json("/api/v1/alarms", Some(token)).await.0, StatusCode::FORBIDDEN);
        assert_eq!(app.post_json(&ack, Some(token), json!({"note": "seen it"})).await.0, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.get_json("/api/v1/alarms", None).await.0, StatusCode::UNAUTHORIZED);
    let (s, b) = app.post_json(&ack, Some(&auditor), json!({"note": "seen it"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = app.post_json(&ack, Some(&authority), json!({"note": "  "})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("ALARM_NOTE_REQUIRED")));
    for missing in ["01234567-89ab-7def-8123-456789abcdef", "nope"] {
        let (s, b) = app
            .post_json(&format!("/api/v1/alarms/{missing}/acknowledge"), Some(&authority), json!({"note": "seen it"}))
            .await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("ALARM_NOT_FOUND")), "{missing}");
    }
    assert_eq!(alarms(&app, &authority).await[0]["acknowledged_by"], Value::Null, "refusals change nothing");
    let (s, b) = app.post_json(&ack, Some(&authority), json!({"note": "override reversed; asked sam why"})).await;
    assert_eq!((s, b["acknowledged_by"].as_str()), (StatusCode::OK, Some("authority:anh")), "{b}");
    let (s, b) = app.post_json(&ack, Some(&supervisor), json!({"note": "again"})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("ALARM_ALREADY_ACKNOWLEDGED")));
    let log = audit_actions(&app).await;
    let acks: Vec<_> = log.iter().filter(|(a, _, _)| a == "alarm.acknowledged").collect();
    assert_eq!(acks.len(), 1);
    assert_eq!((acks[0].1.as_str(), acks[0].2.as_str()), (id, "override reversed; asked sam why"));
}

/// A page request with the session cookie a browser would send: (status, Location, body).
pub(crate) async fn page(
    app: &TestApp,
    path: &str,
    session: Option<&str>,
    form: Option<&str>,
) -> (StatusCode, String, String) {
    let mut req = match form {
        Some(body) => app
            .client
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string()),
        None => app.client.get(app.url(path)),
    };
    if let Some(token) = session {
        req = req.header(COOKIE, format!("hc_session={token}")).header("sec-fetch-site", "same-origin");
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let location = resp.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, resp.text().await.unwrap())
}

#[tokio::test]
async fn the_governance_pages_serve_the_authority_and_supervisors_only() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let anh_supervising = app.token(Role::Supervisor, "anh").await;
    let supervisor = app.token(Role::Supervisor, "sam").await;
    let officer = app.token(Role::Officer, "olga").await;
    let resident = app.resident_signs_in("+84912000911").await;

    for path in ["/authority/overrides", "/authority/alarms"] {
        assert_eq!(page(&app, path, None, None).await.1, "/staff/signin", "{path}");
        for other in [&officer, &resident.token] {
            assert_eq!(page(&app, path, Some(other), None).await.0, StatusCode::FORBIDDEN, "{path}");
        }
    }
    let (s, _, html) = page(&app, "/authority/cases", Some(&authority), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("href=\"/authority/overrides\"") && html.contains("href=\"/authority/alarms\""));

    // The authority requests on the page; a supervisor sees it with buttons.
    let form = "phone=%2B84912000911&colour=red&reason_code=DATA_ERROR&basis=wrong+person+at+the+testing+desk";
    let (s, to, _) = page(&app, "/authority/overrides", Some(&authority), Some(form)).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/authority/overrides"));
    let (s, _, html) = page(
        &app,
        "/authority/overrides",
        Some(&authority),
        Some("phone=%2B84912000911&colour=red&reason_code=x&basis=short"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(r#"id="e-reason_code""#) && html.contains(r#"id="e-basis""#),
        "both errors are shown, each beside its field"
    );
    let (s, _, html) = page(&app, "/authority/overrides", Some(&authority), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("DATA_ERROR") && html.contains("Request an override") && !html.contains("/approve"));
    let (s, _, html) = page(&app, "/authority/overrides?lang=vi", Some(&supervisor), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Phê duyệt") && !html.contains("name=\"basis\""), "buttons, no request form");
    let id = html.split("/authority/overrides/").nth(1).unwrap().split('/').next().unwrap().to_string();

    let approve = format!("/authority/overrides/{id}/approve");
    let (s, _, html) = page(&app, &approve, Some(&anh_supervising), Some("")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(html.contains("a second person must decide an override"), "the requester cannot approve");
    assert_eq!(page(&app, &approve, Some(&authority), Some("")).await.0, StatusCode::FORBIDDEN);
    let (s, to, _) = page(&app, &approve, Some(&supervisor), Some("")).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/authority/overrides"));
    assert_eq!(app.colour_of(&resident).await, "red");

    // No case and no presence: an alarm, on the page in three languages.
    let (s, _, html) = page(&app, "/authority/alarms", Some(&authority), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Turned red with no recorded basis") && html.contains("Open alarms (1)"));
    let (_, _, zh) = page(&app, "/authority/alarms?lang=zh", Some(&supervisor), None).await;
    assert!(zh.contains("无记录依据却被改为红码"), "{zh}");
    let auditor = app.token(Role::Auditor, "audrey").await;
    let (s, _, html) = page(&app, "/authority/alarms", Some(&auditor), None).await;
    assert!(s == StatusCode::OK && html.contains("RED_WITHOUT_CASE_OR_PRESENCE") && !html.contains("name=\"note\""));

    let id = alarms(&app, &authority).await[0]["id"].as_str().unwrap().to_string();
    let ack = format!("/authority/alarms/{id}/acknowledge");
    assert_eq!(page(&app, &ack, Some(&auditor), Some("note=seen")).await.0, StatusCode::FORBIDDEN);
    let (s, to, _) = page(&app, &ack, Some(&supervisor), Some("note=reversed+the+override")).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/authority/alarms"));
    let (s, _, html) = page(&app, &ack, Some(&authority), Some("note=again")).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(html.contains("already acknowledged") && html.contains("acknowledged by supervisor:sam"), "{html}");
    assert!(html.contains("Open alarms (0)"));
}

#[tokio::test]
async fn upheld_appeals_count_as_manual_changes() {
    let app = spawn_app_with(|c| c.alarm_manual_changes_per_hour = 2).await;
    let authority = app.token(Role::Authority, "anh").await;
    let supervisor = app.token(Role::Supervisor, "sam").await;
    let who = app.resident_signs_in("+84912000921").await;
    app.resident_declares(&who, 38.2, &["fever"]).await;
    let (s, appeal) =
        app.post_json("/api/v1/appeals", Some(&who.token), json!({"message": "The thermometer was broken."})).await;
    assert_eq!(s, StatusCode::CREATED, "{appeal}");
    let answer = format!("/api/v1/appeals/{}/answer", appeal["id"].as_str().unwrap());
    let (s, b) = app
        .post_json(&answer, Some(&authority), json!({"outcome": "upheld", "answer": "the lab test was negative"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.resident_signs_in("+84912000922").await;
    overridden(&app, &authority, &supervisor, "+84912000922", "green").await;
    let list = alarms(&app, &authority).await;
    let burst = of_kind(&list, "MANUAL_CHANGES_BURST");
    assert_eq!(burst.len(), 1, "an upheld appeal and an override make two: {list:?}");
    assert!(burst[0]["detail"].as_str().unwrap().starts_with("2 manual status changes"), "{}", burst[0]);
}

/// Zhengzhou, June 2022: bank depositors whose only link to anything was a
/// scanned venue code, turned red in bulk by one official. Twelve depositors
/// checked in at a bank branch three days ago; one other person was at a
/// branch in a district marked as a risk area at the time. One approver turns
/// all thirteen red. Both alarms fire: the burst, naming the approver, and
/// one red-without-basis alarm per depositor (and none for the person with
/// a basis); every one is in the audit log, and every change still stands.
#[tokio::test]
async fn the_zhengzhou_pattern_raises_both_alarms() {
    let app = spawn_app().await; // 10 an hour overall, 5 per approver
    let authority = app.token(Role::Authority, "anh").await;
    let supervisor = app.token(Role::Supervisor, "sam").await;
    let bank_op = operator_token(&app, "+84912000930").await;
    let branch = venue_registered(&app, &bank_op, "Ngân hàng Thôn Quê — chi nhánh Hàng Bạc").await;
    let body = json!({"name": "Ngân hàng Thôn Quê — chi nhánh Chợ Dừa", "address": "5 Xã Đàn", "province": "VN-HN",
        "district": "HN-DONG-DA", "commune": "Văn Chương", "category": "office"});
    let (s, marked_branch) = app.post_json("/api/v1/venues", Some(&bank_op), body).await;
    assert_eq!(s, StatusCode::CREATED, "{marked_branch}");

    let mut depositors = Vec::new();
    for n in 0..12 {
        let phone = format!("+849120010{n:02}");
        let who = app.resident_signs_in(&phone).await;
        let (s, b) = app.resident_declares(&who, 36.6, &[]).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let qr = branch["qr_text"].clone();
        let (s, b) = app.post_json("/api/v1/check-ins", Some(&who.token), json!({ "venue_qr": qr })).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        depositors.push((phone, who));
    }
    marks_risk_area(&app, &authority, "HN-DONG-DA", 24).await;
    let exposed = app.resident_signs_in("+84912001099").await;
    app.resident_declares(&exposed, 36.6, &[]).await;
    let qr = marked_branch["qr_text"].clone();
    let (s, b) = app.post_json("/api/v1/check-ins", Some(&exposed.token), json!({ "venue_qr": qr })).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    app.advance_days(3);

    let mut turned = Vec::new();
    for (phone, _) in &depositors {
        turned.push(overridden(&app, &authority, &supervisor, phone, "red").await["resident_id"].clone());
    }
    let control = overridden(&app, &authority, &supervisor, "+84912001099", "red").await["resident_id"].clone();

    let list = alarms(&app, &authority).await;
    let burst = of_kind(&list, "MANUAL_CHANGES_BURST");
    assert_eq!(burst.len(), 1, "one open burst alarm an hour: {list:?}");
    assert_eq!(burst[0]["subject"], "staff:sam", "the approver is named");
    assert!(burst[0]["detail"].as_str().unwrap().starts_with("sam approved 5 manual"), "{}", burst[0]);
    let red = of_kind(&list, "RED_WITHOUT_CASE_OR_PRESENCE");
    let mut subjects: Vec<&Value> = red.iter().map(|a| &a["subject"]).collect();
    subjects.sort_by_key(|v| v.as_str().unwrap().to_string());
    let mut want: Vec<&Value> = turned.iter().collect();
    want.sort_by_key(|v| v.as_str().unwrap().to_string());
    assert_eq!(subjects, want, "one alarm per depositor: a bank visit is no basis");
    assert!(!subjects.contains(&&control), "presence in a marked risk area is a basis");
    for a in &red {
        let detail = a["detail"].as_str().unwrap();
        assert!(detail.contains("no recorded basis") && detail.contains("staff:sam"), "{detail}");
        assert!(!detail.contains("+84912") && !detail.contains("Li Wei"), "no phone, no name: {detail}");
    }
    let raised = audit_actions(&app).await.into_iter().filter(|(a, _, _)| a == "alarm.raised").count();
    assert_eq!(raised, 13, "every alarm is audited");
    for (_, who) in &depositors {
        assert_eq!(app.colour_of(who).await, "red", "an alarm never undoes the change");
    }
}

/// A case and a traced contact have a recorded basis: turning them red by
/// hand (after a mistaken yellow) raises no red alarm.
#[tokio::test]
async fn a_case_and_a_traced_contact_have_a_basis() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let supervisor = app.token(Role::Supervisor, "sam").await;
    let op = operator_token(&app, "+84912001200").await;
    let cafe = venue_registered(&app, &op, "Cà phê Giảng").await;
    let (case_phone, contact_phone) = ("+84912001201", "+84912001202");
    let mut people = Vec::new();
    for phone in [case_phone, contact_phone] {
        let who = app.resident_signs_in(phone).await;
        app.resident_declares(&who, 36.6, &[]).await;
        let body = json!({"venue_qr": cafe["qr_text"]});
        let (s, b) = app.post_json("/api/v1/check-ins", Some(&who.token), body).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        people.push(who);
    }
    app.clock.advance(jiff::SignedDuration::from_mins(60));
    let body = json!({"phone": case_phone, "kind": "confirmed", "onset_date": "2026-11-02"});
    let (s, case) = app.post_json("/api/v1/cases", Some(&authority), body).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    let case = case["id"].as_str().unwrap();
    for step in ["trace", "apply"] {
        let (s, b) = app.post_json(&format!("/api/v1/cases/{case}/{step}"), Some(&authority), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{step}: {b}");
    }
    assert_eq!(app.colour_of(&people[1]).await, "red", "the contact, by rule");
    app.advance_days(2);
    overridden(&app, &authority, &supervisor, contact_phone, "yellow").await;
    overridden(&app, &authority, &supervisor, contact_phone, "red").await;
    overridden(&app, &authority, &supervisor, case_phone, "red").await;
    let list = alarms(&app, &authority).await;
    assert!(of_kind(&list, "RED_WITHOUT_CASE_OR_PRESENCE").is_empty(), "{list:?}");

    // Three weeks on, the shared stay is no longer a basis for the contact.
    app.advance_days(19);
    overridden(&app, &authority, &supervisor, contact_phone, "green").await;
    let turned = overridden(&app, &authority, &supervisor, contact_phone, "red").await;
    let red = of_kind(&alarms(&app, &authority).await, "RED_WITHOUT_CASE_OR_PRESENCE").len();
    assert_eq!(red, 1, "the stale link is no basis: {}", turned["resident_id"]);
    assert_eq!(app.colour_of(&people[1]).await, "red");
}

/// Two supervisors and the authority acknowledge one alarm at the same
/// moment: one acknowledgement counts, the others are 409, one audit entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_staff_acknowledging_one_alarm_at_once_count_once() {
    let app = std::sync::Arc::new(spawn_app_with(|c| c.alarm_manual_changes_per_hour = 1).await);
    let authority = app.token(Role::Authority, "anh").await;
    let (sam, kim) = (app.token(Role::Supervisor, "sam").await, app.token(Role::Supervisor, "kim").await);
    for n in 0..2 {
        let phone = format!("+841250000{n:02}");
        app.resident_signs_in(&phone).await;
        overridden(&app, &authority, &sam, &phone, "green").await;
    }
    let list = alarms(&app, &authority).await;
    let burst = of_kind(&list, "MANUAL_CHANGES_BURST");
    assert_eq!(burst.len(), 1, "{list:?}");
    let id = burst[0]["id"].as_str().unwrap().to_string();
    let ack = format!("/api/v1/alarms/{id}/acknowledge");
    let calls = [&authority, &sam, &kim].into_iter().map(|t| (t.clone(), json!({"note": "called the desk"}))).collect();
    let answers = crate::concurrency::race(&app, &ack, calls).await;
    crate::concurrency::one_winner(&answers, "ALARM_ALREADY_ACKNOWLEDGED");
    let acks = audit_actions(&app).await.into_iter().filter(|(a, s, _)| a == "alarm.acknowledged" && *s == id).count();
    assert_eq!(acks, 1);
}
