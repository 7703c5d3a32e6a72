//! Synthetic employers for the demo: one enterprise per thousand residents
//! (at most 100), owned by the synthetic venue operators (`+8490…`), most
//! approved, some pending (a few past their deadline), exactly one rejected.
//! Rosters link blocks of existing synthetic residents; most employees clock
//! in today through the real policy, and many were scanned at the gate, today
//! and on the past days of the history (so the resumption figures have a
//! curve, not one point).

use healthcode_domain::random::SeededRng;
use healthcode_domain::{
    ApplicationState, ClockIn, ColourPolicy, EnterpriseId, EnterpriseProfile, HealthStatus, PhoneNumber, Report,
    ReportContext, ReportId, ResidentId, Site, StandingFacts, SymptomSet, Temperature, apply_report, judge_gate,
    local_date, review_deadline,
};
use healthcode_store::{
    Employee, Enterprise, EnterpriseRecords, GateScan, ReportCommit, Store, StoreError, StoreResult, StoredReport,
};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::{CityPlan, districts, ids, phone_of, resident_id_of};

const ENTERPRISE_STREAM: u64 = 0x454e_5445_5250_0001;
/// Residents set aside per enterprise (the roster takes at most 40 of them).
const BLOCK: u32 = 50;
/// The one rejected application.
const REJECTED: u32 = 3;

const NAMES: [&str; 10] = [
    "West Lake Tea",
    "Qiantang Motors",
    "Binjiang Software",
    "Canal Logistics",
    "Xiaoshan Foods",
    "Dệt may Hà Đông",
    "杭州丝绸",
    "Hồng Hà Printing",
    "Gongshu Hardware",
    "Linping Packaging",
];

const MEASURES: [&str; 3] = [
    "Masks at all times, temperature taken at the gate, two-metre spacing on the line, canteen in two shifts.",
    "Daily health clock-in for every employee, staggered arrival, disinfection of shared tools each shift.",
    "Work from home where possible; on site: masks, ventilation every two hours, no visitors.",
];

/// What the demo seeded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnterpriseSeed {
    pub enterprises: u32,
    pub employees: u32,
    pub clock_ins: u32,
    pub gate_scans: u32,
}

/// How many enterprises a city of this size gets.
pub fn enterprise_count(plan: &CityPlan) -> u32 {
    (plan.residents / 1000).clamp(1, 100).min(plan.residents / BLOCK)
}

/// The id of synthetic enterprise `i`.
pub fn enterprise_id_of(plan: &CityPlan, i: u32) -> EnterpriseId {
    EnterpriseId::from_bytes(ids(&mut SeededRng::for_item(plan.seed ^ ENTERPRISE_STREAM, u64::from(i))).0)
}

fn owner_of(i: u32) -> Option<PhoneNumber> {
    PhoneNumber::parse(&format!("+8490{i:07}")).ok()
}

fn after(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_add(d).unwrap_or(t)
}

fn before(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.checked_sub(d).unwrap_or(t)
}

fn minutes(rng: &mut SeededRng, n: u64) -> SignedDuration {
    SignedDuration::from_mins(i64::try_from(rng.below(n)).unwrap_or(0))
}

fn application(plan: &CityPlan, i: u32, rng: &mut SeededRng, tz: &TimeZone, now: Timestamp) -> Option<Enterprise> {
    let all = districts();
    let sites: Vec<Site> = (0..1 + rng.below(3))
        .filter_map(|n| {
            let district = &all[usize::try_from(rng.below(all.len() as u64)).unwrap_or(0)];
            let name = if n == 0 { "Main site".to_string() } else { format!("Site {}", n + 1) };
            Site::parse(&name, &format!("{} Synthetic Road", 1 + rng.below(400)), district.as_str()).ok()
        })
        .collect();
    let name = format!("{} {i}", NAMES[usize::try_from(rng.below(NAMES.len() as u64)).unwrap_or(0)]);
    let headcount = 10 + u32::try_from(rng.below(90)).unwrap_or(0);
    let measures = MEASURES[usize::try_from(rng.below(MEASURES.len() as u64)).unwrap_or(0)];
    let profile = EnterpriseProfile::parse(&name, sites, headcount, measures).ok()?;
    let state = if i == REJECTED {
        ApplicationState::Rejected
    } else if i % 7 == 5 {
        ApplicationState::Pending
    } else {
        ApplicationState::Approved
    };
    // Every other pending one arrived a week or more ago, so it is overdue
    // whatever the weekday; the others in the last two days. Decided ones earlier.
    let back = match state {
        ApplicationState::Pending if i % 14 == 5 => SignedDuration::from_hours(7 * 24) + minutes(rng, 3 * 24 * 60),
        ApplicationState::Pending => minutes(rng, 2 * 24 * 60),
        _ => SignedDuration::from_hours(24 * (4 + i64::try_from(rng.below(16)).unwrap_or(0))),
    };
    let submitted_at = before(now, back);
    let decided_at = (state != ApplicationState::Pending)
        .then(|| after(submitted_at, SignedDuration::from_hours(6 + i64::try_from(rng.below(60)).unwrap_or(0))));
    let decision_reason = match state {
        ApplicationState::Approved => Some("measures checked and adequate".to_string()),
        ApplicationState::Rejected => Some("no temperature checks at the secondary sites".to_string()),
        ApplicationState::Pending => None,
    };
    Some(Enterprise {
        id: enterprise_id_of(plan, i),
        owner: owner_of(i)?,
        profile,
        state,
        submitted_at,
        due_at: review_deadline(submitted_at, tz),
        decided_at,
        decided_by: decided_at.map(|_| "anh".to_string()),
        decision_reason,
    })
}

