//! The backend-agnostic contract suite. Each backend's test binary calls
//! [`contract_tests!`](crate::contract_tests) with a future that opens a fresh
//! store, and gets one test per function below.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test suite: failures are panics

use healthcode_domain::{
    Actor, Basis, ChangeEvent, Colour, Contact, Declaration, DistrictCode, DocumentNumber, DocumentType, Evidence,
    HealthStatus, HolderId, Identity, PersonName, Quarantine, Report, ReportChannel, ReportId, ResidentId, Role,
    StatusChange, SymptomSet, Temperature,
};
use jiff::Timestamp;
use jiff::civil::date;

use crate::{
    AccountKind, OtpChallenge, Principal, ReportCommit, Resident, ResidentBundle, SessionKind, SessionRecord, Store,
    StoreError, StoredReport, TableCounts,
};

/// Expands to one `#[tokio::test]` per contract case. `$make` is an
/// expression giving a future of `(store, guard)`; the guard (a temp dir or a
/// database handle) lives until the test ends.
#[macro_export]
macro_rules! contract_tests {
    ($make:expr) => {
        $crate::contract_tests!(@each $make;
            accounts_round_trip, duplicate_contact_conflicts, missing_resident_is_not_found,
            report_commit_is_atomic_and_versioned, history_is_newest_first_with_evidence,
            one_time_codes_upsert_and_delete, one_time_code_guesses_are_counted_atomically,
            sessions_expire_and_delete, a_subjects_sessions_are_listed_extended_and_revoked, a_session_is_exchanged_once,
            outbox_filters_newest_first,
            importing_writes_everything, export_returns_what_was_imported, sessions_transfer_idempotently,
            venues_round_trip_and_belong_to_their_owner, venues_are_read_by_id_in_one_call,
            entry_codes_are_one_per_venue_generation_and_unique,
            scans_open_and_close_visits_atomically,
            scans_are_decided_where_they_are_written, attempted_entries_are_kept_per_venue_and_person,
            one_open_visit_per_person, concurrent_scans_succeed_or_conflict_one_by_one,
            scans_out_of_clock_order_keep_visits_in_line,
            expired_visits_close_automatically, venue_logs_are_time_ranged,
            checkpoints_and_idempotent_passages, the_status_list_names_every_non_green_holder,
            cases_notices_and_exposure_sites, the_case_list_filters_sorts_and_pages, the_console_lists_filter_sort_and_page, the_passage_and_enterprise_lists_filter_sort_and_page, authority_status_changes_are_versioned, the_audit_log_appends_in_order,
            audited_changes_commit_with_their_entry_or_not_at_all,
            risk_areas_are_in_force_for_their_period, retention_purges_exactly_what_is_old,
            rollups_replace_sum_and_list_their_days, the_access_log_is_per_person_newest_first,
            the_access_log_keeps_one_entry_per_reader_a_day,
            appeals_are_answered_once_earliest_deadline_first,
            applications_are_decided_once_earliest_deadline_first, enterprises_are_read_by_id_in_one_call, rosters_invite_accept_remove_and_reinvite,
            gate_scans_feed_the_roster_snapshot_and_copy,
            alarms_are_listed_open_first_and_acknowledged_once, tracing_reads_many_people_and_venues_at_once,
            peer_lists_are_kept_per_region_and_never_roll_back,
            staff_accounts_are_unique_versioned_and_end_their_sessions,
            test_results_are_recorded_once_and_open_one_case, false_declarations_are_decided_once,
            lab_records_copy_idempotently,
            paper_passes_are_kept_while_valid_and_reprints_count_up,
            enrolments_are_one_per_document_and_links_are_used_once, staff_accounts_copy_as_they_are,
            dcc_attachments_are_kept_once_per_certificate_newest_first);

    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let (store, _guard) = $make.await;
                $crate::contract::$name(&store).await;
            }
        )*
    };
}

