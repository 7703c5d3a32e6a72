//! `healthcode stats` on a seeded synthetic city: the three formats agree,
//! bad input is explained, and the export lands in the audit log.

use crate::{deployment, healthcode};
use serde_json::Value;

#[tokio::test]
async fn stats_prints_the_same_rows_as_table_csv_and_json() {
    let dir = deployment().await;
    let out = healthcode(&dir, &["demo", "--residents", "1000", "--no-serve", "--seed", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("confirmed cases"));

    let json = healthcode(&dir, &["stats", "--format", "json"]);
    assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(json["city"].as_array().unwrap().len(), 28, "the last 28 days by default");
    assert_eq!(rows.len() % 28, 0);
    let check_ins: i64 = rows.iter().map(|r| r["check_ins"].as_i64().unwrap()).sum();
    assert!(check_ins > 5_000, "the synthetic city checks in: {check_ins}");
    let cases: i64 = rows.iter().map(|r| r["cases_confirmed"].as_i64().unwrap()).sum();
    assert!(cases >= 14, "a case a day: {cases}");
    // Gate scans are seeded on past days too: the resumption chart is no flat zero before today.
    let city = json["city"].as_array().unwrap();
    let back_days = city.iter().filter(|d| d["employees_on_site"].as_i64().unwrap_or(0) > 0).count();
    assert!(back_days >= 3, "employees on site on several days, not only today: {back_days}");
    for d in city {
        let share = d["employees_back_share"].as_f64().unwrap_or(0.0);
        assert!((0.0..=1.0).contains(&share), "a share never passes 100 %: {d}");
    }

    let csv = healthcode(&dir, &["stats", "--format", "csv"]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let body: Vec<&str> = lines.collect();
    assert_eq!(body.len(), rows.len());
    let at = header.iter().position(|h| *h == "check_ins").unwrap();
    let csv_sum: i64 = body.iter().map(|l| l.split(',').nth(at).unwrap().parse::<i64>().unwrap()).sum();
    assert_eq!(csv_sum, check_ins);

    let table = healthcode(&dir, &["stats", "--district", "330102"]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.lines().next().unwrap().starts_with("day"), "{table}");
    assert_eq!(table.lines().filter(|l| l.contains(" 330102 ")).count(), 56, "28 rows and 28 city lines: {table}");

    let bad = healthcode(&dir, &["stats", "--from", "last-week"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("STATS_BAD_DATE"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );

    let audit = healthcode(&dir, &["audit", "verify"]);
    assert!(audit.status.success(), "{}", String::from_utf8_lossy(&audit.stderr));
}
