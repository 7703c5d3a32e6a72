//! The staff console: navigation by role, the case list sorted, filtered and
//! paged by the server (bad parameters are a 400 page), and the trace report
//! summarised per place and time, drilled into, exported and applied after
//! a confirmation that states the counts.

use crate::check_in::{operator_token, venue_registered};
use crate::harness::{Resident, TestApp, spawn_app};
use healthcode_domain::Role;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::json;

async fn person(app: &TestApp, phone: &str) -> Resident {
    let who = app.resident_signs_in(phone).await;
    let (s, _) = app.resident_declares(&who, 36.6, &[]).await;
    assert_eq!(s, StatusCode::CREATED);
    who
}

async fn scan(app: &TestApp, who: &Resident, qr: &str) {
    let (s, b) = app.post_json("/api/v1/check-ins", Some(&who.token), json!({ "venue_qr": qr })).await;
    assert!(s.is_success(), "{b}");
}

fn minutes(app: &TestApp, m: i64) {
    app.clock.advance(SignedDuration::from_mins(m));
}

pub(crate) async fn page(app: &TestApp, path: &str, token: &str) -> (StatusCode, String, String) {
    let resp = app.client.get(app.url(path)).header("cookie", format!("hc_session={token}")).send().await.unwrap();
    let status = resp.status();
    let kind = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, kind, resp.text().await.unwrap())
}

/// The rows of the table with `id`, each as its cells' text (tags dropped).
pub(crate) fn rows(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html.find(&format!("<table id=\"{id}\"")).unwrap_or_else(|| panic!("no table {id}: {html}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr")
        .skip(1)
        .map(|row| {
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let cell = &cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()];
                    let mut text = String::new();
                    let mut in_tag = false;
                    for c in cell.chars() {
                        match c {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            c if !in_tag => text.push(c),
                            _ => {}
                        }
                    }
                    text.trim().to_string()
                })
                .collect()
        })
        .collect()
}

