//! Write paths under concurrent clients: many clients, few people, repeated
//! and simultaneous scans of one person, on whichever store the run uses.
//! Each test asserts no 5xx, that every acknowledged write is there, and the
//! invariants afterwards. Workloads are seeded, so a failure reproduces.

use crate::check_in::{operator_token, venue_registered};
use crate::harness::{Resident, TestApp, spawn_app_on};
use healthcode_domain::{ResidentId, Role, Visit, VisitId};
use healthcode_server::{Clock, FixedClock};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A small seeded generator (xorshift64*): reproducible workloads without a crate.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// A clock whose readings jitter up to two seconds behind the fixed clock
/// the test moves, so concurrent requests read instants out of order, as
/// they do on a real server between reading the clock and reaching the
/// writer.
#[derive(Debug)]
struct JitterClock {
    base: FixedClock,
    reads: AtomicU64,
}

impl Clock for JitterClock {
    fn now(&self) -> Timestamp {
        let n = self.reads.fetch_add(1, Ordering::Relaxed);
        let behind = (n.wrapping_mul(7919) % 2000) as i64;
        self.base.now().saturating_sub(SignedDuration::from_millis(behind)).unwrap_or(self.base.now())
    }
}

async fn spawn_jittered_app() -> TestApp {
    spawn_app_on(|_| {}, |base| Arc::new(JitterClock { base, reads: AtomicU64::new(0) })).await
}

async fn declared(app: &TestApp, phone: &str) -> Resident {
    let who = app.resident_signs_in(phone).await;
    let (s, b) = app.resident_declares(&who, 36.6, &[]).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    who
}

/// Every status seen, with the error codes of the failures.
#[derive(Debug, Default)]
pub struct Tally {
    pub statuses: BTreeMap<u16, usize>,
    pub codes: BTreeMap<String, usize>,
}

impl Tally {
    pub fn count(&mut self, status: StatusCode, body: &Value) {
        *self.statuses.entry(status.as_u16()).or_default() += 1;
        if !status.is_success() {
            let code = body["error"]["code"].as_str().unwrap_or("(no code)").to_string();
            *self.codes.entry(code).or_default() += 1;
        }
    }

    pub fn server_errors(&self) -> usize {
        self.statuses.iter().filter(|(s, _)| **s >= 500).map(|(_, n)| n).sum()
    }
}

/// One person's visits, oldest first, checked for the rules a scan keeps:
/// each exit after its entry, and at most one open visit, the latest.
fn check_visits(who: ResidentId, visits: &mut [Visit]) {
    // Equal instants are common (a scan elsewhere closes and enters at once):
    // the closed visit first.
    visits.sort_by_key(|v| (v.entered_at, v.exited_at.is_none(), v.exited_at));
    let open: Vec<&Visit> = visits.iter().filter(|v| v.exited_at.is_none()).collect();
    assert!(open.len() <= 1, "{who:?} has {} open visits: {open:?}", open.len());
    if let (Some(open), Some(last)) = (open.first(), visits.last()) {
        assert_eq!(open.id, last.id, "{who:?}'s open visit is not the latest");
    }
    for v in visits.iter() {
        if let Some(exit) = v.exited_at {
            assert!(exit >= v.entered_at, "visit {} exits before it enters: {v:?}", v.id);
        }
    }
    for pair in visits.windows(2) {
        let exit = pair[0].exited_at.unwrap_or_else(|| panic!("{who:?}: visit {} left open", pair[0].id));
        assert!(exit <= pair[1].entered_at, "{who:?}: visits overlap: {:?} then {:?}", pair[0], pair[1]);
    }
}