mod dcc;
mod enrolments;
mod governance;
mod lab;
mod paper_passes;
mod people;
mod places;
mod staff;
mod work;

pub use dcc::*;
pub use enrolments::*;
pub use governance::*;
pub use lab::*;
pub use paper_passes::*;
pub use people::*;
pub use places::*;
pub use staff::*;
pub use work::*;

fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_795_000_000 + secs).unwrap()
}

fn resident(n: u8) -> Resident {
    Resident {
        id: ResidentId::from_bytes([n; 16]),
        holder: HolderId::from_bytes([n ^ 0xff; 16]),
        contact: Contact::parse(&format!("+86138000000{n:02}")).unwrap(),
        kind: AccountKind::Resident,
        identity: None,
        created_at: t(0),
    }
}

fn identity() -> Identity {
    Identity {
        name: PersonName::parse("Li Wei").unwrap(),
        document_type: DocumentType::NationalId,
        document_number: DocumentNumber::parse("330102199001011234").unwrap(),
        district: DistrictCode::parse("330102").unwrap(),
    }
}

fn report(r: &Resident, n: u8, secs: i64) -> StoredReport {
    StoredReport {
        id: ReportId::from_bytes([n; 16]),
        resident: r.id,
        at: t(secs),
        local_date: date(2026, 11, 2),
        report: Report::Declaration(Declaration {
            symptoms: SymptomSet::parse_all(&["fever"]).unwrap(),
            temperature: Some(Temperature::from_celsius(38.1).unwrap()),
            visited_regions: vec![],
            contact_with_case: false,
            travel_plan: "train to Hangzhou".into(),
        }),
        // Two of the channels, and the unknown of reports stored before 0016.
        channel: match n % 3 {
            0 => Some(ReportChannel::Web),
            1 => Some(ReportChannel::HotlineImport),
            _ => None,
        },
    }
}

fn yellow(r: &Resident) -> HealthStatus {
    HealthStatus {
        resident: r.id,
        colour: Colour::Yellow,
        since: t(10),
        basis: Basis::Rule { rule_id: "Y-FEVER".into(), policy_version: "v1".into() },
        quarantine: Some(Quarantine {
            required_days: 7,
            streak: 0,
            started_on: date(2026, 11, 2),
            last_counted_on: None,
        }),
        last_report_on: Some(date(2026, 11, 2)),
        version: 0,
    }
}

fn change(r: &Resident, secs: i64, event: ChangeEvent, report: ReportId) -> StatusChange {
    StatusChange {
        resident: r.id,
        at: t(secs),
        event,
        from: None,
        to: Colour::Yellow,
        basis: Basis::Rule { rule_id: "Y-FEVER".into(), policy_version: "v1".into() },
        evidence: vec![Evidence::Report { report_id: report, summary: "temperature 38.1 °C".into() }],
        actor: Actor::Resident(r.id),
    }
}

fn bundle(n: u8) -> ResidentBundle {
    let r = Resident { identity: Some(identity()), ..resident(n) };
    let rep = report(&r, n, 10);
    let mut status = yellow(&r);
    status.version = 3;
    ResidentBundle {
        status: Some(status),
        changes: vec![change(&r, 10, ChangeEvent::Initial, rep.id)],
        reports: vec![rep],
        resident: r,
    }
}

fn venue(n: u8, owner: &str) -> crate::Venue {
    crate::Venue {
        id: healthcode_domain::VenueId::from_bytes([n; 16]),
        owner: healthcode_domain::PhoneNumber::parse(owner).unwrap(),
        profile: healthcode_domain::VenueProfile::parse(
            "Phở Hà Nội 河内粉",
            "12 Hàng Bạc",
            "VN-HN",
            "HN-HOAN-KIEM",
            "Hàng Bạc",
            "restaurant",
            Some(40),
            None,
        )
        .unwrap(),
        state: healthcode_domain::VenueState::Open,
        token_generation: 0,
        previous_generation_until: None,
        qr_token: format!("token-{n}"),
        created_at: t(i64::from(n)),
    }
}

