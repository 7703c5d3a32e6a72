//! lab: test results (recorded, imported, opening one case, seen by the
//! resident, and at checkpoints only as "negative within 72 h"), the
//! negative-test rule for arrivals, and false declarations under four eyes.

use crate::checkpoints::{checkpoint, code_of, scan};
use crate::harness::{TestApp, spawn_app, spawn_app_with};
use healthcode_domain::Role;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn hours_ago(app: &TestApp, h: i64) -> String {
    use healthcode_server::Clock;
    app.clock.now().checked_sub(SignedDuration::from_hours(h)).unwrap().to_string()
}

fn result(phone: &str, kind: &str, outcome: &str, sampled_at: &str) -> Value {
    json!({"phone": phone, "kind": kind, "outcome": outcome, "sampled_at": sampled_at, "lab": "Hanoi CDC"})
}

async fn cases_of(app: &TestApp, authority: &str) -> usize {
    let (s, b) = app.get_json("/api/v1/cases", Some(authority)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array().unwrap().len()
}

#[tokio::test]
async fn results_are_recorded_a_positive_opens_a_case_and_checkpoints_see_only_a_recent_negative() {
    let app = spawn_app().await;
    let (cp, officer) = checkpoint(&app).await;
    let lab = app.token(Role::Authority, "lab-hanoi-cdc").await;
    let li = app.resident_signs_in("+8613800001801").await;
    app.resident_declares(&li, 36.6, &[]).await;
    let phone = "+8613800001801";

    // Before any test the checkpoint sees "no"; the verdict names no result.
    let v = scan(&app, &officer, &cp, &code_of(&app, &li.token).await).await;
    assert_eq!((v["verdict"].as_str(), v["negative_test_within_72h"].as_bool()), (Some("allow"), Some(false)));

    let (s, b) =
        app.post_json("/api/v1/test-results", Some(&lab), result(phone, "pcr", "negative", &hours_ago(&app, 10))).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert!(b["case_id"].is_null(), "a negative opens no case");
    let v = scan(&app, &officer, &cp, &code_of(&app, &li.token).await).await;
    assert_eq!(v["negative_test_within_72h"], true);
    let text = v.to_string();
    assert!(!text.contains("Hanoi CDC") && !text.contains("pcr"), "no result details at the checkpoint: {text}");
    // 63 hours later the sample is 73 hours old.
    app.clock.advance(SignedDuration::from_hours(63));
    let v = scan(&app, &officer, &cp, &code_of(&app, &li.token).await).await;
    assert_eq!(v["negative_test_within_72h"], false);

    // Bad input changes nothing, each with its code; only the authority records.
    for (body, code) in [
        (result(phone, "blood", "negative", &hours_ago(&app, 1)), "TEST_KIND_INVALID"),
        (result(phone, "pcr", "maybe", &hours_ago(&app, 1)), "TEST_OUTCOME_INVALID"),
        (result(phone, "pcr", "negative", "yesterday"), "SAMPLE_TIME_INVALID"),
        (result(phone, "pcr", "negative", &hours_ago(&app, -2)), "SAMPLE_TIME_IN_FUTURE"),
        (result(phone, "pcr", "negative", &hours_ago(&app, 24 * 61)), "SAMPLE_TIME_TOO_OLD"),
        (
            json!({"phone": phone, "kind": "pcr", "outcome": "negative", "sampled_at": hours_ago(&app, 1), "lab": " "}),
            "LAB_INVALID",
        ),
    ] {
        let (s, b) = app.post_json("/api/v1/test-results", Some(&lab), body).await;
        assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{b}");
    }
    let (s, b) = app
        .post_json("/api/v1/test-results", Some(&lab), result("+8613800001899", "pcr", "negative", &hours_ago(&app, 1)))
        .await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("RESIDENT_NOT_FOUND")));
    for role in [Role::Officer, Role::Supervisor, Role::Auditor] {
        let token = app.token(role, "someone").await;
        let (s, _) = app
            .post_json("/api/v1/test-results", Some(&token), result(phone, "pcr", "positive", &hours_ago(&app, 1)))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role:?}");
    }
    let (s, _) = app
        .post_json("/api/v1/test-results", Some(&li.token), result(phone, "pcr", "positive", &hours_ago(&app, 1)))
        .await;
    assert!(matches!(s, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED), "a resident records nothing: {s}");
    assert_eq!(app.colour_of(&li).await, "green");

    // A positive PCR opens a confirmed case through the case path: red by R-CASE, citing the result.
    let authority = app.token(Role::Authority, "anh").await;
    assert_eq!(cases_of(&app, &authority).await, 0);
    let sample = hours_ago(&app, 3);
    let (s, pos) = app.post_json("/api/v1/test-results", Some(&lab), result(phone, "pcr", "positive", &sample)).await;
    assert_eq!(s, StatusCode::CREATED, "{pos}");
    assert!(pos["case_id"].is_string(), "{pos}");
    assert_eq!(cases_of(&app, &authority).await, 1);
    let (_, status) = app.get_json("/api/v1/me/status", Some(&li.token)).await;
    assert_eq!(
        (status["colour"].as_str(), status["reason"]["rule_id"].as_str()),
        (Some("red"), Some("R-CASE")),
        "{status}"
    );
    let evidence = status["history"][0]["evidence"].to_string();
    assert!(evidence.contains("PCR test positive") && evidence.contains("Hanoi CDC"), "{evidence}");
    let (_, notices) = app.get_json("/api/v1/me/notices", Some(&li.token)).await;
    assert_eq!(notices.as_array().unwrap().len(), 1, "{notices}");

    // The same sample again is a duplicate; a second positive opens no second case.
    let (s, b) = app.post_json("/api/v1/test-results", Some(&lab), result(phone, "pcr", "positive", &sample)).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("TEST_RESULT_DUPLICATE")));
    let (s, b) = app.post_json("/api/v1/test-results", Some(&lab), result(phone, "antigen", "positive", &sample)).await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(b["case_id"].is_null());
    assert_eq!(cases_of(&app, &authority).await, 1);

    // The resident sees their results, latest sample first; nobody else's.
    let (s, mine) = app.get_json("/api/v1/me/test-results", Some(&li.token)).await;
    assert_eq!(s, StatusCode::OK);
    let outcomes: Vec<&str> = mine.as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, vec!["positive", "positive", "negative"], "{mine}");
    let other = app.resident_signs_in("+8613800001802").await;
    let (_, theirs) = app.get_json("/api/v1/me/test-results", Some(&other.token)).await;
    assert_eq!(theirs, json!([]));
    let (s, _) = app.get_json("/api/v1/me/test-results", Some(&lab)).await;
    assert!(matches!(s, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED), "{s}");

    let auditor = app.token(Role::Auditor, "audrey").await;
    let (_, log) = app.get_json("/api/v1/audit", Some(&auditor)).await;
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"test_result.recorded") && actions.contains(&"case.recorded"), "{actions:?}");
}

