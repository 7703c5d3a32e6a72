//! Epidemic control in the synthetic city: a checkpoint of each kind with their
//! daily passages (a few turned back), and a handful of confirmed cases a day
//! whose colours turn red by the real policy. So the city dashboard shows
//! every kind of figure on first start.

use healthcode_domain::policy::CaseKind;
use healthcode_domain::random::SeededRng;
use healthcode_domain::{
    Actor, Case, CaseId, Checkpoint, CheckpointId, CheckpointKind, ColourPolicy, Direction, DistrictCode, Evidence,
    Passage, StandingFacts, Verdict, apply_finding,
};
use healthcode_store::{Notice, Store, StoreError, StoreResult};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::{CityPlan, districts, holder_id_of, ids, resident_id_of};

const CONTROL_STREAM: u64 = 0xC0_47_20_1C;
/// One checkpoint of each kind (national highway, station, other, provincial
/// border, airport), so every kind and direction has passages.
const CHECKPOINTS: u8 = 5;
/// The share of passages turned back (expired or non-green codes).
const DENIED_SHARE: f64 = 0.04;

/// What the control seeding wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ControlCounts {
    pub checkpoints: u32,
    pub passages: u64,
    pub cases: u32,
}

fn checkpoint(plan: &CityPlan, i: u8, start: Timestamp) -> Option<Checkpoint> {
    let (name, kind, location) = match i {
        0 => ("G60 toll gate north", CheckpointKind::NationalHighway, "inbound lanes"),
        1 => ("East railway station", CheckpointKind::Station, "arrivals hall"),
        2 => ("Provincial hospital", CheckpointKind::Other, "main entrance"),
        3 => ("S9 bridge, provincial border", CheckpointKind::ProvincialBorder, "both directions"),
        _ => ("Xiaoshan airport", CheckpointKind::Airport, "domestic arrivals"),
    };
    let all = districts();
    let district: DistrictCode = all.get(usize::from(i) * 7 % all.len())?.clone();
    let mut rng = SeededRng::for_item(plan.seed ^ CONTROL_STREAM, u64::from(i));
    Some(Checkpoint {
        id: CheckpointId::from_bytes(ids(&mut rng).0),
        name: name.into(),
        kind,
        district,
        location: location.into(),
        created_at: start,
        province: None,
    })
}

/// Writes checkpoints and passages for every day of the plan (and today so
/// far), and `plan.residents / 50_000` (at least one) confirmed cases a day.
pub async fn seed_control(
    store: &dyn Store,
    plan: &CityPlan,
    policy: &ColourPolicy,
    tz: &TimeZone,
    now: Timestamp,
) -> StoreResult<ControlCounts> {
    let mut counts = ControlCounts::default();
    let days = i64::from(plan.days);
    let start = now.checked_sub(SignedDuration::from_hours(24 * days)).unwrap_or(now);
    let checkpoints: Vec<Checkpoint> = (0..CHECKPOINTS).filter_map(|i| checkpoint(plan, i, start)).collect();
    if let Some(first) = checkpoints.first()
        && store.checkpoint(first.id).await.is_ok()
    {
        return Ok(counts); // seeded before
    }
    for c in &checkpoints {
        store.create_checkpoint(c).await?;
        counts.checkpoints += 1;
    }
    let per_day = u64::from(plan.residents / 50).max(10);
    let mut rng = SeededRng::for_item(plan.seed ^ CONTROL_STREAM, 1_000);
    let span = now.duration_since(start).as_secs().max(1) as u64;
    let total = per_day * u64::try_from(days).unwrap_or(0);
    let mut batch = Vec::with_capacity(2_000);
    for _ in 0..total {
        let scanned_at = start.checked_add(SignedDuration::from_secs(rng.below(span) as i64)).unwrap_or(start);
        // Every synthetic resident is in the store (the population is
        // seeded first), so the holder comes from the generator: reading
        // 560,000 people one by one took two minutes of the M city's seeding.
        let holder = holder_id_of(plan, u32::try_from(rng.below(u64::from(plan.residents))).unwrap_or(0));
        let denied = rng.unit() < DENIED_SHARE;
        let checkpoint = &checkpoints[usize::try_from(rng.below(checkpoints.len() as u64)).unwrap_or(0)];
        batch.push(Passage {
            id: uuid::Uuid::from_bytes(ids(&mut rng).0),
            checkpoint: checkpoint.id,
            holder: Some(holder),
            colour: None,
            verdict: if denied { Verdict::Deny } else { Verdict::Allow },
            reason: if denied { "CODE_EXPIRED" } else { "CODE_VALID" }.into(),
            direction: if rng.unit() < 0.5 { Direction::In } else { Direction::Out },
            scanned_at,
            officer: "synthetic".into(),
            offline: rng.unit() < 0.1,
        });
        if batch.len() == 2_000 {
            counts.passages += store.record_passages(&batch).await?;
            batch.clear();
        }
    }
    counts.passages += store.record_passages(&batch).await?;
    let cases_per_day = (plan.residents / 50_000).max(1);
    for day in 0..days {
        for k in 0..cases_per_day {
            // From 10:00 on the day, one every 17 minutes; none in the future.
            let offset = SignedDuration::from_mins(60 * 24 * day + 600 + 17 * i64::from(k));
            let Ok(at) = start.checked_add(offset) else { continue };
            if at >= now {
                continue;
            }
            if seed_case(store, plan, policy, tz, at, &mut rng).await? {
                counts.cases += 1;
            }
        }
    }
    Ok(counts)
}

