//! Daily partitions of `visits` (by `entered_at`) and `passages` (by
//! `scanned_at`), one per UTC day, named `visits_YYYYMMDD`, next to a DEFAULT
//! partition that takes any row whose day has none.
//!
//! Writers call [`PartitionCache::ensure`] before their transaction: it
//! creates the partitions of the days about to be written (and of the day
//! after, so midnight finds its partition ready) unless this process already
//! knows them. Creating is idempotent and safe against other servers doing
//! the same. A day that already has rows in DEFAULT cannot get a partition
//! (PostgreSQL refuses, since those rows would belong to it); such a day just
//! stays in DEFAULT, where retention deletes row by row. Retention
//! ([`crate::retention`]) lists partitions with [`partition_days`] and drops
//! whole days.

use std::collections::HashSet;
use std::sync::Mutex;

use healthcode_store::{StoreError, StoreResult};
use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use sqlx::{AssertSqlSafe, PgPool};

/// How long creating a partition may wait for its lock on the parent table.
/// Waiting longer would queue every reader and writer behind it; giving up
/// only means the day's rows go to DEFAULT.
const CREATE_LOCK_TIMEOUT: &str = "2s";

/// A table partitioned by day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Partitioned {
    Visits,
    Passages,
}

impl Partitioned {
    pub(crate) fn table(self) -> &'static str {
        match self {
            Self::Visits => "visits",
            Self::Passages => "passages",
        }
    }

    /// The partition of `day`, or `None` for a day outside years 1000–9999
    /// (such rows stay in DEFAULT, and names keep eight digits).
    pub(crate) fn partition(self, day: Date) -> Option<String> {
        (1000..=9999)
            .contains(&day.year())
            .then(|| format!("{}_{:04}{:02}{:02}", self.table(), day.year(), day.month(), day.day()))
    }

    /// The day of a partition name made by [`Self::partition`].
    fn day_of_partition(self, name: &str) -> Option<Date> {
        let digits = name.strip_prefix(self.table())?.strip_prefix('_')?;
        if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year = digits[0..4].parse().ok()?;
        let month = digits[4..6].parse().ok()?;
        let day = digits[6..8].parse().ok()?;
        Date::new(year, month, day).ok()
    }
}

/// The UTC day of an instant.
pub(crate) fn utc_day(at: Timestamp) -> Date {
    at.to_zoned(TimeZone::UTC).date()
}

/// The first instant of a UTC day.
pub(crate) fn day_start(day: Date) -> Option<Timestamp> {
    day.to_datetime(Time::midnight()).to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp())
}

/// Days this process knows to be settled: their partition exists, or they
/// stay in DEFAULT. Only a cache: forgetting a day costs one idempotent DDL
/// statement; a stale entry (another server dropped the day) sends rows to
/// DEFAULT, which is always correct.
#[derive(Debug, Default)]
pub(crate) struct PartitionCache {
    settled: Mutex<HashSet<(Partitioned, Date)>>,
}

impl PartitionCache {
    fn is_settled(&self, table: Partitioned, day: Date) -> bool {
        self.settled.lock().map(|s| s.contains(&(table, day))).unwrap_or(false)
    }

    fn settle(&self, table: Partitioned, day: Date) {
        if let Ok(mut settled) = self.settled.lock() {
            settled.insert((table, day));
        }
    }

    /// Forgets a day, after retention dropped its partition.
    pub(crate) fn forget(&self, table: Partitioned, day: Date) {
        if let Ok(mut settled) = self.settled.lock() {
            settled.remove(&(table, day));
        }
    }