async fn record_case(app: &TestApp, authority: &str, phone: &str, onset: &str) -> String {
    let (s, recorded) = app
        .post_json("/api/v1/cases", Some(authority), json!({"phone": phone, "kind": "confirmed", "onset_date": onset}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{recorded}");
    recorded["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_navigation_shows_what_each_role_may_open() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let supervisor = app.token(Role::Supervisor, "sam").await;
    let officer = app.token(Role::Officer, "olga").await;
    let nav = |html: &str| {
        let start = html.find("class=\"staff-nav\"").unwrap_or_else(|| panic!("no staff nav: {html}"));
        html[start..start + html[start..].find("</nav>").unwrap()].to_string()
    };
    let (s, _, html) = page(&app, "/authority/cases", &authority).await;
    assert_eq!(s, StatusCode::OK);
    let links = nav(&html);
    for href in ["/authority/cases\" aria-current=\"page\"", "/authority/appeals", "/checkpoint", "/authority/tests"] {
        assert!(links.contains(href), "{href}: {links}");
    }
    assert!(!links.contains("/staff/accounts"), "the authority does not manage accounts: {links}");
    assert!(html.contains("<main class=\"wide\">"));

    let (s, _, html) = page(&app, "/authority/overrides", &supervisor).await;
    assert_eq!(s, StatusCode::OK);
    let links = nav(&html);
    assert!(links.contains("/staff/accounts") && links.contains("/authority/false-declarations"), "{links}");
    assert!(!links.contains("/authority/cases") && !links.contains("/checkpoint"), "{links}");

    let (s, _, html) = page(&app, "/checkpoint", &officer).await;
    assert_eq!(s, StatusCode::OK);
    let links = nav(&html);
    assert!(links.contains("/checkpoint\" aria-current=\"page\"") && links.contains("/staff/enrol"), "{links}");
    assert!(!links.contains("/authority/"), "{links}");
}

#[tokio::test]
async fn the_case_list_sorts_filters_and_pages_and_refuses_bad_parameters() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let mut ids = Vec::new();
    for (n, onset) in ["2026-11-03", "2026-11-01", "2026-11-02"].iter().enumerate() {
        let phone = format!("+8613800007{n:02}");
        person(&app, &phone).await;
        ids.push(record_case(&app, &authority, &phone, onset).await);
        minutes(&app, 1);
    }
    let short = |id: &str| id[..8].to_string();

    let (s, _, html) = page(&app, "/authority/cases", &authority).await;
    assert_eq!(s, StatusCode::OK);
    let listed = rows(&html, "cases");
    let firsts: Vec<String> = listed.iter().map(|r| r[0].clone()).collect();
    assert_eq!(firsts, vec![short(&ids[2]), short(&ids[1]), short(&ids[0])], "newest recorded first");
    assert!(listed[0][2].contains("Xihu") || listed[0][2].contains("西湖") || !listed[0][2].is_empty(), "{listed:?}");
    assert!(html.contains("Rows 1–3 of 3"), "{html}");

    let (_, _, html) = page(&app, "/authority/cases?sort=onset&dir=asc", &authority).await;
    let firsts: Vec<String> = rows(&html, "cases").iter().map(|r| r[0].clone()).collect();
    assert_eq!(firsts, vec![short(&ids[1]), short(&ids[2]), short(&ids[0])], "earliest onset first");
    assert!(html.contains("aria-sort=\"ascending\""));

    let (_, _, html) = page(&app, "/authority/cases?per=2&page=2", &authority).await;
    let firsts: Vec<String> = rows(&html, "cases").iter().map(|r| r[0].clone()).collect();
    assert_eq!(firsts, vec![short(&ids[0])], "the second page of two");
    assert!(html.contains("Rows 3–3 of 3") && html.contains("rel=\"prev\"") && !html.contains("rel=\"next\""));

    let (_, _, html) = page(&app, "/authority/cases?status=applied", &authority).await;
    assert!(rows(&html, "cases").is_empty(), "none is applied yet");
    let (_, _, html) = page(&app, "/authority/cases?status=traced&district=330102", &authority).await;
    assert_eq!(rows(&html, "cases").len(), 3, "all three live in the declared district");
    let (_, _, html) = page(&app, "/authority/cases?district=110101", &authority).await;
    assert!(rows(&html, "cases").is_empty(), "another district");

    for bad in ["sort=id%3B%20DROP", "dir=sideways", "page=0", "page=x", "per=100000", "status=gone", "district=%3F%3F"]
    {
        let (s, kind, html) = page(&app, &format!("/authority/cases?{bad}"), &authority).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {html}");
        assert!(kind.starts_with("text/html"), "{bad}: {kind}");
        assert!(html.contains("cannot be shown"), "{bad}: {html}");
    }
    let (s, _, _) = page(&app, "/authority/cases/00000000-0000-7000-8000-000000000000?sort=bogus", &authority).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_trace_report_is_summarised_drilled_exported_and_applied_after_a_confirmation() {
    let app = spawn_app().await;
    let op = operator_token(&app, "+84912000800").await;
    let cafe = venue_registered(&app, &op, "Cà phê Lâm").await;
    let shop = venue_registered(&app, &op, "Tiệm sách").await;
    let (cafe_qr, shop_qr) = (cafe["qr_text"].as_str().unwrap(), shop["qr_text"].as_str().unwrap());
    let case = person(&app, "+84912000801").await;
    let a = person(&app, "+84912000802").await; // 30 minutes with the case at the café
    let c = person(&app, "+84912000803").await; // 15 minutes with the case at the café
    let d = person(&app, "+84912000804").await; // 60 minutes with A at the bookshop

    scan(&app, &case, cafe_qr).await; // t=0
    minutes(&app, 20);
    scan(&app, &a, cafe_qr).await; // t=20
    minutes(&app, 25);
    scan(&app, &c, cafe_qr).await; // t=45
    minutes(&app, 5);
    scan(&app, &a, cafe_qr).await; // t=50: A leaves
    minutes(&app, 10);
    scan(&app, &case, cafe_qr).await; // t=60: the case leaves (C stays within the buffer)
    scan(&app, &c, cafe_qr).await; // C leaves at t=60: 15 minutes
    minutes(&app, 140);
    scan(&app, &a, shop_qr).await; // t=200
    scan(&app, &d, shop_qr).await;
    minutes(&app, 60);
    scan(&app, &a, shop_qr).await; // t=260
    scan(&app, &d, shop_qr).await;

    let authority = app.token(Role::Authority, "anh").await;
    let today = jiff::Zoned::new(app.clock_now(), jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
    let id = record_case(&app, &authority, "+84912000801", &today.to_string()).await;
    let (s, _, html) = page(&app, &format!("/authority/cases/{id}"), &authority).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let apply_at = html.find("id=\"apply-bar\"").unwrap();
    assert!(apply_at < html.find("id=\"trace-summary\"").unwrap(), "apply comes before the report");
    assert!(html.contains(&format!("href=\"/authority/cases/{id}/apply\"")), "apply is a link to the confirmation");
    let summary = rows(&html, "trace-summary");
    assert_eq!(summary.len(), 2, "{summary:?}");
    // Ranked by contacts: the café (2 close contacts, 45 minutes), then the bookshop (1 secondary, 60 minutes).
    assert!(summary[0][0].starts_with("Cà phê Lâm"), "{summary:?}");
    assert_eq!((summary[0][3].as_str(), summary[0][4].as_str(), summary[0][5].as_str()), ("2", "45", "0"));
    assert!(summary[1][0].starts_with("Tiệm sách"), "{summary:?}");
    assert_eq!((summary[1][3].as_str(), summary[1][4].as_str(), summary[1][5].as_str()), ("1", "60", "0"));

    let (_, _, by_minutes) = page(&app, &format!("/authority/cases/{id}?sort=minutes"), &authority).await;
    assert!(rows(&by_minutes, "trace-summary")[0][0].starts_with("Tiệm sách"), "the most minutes first");
    let (_, _, only_secondary) = page(&app, &format!("/authority/cases/{id}?kind=secondary"), &authority).await;
    assert_eq!(rows(&only_secondary, "trace-summary").len(), 1);

    let cafe_id = cafe["id"].as_str().unwrap();
    let (s, _, html) = page(&app, &format!("/authority/cases/{id}?venue={cafe_id}"), &authority).await;
    assert_eq!(s, StatusCode::OK);
    let stays = rows(&html, "trace-stays");
    let minutes_shown: Vec<&str> = stays.iter().map(|r| r[3].as_str()).collect();
    assert_eq!(minutes_shown, vec!["30", "15"], "the longest overlap first: {stays:?}");
    let (s, _, _) = page(&app, &format!("/authority/cases/{id}?venue=not-a-venue"), &authority).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let (s, kind, csv) = page(&app, &format!("/authority/cases/{id}/report.csv"), &authority).await;
    assert_eq!(s, StatusCode::OK);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("case_id,kind,person,venue_id,venue_name,district_code,district_name"), "{csv}");
    assert_eq!(lines.len(), 4, "a line per shared stay: {csv}");
    let close_lines = lines.iter().filter(|l| l.contains(",close,") && l.contains("Cà phê Lâm")).count();
    assert_eq!(close_lines, 2, "{csv}");
    assert!(lines.iter().any(|l| l.contains(",secondary,") && l.contains("Tiệm sách") && l.contains(",60,")), "{csv}");

    let (s, _, confirm) = page(&app, &format!("/authority/cases/{id}/apply"), &authority).await;
    assert_eq!(s, StatusCode::OK);
    let counts = &confirm[confirm.find("id=\"confirm-counts\"").unwrap()..];
    let figures: Vec<&str> = counts.split("<strong>").skip(1).map(|s| &s[..s.find("</strong>").unwrap()]).collect();
    assert_eq!(figures, vec!["2", "1", "3", "1"], "close, secondary, to notify, the one place published: {confirm}");
    assert!(confirm.contains("notifies 3 people, 0 of whom"), "{confirm}");
    assert_eq!(app.colour_of(&a).await, "green", "looking at the confirmation changes nothing");

    let resp = app
        .client
        .post(app.url(&format!("/authority/cases/{id}/apply")))
        .header("cookie", format!("hc_session={authority}"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!((app.colour_of(&a).await, app.colour_of(&d).await), ("red".into(), "yellow".into()));

    let (_, _, html) = page(&app, &format!("/authority/cases/{id}"), &authority).await;
    let summary = rows(&html, "trace-summary");
    assert_eq!((summary[0][5].as_str(), summary[1][5].as_str()), ("2", "1"), "now notified: {summary:?}");
    assert!(!html.contains(&format!("href=\"/authority/cases/{id}/apply\"")), "applied once");
    let (_, _, confirm) = page(&app, &format!("/authority/cases/{id}/apply"), &authority).await;
    assert!(!confirm.contains(&format!("action=\"/authority/cases/{id}/apply\"")), "no second apply button");

    let (_, _, list) = page(&app, "/authority/cases?status=applied", &authority).await;
    let listed = rows(&list, "cases");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0][6], "2 close · 1 secondary", "{listed:?}");
}

/// Refused list parameters: a 400 HTML page naming the problem.
pub(crate) async fn refuses(app: &TestApp, path: &str, token: &str, bad: &[&str]) {
    for bad in bad {
        let (s, kind, html) = page(app, &format!("{path}?{bad}"), token).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}?{bad}: {html}");
        assert!(kind.starts_with("text/html") && html.contains("cannot be shown"), "{path}?{bad}: {html}");
    }
}

#[tokio::test]
async fn the_override_and_alarm_lists_sort_filter_and_page_on_the_server() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let supervisor = app.token(Role::Supervisor, "sam").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let phone = format!("+8613800008{n:02}");
        person(&app, &phone).await;
        let body = json!({"phone": phone, "colour": "red", "reason_code": format!("CODE_{n}"),
            "basis": "the record was entered for the wrong person at the desk"});
        let (s, o) = app.post_json("/api/v1/overrides", Some(&authority), body).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        ids.push(o["id"].as_str().unwrap().to_string());
        minutes(&app, 1);
    }
    // The first is approved: red with no basis raises an alarm.
    let (s, b) = app.post_json(&format!("/api/v1/overrides/{}/approve", ids[0]), Some(&supervisor), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let reasons = |html: &str| rows(html, "overrides").iter().map(|r| r[3].clone()).collect::<Vec<_>>();

    let (s, _, html) = page(&app, "/authority/overrides", &supervisor).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(reasons(&html), ["CODE_2", "CODE_1", "CODE_0"], "newest request first");
    assert!(html.contains("Rows 1–3 of 3") && html.contains("Waiting for a supervisor (2)"), "{html}");
    let listed = rows(&html, "overrides");
    assert!(!listed[0][1].is_empty() && listed[0][1] != "330102", "the district by name: {listed:?}");
    assert_eq!(html.matches("/approve\"").count(), 2, "buttons on the pending ones only");

    let (_, _, html) = page(&app, "/authority/overrides?sort=requested&dir=asc&per=2&page=2", &supervisor).await;
    assert_eq!(reasons(&html), ["CODE_2"]);
    assert!(html.contains("Rows 3–3 of 3") && html.contains("rel=\"prev\""), "{html}");
    let (_, _, html) = page(&app, "/authority/overrides?state=approved", &supervisor).await;
    assert_eq!(reasons(&html), ["CODE_0"]);
    let (_, _, html) = page(&app, "/authority/overrides?state=pending&district=330102", &supervisor).await;
    assert_eq!(reasons(&html), ["CODE_2", "CODE_1"]);
    let (_, _, html) = page(&app, "/authority/overrides?district=110101", &supervisor).await;
    assert!(reasons(&html).is_empty(), "another district");
    let (_, _, html) = page(&app, "/authority/overrides?from=2000-01-01", &supervisor).await;
    assert_eq!(reasons(&html).len(), 3);
    let (_, _, html) = page(&app, "/authority/overrides?to=2000-01-01", &supervisor).await;
    assert!(reasons(&html).is_empty(), "all were requested later");
    let (_, _, html) = page(&app, "/authority/overrides?sort=state&dir=asc", &supervisor).await;
    assert_eq!(reasons(&html)[0], "CODE_0", "approved sorts before pending");
    refuses(
        &app,
        "/authority/overrides",
        &supervisor,
        &["state=gone", "sort=basis", "from=yesterday", "from=2026-12-02&to=2026-12-01", "district=%3F%3F", "per=0"],
    )
    .await;

    let kinds = |html: &str| rows(html, "alarms").iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    let (s, _, html) = page(&app, "/authority/alarms", &authority).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(kinds(&html).len(), 1, "{html}");
    assert!(kinds(&html)[0].contains("RED_WITHOUT_CASE_OR_PRESENCE") && html.contains("Open alarms (1)"));
    let (_, _, html) = page(&app, "/authority/alarms?state=open&kind=RED_WITHOUT_CASE_OR_PRESENCE", &authority).await;
    assert_eq!(kinds(&html).len(), 1);
    let (_, _, html) = page(&app, "/authority/alarms?state=acknowledged", &authority).await;
    assert!(kinds(&html).is_empty() && html.contains("Open alarms (1)"), "the count ignores the filter");
    let (_, _, html) = page(&app, "/authority/alarms?kind=MANUAL_CHANGES_BURST&sort=kind&dir=asc", &authority).await;
    assert!(kinds(&html).is_empty());
    refuses(&app, "/authority/alarms", &authority, &["kind=OTHER", "state=closed", "sort=subject", "to=2026-13-01"])
        .await;
}

#[tokio::test]
async fn the_appeals_inbox_is_a_list_that_refuses_bad_parameters() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let (s, _, html) = page(&app, "/authority/appeals?state=pending&district=330102&from=2026-01-01", &authority).await;
    assert_eq!(s, StatusCode::OK);
    assert!(rows(&html, "appeals").is_empty() && html.contains("No rows here (0 in all)."), "{html}");
    assert!(html.contains("aria-sort=\"ascending\""), "the nearest deadline first: {html}");
    refuses(&app, "/authority/appeals", &authority, &["state=open", "sort=message", "to=someday", "dir=up"]).await;
}
