//! The synthetic city (PERFORMANCE.md): a deterministic, seeded population
//! whose statuses are computed by the real policy from generated reports, so
//! the demo shows honest histories. The same generator feeds demo and tests.

mod control;
mod enterprises;
mod lab;
mod places;

pub use control::{ControlCounts, TurnedAwayCounts, seed_control, seed_turned_away};
pub use enterprises::{EnterpriseSeed, enterprise_count, enterprise_id_of, seed_enterprises};
pub use lab::{LabCounts, seed_lab};
pub use places::{TokenSigner, seed_places, seed_places_bulk, venue_of};

use healthcode_domain::Visit;
use healthcode_domain::random::SeededRng;
use healthcode_domain::{
    ClockIn, ColourPolicy, Contact, Declaration, DistrictCode, DocumentNumber, DocumentType, HealthStatus, HolderId,
    Identity, PersonName, PhoneNumber, RegionCode, Report, ReportChannel, ReportContext, ReportId, ResidentId,
    StandingFacts, SymptomSet, Temperature, apply_report, local_date,
};
use healthcode_store::{AccountKind, BulkLoad, Resident, ResidentBundle, Store, StoreResult, StoredReport, Venue};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// The size and seed of a synthetic city.
#[derive(Debug, Clone, Copy)]
pub struct CityPlan {
    pub seed: u64,
    pub residents: u32,
    /// Days of history before `now`.
    pub days: u16,
    /// Venues (QR scanning points), numbered from 0.
    pub venue_count: u32,
    /// Check-ins on each day of history.
    pub daily_check_ins: u32,
}

impl CityPlan {
    /// A city of `residents` with one venue per ten residents, half of whom
    /// check in somewhere each day.
    pub fn new(seed: u64, residents: u32, days: u16) -> Self {
        Self { seed, residents, days, venue_count: (residents / 10).max(1), daily_check_ins: residents / 2 }
    }

    /// Scale S of PERFORMANCE.md: 100,000 residents, 10,000 venues, 50,000
    /// check-ins a day for 14 days.
    pub fn scale_s(seed: u64) -> Self {
        Self::new(seed, 100_000, 14)
    }

    /// Scale M of PERFORMANCE.md (the benchmarks): 1,000,000 residents,
    /// 100,000 venues, 500,000 check-ins a day for 28 days.
    pub fn scale_m(seed: u64) -> Self {
        Self::new(seed, 1_000_000, 28)
    }

    /// Scale L of PERFORMANCE.md (a whole city, for long runs): 8,000,000
    /// residents, 750,000 venues, 2,500,000 check-ins a day for 28 days.
    pub fn scale_l(seed: u64) -> Self {
        Self { venue_count: 750_000, daily_check_ins: 2_500_000, ..Self::new(seed, 8_000_000, 28) }
    }
}

/// The id of synthetic resident `i` (the same the population generator gives).
pub fn resident_id_of(plan: &CityPlan, i: u32) -> ResidentId {
    ResidentId::from_bytes(ids(&mut SeededRng::for_item(plan.seed, u64::from(i))).0)
}

/// The holder id of synthetic resident `i` (the same the population
/// generator gives), known without reading the store.
pub fn holder_id_of(plan: &CityPlan, i: u32) -> HolderId {
    HolderId::from_bytes(ids(&mut SeededRng::for_item(plan.seed, u64::from(i))).1)
}

/// Phone number of synthetic resident `i` (`+86139` and eight digits).
pub fn phone_of(i: u32) -> PhoneNumber {
    match PhoneNumber::parse(&format!("+86139{i:08}")) {
        Ok(p) => p,
        Err(e) => unreachable!("synthetic phone numbers are valid: {e}"),
    }
}

/// The districts of the synthetic city: Hangzhou's 13 since the 2021
/// redivision, as in the region catalogue (`crates/server/data/regions.csv`), so pages
/// and statistics show them by name.
pub fn districts() -> Vec<DistrictCode> {
    const HANGZHOU: [&str; 13] = [
        "330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112", "330113", "330114", "330122",
        "330127", "330182",
    ];
    HANGZHOU.iter().filter_map(|d| DistrictCode::parse(d).ok()).collect()
}

const SURNAMES: [&str; 12] =
    ["Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Nguyen", "Tran"];
const GIVEN: [&str; 12] = ["Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yan", "Tao", "Hua", "Jun", "An", "Lan"];

struct Person {
    resident: Resident,
    reports: Vec<StoredReport>,
    status: Option<HealthStatus>,
    changes: Vec<healthcode_domain::StatusChange>,
}

pub(crate) fn ids(rng: &mut SeededRng) -> ([u8; 16], [u8; 16]) {
    let mut id = rng.bytes16();
    id[6] = (id[6] & 0x0f) | 0x40; // a version-4-shaped UUID
    id[8] = (id[8] & 0x3f) | 0x80;
    (id, rng.bytes16())
}

