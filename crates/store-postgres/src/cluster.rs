//! Several servers on one database: job leadership by session advisory
//! locks, rate-limit buckets in a table, and every server's visit changes
//! by LISTEN/NOTIFY.
//!
//! Advisory locks and notification channels are database-wide, so both are
//! named after the schema too: two deployments (or two tests) in two schemas
//! of one database never meet.

use async_trait::async_trait;
use healthcode_domain::{Colour, ExitKind, ResidentId, VenueId, Visit, VisitId, VisitSource};
use healthcode_store::{ClusterStore, FeedEvent, SharedBucket, StoreError, StoreResult, VisitChange, VisitFeed};
use jiff::{SignedDuration, Timestamp};
use sqlx::postgres::PgListener;
use sqlx::{Connection, PgConnection};
use std::collections::HashSet;

use crate::{PostgresStore, other};
use healthcode_store_sql::Time;

/// The one connection holding this process's job locks (a session lock
/// lives as long as its connection: a server that stops or loses the
/// database lets another take its jobs), and the jobs it holds.
#[derive(Debug, Default)]
pub(crate) struct Leadership {
    held: tokio::sync::Mutex<Option<(PgConnection, HashSet<String>)>>,
}

/// The notification channel of a schema's visit changes (at most 63 bytes,
/// PostgreSQL's identifier length).
pub(crate) fn channel_of(schema: &str) -> String {
    let mut name = format!("healthcode_visits_{schema}");
    while name.len() > 63 {
        name.pop();
    }
    name
}

/// A visit change as a notification payload: `E id resident venue entered_us
/// max_stay_ms source colour` or `C visit resident at_us`.
pub(crate) fn payload(change: &VisitChange) -> String {
    match change {
        VisitChange::Entered(v) => format!(
            "E {} {} {} {} {} {} {}",
            v.id.as_uuid().simple(),
            v.resident.as_uuid().simple(),
            v.venue.as_uuid().simple(),
            v.entered_at.as_microsecond(),
            v.max_stay.as_millis(),
            v.source.as_str(),
            v.colour.as_str(),
        ),
        VisitChange::Closed { resident, visit, at } => {
            format!("C {} {} {}", visit.as_uuid().simple(), resident.as_uuid().simple(), at.as_microsecond())
        }
    }
}

fn parse(payload: &str) -> Option<FeedEvent> {
    if let Some(marker) = payload.strip_prefix("M ") {
        return Some(FeedEvent::Marker(marker.to_owned()));
    }
    let fields: Vec<&str> = payload.split(' ').collect();
    let uuid = |s: &str| uuid::Uuid::parse_str(s).ok();
    let time = |s: &str| s.parse::<i64>().ok().and_then(|us| Timestamp::from_microsecond(us).ok());
    match fields.as_slice() {
        ["E", id, resident, venue, entered, max_stay, source, colour] => {
            Some(FeedEvent::Change(VisitChange::Entered(Visit {
                id: VisitId::from_uuid(uuid(id)?),
                resident: ResidentId::from_uuid(uuid(resident)?),
                venue: VenueId::from_uuid(uuid(venue)?),
                entered_at: time(entered)?,
                exited_at: None,
                exit_kind: None::<ExitKind>,
                source: VisitSource::parse(source)?,
                max_stay: SignedDuration::from_millis(max_stay.parse().ok()?),
                colour: colour.parse::<Colour>().ok()?,
            })))
        }
        ["C", visit, resident, at] => Some(FeedEvent::Change(VisitChange::Closed {
            resident: ResidentId::from_uuid(uuid(resident)?),
            visit: VisitId::from_uuid(uuid(visit)?),
            at: time(at)?,
        })),
        _ => None,
    }
}

/// Every server's visit changes on one schema's channel.
struct PgFeed {
    listener: PgListener,
}