/// The run: 40 residents, 20 venues, 16 clients, 1,500 scans,
/// half of them repeats of a person's previous venue, while the clock moves
/// on and its readings jitter. No scan may fail another's.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_scans_of_few_people_fail_nobody() {
    let app = Arc::new(spawn_jittered_app().await);
    let op = operator_token(&app, "+84912300001").await;
    let mut venues = Vec::new();
    for i in 0..20 {
        let v = venue_registered(&app, &op, &format!("Quán {i}")).await;
        venues.push(v["qr_text"].as_str().unwrap().to_string());
    }
    let mut people = Vec::new();
    for i in 0..40 {
        people.push(declared(&app, &format!("+8491230{i:04}")).await.token);
    }
    let (venues, people) = (Arc::new(venues), Arc::new(people));

    let clients = 16;
    let per_client = 1500 / clients + 1;
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (app, venues, people) = (app.clone(), venues.clone(), people.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng::new(21 + c as u64);
            let mut tally = Tally::default();
            let mut acked: Vec<(String, String)> = Vec::new();
            for i in 0..per_client {
                if c == 0 && i % 10 == 0 {
                    // Time moves on: stays end, repeats fall out of the window.
                    app.clock.advance(SignedDuration::from_mins(1 + rng.below(20) as i64));
                }
                // Few people, often the same venue twice in a row.
                let who = rng.below(people.len());
                let venue = if rng.below(2) == 0 { who % venues.len() } else { rng.below(venues.len()) };
                let body = json!({ "venue_qr": venues[venue] });
                let (status, answer) = app.post_json("/api/v1/check-ins", Some(&people[who]), body).await;
                tally.count(status, &answer);
                if status.is_success() {
                    acked
                        .push((answer["id"].as_str().unwrap().to_string(), answer["outcome"].as_str().unwrap().into()));
                }
            }
            (tally, acked)
        }));
    }
    let mut tally = Tally::default();
    let mut acked = Vec::new();
    for t in tasks {
        let (part, ids) = t.await.unwrap();
        for (s, n) in part.statuses {
            *tally.statuses.entry(s).or_default() += n;
        }
        for (c, n) in part.codes {
            *tally.codes.entry(c).or_default() += n;
        }
        acked.extend(ids);
    }
    eprintln!("statuses {:?}, codes {:?}", tally.statuses, tally.codes);
    assert_eq!(tally.server_errors(), 0, "statuses {:?}, codes {:?}", tally.statuses, tally.codes);
    // The only refusal a scan may meet is its own person's conflict, with its code.
    for code in tally.codes.keys() {
        assert_eq!(code, "SCAN_CONFLICT", "statuses {:?}, codes {:?}", tally.statuses, tally.codes);
    }
    if app.state.store.backend() == "sqlite" {
        assert!(tally.codes.is_empty(), "the SQLite writer decides every scan: {:?}", tally.codes);
    }

    // Every acknowledged scan is there, as it was answered.
    let store = app.state.store.clone();
    let mut residents = HashMap::new();
    for (id, outcome) in &acked {
        let visit = store.visit(id.parse::<VisitId>().unwrap()).await.unwrap();
        if outcome == "exited" {
            assert!(visit.exited_at.is_some(), "an acknowledged exit is missing: {visit:?}");
        }
        residents.insert(visit.resident, ());
    }
    assert!(residents.len() > 30, "the workload reached {} people", residents.len());
    for who in residents.into_keys() {
        let mut visits = store.resident_visits(who, 10_000).await.unwrap();
        check_visits(who, &mut visits);
    }
}

/// Fires the same POST from several clients at once (each with its own
/// token) and returns every answer, in the order of `tokens`.
pub async fn race(app: &Arc<TestApp>, path: &str, calls: Vec<(String, Value)>) -> Vec<(StatusCode, Value)> {
    race_paths(app, calls.into_iter().map(|(token, body)| (path.to_string(), token, body)).collect()).await
}