/// The channel of a synthetic report, from its id (no draw of its own, so
/// the rest of the city is unchanged): about 55 % app, 30 % web, 10 %
/// staff-assisted, 5 % hotline import.
pub(crate) fn channel_of(id: ReportId) -> ReportChannel {
    match id.as_bytes()[15] % 20 {
        0..=10 => ReportChannel::App,
        11..=16 => ReportChannel::Web,
        17 | 18 => ReportChannel::StaffAssisted,
        _ => ReportChannel::HotlineImport,
    }
}

fn report(
    person: &mut Person,
    policy: &ColourPolicy,
    tz: &TimeZone,
    rng: &mut SeededRng,
    report: Report,
    at: Timestamp,
) {
    let report_id = ReportId::from_bytes(ids(rng).0);
    let standing = StandingFacts::default();
    let ctx = ReportContext {
        resident: person.resident.id,
        report_id,
        report: &report,
        now: at,
        time_zone: tz,
        standing: &standing,
        risk_areas: &[],
    };
    // A refused report (second clock-in of a day) is simply not stored.
    if let Ok(t) = apply_report(policy, person.status.as_ref(), &ctx) {
        person.reports.push(StoredReport {
            id: report_id,
            resident: person.resident.id,
            at,
            local_date: local_date(at, tz),
            report,
            channel: Some(channel_of(report_id)),
        });
        person.status = Some(t.status);
        person.changes.extend(t.changes);
    }
}

fn temperature(rng: &mut SeededRng, fever: bool) -> Temperature {
    let tenths = if fever { 373 + rng.below(15) } else { 360 + rng.below(12) };
    Temperature::from_tenths(u16::try_from(tenths).unwrap_or(366)).unwrap_or_else(|_| unreachable!("in range"))
}

fn person(
    i: u32,
    plan: &CityPlan,
    policy: &ColourPolicy,
    tz: &TimeZone,
    now: Timestamp,
    districts: &[DistrictCode],
) -> Option<Person> {
    let mut rng = SeededRng::for_item(plan.seed, u64::from(i));
    let (id, holder) = ids(&mut rng);
    let name = format!("{} {}", SURNAMES[rng.below(12) as usize], GIVEN[rng.below(12) as usize]);
    let visitor = rng.chance(0.02);
    let (document_type, number) = if visitor {
        (DocumentType::Passport, format!("E{:08}", rng.below(100_000_000)))
    } else {
        (DocumentType::NationalId, format!("3301{:014}", rng.below(100_000_000_000_000)))
    };
    let identity = Identity {
        name: PersonName::parse(&name).ok()?,
        document_type,
        document_number: DocumentNumber::parse(&number).ok()?,
        district: districts[rng.below(districts.len() as u64) as usize].clone(),
    };
    let start = now.checked_sub(SignedDuration::from_hours(24 * i64::from(plan.days))).ok()?;
    let first_at =
        start.checked_add(SignedDuration::from_secs(rng.below(24 * 3600 * u64::from(plan.days)) as i64)).ok()?;
    let mut p = Person {
        resident: Resident {
            id: ResidentId::from_bytes(id),
            holder: HolderId::from_bytes(holder),
            contact: Contact::Phone(phone_of(i)),
            kind: if visitor { AccountKind::Visitor } else { AccountKind::Resident },
            identity: Some(identity),
            created_at: first_at,
        },
        reports: vec![],
        status: None,
        changes: vec![],
    };
    let fever = rng.chance(0.02);
    let mut symptoms = SymptomSet::empty();
    if rng.chance(0.03) {
        symptoms.insert(healthcode_domain::Symptom::ALL[rng.below(6) as usize]);
    }
    let risky = rng.chance(0.01);
    let declaration = Declaration {
        symptoms,
        temperature: Some(temperature(&mut rng, fever)),
        visited_regions: if risky { RegionCode::parse("CN-HB").ok().into_iter().collect() } else { vec![] },
        contact_with_case: rng.chance(0.003),
        travel_plan: String::new(),
    };
    report(&mut p, policy, tz, &mut rng, Report::Declaration(declaration), first_at);
    // Quarantined people clock in most days, around 08:00-12:00 local.
    let mut day_at = first_at;
    while p.status.as_ref().is_some_and(|s| s.quarantine.is_some()) {
        day_at = day_at.checked_add(SignedDuration::from_hours(24)).ok()?;
        let at = day_at.checked_add(SignedDuration::from_mins(rng.below(120) as i64 - 60)).ok()?;
        if at > now {
            break;
        }
        if rng.chance(0.08) {
            continue; // missed a day
        }
        let fever = rng.chance(0.03);
        let clock_in = ClockIn { temperature: temperature(&mut rng, fever), symptoms: SymptomSet::empty() };
        report(&mut p, policy, tz, &mut rng, Report::ClockIn(clock_in), at);
    }
    Some(p)
}