fn stay(n: u8, who: &Resident, at: &crate::Venue, entered: i64) -> healthcode_domain::Visit {
    healthcode_domain::Visit {
        id: healthcode_domain::VisitId::from_bytes([n; 16]),
        resident: who.id,
        venue: at.id,
        entered_at: t(entered),
        exited_at: None,
        exit_kind: None,
        source: healthcode_domain::VisitSource::SelfScan,
        max_stay: jiff::SignedDuration::from_mins(240),
        colour: Colour::Green,
    }
}

async fn someone(store: &dyn Store, n: u8) -> Resident {
    let r = resident(n);
    store.create_resident(&r).await.unwrap();
    r
}

/// Polls every future until all are done: a small `join_all`, so this crate needs no runtime.
async fn all<'a, T>(mut pending: Vec<std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>>) -> Vec<T> {
    use std::task::Poll;
    let mut done: Vec<Option<T>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (future, slot) in pending.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(v) => *slot = Some(v),
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    done.into_iter().map(|v| v.unwrap()).collect()
}

fn post(n: u8) -> healthcode_domain::Checkpoint {
    healthcode_domain::Checkpoint {
        id: healthcode_domain::CheckpointId::from_bytes([n; 16]),
        name: format!("QL1A km {n}"),
        kind: healthcode_domain::CheckpointKind::NationalHighway,
        district: DistrictCode::parse("HN-THANH-TRI").unwrap(),
        location: "National highway 1A, southbound".into(),
        created_at: t(i64::from(n)),
        province: Some(healthcode_domain::RegionCode::parse("VN-HN").unwrap()),
    }
}

fn passage(n: u8, at: &healthcode_domain::Checkpoint, secs: i64) -> healthcode_domain::Passage {
    healthcode_domain::Passage {
        id: uuid::Uuid::from_bytes([n; 16]),
        checkpoint: at.id,
        holder: Some(HolderId::from_bytes([n; 16])),
        colour: Some(Colour::Green),
        verdict: healthcode_domain::Verdict::Allow,
        reason: "CODE_VALID".into(),
        direction: healthcode_domain::Direction::In,
        scanned_at: t(secs),
        officer: "olga".into(),
        offline: n.is_multiple_of(2),
    }
}

fn case_of(n: u8, who: &Resident, secs: i64) -> healthcode_domain::Case {
    healthcode_domain::Case {
        id: healthcode_domain::CaseId::from_bytes([n; 16]),
        resident: who.id,
        kind: healthcode_domain::policy::CaseKind::Confirmed,
        onset: date(2026, 11, 1),
        isolated_on: Some(date(2026, 11, 3)),
        recorded_by: "anh".into(),
        recorded_at: t(secs),
        applied_at: None,
    }
}

fn enterprise(n: u8, owner: &str, submitted: i64, due: i64) -> crate::Enterprise {
    use healthcode_domain::{ApplicationState, EnterpriseId, EnterpriseProfile, PhoneNumber, Site};
    let sites = vec![
        Site::parse("Main plant", "1 River Road", "330102").unwrap(),
        Site::parse("Warehouse 仓库", "9 Canal Street", "330105").unwrap(),
    ];
    crate::Enterprise {
        id: EnterpriseId::from_bytes([n; 16]),
        owner: PhoneNumber::parse(owner).unwrap(),
        profile: EnterpriseProfile::parse(
            &format!("Acme {n}"),
            sites,
            120,
            "masks, distancing, daily temperature checks",
        )
        .unwrap(),
        state: ApplicationState::Pending,
        submitted_at: t(submitted),
        due_at: t(due),
        decided_at: None,
        decided_by: None,
        decision_reason: None,
    }
}

fn phone(s: &str) -> healthcode_domain::PhoneNumber {
    healthcode_domain::PhoneNumber::parse(s).unwrap()
}
