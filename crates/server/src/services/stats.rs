//! The city's daily statistics, per day and district.
//!
//! Closed days are counted once from the raw rows into compact rollups
//! (`stat_rollups`: day × district × metric), so the dashboard reads a few
//! thousand small rows however large the city grows, and keeps its figures
//! after retention deletes the raw rows. Today is counted live from the raw
//! rows and cached for `stats_live_ttl`. Running totals and the 7-day average
//! are derived when a range is read; nothing here needs a name or a phone.
//!
//! The public view hides every count between 1 and `min_count - 1` (and any
//! figure derived from one), so nobody can be singled out.

use healthcode_store::{NO_DISTRICT, StatCell, StatDay, Store, StoreError, StoreResult, metric};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use utoipa::ToSchema;

use crate::error::ApiError;

/// The longest range one request may ask for.
pub const MAX_RANGE_DAYS: i32 = 366;
/// Before any statistics.
const EARLIEST_DAY: Date = jiff::civil::date(1970, 1, 1);
/// Days before a range that the 7-day average needs.
pub const AVERAGE_DAYS: i32 = 7;
/// Closed days are counted again this many days after they end, so late
/// arrivals (offline passages synced the next day) are included.
pub const RECOUNT_DAYS: i32 = 2;

/// Who reads: the public view suppresses small counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Public { min_count: u32 },
    Authority,
}

impl View {
    pub fn name(self) -> &'static str {
        match self {
            View::Public { .. } => "public",
            View::Authority => "authority",
        }
    }
}

/// What to read: an inclusive range of local days and an optional district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub from: Date,
    pub to: Date,
    pub district: Option<String>,
}

macro_rules! daily_row {
    (counts: [$($count:ident),* $(,)?], ratios: [$($ratio:ident),* $(,)?] $(,)?) => {
        /// One day in one district (or the whole city, district `ALL`). A
        /// `null` figure is suppressed in the public view (fewer than the
        /// threshold, but not zero).
        #[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
        pub struct DailyRow {
            /// The local day, `YYYY-MM-DD`.
            pub day: String,
            pub district: String,
            $(pub $count: Option<i64>,)*
            $(pub $ratio: Option<f64>,)*
        }

        impl DailyRow {
            /// Every column, in order (the CSV header).
            pub const COLUMNS: &[&str] = &["day", "district", $(stringify!($count),)* $(stringify!($ratio),)*];

            fn count_mut(&mut self, name: &str) -> Option<&mut Option<i64>> {
                match name {
                    $(stringify!($count) => Some(&mut self.$count),)*
                    _ => None,
                }
            }

            fn counts_mut(&mut self) -> Vec<&mut Option<i64>> {
                vec![$(&mut self.$count,)*]
            }

            fn add(&mut self, other: &DailyRow) {
                $(self.$count = Some(self.$count.unwrap_or(0) + other.$count.unwrap_or(0));)*
                $(self.$ratio = match (self.$ratio, other.$ratio) {
                    (None, None) => None,
                    (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
                };)*
            }

            /// The row as CSV cells, in [`Self::COLUMNS`] order (suppressed: empty).
            pub fn csv_cells(&self) -> Vec<String> {
                let mut cells = vec![self.day.clone(), self.district.clone()];
                $(cells.push(self.$count.map(|v| v.to_string()).unwrap_or_default());)*
                $(cells.push(self.$ratio.map(|v| v.to_string()).unwrap_or_default());)*
                cells
            }
        }
    };
}

daily_row! {
    counts: [
        new_points, total_points, active_points, check_ins,
        declarations, declarations_total, clock_ins,
        declarations_web, declarations_app, declarations_staff_assisted, declarations_hotline_import,
        symptomatic_web, symptomatic_app, symptomatic_staff_assisted, symptomatic_hotline_import,
        symptomatic, symptom_fever, symptom_cough, symptom_difficulty_breathing, symptom_fatigue,
        symptom_sore_throat, symptom_loss_of_taste_smell,
        green, yellow, red, became_green, became_yellow, became_red,
        quarantine_completed, quarantine_restarted,
        cases_confirmed, cases_suspected, exposed_close, exposed_secondary,
        passages_allowed, passages_denied,
        passages_national_highway_in, passages_national_highway_out,
        passages_provincial_border_in, passages_provincial_border_out,
        passages_station_in, passages_station_out, passages_airport_in, passages_airport_out,
        passages_other_in, passages_other_out,
        turned_back_national_highway_in, turned_back_national_highway_out,
        turned_back_provincial_border_in, turned_back_provincial_border_out,
        turned_back_station_in, turned_back_station_out, turned_back_airport_in, turned_back_airport_out,
        turned_back_other_in, turned_back_other_out,
        attempted_entries,
        enterprises_approved, enterprises_operating, employees, employees_on_site,
    ],
    ratios: [check_ins_7d_avg, enterprises_operating_share, employees_back_share],
}

/// The rows of a range: one per day and district, and the city's per day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DailyStats {
    pub from: String,
    pub to: String,
    /// `public` or `authority`.
    pub view: &'static str,
    /// In the public view, counts from 1 to this minus one are `null`.
    pub min_count: u32,
    /// By day, then district.
    pub rows: Vec<DailyRow>,
    /// The whole city (or the chosen district) by day.
    pub city: Vec<DailyRow>,
    /// The districts with the most check-ins on the range's last day, most
    /// first (ties by code), at most [`TOP_DISTRICTS`]; districts with none,
    /// or with a count the public view hides, are left out.
    pub top_check_in_districts: Vec<DistrictRank>,
}