#[async_trait]
impl VisitFeed for PgFeed {
    async fn next(&mut self) -> StoreResult<FeedEvent> {
        loop {
            match self.listener.try_recv().await.map_err(other("receiving visit changes"))? {
                None => return Ok(FeedEvent::Lost),
                Some(n) => match parse(n.payload()) {
                    Some(event) => return Ok(event),
                    None => tracing::warn!(payload = n.payload(), "an unreadable visit change was ignored"),
                },
            }
        }
    }
}

/// Refills a bucket of `per_minute` tokens holding `tokens` at `at` to `now`.
fn refill(tokens: f64, at: Timestamp, now: Timestamp, per_minute: u32) -> f64 {
    let elapsed = now.duration_since(at).as_secs_f64().max(0.0);
    (tokens + elapsed * f64::from(per_minute) / 60.0).min(f64::from(per_minute))
}

impl PostgresStore {
    async fn try_lead(&self, job: &str) -> StoreResult<bool> {
        let mut held = self.leadership.held.lock().await;
        if held.is_none() {
            let options = self.pool.connect_options();
            let conn = PgConnection::connect_with(&options).await.map_err(other("connecting for job locks"))?;
            *held = Some((conn, HashSet::new()));
        }
        let Some((conn, jobs)) = held.as_mut() else { return Ok(false) };
        let answer = if jobs.contains(job) {
            // Still ours while the connection lives: check that it does.
            sqlx::query("SELECT 1").execute(&mut *conn).await.map(|_| true)
        } else {
            sqlx::query_scalar::<_, bool>(
                "SELECT pg_try_advisory_lock(hashtextextended(current_schema() || ' healthcode job ' || $1, 0))",
            )
            .bind(job)
            .fetch_one(&mut *conn)
            .await
        };
        match answer {
            Ok(true) => {
                jobs.insert(job.to_owned());
                Ok(true)
            }
            Ok(false) => Ok(false),
            Err(e) => {
                // The connection (and with it every lock) is gone, or going.
                *held = None;
                Err(StoreError::Other(format!("job lock for {job}: {e}")))
            }
        }
    }
}

#[async_trait]
impl ClusterStore for PostgresStore {
    async fn lead_job(&self, job: &str) -> StoreResult<bool> {
        self.try_lead(job).await
    }

    async fn take_shared_tokens(
        &self,
        buckets: &[SharedBucket],
        now: Timestamp,
    ) -> StoreResult<Option<Result<(), u64>>> {
        let mut sorted: Vec<&SharedBucket> = buckets.iter().collect();
        sorted.sort_by(|a, b| a.key.cmp(&b.key));
        sorted.dedup_by(|a, b| a.key == b.key);
        let keys: Vec<String> = sorted.iter().map(|b| b.key.clone()).collect();
        let full: Vec<f64> = sorted.iter().map(|b| f64::from(b.per_minute)).collect();
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO rate_limit_buckets (key, tokens, touched_at)
             SELECT k, t, $3 FROM UNNEST($1::text[], $2::float8[]) AS n(k, t)
             ORDER BY k
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(&keys)
        .bind(&full)
        .bind(Time(now))
        .execute(&mut *tx)
        .await
        .map_err(other("creating rate-limit buckets"))?;
        let rows: Vec<(String, f64, Time)> = sqlx::query_as(
            "SELECT key, tokens, touched_at FROM rate_limit_buckets WHERE key = ANY($1) ORDER BY key FOR UPDATE",
        )
        .bind(&keys)
        .fetch_all(&mut *tx)
        .await
        .map_err(other("reading rate-limit buckets"))?;
        let mut refilled = Vec::with_capacity(rows.len());
        let mut wait: Option<u64> = None;
        for (key, tokens, at) in rows {
            let Some(bucket) = sorted.iter().find(|b| b.key == key) else { continue };
            let tokens = refill(tokens, at.0, now, bucket.per_minute);
            if tokens < 1.0 {
                let rate = f64::from(bucket.per_minute.max(1)) / 60.0;
                let secs = (((1.0 - tokens) / rate).ceil() as u64).max(1);
                wait = Some(wait.map_or(secs, |w| w.max(secs)));
            }
            refilled.push((key, tokens));
        }
        let take = if wait.is_none() { 1.0 } else { 0.0 };
        let (keys, tokens): (Vec<String>, Vec<f64>) = refilled.into_iter().map(|(k, t)| (k, t - take)).unzip();
        sqlx::query(
            "UPDATE rate_limit_buckets b SET tokens = n.t, touched_at = $3
             FROM UNNEST($1::text[], $2::float8[]) AS n(k, t) WHERE b.key = n.k",
        )
        .bind(&keys)
        .bind(&tokens)
        .bind(Time(now))
        .execute(&mut *tx)
        .await
        .map_err(other("taking rate-limit tokens"))?;
        tx.commit().await.map_err(other("committing rate-limit tokens"))?;
        Ok(Some(wait.map_or(Ok(()), Err)))
    }

