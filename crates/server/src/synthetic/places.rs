//! Synthetic venues and visits: Zipf popularity (s = 1.1), arrivals over the
//! day (07:00-22:00 local), log-normal stays with a 45-minute median capped at
//! the maximum stay (PERFORMANCE.md).

use healthcode_domain::random::SeededRng;
use healthcode_domain::{
    Colour, ExitKind, PhoneNumber, VenueCategory, VenueId, VenueProfile, VenueState, Visit, VisitId, VisitSource,
};
use healthcode_store::{BulkLoad, Store, StoreResult, Venue};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::{CityPlan, Sink, districts, ids, resident_id_of};

const ZIPF_S: f64 = 1.1;
const VENUE_STREAM: u64 = 0x5645_4e55_4553_0001;
const VISIT_STREAM: u64 = 0x5649_5349_5453_0001;

const NAMES: [&str; 10] =
    ["Phở", "Cà phê", "Siêu thị", "Nhà thuốc", "Văn phòng", "面馆", "超市", "Market", "Bakery", "Clinic"];

/// Signs a venue's token (the demo passes the deployment's active key).
pub type TokenSigner<'a> = &'a dyn Fn(VenueId, u32) -> Option<String>;

/// Synthetic venue `i` (owner `+8490` + seven digits; one owner per three venues).
pub fn venue_of(plan: &CityPlan, i: u32, now: Timestamp, sign: TokenSigner<'_>) -> Option<Venue> {
    let mut rng = SeededRng::for_item(plan.seed ^ VENUE_STREAM, u64::from(i));
    let all = districts();
    let district = &all[rng.below(all.len() as u64) as usize];
    let category = VenueCategory::ALL[rng.below(VenueCategory::ALL.len() as u64) as usize];
    let name = format!("{} {}", NAMES[rng.below(NAMES.len() as u64) as usize], i);
    let profile = VenueProfile::parse(
        &name,
        &format!("{} Synthetic Street", 1 + rng.below(400)),
        "CN-ZJ",
        district.as_str(),
        "",
        category.as_str(),
        Some(20 + u32::try_from(rng.below(300)).unwrap_or(0)),
        None,
    )
    .ok()?;
    let id = VenueId::from_bytes(ids(&mut rng).0);
    // Most places registered before the period; the newest seventh opened during it.
    let window = SignedDuration::from_hours(24 * i64::from(plan.days));
    let established = plan.venue_count - plan.venue_count / 7;
    let created_at = if i < established {
        now.checked_sub(window.checked_add(SignedDuration::from_hours(24))?).ok()?
    } else {
        now.checked_sub(SignedDuration::from_secs(rng.below(window.as_secs().max(1) as u64) as i64)).ok()?
    };
    Some(Venue {
        id,
        qr_token: sign(id, 0)?,
        owner: PhoneNumber::parse(&format!("+8490{:07}", i / 3)).ok()?,
        profile,
        state: VenueState::Open,
        token_generation: 0,
        previous_generation_until: None,
        created_at,
    })
}

/// Cumulative Zipf weights over venue ranks.
fn zipf_cdf(n: u32) -> Vec<f64> {
    let mut acc = 0.0;
    let mut cdf: Vec<f64> = (1..=n)
        .map(|k| {
            acc += 1.0 / f64::from(k).powf(ZIPF_S);
            acc
        })
        .collect();
    for c in &mut cdf {
        *c /= acc;
    }
    cdf
}