/// How many districts the check-in ranking names.
pub const TOP_DISTRICTS: usize = 10;

/// A district's place in the day's check-in ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DistrictRank {
    /// 1 for the most check-ins; equal counts share no rank (ties by code).
    pub rank: u32,
    pub district: String,
    pub check_ins: i64,
}

/// The districts with the most check-ins on `day`, from its rows.
fn ranked_by_check_ins(rows: &[DailyRow], day: &str) -> Vec<DistrictRank> {
    let mut day_rows: Vec<(&str, i64)> = rows
        .iter()
        .filter(|r| r.day == day)
        .filter_map(|r| r.check_ins.filter(|n| *n > 0).map(|n| (r.district.as_str(), n)))
        .collect();
    day_rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    day_rows
        .into_iter()
        .take(TOP_DISTRICTS)
        .zip(1..)
        .map(|((district, check_ins), rank)| DistrictRank { rank, district: district.to_string(), check_ins })
        .collect()
}

/// Today's live counts, cached for a short while.
#[derive(Debug, Default)]
pub struct LiveCache {
    slot: Mutex<Option<(Date, Timestamp, Vec<StatCell>)>>,
}

/// The local day `day` as instants in `tz`.
fn bounds(day: Date, tz: &TimeZone) -> StoreResult<(Timestamp, Timestamp)> {
    let zoned =
        |d: Date| d.to_zoned(tz.clone()).map(|z| z.timestamp()).map_err(|e| StoreError::Other(format!("day {d}: {e}")));
    let next = day.tomorrow().map_err(|e| StoreError::Other(e.to_string()))?;
    Ok((zoned(day)?, zoned(next)?))
}

fn days(from: Date, to: Date) -> impl Iterator<Item = Date> {
    from.series(1.day()).take_while(move |d| *d <= to)
}

fn shift(day: Date, by: i32) -> Date {
    day.checked_add(by.days()).unwrap_or(day)
}

/// Whether a rollup pass counts again the last closed days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recount {
    /// The last [`RECOUNT_DAYS`] closed days, for late arrivals.
    Recent,
    /// Only days never rolled up.
    Missing,
}

/// Rolls up every closed day not yet rolled since the first activity, and
/// counts again the last [`RECOUNT_DAYS`] closed days. Returns how many days
/// it counted. Run by the server every few minutes and before retention.
pub async fn roll_closed_days(store: &dyn Store, now: Timestamp, tz: &TimeZone) -> StoreResult<usize> {
    roll(store, now, tz, Recount::Recent).await
}

/// Rolls up the closed days that are missing (not recounting), so a read is
/// complete even before the background job has run.
async fn ensure_rolled(store: &dyn Store, now: Timestamp, tz: &TimeZone) -> StoreResult<()> {
    roll(store, now, tz, Recount::Missing).await.map(|_| ())
}

