//! `healthcode stats --from --to [--district] [--format table|csv|json]`:
//! the daily statistics in the terminal, every figure (the operator reads
//! the authority view; the export is audited like one from the API).

use anyhow::Result;
use healthcode_server::api::stats::{StatsQuery, range_of};
use healthcode_server::services::stats::{self, DailyRow, View};
use healthcode_server::services::{audit, stats::LiveCache};
use std::process::ExitCode;

use crate::settings::{CommonArgs, build};

/// How to print the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A few headline columns per day and district, then the city.
    Table,
    /// Every column, one line per day and district.
    Csv,
    /// Every column, rows and city lines.
    Json,
}

pub async fn run(common: CommonArgs, query: StatsQuery, format: Format) -> Result<ExitCode> {
    let config = build(&common)?;
    let store = healthcode_server::open_store_with(&config.database_url, &config.postgres).await?;
    let now = super::system_clock().now();
    let today = now.to_zoned(config.time_zone.clone()).date();
    let range = range_of(&query, today).map_err(|e| anyhow::anyhow!("{e}"))?;
    let cache = LiveCache::default();
    let reader = stats::Reader {
        store: store.as_ref(),
        cache: &cache,
        now,
        tz: &config.time_zone,
        live_ttl: config.stats_live_ttl,
    };
    let out = stats::daily(&reader, &range, View::Authority).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let detail = format!("{format:?} {}..{} district={}", out.from, out.to, range.district.as_deref().unwrap_or("all"));
    let (actor, exported) = (healthcode_store::AuditActor::Cli, healthcode_store::AuditAction::StatsExported);
    audit::append(store.as_ref(), &audit::entry_at(now, actor, exported, "", &detail.to_lowercase())).await?;
    match format {
        Format::Csv => {
            let name_of = |d: &str| config.regions.name(d, healthcode_server::web::i18n::Lang::En).to_owned();
            print!("{}", stats::to_csv(&out.rows, &name_of))
        }
        Format::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        Format::Table => print_table(&out.rows, &out.city),
    }
    Ok(ExitCode::SUCCESS)
}

const TABLE: [&str; 12] = [
    "check-ins",
    "7d avg",
    "active",
    "points",
    "declared",
    "symptoms",
    "green",
    "yellow",
    "red",
    "cases",
    "allowed",
    "denied",
];

fn table_cells(r: &DailyRow) -> Vec<String> {
    let n = |v: Option<i64>| v.map_or_else(|| "-".into(), |v| v.to_string());
    vec![
        n(r.check_ins),
        r.check_ins_7d_avg.map_or_else(|| "-".into(), |v| format!("{v:.1}")),
        n(r.active_points),
        n(r.total_points),
        n(r.declarations),
        n(r.symptomatic),
        n(r.green),
        n(r.yellow),
        n(r.red),
        n(r.cases_confirmed),
        n(r.passages_allowed),
        n(r.passages_denied),
    ]
}

fn print_table(rows: &[DailyRow], city: &[DailyRow]) {
    let width = rows.iter().chain(city).map(|r| r.district.len()).max().unwrap_or(8).max(8);
    let header: Vec<String> = TABLE.iter().map(|h| format!("{h:>9}")).collect();
    println!("{:<10} {:<width$} {}", "day", "district", header.join(" "));
    for r in rows.iter().chain(city) {
        let cells: Vec<String> = table_cells(r).iter().map(|c| format!("{c:>9}")).collect();
        println!("{:<10} {:<width$} {}", r.day, r.district, cells.join(" "));
    }
}