/// Records one confirmed case at `at` for a resident whose history ends
/// before then (so their history stays in order); false when none was found
/// in a few tries.
async fn seed_case(
    store: &dyn Store,
    plan: &CityPlan,
    policy: &ColourPolicy,
    tz: &TimeZone,
    at: Timestamp,
    rng: &mut SeededRng,
) -> StoreResult<bool> {
    for _ in 0..20 {
        let resident = resident_id_of(plan, u32::try_from(rng.below(u64::from(plan.residents))).unwrap_or(0));
        let Some(current) = store.status(resident).await? else { continue };
        let last = store.status_history(resident, 1).await?;
        if last.first().is_none_or(|c| c.at >= at) || store.case_of(resident).await?.is_some() {
            continue;
        }
        let onset = at.to_zoned(tz.clone()).date().yesterday().unwrap_or_else(|_| at.to_zoned(tz.clone()).date());
        let case = Case {
            id: CaseId::from_bytes(ids(rng).0),
            resident,
            kind: CaseKind::Confirmed,
            onset,
            isolated_on: Some(at.to_zoned(tz.clone()).date()),
            recorded_by: "synthetic".into(),
            recorded_at: at,
            applied_at: None,
        };
        store.create_case(&case).await?;
        let standing = StandingFacts { case: Some(CaseKind::Confirmed), ..StandingFacts::default() };
        let evidence = vec![Evidence::Case { case: case.id, case_kind: CaseKind::Confirmed.as_str().into() }];
        let actor = Actor::Staff("synthetic".into());
        if let Some(t) = apply_finding(policy, Some(&current), resident, &standing, at, tz, evidence, actor) {
            store.commit_status(Some(current.version), &t.status, &t.changes).await?;
        }
        let notice = Notice {
            id: uuid::Uuid::from_bytes(ids(rng).0),
            resident,
            at,
            case: case.id,
            kind: "case".into(),
            message: "You are recorded as a case: stay isolated and follow the health authority's instructions.".into(),
        };
        store.push_notice(&notice).await?;
        return Ok(true);
    }
    Ok(false)
}

/// What [`seed_turned_away`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TurnedAwayCounts {
    /// The Hanoi venue (0 when seeded before).
    pub hanoi_venues: u32,
    pub attempts: u32,
}

/// How many yellow or red people the demo sends to a venue's door.
const TURNED_AWAY_PEOPLE: usize = 60;

/// A venue in Hanoi (province `VN-HN`, so its pages show Hanoi time on a
/// server whose zone is Asia/Shanghai), owned by the first synthetic
/// operator (`+84900000000`), and attempted entries: people who are yellow
/// or red now, turned away at it or at one of the synthetic venues since
/// their colour changed, so the venue log, the trace report and the daily
/// figures have some.
pub async fn seed_turned_away(
    store: &dyn Store,
    plan: &CityPlan,
    now: Timestamp,
    sign: super::TokenSigner<'_>,
) -> StoreResult<TurnedAwayCounts> {
    use healthcode_domain::{AttemptedEntry, PhoneNumber, VenueId, VenueProfile, VenueState, VisitSource};
    let mut counts = TurnedAwayCounts::default();
    let mut rng = SeededRng::for_item(plan.seed ^ CONTROL_STREAM, 2_000);
    let id = VenueId::from_bytes(ids(&mut rng).0);
    if store.venue(id).await.is_ok() {
        return Ok(counts); // seeded before
    }
    let profile = VenueProfile::parse(
        "Phở Hà Nội (Hanoi)",
        "49 Bát Đàn, Hoàn Kiếm",
        "VN-HN",
        "HN-HOAN-KIEM",
        "Cửa Đông",
        "restaurant",
        Some(40),
        None,
    )
    .map_err(|e| StoreError::Other(e.to_string()))?;
    let owner = PhoneNumber::parse("+84900000000").map_err(|e| StoreError::Other(e.to_string()))?;
    let start = now.checked_sub(SignedDuration::from_hours(24 * i64::from(plan.days))).unwrap_or(now);
    let Some(qr_token) = sign(id, 0) else { return Ok(counts) };
    let hanoi = healthcode_store::Venue {
        id,
        qr_token,
        owner,
        profile,
        state: VenueState::Open,
        token_generation: 0,
        previous_generation_until: None,
        created_at: start,
    };
    store.create_venue(&hanoi).await?;
    counts.hanoi_venues = 1;
    let mut places = vec![hanoi.id];
    places.extend((0..plan.venue_count.min(20)).filter_map(|i| super::venue_of(plan, i, now, sign)).map(|v| v.id));
    for (holder, colour) in store.non_green_holders().await?.into_iter().take(TURNED_AWAY_PEOPLE) {
        let resident = match store.resident_by_holder(holder).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let since = store.status(resident.id).await?.map_or(start, |s| s.since.max(start));
        let span = now.duration_since(since).as_secs().max(1) as u64;
        for _ in 0..=rng.below(2) {
            let at = since.checked_add(SignedDuration::from_secs(rng.below(span) as i64)).unwrap_or(since);
            // Half of them at the Hanoi venue, the rest anywhere.
            let venue = if rng.unit() < 0.5 { places[0] } else { places[rng.below(places.len() as u64) as usize] };
            let attempt = AttemptedEntry {
                id: uuid::Uuid::from_bytes(ids(&mut rng).0),
                venue,
                resident: resident.id,
                at,
                colour,
                source: if rng.unit() < 0.3 { VisitSource::Staff } else { VisitSource::SelfScan },
            };
            store.record_attempt(&attempt).await?;
            counts.attempts += 1;
        }
    }
    Ok(counts)
}
