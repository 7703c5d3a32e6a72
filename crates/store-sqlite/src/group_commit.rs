//! Group commit for scans. SQLite has one writer at a time and every commit
//! waits for an fsync, so one transaction per check-in caps check-ins at the
//! fsync rate. Instead, `record_scan` hands its writes to one writer task,
//! which takes every scan waiting (up to [`MAX_BATCH`]) and commits them in
//! one `BEGIN IMMEDIATE` transaction: one fsync for the lot. A `Conflict` for
//! one scan (the visit was already closed, a second open visit) leaves that
//! scan's writes undone and the others commit (`visits::write_scan` says how,
//! without a savepoint: each statement costs a hand-off to SQLite's thread). Every caller gets its own result, and only after the commit: an
//! acknowledged scan is on disk.

use healthcode_domain::Visit;
use healthcode_domain::visit::Closing;
use healthcode_store::{StoreError, StoreResult};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{mpsc, oneshot};

use crate::other;
use crate::visits::write_scan;

/// Scans committed in one transaction at most.
pub const MAX_BATCH: usize = 256;
/// Scans waiting for the writer at most; callers past this wait to enqueue.
const QUEUE: usize = 4096;

struct ScanJob {
    close: Option<Closing>,
    open: Option<Visit>,
    done: oneshot::Sender<StoreResult<()>>,
}

/// The handle `record_scan` uses; the writer task ends when every handle is gone.
#[derive(Debug, Clone)]
pub(crate) struct ScanWriter {
    jobs: mpsc::Sender<ScanJob>,
}

impl ScanWriter {
    /// Starts the writer task on the current runtime.
    pub(crate) fn spawn(pool: SqlitePool) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, queue));
        Self { jobs }
    }

    /// Queues one scan and waits until its transaction has committed (or not).
    pub(crate) async fn record(&self, close: Option<Closing>, open: Option<Visit>) -> StoreResult<()> {
        let (done, result) = oneshot::channel();
        let gone = || StoreError::Other("the scan writer has stopped".into());
        self.jobs.send(ScanJob { close, open, done }).await.map_err(|_| gone())?;
        result.await.map_err(|_| gone())?
    }
}

async fn run(pool: SqlitePool, mut queue: mpsc::Receiver<ScanJob>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match commit(&pool, &batch).await {
            Ok(results) => {
                for (job, result) in batch.drain(..).zip(results) {
                    // The caller may have gone (its client hung up): nothing to tell.
                    let _ = job.done.send(result);
                }
            }
            Err(e) => {
                let cause = e.to_string();
                tracing::error!(error = %cause, scans = batch.len(), "a group commit of scans failed");
                for job in batch.drain(..) {
                    let _ = job.done.send(Err(StoreError::Other(cause.clone())));
                }
            }
        }
    }
}

/// One transaction for the batch; the per-scan results once it committed.
async fn commit(pool: &SqlitePool, batch: &[ScanJob]) -> StoreResult<Vec<StoreResult<()>>> {
    let mut tx: Transaction<'static, Sqlite> =
        pool.begin_with("BEGIN IMMEDIATE").await.map_err(other("starting a group commit"))?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        results.push(write_scan(&mut tx, job.close.as_ref(), job.open.as_ref()).await?);
    }
    tx.commit().await.map_err(other("committing scans"))?;
    Ok(results)
}