    /// Makes sure the partitions of the days of `instants` (and of each next
    /// day) exist, or that those days stay in DEFAULT. Never fails: a
    /// partition that cannot be created leaves its rows to DEFAULT.
    pub(crate) async fn ensure(
        &self,
        pool: &PgPool,
        table: Partitioned,
        instants: impl IntoIterator<Item = Timestamp>,
    ) {
        let mut days: Vec<Date> = Vec::new();
        for at in instants {
            let day = utc_day(at);
            for d in [Some(day), day.tomorrow().ok()].into_iter().flatten() {
                if !days.contains(&d) && !self.is_settled(table, d) {
                    days.push(d);
                }
            }
        }
        for day in days {
            match create_partition(pool, table, day).await {
                Ok(()) => self.settle(table, day),
                Err(e) => {
                    tracing::warn!(table = table.table(), %day, error = %e, "could not create a daily partition; its rows go to DEFAULT")
                }
            }
        }
    }
}

/// Creates the partition of `day` unless it exists. Success also when another
/// server created it at the same moment, and when rows of that day already
/// sit in DEFAULT (the day then stays there).
async fn create_partition(pool: &PgPool, table: Partitioned, day: Date) -> Result<(), sqlx::Error> {
    let (Some(name), Some(from), Some(to)) =
        (table.partition(day), day_start(day), day.tomorrow().ok().and_then(day_start))
    else {
        return Ok(()); // outside the named range: DEFAULT holds it
    };
    let parent = table.table();
    // Bounds are written with an explicit UTC offset, so the session's time
    // zone does not matter.
    let ddl = format!(
        "CREATE TABLE IF NOT EXISTS {name} PARTITION OF {parent} FOR VALUES FROM ('{from}') TO ('{to}')",
        from = from.strftime("%Y-%m-%d %H:%M:%S+00"),
        to = to.strftime("%Y-%m-%d %H:%M:%S+00"),
    );
    let mut tx = pool.begin().await?;
    sqlx::query(AssertSqlSafe(format!("SET LOCAL lock_timeout = '{CREATE_LOCK_TIMEOUT}'"))).execute(&mut *tx).await?;
    match sqlx::query(AssertSqlSafe(ddl)).execute(&mut *tx).await {
        Ok(_) => tx.commit().await,
        Err(sqlx::Error::Database(db)) => match db.code().as_deref() {
            // duplicate_table, unique_violation (a concurrent creation
            // racing on the catalog): the partition exists.
            Some("42P07" | "23505") => Ok(()),
            // check_violation: DEFAULT already holds rows of this day.
            Some("23514") => {
                tracing::debug!(table = parent, %day, "rows of this day are in DEFAULT; no partition for it");
                Ok(())
            }
            _ => Err(sqlx::Error::Database(db)),
        },
        Err(e) => Err(e),
    }
}

/// The daily partitions of `table` with their days, oldest first (DEFAULT
/// and any partition not named by this module are left out).
pub(crate) async fn partition_days(
    conn: &mut sqlx::PgConnection,
    table: Partitioned,
) -> StoreResult<Vec<(String, Date)>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = $1::regclass",
    )
    .bind(table.table())
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| StoreError::Other(format!("listing partitions of {}: {e}", table.table())))?;
    let mut days: Vec<(String, Date)> =
        names.into_iter().filter_map(|n| table.day_of_partition(&n).map(|d| (n, d))).collect();
    days.sort_by_key(|(_, d)| *d);
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn names_round_trip_and_refuse_strangers() {
        let name = Partitioned::Visits.partition(date(2026, 11, 2)).unwrap();
        assert_eq!(name, "visits_20261102");
        assert_eq!(Partitioned::Visits.day_of_partition(&name), Some(date(2026, 11, 2)));
        assert_eq!(Partitioned::Passages.day_of_partition(&name), None);
        assert_eq!(Partitioned::Visits.day_of_partition("visits_default"), None);
        assert_eq!(Partitioned::Visits.partition(date(-5, 1, 1)), None);
    }

    #[test]
    fn days_are_utc() {
        let at: Timestamp = "2026-11-02T23:59:59.999Z".parse().unwrap();
        assert_eq!(utc_day(at), date(2026, 11, 2));
        assert_eq!(day_start(date(2026, 11, 3)).unwrap().to_string(), "2026-11-03T00:00:00Z");
    }
}