async fn roll(store: &dyn Store, now: Timestamp, tz: &TimeZone, recount: Recount) -> StoreResult<usize> {
    let today = now.to_zoned(tz.clone()).date();
    let Ok(yesterday) = today.yesterday() else {
        return Ok(0);
    };
    let rolled: BTreeSet<Date> = store.rolled_days(EARLIEST_DAY, yesterday).await?.into_iter().collect();
    // Statistics begin at the first rolled-up day; before any, at the day of
    // the first activity (a scan of the people and venues, done once).
    let first = match rolled.first() {
        Some(day) => *day,
        None => match store.first_activity().await? {
            Some(t) => t.to_zoned(tz.clone()).date().min(yesterday),
            None => return Ok(0),
        },
    };
    let recount_from = match recount {
        Recount::Recent => shift(today, -RECOUNT_DAYS),
        Recount::Missing => today,
    };
    let mut counted = 0;
    for day in days(first, yesterday) {
        if rolled.contains(&day) && day < recount_from {
            continue;
        }
        let (start, end) = bounds(day, tz)?;
        let cells = store.count_day(&StatDay { day, start, end }).await?;
        match store.put_rollup(day, &cells, now).await {
            // Someone else rolled the same day at the same moment: theirs stands.
            Ok(()) | Err(StoreError::Conflict(_)) => counted += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(counted)
}

/// Rolls up closed days every five minutes (first at startup), and counts
/// today afresh every half `stats_live_ttl`, so no reader waits for it.
pub fn spawn_rollups(state: crate::state::AppState) {
    let roller = state.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            if !crate::services::jobs::leads(&roller, crate::services::jobs::ROLLUPS).await {
                continue;
            }
            let now = roller.clock.now();
            match roll_closed_days(roller.store.as_ref(), now, &roller.config.time_zone).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(days = n, "statistics rolled up"),
                Err(e) => tracing::error!(error = %e, "statistics rollup failed; will retry"),
            }
        }
    });
    let ttl = state.config.stats_live_ttl;
    if ttl.is_zero() {
        return;
    }
    let every = std::time::Duration::from_millis((ttl.as_millis() / 2).clamp(5_000, 3_600_000) as u64);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let (now, tz) = (state.clock.now(), &state.config.time_zone);
            if let Err(e) = refresh_today(state.store.as_ref(), &state.live_stats, now, tz).await {
                tracing::error!(error = %e, "counting today's statistics failed; will retry");
            }
        }
    });
}

/// Counts today so far into the cache.
async fn refresh_today(
    store: &dyn Store,
    cache: &LiveCache,
    now: Timestamp,
    tz: &TimeZone,
) -> StoreResult<Vec<StatCell>> {
    let today = now.to_zoned(tz.clone()).date();
    let (start, _) = bounds(today, tz)?;
    let cells = store.count_day(&StatDay { day: today, start, end: now }).await?;
    if let Ok(mut slot) = cache.slot.lock() {
        *slot = Some((today, now, cells.clone()));
    }
    Ok(cells)
}

/// Today's counts so far: from the cache when fresher than `ttl`.
async fn live_today(
    store: &dyn Store,
    cache: &LiveCache,
    now: Timestamp,
    tz: &TimeZone,
    ttl: SignedDuration,
) -> StoreResult<Vec<StatCell>> {
    let today = now.to_zoned(tz.clone()).date();
    if let Ok(slot) = cache.slot.lock()
        && let Some((day, at, cells)) = slot.as_ref()
        && *day == today
        && now.duration_since(*at) < ttl
    {
        return Ok(cells.clone());
    }
    refresh_today(store, cache, now, tz).await
}

/// Where and how a read runs.
pub struct Reader<'a> {
    pub store: &'a dyn Store,
    pub cache: &'a LiveCache,
    pub now: Timestamp,
    pub tz: &'a TimeZone,
    pub live_ttl: SignedDuration,
}

