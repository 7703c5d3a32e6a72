//! On-site enrolment (issue 16 item 4), roles changed from the supervisor's
//! page, and sealed second-factor seeds.

use healthcode_domain::StaffState;
use healthcode_server::Clock;
use healthcode_server::auth::seal::is_sealed;
use healthcode_server::auth::staff_credentials::code_at;
use healthcode_server::services::staff;
use healthcode_store::{AuditActor, StaffChange};
use reqwest::StatusCode;
use reqwest::header::LOCATION;

use crate::harness::{TestApp, spawn_app};
use crate::staff::{form, page, session_cookie, signs_in, supervisor};

/// An officer account (no second factor), signed in: (session cookie, account id).
async fn officer(app: &TestApp, login: &str) -> (String, uuid::Uuid) {
    let invited = staff::create(&app.state, &AuditActor::Operator, login, "Olga", "officer", "").await.unwrap();
    staff::enrol(&app.state, &invited.invitation, "an officer's long password", None, "").await.unwrap();
    let signed = staff::sign_in(&app.state, login, "an officer's long password", "").await.unwrap();
    (signed.token, invited.account.id)
}

fn visitor<'a>(number: &'a str, contact: &'a str, handover: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("document_type", "passport"),
        ("document_number", number),
        ("name", "Anna Schmidt"),
        ("contact", contact),
        ("origin", "Frankfurt"),
        ("visited_regions", ""),
        ("arrival", "2026-11-02 G7512"),
        ("district", "330104"),
        ("travel_plan", "two weeks in Hangzhou"),
        ("temperature_c", "36.6"),
        ("handover", handover),
    ]
}