/// Where the seeders write: the store's ordinary imports (one row a
/// statement, a batch a transaction), or a bulk load
/// (`healthcode_store::bulk`), which writes the same rows faster.
pub(crate) enum Sink<'a> {
    Store(&'a dyn Store),
    Bulk(&'a mut dyn BulkLoad),
}

impl Sink<'_> {
    /// Rows a batch: the bulk path commits less often.
    fn batch(&self, ordinary: usize, bulk: usize) -> usize {
        match self {
            Sink::Store(_) => ordinary,
            Sink::Bulk(_) => bulk,
        }
    }

    async fn residents(&mut self, batch: &[ResidentBundle]) -> StoreResult<()> {
        match self {
            Sink::Store(store) => store.import_residents(batch).await,
            Sink::Bulk(load) => load.residents(batch).await,
        }
    }

    async fn venues(&mut self, batch: &[Venue]) -> StoreResult<()> {
        match self {
            Sink::Store(store) => {
                for v in batch {
                    store.create_venue(v).await?;
                }
                Ok(())
            }
            Sink::Bulk(load) => load.venues(batch).await,
        }
    }

    async fn visits(&mut self, batch: &[Visit]) -> StoreResult<()> {
        match self {
            Sink::Store(store) => store.import_visits(batch).await,
            Sink::Bulk(load) => load.visits(batch).await,
        }
    }
}

/// Writes the synthetic city in batches, calling `progress(done)` after each.
pub async fn seed_city(
    store: &dyn Store,
    plan: &CityPlan,
    policy: &ColourPolicy,
    tz: &TimeZone,
    now: Timestamp,
    progress: impl FnMut(u32),
) -> StoreResult<u32> {
    write_city(Sink::Store(store), plan, policy, tz, now, progress).await
}

/// [`seed_city`] through a bulk load: the same rows.
pub async fn seed_city_bulk(
    load: &mut dyn BulkLoad,
    plan: &CityPlan,
    policy: &ColourPolicy,
    tz: &TimeZone,
    now: Timestamp,
    progress: impl FnMut(u32),
) -> StoreResult<u32> {
    write_city(Sink::Bulk(load), plan, policy, tz, now, progress).await
}

async fn write_city(
    mut sink: Sink<'_>,
    plan: &CityPlan,
    policy: &ColourPolicy,
    tz: &TimeZone,
    now: Timestamp,
    mut progress: impl FnMut(u32),
) -> StoreResult<u32> {
    let batch_size = u32::try_from(sink.batch(2_000, 20_000)).unwrap_or(2_000);
    let (plan, policy, tz) = (*plan, policy.clone(), tz.clone());
    // Made on a thread of their own while the batch before is written (see `made`).
    let (batches, mut ready) = tokio::sync::mpsc::channel(1);
    let making = tokio::task::spawn_blocking(move || {
        let districts = districts();
        let mut i = 0;
        while i < plan.residents {
            let end = (i + batch_size).min(plan.residents);
            let batch: Vec<ResidentBundle> = (i..end)
                .filter_map(|n| person(n, &plan, &policy, &tz, now, &districts))
                .map(|p| ResidentBundle {
                    status: p.status,
                    resident: p.resident,
                    reports: p.reports,
                    changes: p.changes,
                })
                .collect();
            if batches.blocking_send((end, batch)).is_err() {
                return; // the writing stopped
            }
            i = end;
        }
    });
    let mut written = 0;
    while let Some((end, batch)) = ready.recv().await {
        written += u32::try_from(batch.len()).unwrap_or(0);
        sink.residents(&batch).await?;
        progress(end);
    }
    made(making).await?;
    Ok(written)
}

/// Waits for a thread that made the batches (`spawn_blocking`: the city is
/// made while the sink writes the batch before, on the store's own thread
/// or server), turning its panic into an error.
async fn made(making: tokio::task::JoinHandle<()>) -> StoreResult<()> {
    making.await.map_err(|e| healthcode_store::StoreError::Other(format!("making the synthetic city: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_city_is_deterministic_and_mostly_green() {
        let plan = CityPlan::new(42, 2_000, 14);
        let policy = ColourPolicy::default_policy();
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let now = Timestamp::from_second(1_795_000_000).unwrap();
        let d = districts();
        let a: Vec<_> = (0..plan.residents).filter_map(|i| person(i, &plan, &policy, &tz, now, &d)).collect();
        let b: Vec<_> = (0..plan.residents).filter_map(|i| person(i, &plan, &policy, &tz, now, &d)).collect();
        assert_eq!(a.len(), 2_000);
        assert!(a.iter().zip(&b).all(|(x, y)| x.resident == y.resident && x.status == y.status));
        let non_green =
            a.iter().filter(|p| p.status.as_ref().unwrap().colour != healthcode_domain::Colour::Green).count();
        assert!(non_green > 20 && non_green < 400, "non-green: {non_green}");
        assert!(
            a.iter()
                .any(|p| { p.changes.iter().any(|c| c.event == healthcode_domain::ChangeEvent::QuarantineCompleted) })
        );
    }
}
