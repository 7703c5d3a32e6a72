//! The city dashboard: headline figures with the change from the day before,
//! time-series charts (vendored uPlot), a district table sortable by any
//! column, date range and district filters. Staff see every figure; anyone
//! else sees the public view with small counts hidden.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::api::stats::{StatsQuery, StatsReader, range_of};
use crate::services::stats::{self, DailyRow, DailyStats, Range};
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::pages::error_page;
use crate::web::view::{Headline, Page, StatsPage};

/// Columns of the district table: (row field, label key).
const TABLE: [(&str, &str); 16] = [
    ("check_ins", "stats.check_ins"),
    ("check_ins_7d_avg", "stats.avg7"),
    ("active_points", "stats.active_points"),
    ("total_points", "stats.total_points"),
    ("declarations", "stats.declarations"),
    ("symptomatic", "stats.symptomatic"),
    ("green", "stats.green"),
    ("yellow", "stats.yellow"),
    ("red", "stats.red"),
    ("cases_confirmed", "stats.cases"),
    ("exposed_close", "stats.exposed"),
    ("passages_allowed", "stats.passages_allowed"),
    ("passages_denied", "stats.passages_denied"),
    ("attempted_entries", "stats.attempted_entries"),
    ("enterprises_operating_share", "stats.enterprises_operating"),
    ("employees_back_share", "stats.employees_back"),
];

/// Headline figures: (row field, label key, colour class).
const HEADLINES: [(&str, &str, &str); 13] = [
    ("enterprises_operating_share", "stats.enterprises_operating", ""),
    ("employees_back_share", "stats.employees_back", ""),
    ("check_ins", "stats.check_ins", ""),
    ("active_points", "stats.active_points", ""),
    ("total_points", "stats.total_points", ""),
    ("declarations", "stats.declarations", ""),
    ("symptomatic", "stats.symptomatic", ""),
    ("green", "stats.green", "green"),
    ("yellow", "stats.yellow", "yellow"),
    ("red", "stats.red", "red"),
    ("cases_confirmed", "stats.cases", ""),
    ("passages_denied", "stats.passages_denied", ""),
    ("attempted_entries", "stats.attempted_entries", ""),
];

/// Series the charts draw, with their labels.
const SERIES: [(&str, &str); 13] = [
    ("check_ins", "stats.check_ins"),
    ("check_ins_7d_avg", "stats.avg7"),
    ("green", "stats.green"),
    ("yellow", "stats.yellow"),
    ("red", "stats.red"),
    ("declarations", "stats.declarations"),
    ("symptomatic", "stats.symptomatic"),
    ("clock_ins", "stats.clock_ins"),
    ("passages_allowed", "stats.passages_allowed"),
    ("passages_denied", "stats.passages_denied"),
    ("cases_confirmed", "stats.cases"),
    ("exposed_close", "stats.exposed"),
    ("attempted_entries", "stats.attempted_entries"),
];

/// The last day's checkpoint passages by kind: (kind label, in, out,
/// turned back in, turned back out), Hanoi's figures by post.
fn by_checkpoint_kind(city: &[Value], min_count: u32, lang: Lang) -> Vec<(String, [String; 4])> {
    let Some(last) = city.last() else { return Vec::new() };
    healthcode_domain::CheckpointKind::ALL
        .iter()
        .map(|k| {
            let k = k.as_str();
            let cell = |name: String| shown(&name, field(last, &name), min_count);
            (
                lang.t(&format!("scan.kind.{k}")).to_string(),
                [
                    cell(format!("passages_{k}_in")),
                    cell(format!("passages_{k}_out")),
                    cell(format!("turned_back_{k}_in")),
                    cell(format!("turned_back_{k}_out")),
                ],
            )
        })
        .collect()
}

/// The last day's breakdown: symptoms reported, and quarantine progress.
fn breakdown(city: &[Value], min_count: u32, lang: Lang) -> Vec<(String, String)> {
    let Some(last) = city.last() else { return Vec::new() };
    let symptoms = healthcode_domain::Symptom::ALL
        .iter()
        .map(|s| (lang.t(&format!("symptom.{}", s.as_str())).to_string(), format!("symptom_{}", s.as_str())));
    let quarantine = [
        ("stats.clock_ins", "clock_ins"),
        ("stats.quarantine_completed", "quarantine_completed"),
        ("stats.quarantine_restarted", "quarantine_restarted"),
        ("stats.became_yellow", "became_yellow"),
        ("stats.became_red", "became_red"),
    ]
    .into_iter()
    .map(|(label, name)| (lang.t(label).to_string(), name.to_string()));
    symptoms.chain(quarantine).map(|(label, name)| (label, shown(&name, field(last, &name), min_count))).collect()
}

/// The last day's declarations and people reporting symptoms by channel:
/// (channel label, declarations, reporting symptoms).
fn by_channel(city: &[Value], min_count: u32, lang: Lang) -> Vec<(String, String, String)> {
    let Some(last) = city.last() else { return Vec::new() };
    healthcode_domain::ReportChannel::ALL
        .iter()
        .map(|c| {
            let (decl, sympt) = (format!("declarations_{c}"), format!("symptomatic_{c}"));
            (
                lang.t(&format!("stats.channel.{c}")).to_string(),
                shown(&decl, field(last, &decl), min_count),
                shown(&sympt, field(last, &sympt), min_count),
            )
        })
        .collect()
}

/// The rows as JSON objects, made once per page, to read figures by name.
fn as_values(rows: &[DailyRow]) -> Vec<Value> {
    rows.iter().map(|r| serde_json::to_value(r).unwrap_or(Value::Null)).collect()
}

fn field<'a>(row: &'a Value, name: &str) -> &'a Value {
    row.get(name).unwrap_or(&Value::Null)
}