#[tokio::test]
async fn an_officer_enrols_a_visitor_who_signs_in_with_the_link_once() {
    let app = spawn_app().await;
    let (olga, olga_id) = officer(&app, "olga").await;
    let (s, html) = page(&app, "/staff/enrol", Some(&olga)).await;
    assert_eq!(s, StatusCode::OK, "{html}");

    // Errors are shown beside their fields, with what was typed kept.
    let mut bad = visitor("E1", "not a contact", "link");
    bad.retain(|(k, _)| *k != "name");
    let resp = form(&app, "/staff/enrol", Some(&olga), &bad).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"e-contact\"") && html.contains("id=\"e-name\""), "{html}");
    assert!(html.contains("value=\"Frankfurt\""), "typed values are kept");

    let resp = form(&app, "/staff/enrol", Some(&olga), &visitor("E1234567", "anna@example.de", "link")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("id=\"enrol-done\""));

    // The record names the officer; the declaration is staff-assisted; the audit log has it.
    let resident = app
        .state
        .store
        .resident_by_contact(&healthcode_domain::Contact::parse("anna@example.de").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resident.kind, healthcode_store::AccountKind::Visitor);
    let enrolment = app.state.store.enrolment(resident.id).await.unwrap().unwrap();
    assert_eq!(enrolment.staff_id, olga_id.to_string());
    let history = app.state.store.export_residents(&[resident.id]).await.unwrap();
    let report = &history[0].reports[0];
    assert_eq!(Some(report.id), enrolment.report);
    assert_eq!(report.channel, Some(healthcode_domain::ReportChannel::StaffAssisted));
    let entries = app.state.store.audit_after(0, 500).await.unwrap();
    let entry = entries.iter().find(|e| e.action == "resident.enrolled_on_site").unwrap();
    assert_eq!((entry.actor.as_str(), entry.subject.clone()), ("officer:olga", resident.id.to_string()));
    assert!(!entry.detail.contains("E1234567"), "no document number in the log");

    // The link went out by e-mail; opening it shows a button; using it signs in once.
    let sent = app.state.store.outbox(Some("anna@example.de"), 5).await.unwrap();
    let body = &sent[0].body;
    let path = body[body.find("/signin/link/").unwrap()..].split_whitespace().next().unwrap().to_string();
    let (s, html) = page(&app, &path, None).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    let resp = form(&app, &path, None, &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()[LOCATION], "/me/code");
    let anna = session_cookie(&resp).unwrap();
    let (s, html) = page(&app, "/me/code", Some(&anna)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("HCODE1:") || html.contains("<svg"), "{html}");
    let resp = form(&app, &path, None, &[]).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND, "a link works once");

    // A resident may not use the officer's page.
    let (s, _) = page(&app, "/staff/enrol", Some(&anna)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_paper_pass_is_printed_for_a_person_without_a_phone_at_hand() {
    let app = spawn_app().await;
    let (olga, _) = officer(&app, "olga").await;
    let resp = form(&app, "/staff/enrol", Some(&olga), &visitor("P7654321", "+8613800000191", "paper_pass")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("****4321") && html.contains("<svg"), "{html}");
    assert!(!html.contains("/me/pass/reprint"), "the officer is not offered the holder's reprint");
    let resident = app
        .state
        .store
        .resident_by_contact(&healthcode_domain::Contact::parse("+8613800000191").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.state.store.paper_pass(resident.id).await.unwrap().unwrap().print, 1);
    assert!(app.state.store.outbox(Some("+8613800000191"), 5).await.unwrap().is_empty());
}

#[tokio::test]
async fn two_officers_enrolling_one_document_at_once_one_wins_the_other_gets_409() {
    let app = spawn_app().await;
    let (a, _) = officer(&app, "olga").await;
    let (b, _) = officer(&app, "ivan").await;
    let (first, second) =
        (visitor("E5550001", "+8613800000192", "link"), visitor("E5550001", "+8613800000193", "link"));
    let (ra, rb) =
        tokio::join!(form(&app, "/staff/enrol", Some(&a), &first), form(&app, "/staff/enrol", Some(&b), &second));
    let mut statuses = [ra.status(), rb.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let loser = if ra.status() == StatusCode::CONFLICT { ra } else { rb };
    let html = loser.text().await.unwrap();
    assert!(html.contains("id=\"e-document_number\"") && html.contains("enrolled already"), "{html}");
    let enrolled = app.state.store.enrolments().await.unwrap();
    assert_eq!(enrolled.len(), 1);
    // Neither a second person nor a half-made one is left behind.
    let kept = [
        app.state
            .store
            .resident_by_contact(&healthcode_domain::Contact::parse("+8613800000192").unwrap())
            .await
            .unwrap(),
        app.state
            .store
            .resident_by_contact(&healthcode_domain::Contact::parse("+8613800000193").unwrap())
            .await
            .unwrap(),
    ];
    assert_eq!(kept.iter().flatten().count(), 1);
    // Later, the same document again: the same 409.
    let resp = form(&app, "/staff/enrol", Some(&a), &visitor("E5550001", "+8613800000194", "link")).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    // A contact with an account already: 409 beside the contact.
    let resp = form(&app, "/staff/enrol", Some(&a), &visitor("E5550002", &enrolled_contact(&app).await, "link")).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(resp.text().await.unwrap().contains("id=\"e-contact\""));
}

#[tokio::test]
async fn a_document_a_person_gave_on_their_own_account_is_not_enrolled_again() {
    use healthcode_domain::{
        Contact, DistrictCode, DocumentNumber, DocumentType, HolderId, Identity, PersonName, ResidentId,
    };
    let app = spawn_app().await;
    let (olga, _) = officer(&app, "olga").await;
    // Anna signed up by herself and gave her passport on her profile.
    let anna = healthcode_store::Resident {
        id: ResidentId::from_uuid(uuid::Uuid::from_u128(0x0190_f000_0000_7000_8000_0000_0000_0195)),
        holder: HolderId::from_bytes([0x95; 16]),
        contact: Contact::parse("+8613800000195").unwrap(),
        kind: healthcode_store::AccountKind::Visitor,
        identity: Some(Identity {
            name: PersonName::parse("Anna Schmidt").unwrap(),
            document_type: DocumentType::Passport,
            document_number: DocumentNumber::parse("E5550009").unwrap(),
            district: DistrictCode::parse("330104").unwrap(),
        }),
        created_at: app.state.clock.now(),
    };
    app.state.store.create_resident(&anna).await.unwrap();
    // At the station an officer enrols the same passport with another phone: 409 beside the
    // document, and nothing is written or sent.
    let resp = form(&app, "/staff/enrol", Some(&olga), &visitor("E5550009", "+8613800000196", "link")).await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"e-document_number\"") && html.contains("on an account already"), "{html}");
    let other = Contact::parse("+8613800000196").unwrap();
    assert!(app.state.store.resident_by_contact(&other).await.unwrap().is_none());
    assert!(app.state.store.enrolments().await.unwrap().is_empty());
    assert!(app.state.store.outbox(Some("+8613800000196"), 5).await.unwrap().is_empty());
    // Another passport number is enrolled as usual.
    let resp = form(&app, "/staff/enrol", Some(&olga), &visitor("E5550010", "+8613800000196", "link")).await;
    assert_eq!(resp.status(), StatusCode::OK);
}

async fn enrolled_contact(app: &TestApp) -> String {
    let e = &app.state.store.enrolments().await.unwrap()[0];
    app.state.store.resident(e.resident).await.unwrap().contact.as_str().to_string()
}