/// Checks a requested range against today: `to` may not pass today, `from`
/// may not pass `to`, and a range holds at most [`MAX_RANGE_DAYS`].
pub fn check_range(range: &Range, today: Date) -> Result<(), ApiError> {
    if range.from > range.to {
        return Err(ApiError::bad_input("STATS_BAD_RANGE", "'from' must not be after 'to'"));
    }
    if range.to > today {
        return Err(ApiError::bad_input("STATS_RANGE_IN_FUTURE", format!("'to' must not be after today ({today})")));
    }
    if shift(range.from, MAX_RANGE_DAYS) <= range.to {
        return Err(ApiError::bad_input(
            "STATS_RANGE_TOO_LONG",
            format!("a range holds at most {MAX_RANGE_DAYS} days; ask for less"),
        ));
    }
    if let Some(d) = &range.district
        && d != NO_DISTRICT
    {
        healthcode_domain::DistrictCode::parse(d)?;
    }
    Ok(())
}

/// Reads a range: rolled-up closed days plus, when the range reaches today,
/// today's live counts.
pub async fn daily(reader: &Reader<'_>, range: &Range, view: View) -> Result<DailyStats, ApiError> {
    let today = reader.now.to_zoned(reader.tz.clone()).date();
    check_range(range, today)?;
    ensure_rolled(reader.store, reader.now, reader.tz).await?;
    let lead_from = shift(range.from, -(AVERAGE_DAYS - 1));
    let mut cells = reader.store.rollups(lead_from, range.to).await?;
    if range.to == today {
        cells.extend(live_today(reader.store, reader.cache, reader.now, reader.tz, reader.live_ttl).await?);
    }
    let before = reader.store.rollup_sums_before(range.from).await?;
    let keep = |district: &str| range.district.as_deref().is_none_or(|d| d == district);
    cells.retain(|c| keep(&c.district));
    let (mut rows, mut city) = build(range, &cells, before.iter().filter(|c| keep(&c.district)));
    if let View::Public { min_count } = view {
        rows.iter_mut().chain(city.iter_mut()).for_each(|r| suppress(r, i64::from(min_count)));
    }
    let min_count = match view {
        View::Public { min_count } => min_count,
        View::Authority => 0,
    };
    let top_check_in_districts = ranked_by_check_ins(&rows, &range.to.to_string());
    Ok(DailyStats {
        from: range.from.to_string(),
        to: range.to.to_string(),
        view: view.name(),
        min_count,
        rows,
        city,
        top_check_in_districts,
    })
}

/// Running totals: (daily metric, the column that sums it over every day so far).
const RUNNING_TOTALS: [(&str, &str); 5] = [
    (metric::NEW_POINTS, "total_points"),
    (metric::DECLARATIONS, "declarations_total"),
    ("net_green", "green"),
    ("net_yellow", "yellow"),
    ("net_red", "red"),
];

/// Turns cells into rows: every day of the range × every district seen, zero
/// where nothing happened; running totals start from the sums before `from`.
fn build<'c>(
    range: &Range,
    cells: &[StatCell],
    before: impl Iterator<Item = &'c StatCell>,
) -> (Vec<DailyRow>, Vec<DailyRow>) {
    let mut totals: HashMap<(String, &str), i64> = HashMap::new();
    let mut districts: BTreeSet<String> = BTreeSet::new();
    for c in before {
        if let Some((_, total)) = RUNNING_TOTALS.iter().find(|(m, _)| *m == c.metric) {
            districts.insert(c.district.clone());
            *totals.entry((c.district.clone(), total)).or_default() += c.value;
        }
    }
    let mut by_day: HashMap<(Date, &str), HashMap<&str, i64>> = HashMap::new();
    for c in cells {
        if c.day >= range.from {
            districts.insert(c.district.clone());
        }
        *by_day.entry((c.day, c.district.as_str())).or_default().entry(c.metric.as_str()).or_default() += c.value;
    }
    let value = |day: Date, district: &str, metric: &str| -> i64 {
        by_day.get(&(day, district)).and_then(|m| m.get(metric)).copied().unwrap_or(0)
    };
    let mut rows = Vec::new();
    let mut city = Vec::new();
    for day in days(range.from, range.to) {
        let mut whole = DailyRow { day: day.to_string(), district: "ALL".into(), ..DailyRow::default() };
        for district in &districts {
            let mut row = DailyRow { day: day.to_string(), district: district.clone(), ..DailyRow::default() };
            row.counts_mut().into_iter().for_each(|v| *v = Some(0));
            for (metric, v) in by_day.get(&(day, district.as_str())).into_iter().flatten() {
                if let Some(slot) = row.count_mut(metric) {
                    *slot = Some(*v);
                }
            }
            for (daily, total) in RUNNING_TOTALS {
                let running = totals.entry((district.clone(), total)).or_default();
                *running += value(day, district, daily);
                if let Some(slot) = row.count_mut(total) {
                    *slot = Some(*running);
                }
            }
            let week: i64 = (0..AVERAGE_DAYS).map(|back| value(shift(day, -back), district, metric::CHECK_INS)).sum();
            row.check_ins_7d_avg = Some(round2(week as f64 / f64::from(AVERAGE_DAYS)));
            whole.add(&row);
            row.set_shares();
            rows.push(row);
        }
        if let Some(avg) = whole.check_ins_7d_avg {
            whole.check_ins_7d_avg = Some(round2(avg));
        }
        whole.set_shares();
        if let Some(d) = &range.district {
            whole.district = d.clone();
        }
        city.push(whole);
    }
    (rows, city)
}