    async fn forget_idle_buckets(&self, before: Timestamp) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM rate_limit_buckets WHERE touched_at < $1")
            .bind(Time(before))
            .execute(&self.pool)
            .await
            .map_err(other("forgetting idle rate-limit buckets"))?;
        Ok(done.rows_affected())
    }

    async fn visit_feed(&self) -> StoreResult<Option<Box<dyn VisitFeed>>> {
        let mut listener = PgListener::connect_with(&self.pool).await.map_err(other("listening for visit changes"))?;
        listener.listen(&self.channel).await.map_err(other("listening for visit changes"))?;
        Ok(Some(Box::new(PgFeed { listener })))
    }

    async fn mark_visit_feed(&self, marker: &str) -> StoreResult<()> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(&*self.channel)
            .bind(format!("M {marker}"))
            .execute(&self.pool)
            .await
            .map_err(other("marking the visit feed"))?;
        Ok(())
    }
}

/// Announces `changes` in the transaction that makes them (delivered at its
/// commit, in commit order), when this store announces visits.
pub(crate) async fn announce(
    store: &PostgresStore,
    conn: &mut PgConnection,
    changes: &[VisitChange],
) -> StoreResult<()> {
    if !store.announce_visits || changes.is_empty() {
        return Ok(());
    }
    let payloads: Vec<String> = changes.iter().map(payload).collect();
    sqlx::query("SELECT pg_notify($1, p) FROM UNNEST($2::text[]) AS p")
        .bind(&*store.channel)
        .bind(&payloads)
        .execute(conn)
        .await
        .map_err(other("announcing visit changes"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_back_as_written() {
        let visit = Visit {
            id: VisitId::from_uuid(uuid::Uuid::from_u128(1)),
            resident: ResidentId::from_uuid(uuid::Uuid::from_u128(2)),
            venue: VenueId::from_uuid(uuid::Uuid::from_u128(3)),
            entered_at: Timestamp::from_microsecond(1_800_000_000_123_456).unwrap(),
            exited_at: None,
            exit_kind: None,
            source: VisitSource::Staff,
            max_stay: SignedDuration::from_mins(240),
            colour: Colour::Yellow,
        };
        let closed = VisitChange::Closed { resident: visit.resident, visit: visit.id, at: visit.entered_at };
        for change in [VisitChange::Entered(visit.clone()), closed] {
            assert_eq!(parse(&payload(&change)), Some(FeedEvent::Change(change)));
        }
        assert_eq!(parse("M abc:7"), Some(FeedEvent::Marker("abc:7".into())));
        assert_eq!(parse("E not a change"), None);
    }

    #[test]
    fn channels_fit_an_identifier() {
        assert_eq!(channel_of("public"), "healthcode_visits_public");
        assert_eq!(channel_of(&"s".repeat(80)).len(), 63);
    }
}