/// Today's clock-in for one employee through the real policy; returns the
/// status after it (or as it was, when the person already reported today).
async fn clock_in_today(
    store: &dyn Store,
    policy: &ColourPolicy,
    tz: &TimeZone,
    rng: &mut SeededRng,
    resident: ResidentId,
    at: Timestamp,
) -> StoreResult<Option<HealthStatus>> {
    let Some(current) = store.status(resident).await? else { return Ok(None) };
    let fever = rng.chance(0.02);
    let tenths = if fever { 373 + rng.below(12) } else { 360 + rng.below(12) };
    let Some(temperature) = u16::try_from(tenths).ok().and_then(|t| Temperature::from_tenths(t).ok()) else {
        return Ok(Some(current));
    };
    let report = Report::ClockIn(ClockIn { temperature, symptoms: SymptomSet::empty() });
    let report_id = ReportId::from_bytes(ids(rng).0);
    let standing = StandingFacts::default();
    let ctx = ReportContext {
        resident,
        report_id,
        report: &report,
        now: at,
        time_zone: tz,
        standing: &standing,
        risk_areas: &[],
    };
    // Already reported today: the clock-in is refused, the day counts anyway.
    let Ok(t) = apply_report(policy, Some(&current), &ctx) else { return Ok(Some(current)) };
    let commit = ReportCommit {
        report: StoredReport {
            id: report_id,
            resident,
            at,
            local_date: local_date(at, tz),
            report,
            channel: Some(super::channel_of(report_id)),
        },
        identity: None,
        expected_version: Some(current.version),
        status: t.status,
        changes: t.changes,
    };
    match store.commit_report(&commit).await {
        Ok(status) => Ok(Some(status)),
        Err(StoreError::Conflict(_)) => Ok(Some(current)),
        Err(e) => Err(e),
    }
}

fn today_start(now: Timestamp, tz: &TimeZone) -> Timestamp {
    let today: Date = local_date(now, tz);
    today.to_zoned(tz.clone()).map_or(now, |z| z.timestamp())
}