#[tokio::test]
async fn a_bad_csv_file_is_refused_whole_by_line_and_a_reimport_records_nothing_twice() {
    let app = spawn_app().await;
    let lab = app.token(Role::Authority, "lab-hanoi-cdc").await;
    let authority = app.token(Role::Authority, "anh").await;
    let a = app.resident_signs_in("+8613800001811").await;
    app.resident_declares(&a, 36.6, &[]).await;
    let b = app.resident_signs_in("+8613800001812").await;
    app.resident_declares(&b, 36.6, &[]).await;
    let t = hours_ago(&app, 5);

    let bad = format!(
        "phone,kind,outcome,sampled_at,lab\n+8613800001811,pcr,negative,{t},Lab A\n+8613800001812,blood,negative,{t},Lab A\n\n+8613800001899,pcr,positive,{t},Lab A\n+8613800001812,pcr,negative,{t},\"Lab, B\"\n"
    );
    let (s, refused) = app.post_json("/api/v1/test-results/import", Some(&lab), json!({"csv": bad})).await;
    assert_eq!(
        (s, refused["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("TEST_IMPORT_INVALID")),
        "{refused}"
    );
    let rows: Vec<(u64, &str)> = refused["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, vec![(3, "TEST_KIND_INVALID"), (5, "RESIDENT_NOT_FOUND")]);
    let (_, mine) = app.get_json("/api/v1/me/test-results", Some(&a.token)).await;
    assert_eq!(mine, json!([]), "nothing of a refused file is recorded");

    let (s, b2) = app
        .post_json("/api/v1/test-results/import", Some(&lab), json!({"csv": "kind,phone\npcr,+8613800001811\n"}))
        .await;
    assert_eq!(
        (s, b2["rows"][0]["line"].as_u64(), b2["rows"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(1), Some("TEST_IMPORT_HEADER"))
    );

    // Columns in any order, quoted fields, a repeated row in the file.
    let good = format!(
        "lab,phone,kind,outcome,sampled_at\nLab A,+8613800001811,pcr,negative,{t}\n\"Lab, B\",+8613800001812,pcr,positive,{t}\n\"Lab, B\",+8613800001812,antigen,positive,{t}\nLab A,+8613800001811,pcr,negative,{t}\n"
    );
    let (s, report) = app.post_json("/api/v1/test-results/import", Some(&lab), json!({"csv": good})).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report, json!({"rows": 4, "recorded": 3, "duplicates": 1, "cases_opened": 1}));
    assert_eq!(app.colour_of(&b).await, "red");
    assert_eq!(app.colour_of(&a).await, "green");
    let (s, again) = app.post_json("/api/v1/test-results/import", Some(&lab), json!({"csv": good})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again, json!({"rows": 4, "recorded": 0, "duplicates": 4, "cases_opened": 0}));
    assert_eq!(cases_of(&app, &authority).await, 1);
    let officer = app.token(Role::Officer, "olga").await;
    let (s, _) = app.post_json("/api/v1/test-results/import", Some(&officer), json!({"csv": good})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn racing_imports_of_the_same_positive_results_open_one_case() {
    let app = spawn_app().await;
    let lab = app.token(Role::Authority, "lab-hanoi-cdc").await;
    let authority = app.token(Role::Authority, "anh").await;
    let li = app.resident_signs_in("+8613800001821").await;
    app.resident_declares(&li, 36.6, &[]).await;
    let (t1, t2) = (hours_ago(&app, 4), hours_ago(&app, 2));
    // Eight clients: the same PCR sample four times, a different antigen sample four times.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (client, url, token) = (app.client.clone(), app.url("/api/v1/test-results"), lab.clone());
        let body = if i % 2 == 0 {
            result("+8613800001821", "pcr", "positive", &t1)
        } else {
            result("+8613800001821", "antigen", "positive", &t2)
        };
        tasks.push(tokio::spawn(async move {
            let resp = client.post(url).bearer_auth(token).json(&body).send().await.unwrap();
            let status = resp.status();
            (status, resp.json::<Value>().await.unwrap())
        }));
    }
    let mut created = 0;
    for task in tasks {
        let (s, b) = task.await.unwrap();
        match s {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => assert_eq!(b["error"]["code"], "TEST_RESULT_DUPLICATE", "{b}"),
            other => panic!("unexpected {other}: {b}"),
        }
    }
    assert_eq!(created, 2, "each sample is recorded once");
    assert_eq!(cases_of(&app, &authority).await, 1, "one case however the results race");
    let (_, mine) = app.get_json("/api/v1/me/test-results", Some(&li.token)).await;
    let opened = mine.as_array().unwrap().iter().filter(|r| r["case_id"].is_string()).count();
    assert_eq!((mine.as_array().unwrap().len(), opened), (2, 1), "{mine}");
    assert_eq!(app.colour_of(&li).await, "red");
}

#[tokio::test]
async fn arrivals_from_a_risk_region_need_a_recent_negative_test_under_the_arrival_policy() {
    let app = spawn_app_with(|c| {
        c.policy =
            healthcode_domain::ColourPolicy::from_toml(healthcode_domain::policy::ARRIVAL_TEST_POLICY_TOML).unwrap();
    })
    .await;
    let lab = app.token(Role::Authority, "lab-hanoi-cdc").await;
    let tested_phone = "+8613800001831";
    let tested = app.resident_signs_in(tested_phone).await;
    let untested = app.resident_signs_in("+8613800001832").await;
    let (s, b) = app
        .post_json("/api/v1/test-results", Some(&lab), result(tested_phone, "pcr", "negative", &hours_ago(&app, 20)))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let arrival = json!({
        "name": "Li Wei", "document_type": "national_id", "document_number": "330102199001011234",
        "district": "330102", "symptoms": [], "temperature_c": 36.6,
        "visited_regions": ["CN-HB-WUHAN"], "contact_with_case": false, "travel_plan": "work"
    });
    let (s, b) = app.post_json("/api/v1/declarations", Some(&tested.token), arrival.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(app.colour_of(&tested).await, "green");
    app.post_json("/api/v1/declarations", Some(&untested.token), arrival).await;
    let (_, status) = app.get_json("/api/v1/me/status", Some(&untested.token)).await;
    assert_eq!(status["colour"], "yellow");
    assert_eq!(status["reason"]["rule_id"], "Y-RISK-ARRIVAL-UNTESTED");
    assert_eq!(status["reason"]["policy_version"], "hangzhou-2020.1+arrival-test.1");
}

#[tokio::test]
async fn a_false_declaration_needs_a_second_person_then_turns_red_by_rule_and_can_be_appealed() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800001841").await;
    app.resident_declares(&li, 36.6, &[]).await;
    let authority = app.token(Role::Authority, "anh").await;
    let same_person = app.token(Role::Supervisor, "anh").await;
    let supervisor = app.token(Role::Supervisor, "sam").await;
    let officer = app.token(Role::Officer, "olga").await;

    let body = |evidence: &str| json!({"phone": "+8613800001841", "evidence": evidence});
    let (s, b) = app.post_json("/api/v1/false-declarations", Some(&authority), body("short")).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("EVIDENCE_REQUIRED")));
    let (s, _) = app
        .post_json(
            "/api/v1/false-declarations",
            Some(&officer),
            body("rail ticket G1234 Wuhan to Hangzhou, 2026-10-30"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, f) = app
        .post_json(
            "/api/v1/false-declarations",
            Some(&authority),
            body("declared no travel; rail ticket G1234 Wuhan to Hangzhou, 2026-10-30"),
        )
        .await;
    assert_eq!((s, f["state"].as_str()), (StatusCode::CREATED, Some("pending")), "{f}");
    assert_eq!(app.colour_of(&li).await, "green", "a pending record changes nothing");
    let (_, pending) = app.get_json("/api/v1/false-declarations", Some(&supervisor)).await;
    assert_eq!(pending.as_array().unwrap().len(), 1);

    let approve = format!("/api/v1/false-declarations/{}/approve", f["id"].as_str().unwrap());
    let (s, b) = app.post_json(&approve, Some(&same_person), json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("FALSE_DECLARATION_SELF_APPROVAL")));
    let (s, _) = app.post_json(&approve, Some(&authority), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only a supervisor decides");
    let (s, b) = app.post_json("/api/v1/false-declarations/not-an-id/approve", Some(&supervisor), json!({})).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("FALSE_DECLARATION_NOT_FOUND")));

    // Two supervisors approve at once: one decision, the other a 409.
    let other = app.token(Role::Supervisor, "sue").await;
    let (first, second) = tokio::join!(
        app.post_json(&approve, Some(&supervisor), json!({})),
        app.post_json(&approve, Some(&other), json!({}))
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{first:?} {second:?}");
    let loser = if first.0 == StatusCode::CONFLICT { first.1 } else { second.1 };
    assert_eq!(loser["error"]["code"], "FALSE_DECLARATION_DECIDED");

    let (_, status) = app.get_json("/api/v1/me/status", Some(&li.token)).await;
    assert_eq!(status["colour"], "red");
    assert_eq!(status["reason"]["rule_id"], "R-FALSE-DECLARATION");
    assert_eq!(status["reason"]["policy_version"], "hangzhou-2020.1");
    let evidence = status["history"][0]["evidence"][0].as_str().unwrap();
    assert!(evidence.contains("rail ticket G1234") && evidence.contains("recorded by anh"), "{evidence}");
    let (_, mine) = app.get_json("/api/v1/me/false-declarations", Some(&li.token)).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    let (_, changes) = app.get_json("/api/v1/me/status", Some(&li.token)).await;
    assert_eq!(changes["history"].as_array().unwrap().len(), 2, "one change by rule, not two");

    // The resident appeals; an upheld appeal reverses it.
    let (s, appeal) = app
        .post_json(
            "/api/v1/appeals",
            Some(&li.token),
            json!({"message": "I declared the trip on the 31st; see my history."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{appeal}");
    let answer = format!("/api/v1/appeals/{}/answer", appeal["id"].as_str().unwrap());
    let (s, b) = app
        .post_json(
            &answer,
            Some(&authority),
            json!({"outcome": "upheld", "answer": "The trip was declared on 31 October."}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(app.colour_of(&li).await, "green");

    let auditor = app.token(Role::Auditor, "audrey").await;
    let (_, log) = app.get_json("/api/v1/audit", Some(&auditor)).await;
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.starts_with(&["false_declaration.requested", "false_declaration.approved"]), "{actions:?}");
}

#[tokio::test]
async fn false_declaration_four_eyes_compare_account_ids_not_names() {
    use healthcode_server::services::{false_declarations, lab};
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800001842").await;
    app.resident_declares(&li, 36.6, &[]).await;
    let resident = lab::resident_by(&app.state, "+8613800001842").await.unwrap();
    let evidence = "declared no travel; rail ticket G1234 Wuhan to Hangzhou";
    // Account 1 (login "anh") requests.
    let f = false_declarations::request(&app.state, "anh", "account-1", resident, evidence).await.unwrap();
    assert_eq!(f.requested_by_id.as_deref(), Some("account-1"));
    // The same account under another name is still the requester.
    let e = false_declarations::decide(&app.state, "sam", "account-1", f.id, true).await.unwrap_err();
    assert_eq!((e.status().as_u16(), e.code), (403, "FALSE_DECLARATION_SELF_APPROVAL"));
    // Another account that shows the same name is a second person.
    let decided = false_declarations::decide(&app.state, "ANH", "account-2", f.id, true).await.unwrap();
    assert_eq!((decided.state.as_str(), decided.decided_by.as_deref()), ("approved", Some("ANH")));
    assert_eq!(app.colour_of(&li).await, "red");
}
