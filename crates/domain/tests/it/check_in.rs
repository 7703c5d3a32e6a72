//! The check-in rules, case by case.

use healthcode_domain::visit::Closing;
use healthcode_domain::{
    Colour, ExitKind, ResidentId, ScanDecision, VenueId, Visit, VisitId, VisitSource, decide_scan,
};
use jiff::{SignedDuration, Timestamp};
use rstest::rstest;

const CAFE: VenueId = venue(1);
const SHOP: VenueId = venue(2);

const fn venue(n: u8) -> VenueId {
    VenueId::from_uuid(uuid::Uuid::from_bytes([n; 16]))
}

fn t(mins: i64) -> Timestamp {
    Timestamp::from_second(1_795_000_000 + mins * 60).unwrap()
}

fn visit(at: VenueId, entered: i64, exited: Option<i64>) -> Visit {
    Visit {
        id: VisitId::from_bytes([9; 16]),
        resident: ResidentId::from_bytes([1; 16]),
        venue: at,
        entered_at: t(entered),
        exited_at: exited.map(t),
        exit_kind: exited.map(|_| ExitKind::Button),
        source: VisitSource::SelfScan,
        max_stay: SignedDuration::from_mins(240),
        colour: Colour::Green,
    }
}

const WINDOW: SignedDuration = SignedDuration::from_mins(5);
const ID: VisitId = VisitId::from_uuid(uuid::Uuid::from_bytes([9; 16]));

#[rstest]
#[case::first_scan(None, CAFE, 0, ScanDecision::Enter { close: None })]
#[case::repeat_within_window(Some(visit(CAFE, 0, None)), CAFE, 4, ScanDecision::Duplicate { visit: ID })]
#[case::same_venue_later_is_exit(Some(visit(CAFE, 0, None)), CAFE, 50,
    ScanDecision::Exit { close: Closing { visit: ID, at: t(50), kind: ExitKind::Scan } })]
#[case::elsewhere_closes_previous(Some(visit(CAFE, 0, None)), SHOP, 30,
    ScanDecision::Enter { close: Some(Closing { visit: ID, at: t(30), kind: ExitKind::NextCheckIn }) })]
#[case::past_max_stay_closes_at_max_stay(Some(visit(CAFE, 0, None)), SHOP, 300,
    ScanDecision::Enter { close: Some(Closing { visit: ID, at: t(240), kind: ExitKind::Auto }) })]
#[case::back_at_same_venue_after_auto_close(Some(visit(CAFE, 0, None)), CAFE, 250,
    ScanDecision::Enter { close: Some(Closing { visit: ID, at: t(240), kind: ExitKind::Auto }) })]
#[case::rescan_right_after_leaving(Some(visit(CAFE, 0, Some(60))), CAFE, 62, ScanDecision::Duplicate { visit: ID })]
#[case::return_after_leaving(Some(visit(CAFE, 0, Some(60))), CAFE, 90, ScanDecision::Enter { close: None })]
#[case::elsewhere_after_leaving(Some(visit(CAFE, 0, Some(60))), SHOP, 61, ScanDecision::Enter { close: None })]
fn one_scan(#[case] latest: Option<Visit>, #[case] at: VenueId, #[case] now: i64, #[case] expected: ScanDecision) {
    assert_eq!(decide_scan(latest.as_ref(), at, t(now), WINDOW), expected);
}

#[test]
fn a_visit_across_local_midnight_is_one_visit() {
    // 23:30 to 00:40 Asia/Shanghai: one open visit, exit by scan after midnight.
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let enter = jiff::civil::date(2026, 11, 2).at(23, 30, 0, 0).to_zoned(tz.clone()).unwrap().timestamp();
    let exit = jiff::civil::date(2026, 11, 3).at(0, 40, 0, 0).to_zoned(tz).unwrap().timestamp();
    let v = Visit { entered_at: enter, ..visit(CAFE, 0, None) };
    assert!(v.is_open_at(exit));
    assert_eq!(
        decide_scan(Some(&v), CAFE, exit, WINDOW),
        ScanDecision::Exit { close: Closing { visit: ID, at: exit, kind: ExitKind::Scan } }
    );
}

#[test]
fn open_until_the_maximum_stay() {
    let v = visit(CAFE, 0, None);
    assert_eq!(v.auto_checkout_at(), t(240));
    assert!(v.is_open_at(t(239)) && !v.is_open_at(t(240)));
    assert_eq!(v.effective_end(), t(240));
}