/// Seeds the synthetic employers, once: a second run finds enterprise 0 and
/// writes nothing.
pub async fn seed_enterprises(
    store: &dyn Store,
    plan: &CityPlan,
    policy: &ColourPolicy,
    tz: &TimeZone,
    now: Timestamp,
) -> StoreResult<EnterpriseSeed> {
    let mut seed = EnterpriseSeed::default();
    if store.enterprise(enterprise_id_of(plan, 0)).await.is_ok() {
        return Ok(seed);
    }
    let day_start = today_start(now, tz);
    let latest = before(now, SignedDuration::from_secs(1)).max(day_start);
    let mut records = EnterpriseRecords::default();
    let mut clock_ins = Vec::new();
    let mut regulars = Vec::new();
    for i in 0..enterprise_count(plan) {
        let mut rng = SeededRng::for_item(plan.seed ^ ENTERPRISE_STREAM, u64::from(i));
        let _ = ids(&mut rng); // the id's draw, as in `enterprise_id_of`
        let Some(e) = application(plan, i, &mut rng, tz, now) else { continue };
        if e.state == ApplicationState::Rejected {
            records.enterprises.push(e);
            continue;
        }
        let size = 5 + u32::try_from(rng.below(36)).unwrap_or(0);
        for n in (i * BLOCK)..(i * BLOCK + size) {
            let resident = resident_id_of(plan, n);
            match store.resident(resident).await {
                Ok(_) => {}
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e),
            }
            let invited_at = after(e.submitted_at, minutes(&mut rng, 24 * 60));
            let accepted = rng.chance(0.88);
            let removed = !accepted && rng.chance(0.2);
            records.employees.push(Employee {
                enterprise: e.id,
                phone: phone_of(n),
                resident: accepted.then_some(resident),
                invited_at,
                accepted_at: accepted.then(|| after(invited_at, minutes(&mut rng, 24 * 60))),
                removed_at: removed.then(|| after(invited_at, SignedDuration::from_hours(30))),
            });
            if let (true, ApplicationState::Approved, Some(decided)) = (accepted, e.state, e.decided_at) {
                regulars.push((e.id, resident, decided.max(invited_at)));
            }
            if accepted && e.state == ApplicationState::Approved && rng.chance(0.85) {
                let at = after(day_start, SignedDuration::from_mins(7 * 60) + minutes(&mut rng, 150)).min(latest);
                let scan_at = after(at, minutes(&mut rng, 60)).min(latest);
                let scanned = rng.chance(0.8);
                clock_ins.push((e.id, resident, at, scanned.then_some(scan_at)));
            }
        }
        records.enterprises.push(e);
    }
    seed.enterprises = u32::try_from(records.enterprises.len()).unwrap_or(0);
    seed.employees = u32::try_from(records.employees.iter().filter(|l| l.resident.is_some()).count()).unwrap_or(0);
    store.import_enterprise_records(&records).await?;

    // Clock-ins through the policy, then gate scans with the resulting colour.
    let mut scans = EnterpriseRecords::default();
    for (n, (enterprise, resident, at, scan_at)) in clock_ins.into_iter().enumerate() {
        let mut rng = SeededRng::for_item(plan.seed ^ ENTERPRISE_STREAM ^ 0xc10c, u64::try_from(n).unwrap_or(0));
        let Some(status) = clock_in_today(store, policy, tz, &mut rng, resident, at).await? else { continue };
        seed.clock_ins += 1;
        let Some(scanned_at) = scan_at else { continue };
        let tenths = if rng.chance(0.03) { 373 + rng.below(10) } else { 358 + rng.below(14) };
        let temperature = u16::try_from(tenths).ok().and_then(|t| Temperature::from_tenths(t).ok());
        let outcome = judge_gate(policy, status.colour, temperature);
        scans.gate_scans.push(GateScan {
            id: uuid::Uuid::from_bytes(ids(&mut rng).0),
            enterprise,
            resident,
            scanned_at,
            colour: status.colour,
            temperature,
            flagged: outcome.flagged,
            reason: outcome.reason.into(),
        });
    }
    past_gate_scans(store, plan, policy, (day_start, now), &regulars, &mut scans).await?;
    seed.gate_scans = u32::try_from(scans.gate_scans.len()).unwrap_or(0);
    store.import_enterprise_records(&scans).await?;
    Ok(seed)
}

/// Gate scans on the past days of the history for employees who are green
/// now (their past colour is not kept; a green one is taken as green then),
/// from the day after their employer was approved and they joined: about
/// three in four come in on a day, and a few are flagged with a fever.
async fn past_gate_scans(
    store: &dyn Store,
    plan: &CityPlan,
    policy: &ColourPolicy,
    (day_start, now): (Timestamp, Timestamp),
    regulars: &[(EnterpriseId, ResidentId, Timestamp)],
    scans: &mut EnterpriseRecords,
) -> StoreResult<()> {
    for (n, &(enterprise, resident, since)) in regulars.iter().enumerate() {
        let green = store.status(resident).await?.is_some_and(|s| s.colour == healthcode_domain::Colour::Green);
        if !green {
            continue;
        }
        let mut rng = SeededRng::for_item(plan.seed ^ ENTERPRISE_STREAM ^ 0x9a57, u64::try_from(n).unwrap_or(0));
        for back in 1..i64::from(plan.days.min(28)) {
            let start = before(day_start, SignedDuration::from_hours(24 * back));
            if start <= since || !rng.chance(0.75) {
                continue;
            }
            let scanned_at = after(start, SignedDuration::from_mins(7 * 60) + minutes(&mut rng, 150)).min(now);
            let tenths = if rng.chance(0.03) { 373 + rng.below(10) } else { 358 + rng.below(14) };
            let temperature = u16::try_from(tenths).ok().and_then(|t| Temperature::from_tenths(t).ok());
            let outcome = judge_gate(policy, healthcode_domain::Colour::Green, temperature);
            scans.gate_scans.push(GateScan {
                id: uuid::Uuid::from_bytes(ids(&mut rng).0),
                enterprise,
                resident,
                scanned_at,
                colour: healthcode_domain::Colour::Green,
                temperature,
                flagged: outcome.flagged,
                reason: outcome.reason.into(),
            });
        }
    }
    Ok(())
}