impl DailyRow {
    /// The shares of enterprises operating and employees back at work, from
    /// the counts, as fractions from 0 to 1 rounded to 0.001 (`None` when
    /// there is nothing to divide by). `enterprises_operating_share` =
    /// approved enterprises with at least one employee scanned at the gate
    /// that day / enterprises approved by the end of the day;
    /// `employees_back_share` = roster lines scanned at their enterprise's
    /// gate that day / roster lines accepted and not removed at the end of the
    /// day. Each part is counted within its whole, so neither passes 1.
    fn set_shares(&mut self) {
        let share = |part: Option<i64>, whole: Option<i64>| match (part, whole) {
            (Some(p), Some(w)) if w > 0 => Some((p as f64 / w as f64 * 1000.0).round() / 1000.0),
            _ => None,
        };
        self.enterprises_operating_share = share(self.enterprises_operating, self.enterprises_approved);
        self.employees_back_share = share(self.employees_on_site, self.employees);
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Hides counts from 1 to `min - 1`, and a 7-day average whose week sum is
/// one of those.
fn suppress(row: &mut DailyRow, min: i64) {
    let small = |v: i64| v > 0 && v < min;
    if let Some(avg) = row.check_ins_7d_avg
        && small((avg * f64::from(AVERAGE_DAYS)).round() as i64)
    {
        row.check_ins_7d_avg = None;
    }
    // A share of a small whole, or a small part of one, would single people out.
    if row.enterprises_approved.is_none_or(|w| w < min) || row.enterprises_operating.is_some_and(small) {
        row.enterprises_operating_share = None;
    }
    if row.employees.is_none_or(|w| w < min) || row.employees_on_site.is_some_and(small) {
        row.employees_back_share = None;
    }
    for v in row.counts_mut() {
        if v.is_some_and(small) {
            *v = None;
        }
    }
}

/// The rows as CSV (RFC 4180; districts are codes, so nothing needs quoting
/// but a stray comma or quote is quoted anyway).
/// The rows as CSV: [`DailyRow::COLUMNS`] with `district_name` (the district's
/// name from `name_of`, e.g. the region catalogue) after `district`.
pub fn to_csv(rows: &[DailyRow], name_of: &dyn Fn(&str) -> String) -> String {
    let mut header: Vec<&str> = DailyRow::COLUMNS.to_vec();
    header.insert(2, "district_name");
    let mut out = header.join(",");
    out.push_str("\r\n");
    for row in rows {
        let mut cells = row.csv_cells();
        cells.insert(2, name_of(&row.district));
        let cells: Vec<String> = cells
            .into_iter()
            .map(|c| if c.contains([',', '"', '\n']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cell(day: Date, district: &str, metric: &str, value: i64) -> StatCell {
        StatCell { day, district: district.into(), metric: metric.into(), value }
    }

    #[test]
    fn zero_days_and_the_average_at_the_range_edge() {
        let range = Range { from: date(2026, 11, 10), to: date(2026, 11, 12), district: None };
        // 14 check-ins six days before the range count toward its first average.
        let cells = vec![
            cell(date(2026, 11, 4), "D1", metric::CHECK_INS, 14),
            cell(date(2026, 11, 12), "D1", metric::CHECK_INS, 7),
        ];
        let (rows, city) = build(&range, &cells, std::iter::empty());
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].check_ins, Some(0));
        assert_eq!(rows[0].check_ins_7d_avg, Some(2.0));
        assert_eq!(rows[1].check_ins_7d_avg, Some(0.0));
        assert_eq!(rows[2].check_ins_7d_avg, Some(1.0));
        assert_eq!(city[2].check_ins, Some(7));
    }

    #[test]
    fn running_totals_start_from_the_sums_before() {
        let range = Range { from: date(2026, 11, 10), to: date(2026, 11, 11), district: None };
        let before = [cell(date(2026, 11, 10), "D1", metric::NEW_POINTS, 40)];
        let cells = vec![cell(date(2026, 11, 11), "D1", metric::NEW_POINTS, 2)];
        let (rows, _) = build(&range, &cells, before.iter());
        assert_eq!(rows[0].total_points, Some(40));
        assert_eq!(rows[1].total_points, Some(42));
        assert_eq!(rows[1].new_points, Some(2));
    }

    #[test]
    fn small_counts_are_hidden_but_zero_is_not() {
        let mut row = DailyRow { check_ins: Some(3), green: Some(0), red: Some(5), ..DailyRow::default() };
        row.check_ins_7d_avg = Some(round2(3.0 / 7.0));
        suppress(&mut row, 5);
        assert_eq!((row.check_ins, row.green, row.red, row.check_ins_7d_avg), (None, Some(0), Some(5), None));
    }

    #[test]
    fn districts_are_ranked_by_the_last_day_s_check_ins() {
        let row = |day: &str, district: &str, n: Option<i64>| DailyRow {
            day: day.into(),
            district: district.into(),
            check_ins: n,
            ..DailyRow::default()
        };
        let rows = vec![
            row("2026-11-10", "D1", Some(90)),
            row("2026-11-11", "D1", Some(4)),
            row("2026-11-11", "D2", Some(12)),
            row("2026-11-11", "D3", Some(0)),
            row("2026-11-11", "D4", None),
            row("2026-11-11", "D0", Some(12)),
        ];
        let ranked = ranked_by_check_ins(&rows, "2026-11-11");
        let got: Vec<(u32, &str, i64)> = ranked.iter().map(|r| (r.rank, r.district.as_str(), r.check_ins)).collect();
        assert_eq!(got, vec![(1, "D0", 12), (2, "D2", 12), (3, "D1", 4)]);
        let many: Vec<DailyRow> = (0..15).map(|i| row("2026-11-11", &format!("D{i:02}"), Some(i + 1))).collect();
        let top = ranked_by_check_ins(&many, "2026-11-11");
        assert_eq!((top.len(), top[0].district.as_str(), top[9].check_ins), (TOP_DISTRICTS, "D14", 6));
    }

    #[test]
    fn shares_never_pass_one_and_need_a_whole() {
        let mut row = DailyRow {
            enterprises_approved: Some(20),
            enterprises_operating: Some(19),
            employees: Some(0),
            employees_on_site: Some(0),
            ..DailyRow::default()
        };
        row.set_shares();
        assert_eq!((row.enterprises_operating_share, row.employees_back_share), (Some(0.95), None));
    }

    #[test]
    fn csv_has_a_header_and_one_line_per_row() {
        let rows = vec![DailyRow { day: "2026-11-10".into(), district: "D1".into(), ..DailyRow::default() }];
        let csv = to_csv(&rows, &|d| format!("name of {d}"));
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].split(',').count(), lines[1].split(',').count());
        assert!(lines[0].starts_with("day,district,district_name,new_points"));
        assert!(lines[1].starts_with("2026-11-10,D1,name of D1,"));
    }
}