/// A figure for display: suppressed counts show as "<N", shares as percentages.
/// Without suppression (`min_count` 0 or 1) nothing is hidden, so a missing
/// figure is "—", never "<0".
fn shown(name: &str, v: &Value, min_count: u32) -> String {
    match v {
        Value::Null if name.ends_with("_share") || min_count <= 1 => "—".into(),
        Value::Null => format!("<{min_count}"),
        Value::Number(n) if name.ends_with("_share") => format!("{:.1} %", n.as_f64().unwrap_or(0.0) * 100.0),
        Value::Number(n) => n.as_i64().map_or_else(|| format!("{:.1}", n.as_f64().unwrap_or(0.0)), |i| i.to_string()),
        other => other.to_string(),
    }
}

fn headlines(city: &[Value], min_count: u32, lang: Lang) -> Vec<Headline> {
    let last = city.last();
    let before = city.len().checked_sub(2).and_then(|i| city.get(i));
    HEADLINES
        .iter()
        .map(|(name, label, class)| {
            let now = last.map_or(&Value::Null, |r| field(r, name));
            let prev = before.map_or(&Value::Null, |r| field(r, name));
            let change = match (now.as_i64(), prev.as_i64(), now.as_f64(), prev.as_f64()) {
                (Some(a), Some(b), _, _) if a != b => format!("{:+}", a - b),
                (Some(_), Some(_), _, _) => "±0".to_string(),
                (None, None, Some(a), Some(b)) => format!("{:+.1} pt", (a - b) * 100.0),
                _ => "—".to_string(),
            };
            Headline {
                label: lang.t(label).to_string(),
                // No day at all: nothing was suppressed, there is no figure.
                value: if last.is_some() { shown(name, now, min_count) } else { "—".to_string() },
                change,
                class: (*class).to_string(),
            }
        })
        .collect()
}

/// The chart data for the page's script: days, series and labels. `<` is
/// escaped so the JSON cannot close its `<script>` element.
fn chart_json(out: &DailyStats, city: &[Value], lang: Lang) -> String {
    let mut series = serde_json::Map::new();
    let mut labels = serde_json::Map::new();
    for (name, label) in SERIES {
        series.insert(name.into(), Value::Array(city.iter().map(|r| field(r, name).clone()).collect()));
        labels.insert(name.into(), Value::String(lang.t(label).into()));
    }
    let days: Vec<&str> = out.city.iter().map(|r| r.day.as_str()).collect();
    json!({ "days": days, "series": series, "labels": labels }).to_string().replace('<', "\\u003c")
}

/// `GET /stats`.
pub async fn dashboard(
    State(state): State<AppState>,
    lang: Lang,
    reader: StatsReader,
    Query(q): Query<StatsQuery>,
) -> Response {
    let today = state.clock.now().to_zoned(state.config.time_zone.clone()).date();
    let outcome = match range_of(&q, today) {
        Ok(range) => stats::daily(&state.stats_reader(), &range, reader.view(&state)).await.map(|o| (range, o)),
        Err(e) => Err(e),
    };
    let (range, out) = match outcome {
        Ok(v) => v,
        Err(e) => return error_page(lang, "/stats", false, &e),
    };
    let Range { from, to, district } = &range;
    let last_day = to.to_string();
    // Every day lists every district, so the last day's rows name them all once.
    let last_rows: Vec<&DailyRow> = out.rows.iter().filter(|r| r.day == last_day).collect();
    let regions = &state.config.regions;
    let named = |code: &str| regions.name(code, lang).to_owned();
    let districts: Vec<(String, String)> = last_rows.iter().map(|r| (r.district.clone(), named(&r.district))).collect();
    let table = last_rows
        .iter()
        .map(|r| {
            let row = serde_json::to_value(r).unwrap_or(Value::Null);
            let cells = TABLE
                .iter()
                .map(|(name, _)| {
                    let v = field(&row, name);
                    (shown(name, v, out.min_count), v.as_f64().map_or_else(|| "-1".into(), |f| f.to_string()))
                })
                .collect();
            (named(&r.district), cells)
        })
        .collect();
    let city = as_values(&out.city);
    let query =
        format!("from={from}&to={to}{}", district.as_deref().map(|d| format!("&district={d}")).unwrap_or_default());
    StatsPage {
        page: Page::new(lang, "/stats", false),
        authority: out.view == "authority",
        min_count: out.min_count,
        from: from.to_string(),
        to: to.to_string(),
        today: today.to_string(),
        district: district.clone().unwrap_or_default(),
        district_name: district.as_deref().map(named).unwrap_or_default(),
        districts,
        headlines: headlines(&city, out.min_count, lang),
        breakdown: breakdown(&city, out.min_count, lang),
        channels: by_channel(&city, out.min_count, lang),
        checkpoint_kinds: by_checkpoint_kind(&city, out.min_count, lang),
        top_districts: out
            .top_check_in_districts
            .iter()
            .map(|r| (r.rank, named(&r.district), r.check_ins.to_string()))
            .collect(),
        columns: TABLE.iter().map(|(_, label)| lang.t(label).to_string()).collect(),
        table,
        chart_data: chart_json(&out, &city, lang),
        query,
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    #[test]
    fn a_missing_figure_is_never_shown_as_below_zero() {
        assert_eq!(super::shown("declarations", &Value::Null, 0), "—");
        assert_eq!(super::shown("declarations", &Value::Null, 5), "<5");
        assert_eq!(super::shown("employees_back_share", &Value::Null, 5), "—");
        assert_eq!(super::shown("declarations", &json!(7), 0), "7");
        let none = super::headlines(&[], 5, crate::web::i18n::Lang::En);
        assert!(none.iter().all(|h| h.value == "—"), "no day, no figure");
    }
}
