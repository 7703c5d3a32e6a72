//! Conversions between rows and domain values.

use healthcode_domain::{Colour, HealthStatus, Quarantine, ResidentId};
use healthcode_store::{StoreError, StoreResult};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

pub(crate) fn ms(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub(crate) fn ts(ms: i64) -> StoreResult<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| corrupt(format!("timestamp {ms}: {e}")))
}

pub(crate) fn date_text(d: Date) -> String {
    d.to_string()
}

pub(crate) fn date(s: &str) -> StoreResult<Date> {
    s.parse().map_err(|e| corrupt(format!("date {s}: {e}")))
}

pub(crate) fn opt_date(s: Option<String>) -> StoreResult<Option<Date>> {
    s.as_deref().map(date).transpose()
}

pub(crate) fn corrupt(what: String) -> StoreError {
    StoreError::Other(format!("stored value unreadable: {what}"))
}

pub(crate) fn json<T: Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(format!("encoding JSON: {e}")))
}

pub(crate) fn from_json<T: DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| corrupt(format!("JSON {e}")))
}

pub(crate) fn get<'r, T>(row: &'r SqliteRow, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(col).map_err(|e| corrupt(format!("column {col}: {e}")))
}

pub(crate) fn resident_id(bytes: &[u8]) -> StoreResult<ResidentId> {
    <[u8; 16]>::try_from(bytes).map(ResidentId::from_bytes).map_err(|_| corrupt("resident id".into()))
}

pub(crate) fn colour(s: &str) -> StoreResult<Colour> {
    s.parse().map_err(|_| corrupt(format!("colour {s}")))
}

pub(crate) fn status_from_row(row: &SqliteRow) -> StoreResult<HealthStatus> {
    let basis_kind: String = get(row, "basis_kind")?;
    let policy_version: String = get(row, "policy_version")?;
    let basis = match basis_kind.as_str() {
        "rule" => healthcode_domain::Basis::Rule { rule_id: get(row, "rule_id")?, policy_version },
        "no_rule_matched" => healthcode_domain::Basis::NoRuleMatched { policy_version },
        "override" => healthcode_domain::Basis::Override { reason_code: get(row, "rule_id")?, policy_version },
        other => return Err(corrupt(format!("basis kind {other}"))),
    };
    let required: Option<i64> = get(row, "q_required_days")?;
    let quarantine = match required {
        Some(required) => Some(Quarantine {
            required_days: u16::try_from(required).map_err(|_| corrupt("required days".into()))?,
            streak: u16::try_from(get::<i64>(row, "q_streak")?).map_err(|_| corrupt("streak".into()))?,
            started_on: date(&get::<String>(row, "q_started_on")?)?,
            last_counted_on: opt_date(get(row, "q_last_counted_on")?)?,
        }),
        None => None,
    };
    Ok(HealthStatus {
        resident: resident_id(&get::<Vec<u8>>(row, "resident_id")?)?,
        colour: colour(&get::<String>(row, "colour")?)?,
        since: ts(get(row, "since")?)?,
        basis,
        quarantine,
        last_report_on: opt_date(get(row, "last_report_on")?)?,
        version: get(row, "version")?,
    })
}