fn standard_normal(rng: &mut SeededRng) -> f64 {
    let (u1, u2) = (rng.unit().max(f64::MIN_POSITIVE), rng.unit());
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Visit `j` of day `d` (0 = the oldest day), starting at `day_start`, or
/// `None` if it would start in the future or before the venue was registered.
fn visit(
    plan: &CityPlan,
    venues: &[Venue],
    cdf: &[f64],
    (day_start, d, j): (Timestamp, u32, u32),
    now: Timestamp,
    id: VisitId,
) -> Option<Visit> {
    let mut rng = SeededRng::for_item(plan.seed ^ VISIT_STREAM, (u64::from(d) << 32) | u64::from(j));
    let u = rng.unit();
    let rank = cdf.partition_point(|c| *c < u).min(venues.len() - 1);
    let venue = &venues[rank];
    let resident = resident_id_of(plan, u32::try_from(rng.below(u64::from(plan.residents))).unwrap_or(0));
    // Arrivals between 07:00 and 22:00, denser around midday.
    let minutes_into_day = 7.0 * 60.0 + 15.0 * 60.0 * (rng.unit() + rng.unit()) / 2.0;
    let entered_at = day_start.checked_add(SignedDuration::from_secs((minutes_into_day * 60.0) as i64)).ok()?;
    if entered_at >= now || entered_at < venue.created_at {
        return None;
    }
    let stay_minutes = (45f64.ln() + 0.6 * standard_normal(&mut rng)).exp();
    let max_stay = SignedDuration::from_mins(i64::from(venue.profile.max_stay_minutes));
    let capped = stay_minutes >= max_stay.as_secs_f64() / 60.0;
    let stay = if capped { max_stay } else { SignedDuration::from_secs((stay_minutes * 60.0) as i64) };
    let exited_at = entered_at.checked_add(stay).ok()?.min(now);
    Some(Visit {
        id,
        resident,
        venue: venue.id,
        entered_at,
        exited_at: Some(exited_at),
        exit_kind: Some(if capped { ExitKind::Auto } else { ExitKind::Scan }),
        source: VisitSource::SelfScan,
        max_stay,
        colour: Colour::Green,
    })
}

/// Writes the city's venues and its days of visits; `progress(done, total)`
/// counts visits. Returns (venues, visits) written.
pub async fn seed_places(
    store: &dyn Store,
    plan: &CityPlan,
    tz: &TimeZone,
    now: Timestamp,
    sign: TokenSigner<'_>,
    progress: impl FnMut(u64, u64),
) -> StoreResult<(u32, u64)> {
    write_places(Sink::Store(store), plan, tz, now, sign, progress).await
}

/// [`seed_places`] through a bulk load: the same rows.
pub async fn seed_places_bulk(
    load: &mut dyn BulkLoad,
    plan: &CityPlan,
    tz: &TimeZone,
    now: Timestamp,
    sign: TokenSigner<'_>,
    progress: impl FnMut(u64, u64),
) -> StoreResult<(u32, u64)> {
    write_places(Sink::Bulk(load), plan, tz, now, sign, progress).await
}

async fn write_places(
    mut sink: Sink<'_>,
    plan: &CityPlan,
    tz: &TimeZone,
    now: Timestamp,
    sign: TokenSigner<'_>,
    mut progress: impl FnMut(u64, u64),
) -> StoreResult<(u32, u64)> {
    let venues: Vec<Venue> = (0..plan.venue_count).filter_map(|i| venue_of(plan, i, now, sign)).collect();
    for chunk in venues.chunks(sink.batch(1, 10_000)) {
        sink.venues(chunk).await?;
    }
    let venue_count = u32::try_from(venues.len()).unwrap_or(0);
    let batch_size = sink.batch(5_000, 50_000);
    // Every day of the period, then today so far.
    let total = (u64::from(plan.days) + 1) * u64::from(plan.daily_check_ins);
    let (plan, tz) = (*plan, tz.clone());
    // Made on a thread of their own while the batch before is written (see `made`).
    let (batches, mut ready) = tokio::sync::mpsc::channel(1);
    let making = tokio::task::spawn_blocking(move || {
        let cdf = zipf_cdf(u32::try_from(venues.len()).unwrap_or(1));
        let today = now.to_zoned(tz.clone()).date();
        let (mut written, mut done) = (0u64, 0u64);
        for d in 0..=u32::from(plan.days) {
            let back = i32::from(plan.days) - i32::try_from(d).unwrap_or(0);
            let date = today.checked_sub(jiff::Span::new().days(back)).unwrap_or(today);
            let Ok(day_start) = date.to_zoned(tz.clone()).map(|z| z.timestamp()) else { continue };
            let mut batch = Vec::with_capacity(batch_size);
            for j in 0..plan.daily_check_ins {
                // Numbered in the order written, as the SQLite store numbers
                // visits (it keeps no id column for them); any store takes them.
                let id = VisitId::from_number(written + batch.len() as u64 + 1);
                if let Some(v) = id.and_then(|id| visit(&plan, &venues, &cdf, (day_start, d, j), now, id)) {
                    batch.push(v);
                }
                done += 1;
                if batch.len() == batch_size || (j + 1 == plan.daily_check_ins && !batch.is_empty()) {
                    written += batch.len() as u64;
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
                    if batches.blocking_send((done, full)).is_err() {
                        return; // the writing stopped
                    }
                }
            }
        }
    });
    let mut written = 0u64;
    while let Some((done, batch)) = ready.recv().await {
        written += batch.len() as u64;
        sink.visits(&batch).await?;
        progress(done, total);
    }
    super::made(making).await?;
    progress(total, total);
    Ok((venue_count, written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popularity_is_skewed_stays_are_realistic_and_nothing_is_in_the_future() {
        let plan = CityPlan::new(5, 20_000, 2);
        let now = Timestamp::from_second(1_795_000_000).unwrap();
        let sign = |_: VenueId, _: u32| Some("test-token".to_string());
        let venues: Vec<Venue> = (0..plan.venue_count).filter_map(|i| venue_of(&plan, i, now, &sign)).collect();
        assert_eq!(venues.len(), 2_000);
        let cdf = zipf_cdf(2_000);
        let day_start = now.checked_sub(SignedDuration::from_hours(24)).unwrap();
        let numbered = |j: u32| VisitId::from_number(u64::from(j) + 1).unwrap();
        let visits: Vec<Visit> =
            (0..10_000).filter_map(|j| visit(&plan, &venues, &cdf, (day_start, 0, j), now, numbered(j))).collect();
        let top = visits.iter().filter(|v| v.venue == venues[0].id).count();
        assert!(top > 500, "the most popular venue gets a large share (Zipf): {top}");
        let mut stays: Vec<i64> =
            visits.iter().map(|v| v.exited_at.unwrap().duration_since(v.entered_at).as_secs() / 60).collect();
        stays.sort_unstable();
        let median = stays[stays.len() / 2];
        assert!((35..=55).contains(&median), "median stay {median} min");
        assert!(stays.iter().all(|m| *m <= 240));
        assert!(visits.iter().all(|v| v.entered_at < now && v.exited_at.unwrap() <= now));
        let again: Vec<Visit> =
            (0..100).filter_map(|j| visit(&plan, &venues, &cdf, (day_start, 0, j), now, numbered(j))).collect();
        assert_eq!(again[..], visits[..again.len()], "deterministic");
    }
}
