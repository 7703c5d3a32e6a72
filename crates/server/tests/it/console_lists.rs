//! The staff console's passages and employers lists: sorted, filtered and
//! paged by the server, the passages bounded to a week unless asked (and to
//! a month at most), an officer's scope respected, and each list refused to
//! the roles that may not open it.

use crate::check_in::operator_token;
use crate::console::{page, refuses, rows};
use crate::harness::{TestApp, spawn_app};
use healthcode_domain::{CheckpointId, Colour, Direction, HolderId, Passage, Role, Verdict};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::json;

async fn checkpoint(app: &TestApp, authority: &str, name: &str, kind: &str, district: &str) -> CheckpointId {
    let body = json!({"name": name, "kind": kind, "district": district, "location": "at the bridge"});
    let (s, c) = app.post_json("/api/v1/checkpoints", Some(authority), body).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c["id"].as_str().unwrap().parse().unwrap()
}

/// A passage `hours_ago` before now: turned back when `colour` is not green.
fn passage(n: u8, at: CheckpointId, hours_ago: i64, colour: Colour, direction: Direction, app: &TestApp) -> Passage {
    let green = colour == Colour::Green;
    Passage {
        id: uuid::Uuid::from_bytes([n; 16]),
        checkpoint: at,
        holder: Some(HolderId::from_bytes([n; 16])),
        colour: Some(colour),
        verdict: if green { Verdict::Allow } else { Verdict::Deny },
        reason: if green { "CODE_VALID".into() } else { "COLOUR_RED".into() },
        direction,
        scanned_at: app.clock_now().checked_sub(SignedDuration::from_hours(hours_ago)).unwrap(),
        officer: "olga".into(),
        offline: n == 3,
    }
}

/// The `n`th cell of each row of `table`.
fn column(html: &str, table: &str, n: usize) -> Vec<String> {
    rows(html, table).iter().map(|r| r[n].clone()).collect()
}

