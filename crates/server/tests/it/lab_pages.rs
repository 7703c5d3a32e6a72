//! lab pages: the authority records a result and imports CSV on the page
//! (errors beside fields, typed values kept, refused rows listed by line),
//! the resident sees their results and an approved false declaration with
//! the way to appeal, and a false declaration is decided under four eyes on
//! the page (two supervisors at once: one wins, the other gets a 409).

use healthcode_domain::Role;
use healthcode_server::Clock;
use jiff::SignedDuration;
use reqwest::StatusCode;
use reqwest::header::COOKIE;

use crate::alarms::page;
use crate::harness::{TestApp, spawn_app, urlencode};

/// A sample time `h` hours ago as a `datetime-local` field sends it.
fn local_hours_ago(app: &TestApp, h: i64) -> String {
    let at = app.clock.now().checked_sub(SignedDuration::from_hours(h)).unwrap();
    at.to_zoned(app.state.config.time_zone.clone()).strftime("%Y-%m-%dT%H:%M").to_string()
}

fn form(fields: &[(&str, &str)]) -> String {
    fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&")
}

async fn resident_page(app: &TestApp, path: &str, token: &str) -> (StatusCode, String) {
    let resp = app.client.get(app.url(path)).header(COOKIE, format!("hc_session={token}")).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

#[tokio::test]
async fn the_authority_records_and_imports_results_on_the_page_and_the_resident_sees_them() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let officer = app.token(Role::Officer, "olga").await;
    let li = app.resident_signs_in("+8613800001851").await;
    app.resident_declares(&li, 36.6, &[]).await;
    app.resident_signs_in("+8613800001852").await;

    let (s, _, html) = page(&app, "/authority/tests", Some(&authority), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(r#"name="sampled_at""#) && html.contains(r#"name="csv""#), "both forms");
    assert_eq!(page(&app, "/authority/tests", Some(&officer), None).await.0, StatusCode::FORBIDDEN);

    // Every bad field at once, each beside its field, what was typed kept.
    let bad = form(&[
        ("phone", "+8613800001851"),
        ("kind", "blood"),
        ("outcome", "negative"),
        ("sampled_at", "yesterday"),
        ("lab", ""),
    ]);
    let (s, _, html) = page(&app, "/authority/tests", Some(&authority), Some(&bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    for name in ["kind", "sampled_at", "lab"] {
        assert!(html.contains(&format!(r#"id="e-{name}""#)), "{name} error beside its field");
    }
    assert!(!html.contains(r#"id="e-phone""#) && html.contains(r#"value="+8613800001851""#), "typed phone kept");
    // A sample in the future: the service's error lands beside the time.
    let future = form(&[
        ("phone", "+8613800001851"),
        ("kind", "pcr"),
        ("outcome", "negative"),
        ("sampled_at", &local_hours_ago(&app, -5)),
        ("lab", "Hanoi CDC"),
    ]);
    let (s, _, html) = page(&app, "/authority/tests", Some(&authority), Some(&future)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="e-sampled_at""#) && html.contains("in the future"), "{html}");

    let good = form(&[
        ("phone", "+8613800001851"),
        ("kind", "antigen"),
        ("outcome", "negative"),
        ("sampled_at", &local_hours_ago(&app, 2)),
        ("lab", "Hanoi CDC"),
    ]);
    let (s, to, _) = page(&app, "/authority/tests", Some(&authority), Some(&good)).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/authority/tests"));
    let (s, _, html) = page(&app, "/authority/tests", Some(&authority), Some(&good)).await;
    assert_eq!(s, StatusCode::CONFLICT, "the same sample twice");
    assert!(html.contains("already recorded"), "{html}");

    // A CSV file with one bad row is refused whole, row by row; the text is kept.
    let csv = format!(
        "phone,kind,outcome,sampled_at,lab\n+8613800001852,pcr,negative,{},Station testing point\n+8613800001852,pcr,maybe,{},Station testing point\n",
        local_hours_ago(&app, 3),
        local_hours_ago(&app, 4)
    );
    let (s, _, html) = page(&app, "/authority/tests/import", Some(&authority), Some(&form(&[("csv", &csv)]))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="refused-rows""#) && html.contains("<td>3</td>"), "line 3 refused: {html}");
    assert!(html.contains("Choose positive or negative."), "the reason, in the reader's language");
    assert!(html.contains("Station testing point"), "the text is kept to correct it");
    let fixed = csv.replace("maybe", "positive");
    let (s, _, html) = page(&app, "/authority/tests/import", Some(&authority), Some(&form(&[("csv", &fixed)]))).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("accepted 2") && html.contains("cases opened 1"), "{html}");

    // The resident sees their result, in each language, from the menu.
    let (s, html) = resident_page(&app, "/me/tests", &li.token).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Hanoi CDC") && html.contains("Antigen") && html.contains("Negative"), "{html}");
    assert!(html.contains(r#"href="/me/tests" aria-current="page""#), "linked from the menu");
    assert!(html.contains("No false declaration is recorded against you."));
    let (_, zh) = resident_page(&app, "/me/tests?lang=zh", &li.token).await;
    assert!(zh.contains("阴性") && zh.contains("我的检测结果"));
    let (_, vi) = resident_page(&app, "/me/tests?lang=vi", &li.token).await;
    assert!(vi.contains("Âm tính"));
    let (s, _, _) = page(&app, "/me/tests", Some(&authority), None).await;
    assert_ne!(s, StatusCode::OK, "a resident page");
}

#[tokio::test]
async fn a_false_declaration_is_requested_and_decided_on_the_page_by_a_second_person() {
    let app = spawn_app().await;
    let authority = app.token(Role::Authority, "anh").await;
    let anh_supervising = app.token(Role::Supervisor, "anh").await;
    let sam = app.token(Role::Supervisor, "sam").await;
    let sue = app.token(Role::Supervisor, "sue").await;
    let li = app.resident_signs_in("+8613800001861").await;
    app.resident_declares(&li, 36.6, &[]).await;

    let short = form(&[("phone", "+8613800001861"), ("evidence", "short")]);
    let (s, _, html) = page(&app, "/authority/false-declarations", Some(&authority), Some(&short)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="e-evidence""#) && html.contains(">short</textarea>"), "error beside, text kept");
    let evidence = "declared no travel; rail ticket G1234 Wuhan to Hangzhou, 2026-10-30";
    let good = form(&[("phone", "+8613800001861"), ("evidence", evidence)]);
    let (s, to, _) = page(&app, "/authority/false-declarations", Some(&authority), Some(&good)).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/authority/false-declarations"));
    assert_eq!(app.colour_of(&li).await, "green", "pending changes nothing");

    let (s, _, html) = page(&app, "/authority/false-declarations", Some(&sam), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("rail ticket G1234") && !html.contains(r#"name="evidence""#), "buttons, no request form");
    let id = html.split("/authority/false-declarations/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let approve = format!("/authority/false-declarations/{id}/approve");
    let (s, _, html) = page(&app, &approve, Some(&anh_supervising), Some("")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the requester never decides");
    assert!(html.contains("A second person must decide"), "{html}");
    let (s, _, _) = page(&app, &approve, Some(&authority), Some("")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only a supervisor decides");

    // Two supervisors at once: one decision, the other a 409 page.
    let (a, b) = tokio::join!(page(&app, &approve, Some(&sam), Some("")), page(&app, &approve, Some(&sue), Some("")));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    let loser = if a.0 == StatusCode::CONFLICT { a.2 } else { b.2 };
    assert!(loser.contains("already decided"), "{loser}");
    assert_eq!(app.colour_of(&li).await, "red");

    // The resident sees what was recorded, and the way to appeal.
    let (_, html) = resident_page(&app, "/me/tests", &li.token).await;
    assert!(html.contains("rail ticket G1234") && html.contains(r#"href="/me/appeal""#), "{html}");
    let (_, zh) = resident_page(&app, "/me/tests?lang=zh", &li.token).await;
    assert!(zh.contains("对此提出申诉"));
}
