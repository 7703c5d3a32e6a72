//! Backend-neutral column values: one Rust type per kind of column, encoded
//! the way each backend's schema stores it.
//!
//! | type     | SQLite                  | PostgreSQL                       |
//! |----------|-------------------------|----------------------------------|
//! | [`Time`] | `INTEGER` Unix ms       | `timestamptz` (binary, exact µs) |
//! | [`Day`]  | `TEXT` `YYYY-MM-DD`     | `date` (binary)                  |
//!
//! Ids need no wrapper: sqlx stores a `Uuid` as a 16-byte `BLOB` on SQLite and
//! as `uuid` on PostgreSQL, exactly the two schemas. JSON bodies use sqlx's
//! `Json` (`TEXT` on SQLite, `jsonb` on PostgreSQL); booleans are `bool`
//! (`INTEGER` 0/1 on SQLite). Integers take PostgreSQL's width (`i16`, `i32`,
//! `i64`); SQLite reads and writes every width from its one `INTEGER`.

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgTypeInfo, PgValueFormat};
use sqlx::{Database, Decode, Encode, Postgres, Sqlite, Type};

/// An instant: integer milliseconds on SQLite, `timestamptz` on PostgreSQL.
///
/// SQLite keeps whole milliseconds (the server's clock truncates to them);
/// PostgreSQL keeps microseconds and truncates below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time(pub Timestamp);

/// A local calendar day: `YYYY-MM-DD` text on SQLite, `date` on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(pub Date);

// ---- SQLite ---------------------------------------------------------------

impl Type<Sqlite> for Time {
    fn type_info() -> <Sqlite as Database>::TypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &<Sqlite as Database>::TypeInfo) -> bool {
        <i64 as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for Time {
    fn encode_by_ref(&self, buf: &mut <Sqlite as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.0.as_millisecond(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Time {
    fn decode(value: <Sqlite as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let ms: i64 = Decode::<Sqlite>::decode(value)?;
        Ok(Self(Timestamp::from_millisecond(ms)?))
    }
}

impl Type<Sqlite> for Day {
    fn type_info() -> <Sqlite as Database>::TypeInfo {
        <String as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &<Sqlite as Database>::TypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for Day {
    fn encode_by_ref(&self, buf: &mut <Sqlite as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.0.to_string(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Day {
    fn decode(value: <Sqlite as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let text: &str = Decode::<Sqlite>::decode(value)?;
        Ok(Self(text.parse()?))
    }
}

// ---- PostgreSQL -----------------------------------------------------------

/// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
const PG_EPOCH_DATE: Date = jiff::civil::date(2000, 1, 1);

/// Sent and read in the binary format (microseconds since 2000-01-01 UTC).
impl Type<Postgres> for Time {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(1184)) // timestamptz
    }
}

impl Encode<'_, Postgres> for Time {
    fn encode_by_ref(&self, buf: &mut <Postgres as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let micros = self.0.as_microsecond().checked_sub(PG_EPOCH_MICROS).ok_or("timestamp out of range")?;
        Encode::<Postgres>::encode(micros, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Time {
    fn decode(value: <Postgres as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
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

/// Sent and read in the binary format (days since 2000-01-01).
impl Type<Postgres> for Day {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(1082)) // date
    }
}

impl Encode<'_, Postgres> for Day {
    fn encode_by_ref(&self, buf: &mut <Postgres as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let days: i32 = self.0.since(PG_EPOCH_DATE)?.get_days();
        Encode::<Postgres>::encode(days, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Day {
    fn decode(value: <Postgres as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let days: i32 = Decode::<Postgres>::decode(value)?;
                Ok(Self(PG_EPOCH_DATE.checked_add(Span::new().try_days(days)?)?))
            }
            PgValueFormat::Text => Ok(Self(value.as_str()?.parse()?)),
        }
    }
}