#[tokio::test]
async fn the_passages_list_sorts_filters_pages_and_defaults_to_the_last_week() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let officer = app.token(Role::Officer, "olga").await;
    let bridge = checkpoint(&app, &authority, "Bridge post", "provincial_border", "330102").await;
    let station = checkpoint(&app, &authority, "East station", "station", "330106").await;
    let passages = [
        passage(1, bridge, 1, Colour::Green, Direction::In, &app),
        passage(2, station, 2, Colour::Red, Direction::In, &app),
        passage(3, bridge, 30, Colour::Green, Direction::Out, &app),
        // Ten days ago: outside the default week.
        passage(4, station, 24 * 10, Colour::Green, Direction::In, &app),
    ];
    app.state.store.record_passages(&passages).await.unwrap();

    let (s, _, html) = page(&app, "/staff/passages", &officer).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let listed = rows(&html, "passages");
    assert_eq!(listed.len(), 3, "the last seven days only: {listed:?}");
    assert_eq!(column(&html, "passages", 1)[0], "Bridge postProvincial border", "newest first, by name and kind");
    assert_eq!(listed[0][2], "Shangcheng District", "the district by name: {listed:?}");
    assert_eq!(listed[1][5], "Turned back", "{listed:?}");
    assert!(listed[2][8].contains("checked offline"), "{listed:?}");
    let today = jiff::Zoned::new(app.clock_now(), jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
    let week_ago = today.checked_sub(jiff::Span::new().days(6)).unwrap();
    assert!(html.contains(&format!("name=\"from\" value=\"{week_ago}\"")), "the range is shown in the form");
    assert!(html.contains(&format!("name=\"to\" value=\"{today}\"")), "{html}");
    assert!(html.contains("Rows 1–3 of 3"), "{html}");

    let ten_days_ago = today.checked_sub(jiff::Span::new().days(10)).unwrap();
    let (_, _, html) = page(&app, &format!("/staff/passages?from={ten_days_ago}"), &officer).await;
    assert_eq!(rows(&html, "passages").len(), 4, "a longer range, within a month");
    let (_, _, html) = page(&app, &format!("/staff/passages?from={ten_days_ago}&to={ten_days_ago}"), &officer).await;
    assert_eq!(rows(&html, "passages").len(), 1);

    let (_, _, html) = page(&app, "/staff/passages?sort=checkpoint&dir=asc", &officer).await;
    let names: Vec<String> = rows(&html, "passages").iter().map(|r| r[1].chars().take(6).collect()).collect();
    assert_eq!(names, ["Bridge", "Bridge", "East s"], "by checkpoint name");
    assert!(html.contains("aria-sort=\"ascending\""));

    let (_, _, html) = page(&app, &format!("/staff/passages?checkpoint={station}"), &officer).await;
    assert_eq!(rows(&html, "passages").len(), 1, "one checkpoint");
    assert!(html.contains(&format!("<option value=\"{station}\" selected>East station</option>")), "{html}");
    let (_, _, html) = page(&app, "/staff/passages?verdict=deny", &officer).await;
    assert_eq!(column(&html, "passages", 5), ["Turned back"]);
    let (_, _, html) = page(&app, "/staff/passages?direction=out", &officer).await;
    assert_eq!(column(&html, "passages", 3), ["Leaving"]);
    let (_, _, html) = page(&app, "/staff/passages?kind=station", &officer).await;
    assert_eq!(rows(&html, "passages").len(), 1);
    let (_, _, html) = page(&app, "/staff/passages?district=Shangcheng%20District", &officer).await;
    assert_eq!(rows(&html, "passages").len(), 2, "a district by name");
    assert!(html.contains("district=330102"), "its links carry the code: {html}");

    let (_, _, html) = page(&app, "/staff/passages?per=2", &officer).await;
    assert!(html.contains("Rows 1–2 of 3") && html.contains("rel=\"next\""), "{html}");
    let (_, _, html) = page(&app, "/staff/passages?per=2&page=2", &officer).await;
    assert_eq!(rows(&html, "passages").len(), 1);
    assert!(html.contains("rel=\"prev\"") && html.contains(&format!("from={week_ago}")), "pages keep the range");

    let long_ago = today.checked_sub(jiff::Span::new().days(31)).unwrap();
    refuses(
        &app,
        "/staff/passages",
        &officer,
        &[
            &format!("from={long_ago}"),
            "from=2026-01-01&to=2026-03-01",
            "from=soon",
            "checkpoint=not-an-id",
            "checkpoint=00000000-0000-7000-8000-000000000000",
            "kind=harbour",
            "direction=sideways",
            "verdict=maybe",
            "sort=officer",
            "district=%3F%3F",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_scoped_officer_sees_only_the_passages_of_their_checkpoints() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let bridge = checkpoint(&app, &authority, "Bridge post", "provincial_border", "330102").await;
    let station = checkpoint(&app, &authority, "East station", "station", "330106").await;
    let passages = [
        passage(1, bridge, 1, Colour::Green, Direction::In, &app),
        passage(2, station, 2, Colour::Red, Direction::In, &app),
    ];
    app.state.store.record_passages(&passages).await.unwrap();
    let now = app.clock_now();
    let session = healthcode_store::SessionRecord {
        token_hash: healthcode_server::auth::session::hash_token("hct_scoped_officer"),
        kind: healthcode_store::SessionKind::ApiToken,
        principal: healthcode_store::Principal { role: Role::Officer, subject: "gate-3".into(), resident: None },
        created_at: now,
        expires_at: now.checked_add(SignedDuration::from_hours(24)).unwrap(),
        scope: Some(format!("{{\"checkpoints\":[\"{bridge}\"]}}")),
    };
    app.state.store.insert_session(&session).await.unwrap();

    let (s, _, html) = page(&app, "/staff/passages", "hct_scoped_officer").await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let listed = rows(&html, "passages");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0][1].starts_with("Bridge post"), "{listed:?}");
    assert!(!html.contains("East station"), "not even offered as a filter: {html}");
    refuses(&app, "/staff/passages", "hct_scoped_officer", &[&format!("checkpoint={station}")]).await;
}