#[tokio::test]
async fn a_supervisor_changes_roles_and_disables_from_the_page_and_stale_changes_get_409() {
    let app = spawn_app().await;
    let (sam, _) = supervisor(&app, "sam").await;
    let (tom, _) = supervisor(&app, "tom").await;
    let (olga, id) = officer(&app, "olga").await;
    let path = |action: &str| format!("/staff/accounts/{id}/{action}");
    let version = staff::find(&app.state, "olga").await.unwrap().version.to_string();
    let (s, html) = page(&app, "/staff/accounts", Some(&sam)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&format!("action=\"/staff/accounts/{id}/roles\"")), "{html}");

    // Two supervisors change the account from the same page view at once: one wins, one 409, no 500.
    let (roles_path, disable_path) = (path("roles"), path("disable"));
    let roles_form = [("version", version.as_str()), ("role", "officer"), ("role", "auditor")];
    let disable_form = [("version", version.as_str())];
    let (ra, rb) = tokio::join!(
        form(&app, &roles_path, Some(&sam), &roles_form),
        form(&app, &disable_path, Some(&tom), &disable_form),
    );
    let mut statuses = [ra.status(), rb.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let loser = if ra.status() == StatusCode::CONFLICT { ra } else { rb };
    assert!(loser.text().await.unwrap().contains("changed by someone else"));
    let account = staff::find(&app.state, "olga").await.unwrap();
    let disabled_first = account.state == StaffState::Disabled;
    if disabled_first {
        assert_eq!(account.roles.to_string(), "officer", "the roles change was refused, not applied over it");
    } else {
        assert_eq!(account.roles.to_string(), "officer,auditor");
        // Still signed in: her session carries the new roles at once.
        let (s, _) = page(&app, "/checkpoint", Some(&olga)).await;
        assert_eq!(s, StatusCode::OK);
        let version = account.version.to_string();
        let resp = form(&app, &path("disable"), Some(&tom), &[("version", &version)]).await;
        assert_eq!(resp.status(), StatusCode::OK);
    }
    // Disabled: her session ends at once.
    let (s, _) = page(&app, "/checkpoint", Some(&olga)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // A change with no version is refused; a change of one's own account too.
    let resp = form(&app, &path("reset"), Some(&sam), &[]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let actions: Vec<String> = app
        .state
        .store
        .audit_after(0, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.subject == id.to_string())
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"staff.disabled".to_string()), "{actions:?}");
    if !disabled_first {
        assert!(actions.contains(&"staff.roles_changed".to_string()), "{actions:?}");
    }
}

#[tokio::test]
async fn second_factor_seeds_are_sealed_and_clear_ones_are_read_once_and_sealed() {
    let app = spawn_app().await;
    let (_, secret) = supervisor(&app, "sam").await;
    let sam = staff::find(&app.state, "sam").await.unwrap();
    let stored = sam.totp_sealed.clone().unwrap();
    assert!(is_sealed(&stored), "sealed at enrolment");
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_slice()), "the seed is not in the row");

    // A row written before sealing (the seed in clear) still signs in, once, and is sealed then.
    let mut clear = sam.clone();
    clear.totp_sealed = Some(secret.clone());
    app.state.store.update_staff(&clear, StaffChange::default()).await.unwrap();
    app.clock.advance(jiff::SignedDuration::from_secs(30));
    let resp = signs_in(&app, "sam", "a long supervisor password", &secret).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let after = staff::find(&app.state, "sam").await.unwrap().totp_sealed.unwrap();
    assert!(is_sealed(&after));

    // The start-up step seals every clear row, with an audit entry.
    let mut clear = staff::find(&app.state, "sam").await.unwrap();
    clear.totp_sealed = Some(secret.clone());
    app.state.store.update_staff(&clear, StaffChange::default()).await.unwrap();
    assert_eq!(staff::seal_clear_seeds(&app.state).await.unwrap(), 1);
    assert_eq!(staff::seal_clear_seeds(&app.state).await.unwrap(), 0);
    assert!(is_sealed(&staff::find(&app.state, "sam").await.unwrap().totp_sealed.unwrap()));
    let last = app.state.store.last_audit().await.unwrap().unwrap();
    assert_eq!(last.action, "staff.seed_sealed");
    app.clock.advance(jiff::SignedDuration::from_secs(30));
    let code = code_at(&secret, app.clock.now()).unwrap();
    let signed = staff::sign_in(&app.state, "sam", "a long supervisor password", &code).await;
    assert!(signed.is_ok(), "the sealed seed opens");
}