/// Posts every (path, token, body) at once; the answers in the same order.
async fn race_paths(app: &Arc<TestApp>, calls: Vec<(String, String, Value)>) -> Vec<(StatusCode, Value)> {
    let tasks: Vec<_> = calls
        .into_iter()
        .map(|(path, token, body)| {
            let app = app.clone();
            tokio::spawn(async move { app.post_json(&path, Some(&token), body).await })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    answers
}

/// Exactly one answer succeeded; every other one is a 409 with `code`.
pub fn one_winner(answers: &[(StatusCode, Value)], code: &str) -> usize {
    let winners: Vec<usize> = (0..answers.len()).filter(|i| answers[*i].0.is_success()).collect();
    assert_eq!(winners.len(), 1, "exactly one wins: {answers:?}");
    for (i, (status, body)) in answers.iter().enumerate() {
        if i != winners[0] {
            assert_eq!((*status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some(code)), "{answers:?}");
        }
    }
    winners[0]
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let auditor = app.token(Role::Auditor, "audrey").await;
    let (s, log) = app.get_json("/api/v1/audit", Some(&auditor)).await;
    assert_eq!(s, StatusCode::OK, "{log}");
    log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

async fn audit_chain_is_intact(app: &TestApp) {
    let checked = healthcode_server::services::audit::verify_chain(app.state.store.as_ref()).await.unwrap();
    assert!(checked.is_ok(), "the audit chain is broken: {checked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_supervisors_approving_one_override_decide_it_once() {
    let app = Arc::new(spawn_jittered_app().await);
    let li = declared(&app, "+8491231001").await;
    app.resident_declares(&li, 38.4, &["fever"]).await;
    let authority = app.token(Role::Authority, "anh").await;
    let (sam, sue) = (app.token(Role::Supervisor, "sam").await, app.token(Role::Supervisor, "sue").await);
    for round in 0..3 {
        let (s, o) = app
            .post_json(
                "/api/v1/overrides",
                Some(&authority),
                json!({"phone": "+8491231001", "colour": if round % 2 == 0 { "green" } else { "yellow" },
                    "reason_code": "LAB_RESULT_NEGATIVE", "basis": format!("PCR test round {round}, lab ZJ-17, sample 44{round}")}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let id = o["id"].as_str().unwrap();
        let calls = vec![
            (sam.clone(), json!({})),
            (sue.clone(), json!({})),
            (sam.clone(), json!({})),
            (sue.clone(), json!({})),
        ];
        let approvals = race(&app, &format!("/api/v1/overrides/{id}/approve"), calls).await;
        one_winner(&approvals, "OVERRIDE_DECIDED");
    }
    let actions = audit_actions(&app).await;
    assert_eq!(actions.iter().filter(|a| *a == "override.approved").count(), 3, "{actions:?}");
    let (_, status) = app.get_json("/api/v1/me/status", Some(&li.token)).await;
    let overrides = status["history"].as_array().unwrap().iter().filter(|h| h["event"] == "override").count();
    assert_eq!(overrides, 3, "one status change per approved override: {status}");
    audit_chain_is_intact(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_answers_to_one_appeal_count_once() {
    let app = Arc::new(spawn_jittered_app().await);
    let who = app.resident_signs_in("+8491231101").await;
    app.resident_declares(&who, 38.2, &["fever"]).await;
    let (s, appeal) = app
        .post_json("/api/v1/appeals", Some(&who.token), json!({"message": "The thermometer was broken; no fever."}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{appeal}");
    let (anh, bao) = (app.token(Role::Authority, "anh").await, app.token(Role::Authority, "bao").await);
    let upheld = json!({"outcome": "upheld", "answer": "A second reading at the clinic was 36.6 °C."});
    let rejected = json!({"outcome": "rejected", "answer": "The clinic confirmed the fever reading."});
    let calls = vec![(anh.clone(), upheld.clone()), (bao.clone(), rejected.clone()), (anh, rejected), (bao, upheld)];
    let answers = race(&app, &format!("/api/v1/appeals/{}/answer", appeal["id"].as_str().unwrap()), calls).await;
    let winner = one_winner(&answers, "APPEAL_ALREADY_ANSWERED");
    let outcome = answers[winner].1["state"].as_str().unwrap().to_string();
    let expected = if outcome == "upheld" { "green" } else { "yellow" };
    assert_eq!(app.colour_of(&who).await, expected, "the colour follows the one answer that counted");
    let actions = audit_actions(&app).await;
    let answered = actions.iter().filter(|a| a.as_str() == "appeal.upheld" || a.as_str() == "appeal.rejected").count();
    assert_eq!(answered, 1, "{actions:?}");
    audit_chain_is_intact(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_invitation_accepted_from_two_phones_at_once_links_once() {
    let app = Arc::new(spawn_jittered_app().await);
    let (operator, id) = crate::enterprises::approved_enterprise(&app, "+84912310201", "Race Works").await;
    let phone = "+8491231202";
    let (s, b) =
        app.post_json(&format!("/api/v1/enterprises/{id}/employees"), Some(&operator), json!({"phone": phone})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let who = declared(&app, phone).await;
    let second_phone = app.resident_signs_in(phone).await; // the same person signed in on another phone
    let calls = vec![(who.token.clone(), json!({})), (second_phone.token.clone(), json!({})), (who.token, json!({}))];
    let answers = race(&app, &format!("/api/v1/me/employers/{id}/accept"), calls).await;
    for (status, body) in &answers {
        assert!(
            status.is_success() || (*status == StatusCode::CONFLICT && body["error"]["code"].is_string()),
            "accepting twice is answered, never a failure: {answers:?}"
        );
    }
    assert!(answers.iter().any(|(s, _)| s.is_success()), "{answers:?}");
    let (_, dashboard) = app.get_json(&format!("/api/v1/enterprises/{id}/dashboard"), Some(&operator)).await;
    assert_eq!((dashboard["employees"].as_u64(), dashboard["invited"].as_u64()), (Some(1), Some(0)), "{dashboard}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_offline_queue_synced_from_several_clients_at_once_lands_once() {
    let app = Arc::new(spawn_jittered_app().await);
    let (cp, olga) = crate::checkpoints::checkpoint(&app).await;
    let oanh = app.token(Role::Officer, "oanh").await;
    let passages: Vec<Value> = (0..40)
        .map(|i| {
            json!({"client_id": format!("018f3c1e-0000-7000-8000-{i:012}"), "holder_id": null, "colour": null,
                "verdict": "deny", "reason": "CODE_EXPIRED", "direction": if i % 2 == 0 { "in" } else { "out" },
                "scanned_at": "2026-11-02T00:30:00Z"})
        })
        .collect();
    // Four syncs of overlapping halves of the queue, at once.
    let calls = vec![
        (olga.clone(), json!({"passages": passages[..30]})),
        (oanh.clone(), json!({"passages": passages[10..]})),
        (olga.clone(), json!({"passages": passages})),
        (oanh, json!({"passages": passages[..20]})),
    ];
    let answers = race(&app, &format!("/api/v1/checkpoints/{cp}/passages:sync"), calls).await;
    let mut recorded = 0;
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::OK, "{answers:?}");
        recorded += body["recorded"].as_u64().unwrap();
    }
    assert_eq!(recorded, 40, "each queued passage is recorded once across the syncs: {answers:?}");
    let (s, log) = app.get_json(&format!("/api/v1/checkpoints/{cp}/passages?limit=500"), Some(&olga)).await;
    assert_eq!(s, StatusCode::OK, "{log}");
    let listed = log.as_array().or_else(|| log["passages"].as_array()).map(Vec::len);
    assert_eq!(listed, Some(40), "{log}");
}

/// The authority applies a case while its contacts declare and clock in:
/// nobody's request fails, the case's colour sticks, and each contact's
/// history shows the case once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_case_applied_while_its_contacts_declare() {
    let app = Arc::new(spawn_jittered_app().await);
    let op = operator_token(&app, "+84912310300").await;
    let cafe = venue_registered(&app, &op, "Cà phê Đua").await;
    let cafe_qr = cafe["qr_text"].as_str().unwrap().to_string();
    let case = declared(&app, "+8491231300").await;
    let mut contacts = Vec::new();
    for i in 1..=6 {
        contacts.push(declared(&app, &format!("+849123130{i}")).await);
    }
    for who in std::iter::once(&case).chain(&contacts) {
        let (s, b) = app.post_json("/api/v1/check-ins", Some(&who.token), json!({"venue_qr": cafe_qr})).await;
        assert!(s.is_success(), "{b}");
    }
    app.clock.advance(SignedDuration::from_mins(40));
    let authority = app.token(Role::Authority, "anh").await;
    let today = jiff::Zoned::new(app.clock.now(), jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
    let (s, recorded) = app
        .post_json(
            "/api/v1/cases",
            Some(&authority),
            json!({"phone": "+8491231300", "kind": "confirmed", "onset_date": today.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{recorded}");
    let case_id = recorded["id"].as_str().unwrap().to_string();
    let (s, report) = app.post_json(&format!("/api/v1/cases/{case_id}/trace"), Some(&authority), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["close_contacts"].as_array().unwrap().len(), 6, "{report}");

    let mut tasks = Vec::new();
    for who in &contacts {
        let (app, token) = (app.clone(), who.token.clone());
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for i in 0..6 {
                let answer = if i % 2 == 0 {
                    app.resident_declares(&Resident { token: token.clone() }, 36.5, &[]).await
                } else {
                    app.resident_clocks_in(&Resident { token: token.clone() }, 36.6).await
                };
                answers.push(answer);
            }
            answers
        }));
    }
    let applies = race(&app, &format!("/api/v1/cases/{case_id}/apply"), vec![(authority.clone(), json!({})); 2]).await;
    let mut tally = Tally::default();
    for t in tasks {
        for (status, body) in t.await.unwrap() {
            tally.count(status, &body);
        }
    }
    one_winner(&applies, "CASE_ALREADY_APPLIED");
    assert_eq!(tally.server_errors(), 0, "statuses {:?}, codes {:?}", tally.statuses, tally.codes);
    let changed: u64 = applies.iter().filter_map(|(_, b)| b["statuses_changed"].as_u64()).sum();
    assert_eq!(changed, 6, "the application changes each contact once: {applies:?}");
    for who in &contacts {
        assert_eq!(app.colour_of(who).await, "red", "a declaration does not undo the case");
        let (_, status) = app.get_json("/api/v1/me/status", Some(&who.token)).await;
        let by_case = status["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["reason"]["rule_id"] == "R-CLOSE-CONTACT" || h["rule_id"] == "R-CLOSE-CONTACT")
            .count();
        assert!(by_case <= 1, "the case changed this person once: {status}");
    }
    audit_chain_is_intact(&app).await;
}

/// Every answer is `ok` or a refusal with one of `refusals` (status, code): no 5xx.
fn ok_or_refused(answers: &[(StatusCode, Value)], ok: StatusCode, refusals: &[(StatusCode, &str)]) -> usize {
    for (status, body) in answers {
        let refused = refusals.iter().any(|(s, code)| *status == *s && body["error"]["code"] == *code);
        assert!(*status == ok || refused, "{answers:?}");
    }
    answers.iter().filter(|(status, _)| *status == ok).count()
}

/// Two tabs (or a thief and the owner) refresh one token at the same moment:
/// one gets a new token, the others a refusal, and one session is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_refreshed_from_four_places_at_once_is_exchanged_once() {
    let app = Arc::new(spawn_jittered_app().await);
    let phone = "+8491231301";
    let who = declared(&app, phone).await;
    let calls = (0..4).map(|_| (who.token.clone(), json!({}))).collect();
    let answers = race(&app, "/api/v1/auth/refresh", calls).await;
    // A refusal is 409 when the request read the old session before the
    // exchange, 401 when after it.
    let refused = [(StatusCode::CONFLICT, "SESSION_ALREADY_REFRESHED"), (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")];
    assert_eq!(ok_or_refused(&answers, StatusCode::OK, &refused), 1, "exactly one exchange: {answers:?}");
    let new = answers.iter().find(|(s, _)| *s == StatusCode::OK).unwrap().1["token"].as_str().unwrap().to_string();
    app.clock.advance(SignedDuration::from_secs(5)); // past the server's hot-read cache
    assert_eq!(app.get_json("/api/v1/me/status", Some(&who.token)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get_json("/api/v1/me/status", Some(&new)).await.0, StatusCode::OK);
    let live = app.state.store.sessions_of(phone).await.unwrap();
    assert_eq!(live.len(), 1, "one session behind one token: {live:?}");
}

/// Two devices sign out of one session at once: it ends, and neither fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_session_signed_out_twice_at_once_ends_and_fails_nobody() {
    let app = Arc::new(spawn_jittered_app().await);
    let who = declared(&app, "+8491231302").await;
    let calls = (0..2).map(|_| (who.token.clone(), json!({}))).collect();
    let answers = race(&app, "/api/v1/auth/signout", calls).await;
    // The second is 401 if the first ended the session before it was read.
    let ended = ok_or_refused(&answers, StatusCode::NO_CONTENT, &[(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")]);
    assert!(ended >= 1, "{answers:?}");
    app.clock.advance(SignedDuration::from_secs(5));
    assert_eq!(app.get_json("/api/v1/me/status", Some(&who.token)).await.0, StatusCode::UNAUTHORIZED);
}

/// A check-out pressed on two devices at once closes the visit once: one
/// answer says so, the other is 409, and the person can check in again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_visit_checked_out_from_two_devices_at_once_closes_once() {
    let app = Arc::new(spawn_jittered_app().await);
    let op = operator_token(&app, "+84912313001").await;
    let cafe = venue_registered(&app, &op, "Quán Đôi").await;
    let who = declared(&app, "+8491231303").await;
    for round in 0..3 {
        let (s, visit) =
            app.post_json("/api/v1/check-ins", Some(&who.token), json!({"venue_qr": cafe["qr_text"]})).await;
        assert_eq!((s, visit["outcome"].as_str()), (StatusCode::CREATED, Some("entered")), "round {round}: {visit}");
        app.clock.advance(SignedDuration::from_mins(10));
        let path = format!("/api/v1/check-ins/{}/check-out", visit["id"].as_str().unwrap());
        let answers = race(&app, &path, (0..2).map(|_| (who.token.clone(), json!({}))).collect()).await;
        let winner = one_winner(&answers, "VISIT_ALREADY_CLOSED");
        assert_eq!(answers[winner].1["exit_kind"], "button", "{answers:?}");
        app.clock.advance(SignedDuration::from_mins(10));
    }
    let (_, mine) = app.get_json("/api/v1/me/visits", Some(&who.token)).await;
    assert!(mine["current"].is_null(), "{mine}");
    let recent = mine["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 3, "{mine}");
    assert!(recent.iter().all(|v| v["exit_kind"] == "button"), "{mine}");
}

/// The owner's phones rotate a poster's code twice and close or reopen the
/// venue, all at the same moment: every rotation that is answered 200 moved
/// the code one generation on (two that overlap: one counts, the other is
/// 409), and the venue keeps both the newest code and the new state. Before,
/// each wrote the whole row it had read, and the last undid the others.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_venue_rotated_twice_and_closed_at_once_keeps_every_change() {
    let app = Arc::new(spawn_jittered_app().await);
    let op = operator_token(&app, "+84912313101").await;
    let cafe = venue_registered(&app, &op, "Quán Ba").await;
    let id = cafe["id"].as_str().unwrap().to_string();
    let venue_id: healthcode_domain::VenueId = id.parse().unwrap();
    for (round, (action, state)) in
        [("close", "closed"), ("reopen", "open"), ("close", "closed")].into_iter().enumerate()
    {
        let before = app.state.store.venue(venue_id).await.unwrap().token_generation;
        let calls = ["rotate-token", action, "rotate-token"]
            .into_iter()
            .map(|what| (format!("/api/v1/venues/{id}/{what}"), op.clone(), json!({})))
            .collect();
        let answers = race_paths(&app, calls).await;
        assert_eq!(answers[1].0, StatusCode::OK, "round {round}: {answers:?}");
        let rotations = [answers[0].clone(), answers[2].clone()];
        let refused = [(StatusCode::CONFLICT, "VENUE_TOKEN_ROTATED")];
        let rotated = ok_or_refused(&rotations, StatusCode::OK, &refused);
        assert!(rotated >= 1, "round {round}: {answers:?}");
        let after = app.state.store.venue(venue_id).await.unwrap().token_generation;
        assert_eq!(
            after - before,
            rotated as u32,
            "round {round}: one generation a rotation answered 200: {answers:?}"
        );
        let (s, venue) = app.get_json(&format!("/api/v1/venues/{id}"), Some(&op)).await;
        assert_eq!(s, StatusCode::OK, "{venue}");
        assert_eq!(venue["state"], state, "round {round}: the {action} stands: {answers:?}");
        let codes: Vec<&Value> =
            rotations.iter().filter(|(s, _)| *s == StatusCode::OK).map(|(_, b)| &b["qr_text"]).collect();
        assert!(codes.contains(&&venue["qr_text"]), "round {round}: the newest rotation stands: {venue} {answers:?}");
    }
}

/// Two authorities decide one employer's application at the same moment,
/// one approving and one rejecting: one decision counts, the other is 409,
/// and the audit log holds one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_authorities_deciding_one_application_at_once_decide_it_once() {
    let app = Arc::new(spawn_jittered_app().await);
    let operator = operator_token(&app, "+84912313201").await;
    let (anh, bao) = (app.token(Role::Authority, "anh").await, app.token(Role::Authority, "bao").await);
    for round in 0..3 {
        let applied = crate::enterprises::applies(&app, &operator, &format!("Xưởng {round}")).await;
        let id = applied["id"].as_str().unwrap().to_string();
        let calls = [(&anh, "approve"), (&bao, "reject"), (&bao, "approve"), (&anh, "reject")]
            .into_iter()
            .map(|(token, verdict)| {
                (format!("/api/v1/enterprises/{id}/{verdict}"), token.clone(), json!({"reason": "checked on site"}))
            })
            .collect();
        let answers = race_paths(&app, calls).await;
        let won = one_winner(&answers, "APPLICATION_ALREADY_DECIDED");
        let decided = answers[won].1["state"].clone();
        let (_, now) = app.get_json(&format!("/api/v1/enterprises/{id}"), Some(&operator)).await;
        assert_eq!(now["state"], decided, "round {round}: the decision that counted stands: {now}");
    }
    let actions = audit_actions(&app).await;
    let decisions =
        actions.iter().filter(|a| a.as_str() == "enterprise.approved" || a.as_str() == "enterprise.rejected").count();
    assert_eq!(decisions, 3, "{actions:?}");
    audit_chain_is_intact(&app).await;
}