#[tokio::test]
async fn the_employers_list_sorts_filters_pages_and_links_to_the_decision() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let mut ids = Vec::new();
    for (n, (name, district, headcount)) in
        [("Acme Tea", "330102", 40), ("Binjiang Bikes", "330108", 300), ("Canal Cakes", "330102", 12)]
            .into_iter()
            .enumerate()
    {
        let operator = operator_token(&app, &format!("+8613900000{n:03}")).await;
        let body = json!({
            "name": name,
            "sites": [{"name": "Main", "address": "1 River Road", "district": district}],
            "planned_headcount": headcount,
            "measures": "masks, spacing, temperature at the gate",
        });
        let (s, e) = app.post_json("/api/v1/enterprises", Some(&operator), body).await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        ids.push(e["id"].as_str().unwrap().to_string());
        app.clock.advance(SignedDuration::from_mins(1));
    }
    let (s, b) = app
        .post_json(&format!("/api/v1/enterprises/{}/approve", ids[1]), Some(&authority), json!({"reason": "fine"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let names = |html: &str| column(html, "employers", 0);

    let (s, _, html) = page(&app, "/authority/employers", &authority).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert_eq!(names(&html), ["Acme Tea", "Binjiang Bikes", "Canal Cakes"], "the nearest deadline first");
    let listed = rows(&html, "employers");
    assert_eq!(listed[0][1], "Shangcheng District", "{listed:?}");
    assert!(listed[1][5].starts_with("Approved") && listed[1][5].contains("fine"), "{listed:?}");
    assert!(html.contains(&format!("href=\"/authority/enterprises#application-{}\"", ids[0])), "{html}");
    assert!(!html.contains(&format!("#application-{}\"", ids[1])), "no decision link once decided");
    let (_, _, review) = page(&app, "/authority/enterprises", &authority).await;
    assert!(review.contains(&format!("id=\"application-{}\"", ids[0])), "the link lands on the form: {review}");

    let (_, _, html) = page(&app, "/authority/employers?sort=headcount&dir=desc", &authority).await;
    assert_eq!(names(&html), ["Binjiang Bikes", "Acme Tea", "Canal Cakes"]);
    let (_, _, html) = page(&app, "/authority/employers?sort=name&dir=desc&per=2&page=2", &authority).await;
    assert_eq!(names(&html), ["Acme Tea"]);
    assert!(html.contains("Rows 3–3 of 3") && html.contains("rel=\"prev\""), "{html}");
    let (_, _, html) = page(&app, "/authority/employers?state=pending", &authority).await;
    assert_eq!(names(&html), ["Acme Tea", "Canal Cakes"]);
    let (_, _, html) = page(&app, "/authority/employers?state=approved", &authority).await;
    assert_eq!(names(&html), ["Binjiang Bikes"]);
    let (_, _, html) = page(&app, "/authority/employers?district=330102&sort=name&dir=desc", &authority).await;
    assert_eq!(names(&html), ["Canal Cakes", "Acme Tea"]);
    let (_, _, html) = page(&app, "/authority/employers?to=2000-01-01", &authority).await;
    assert!(names(&html).is_empty() && html.contains("No rows here (0 in all)."), "{html}");
    refuses(
        &app,
        "/authority/employers",
        &authority,
        &["state=open", "sort=measures", "dir=up", "page=0", "from=tomorrow", "district=%3F%3F"],
    )
    .await;
}

#[tokio::test]
async fn each_list_is_refused_to_the_roles_that_may_not_open_it() {
    let app = spawn_app().await;
    let resident = app.resident_signs_in("+8613800009001").await;
    for (path, allowed, refused) in [
        ("/staff/passages", &[Role::Officer, Role::Authority][..], &[Role::Supervisor, Role::Auditor][..]),
        ("/authority/employers", &[Role::Authority], &[Role::Officer, Role::Supervisor, Role::Auditor]),
    ] {
        for role in allowed {
            let token = app.token(*role, "someone").await;
            let (s, _, html) = page(&app, path, &token).await;
            assert_eq!(s, StatusCode::OK, "{path} as {role:?}: {html}");
            assert!(html.contains(&format!("href=\"{path}\" aria-current=\"page\"")), "in the navigation: {html}");
        }
        for role in refused {
            let token = app.token(*role, "someone").await;
            let (s, kind, html) = page(&app, path, &token).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{path} as {role:?}");
            assert!(kind.starts_with("text/html"), "{path} as {role:?}: {kind}");
            assert!(!html.contains(&format!("href=\"{path}\"")), "not in the navigation of {role:?}");
        }
        let (s, _, _) = page(&app, path, &resident.token).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path} as a resident");
    }
}
