//! Several servers on one database: a job's lock is held by one store at a
//! time, moves when its holder goes, and never reaches another schema; the
//! shared sign-in buckets count every store's requests together.

use healthcode_store::{ClusterStore, SharedBucket};
use healthcode_store_postgres::testing::fresh_schema;
use healthcode_store_postgres::{PgSettings, PostgresStore};
use jiff::Timestamp;

use crate::database_or_skip;

#[tokio::test]
async fn one_store_leads_a_job_until_it_goes_then_another_does() {
    let Some(base) = database_or_skip() else { return };
    let (url, _guard) = fresh_schema(&base).await.unwrap();
    let a = PostgresStore::open(&url, &PgSettings::default()).await.unwrap();
    let b = PostgresStore::open(&url, &PgSettings::default()).await.unwrap();
    assert!(a.lead_job("retention").await.unwrap());
    assert!(a.lead_job("retention").await.unwrap(), "still A's at its next tick");
    assert!(!b.lead_job("retention").await.unwrap(), "not B's while A holds it");
    assert!(b.lead_job("rollups").await.unwrap(), "each job has its own lock");
    assert!(!a.lead_job("rollups").await.unwrap());
    // Another schema on the same database is another deployment.
    let (other_url, _other) = fresh_schema(&base).await.unwrap();
    let c = PostgresStore::open(&other_url, &PgSettings::default()).await.unwrap();
    assert!(c.lead_job("retention").await.unwrap(), "the lock is per schema");
    drop(a);
    let mut moved = false;
    for _ in 0..100 {
        if b.lead_job("retention").await.unwrap() {
            moved = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(moved, "B takes retention once A's connection is gone");
}

#[tokio::test]
async fn shared_buckets_count_every_store_and_refill() {
    let Some(base) = database_or_skip() else { return };
    let (url, _guard) = fresh_schema(&base).await.unwrap();
    let a = PostgresStore::open(&url, &PgSettings::default()).await.unwrap();
    let b = PostgresStore::open(&url, &PgSettings::default()).await.unwrap();
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let buckets = |addr: &str| {
        [
            SharedBucket { key: format!("sign-in {addr}"), per_minute: 2 },
            SharedBucket { key: "sign-in *".into(), per_minute: 3 },
        ]
    };
    assert_eq!(a.take_shared_tokens(&buckets("10.0.0.1"), now).await.unwrap(), Some(Ok(())));
    assert_eq!(b.take_shared_tokens(&buckets("10.0.0.1"), now).await.unwrap(), Some(Ok(())));
    assert_eq!(a.take_shared_tokens(&buckets("10.0.0.1"), now).await.unwrap(), Some(Err(30)), "2 a minute");
    assert_eq!(b.take_shared_tokens(&buckets("10.0.0.2"), now).await.unwrap(), Some(Ok(())));
    assert_eq!(a.take_shared_tokens(&buckets("10.0.0.3"), now).await.unwrap(), Some(Err(20)), "3 a minute for all");
    let later = now + jiff::SignedDuration::from_secs(60);
    assert_eq!(b.take_shared_tokens(&buckets("10.0.0.1"), later).await.unwrap(), Some(Ok(())));
    assert_eq!(a.forget_idle_buckets(later).await.unwrap(), 2, "10.0.0.2's and 10.0.0.3's were idle");
}
