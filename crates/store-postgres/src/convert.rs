//! Conversions between rows and domain values, and the wire codecs sqlx lacks
//! for jiff: [`PgTime`] (`timestamptz`) and [`PgDate`] (`date`).

use healthcode_domain::{Basis, Colour, HealthStatus, Quarantine, ResidentId};
use healthcode_store::{StoreError, StoreResult};
use jiff::civil::Date;
use jiff::{Span, Timestamp};
use serde::de::DeserializeOwned;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgRow, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::types::Json;
use sqlx::{Decode, Encode, Postgres, Row, Type};
use uuid::Uuid;

/// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
const PG_EPOCH_DATE: Date = jiff::civil::date(2000, 1, 1);

/// A `timestamptz`, sent and read in the binary format (microseconds since
/// 2000-01-01 UTC): exact to the microsecond, sub-microseconds truncated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PgTime(pub Timestamp);

impl Type<Postgres> for PgTime {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(1184)) // timestamptz
    }
}

impl Encode<'_, Postgres> for PgTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let micros = self.0.as_microsecond().checked_sub(PG_EPOCH_MICROS).ok_or("timestamp out of range")?;
        Encode::<Postgres>::encode(micros, buf)
    }
}

impl<'r> Decode<'r, Postgres> for PgTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let micros: i64 = Decode::<Postgres>::decode(value)?;
                let unix = micros.checked_add(PG_EPOCH_MICROS).ok_or("infinite timestamp")?;
                Ok(Self(Timestamp::from_microsecond(unix)?))
            }
            // `2026-11-02 10:00:00.5+00` (ISO DateStyle; the zone is the session's).
            PgValueFormat::Text => Ok(Self(value.as_str()?.parse()?)),
        }
    }
}

/// A `date`, sent and read in the binary format (days since 2000-01-01).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PgDate(pub Date);

impl Type<Postgres> for PgDate {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(1082)) // date
    }
}

impl Encode<'_, Postgres> for PgDate {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let days: i32 = self.0.since(PG_EPOCH_DATE)?.get_days();
        Encode::<Postgres>::encode(days, buf)
    }
}

impl<'r> Decode<'r, Postgres> for PgDate {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let days: i32 = Decode::<Postgres>::decode(value)?;
                Ok(Self(PG_EPOCH_DATE.checked_add(Span::new().try_days(days)?)?))
            }
            PgValueFormat::Text => Ok(Self(value.as_str()?.parse()?)),
        }
    }
}

pub(crate) fn corrupt(what: String) -> StoreError {
    StoreError::Other(format!("stored value unreadable: {what}"))
}

pub(crate) fn get<'r, T>(row: &'r PgRow, col: &str) -> StoreResult<T>
where
    T: Decode<'r, Postgres> + Type<Postgres>,
{
    row.try_get(col).map_err(|e| corrupt(format!("column {col}: {e}")))
}

pub(crate) fn ts(row: &PgRow, col: &str) -> StoreResult<Timestamp> {
    get::<PgTime>(row, col).map(|t| t.0)
}

pub(crate) fn date(row: &PgRow, col: &str) -> StoreResult<Date> {
    get::<PgDate>(row, col).map(|d| d.0)
}

pub(crate) fn opt_date(row: &PgRow, col: &str) -> StoreResult<Option<Date>> {
    get::<Option<PgDate>>(row, col).map(|d| d.map(|d| d.0))
}

pub(crate) fn from_json<T: DeserializeOwned>(row: &PgRow, col: &str) -> StoreResult<T> {
    get::<Json<T>>(row, col).map(|j| j.0)
}

pub(crate) fn resident_id(row: &PgRow, col: &str) -> StoreResult<ResidentId> {
    get::<Uuid>(row, col).map(ResidentId::from_uuid)
}

pub(crate) fn colour(s: &str) -> StoreResult<Colour> {
    s.parse().map_err(|_| corrupt(format!("colour {s}")))
}

fn u16_col(row: &PgRow, col: &str) -> StoreResult<u16> {
    u16::try_from(get::<i32>(row, col)?).map_err(|_| corrupt(format!("column {col} out of range")))
}

pub(crate) fn status_from_row(row: &PgRow) -> StoreResult<HealthStatus> {
    let basis_kind: String = get(row, "basis_kind")?;
    let policy_version: String = get(row, "policy_version")?;
    let basis = match basis_kind.as_str() {
        "rule" => Basis::Rule { rule_id: get(row, "rule_id")?, policy_version },
        "no_rule_matched" => Basis::NoRuleMatched { policy_version },
        "override" => Basis::Override { reason_code: get(row, "rule_id")?, policy_version },
        other => return Err(corrupt(format!("basis kind {other}"))),
    };
    let quarantine = match get::<Option<i32>>(row, "q_required_days")? {
        Some(_) => Some(Quarantine {
            required_days: u16_col(row, "q_required_days")?,
            streak: u16_col(row, "q_streak")?,
            started_on: date(row, "q_started_on")?,
            last_counted_on: opt_date(row, "q_last_counted_on")?,
        }),
        None => None,
    };
    Ok(HealthStatus {
        resident: resident_id(row, "resident_id")?,
        colour: colour(&get::<String>(row, "colour")?)?,
        since: ts(row, "since")?,
        basis,
        quarantine,
        last_report_on: opt_date(row, "last_report_on")?,
        version: get(row, "version")?,
    })
}
