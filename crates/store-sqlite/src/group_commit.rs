//! Group commit for scans. SQLite has one writer at a time and every commit
//! waits for an fsync, so one transaction per check-in caps check-ins at the
//! fsync rate. So check-ins go to one writer, a thread of its own with a
//! connection of its own (never waiting for the pool, never sharing a
//! core's queue with request tasks), which takes every scan waiting (up to
//! [`MAX_BATCH`]) per wake-up and commits them in one transaction
//! (`scan_batch`: the statements are calls on this thread, with no
//! hand-off to another). Writes decided by a caller (`record_scan`, the
//! check-out button) go first in the same transaction, each on its own: a
//! `Conflict` leaves that one undone and the others commit. Every caller
//! gets its own result, and only after the commit and a sync of the WAL
//! file: an acknowledged scan is on disk. The commit itself does not wait
//! for the disk; a thread of its own syncs, once for every batch committed
//! meanwhile ([`sync_then_answer`]), while the writer goes on. Should a
//! batch fail all the same, each of its scans is committed again in a
//! transaction of its own, so a scan that breaks a rule fails alone (a
//! `Conflict` for a broken uniqueness), never its neighbours.

use std::fs::File;

use healthcode_domain::Visit;
use healthcode_domain::visit::Closing;
use healthcode_store::{ScanApplied, ScanRequest, StoreError, StoreResult};
use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::scan_batch::{Batcher, Committed, MAX_BATCH, Record};

/// Scans waiting for the writer at most; callers past this wait to enqueue.
const QUEUE: usize = 4096;

enum ScanJob {
    /// Writes decided by the caller (`record_scan`: the check-out button).
    Record { close: Option<Closing>, open: Option<Visit>, done: oneshot::Sender<StoreResult<()>> },
    /// A scan the writer decides (`scan`: check-ins).
    Decide { request: Box<ScanRequest>, done: oneshot::Sender<StoreResult<ScanApplied>> },
}

impl ScanJob {
    fn fail(self, error: &StoreError) {
        // The caller may have gone (its client hung up): nothing to tell.
        let _ = match self {
            ScanJob::Record { done, .. } => done.send(Err(copy(error))).is_ok(),
            ScanJob::Decide { done, .. } => done.send(Err(copy(error))).is_ok(),
        };
    }
}

/// The same error again, for each caller of a failed batch.
fn copy(error: &StoreError) -> StoreError {
    match error {
        StoreError::NotFound => StoreError::NotFound,
        StoreError::Conflict(cause) => StoreError::Conflict(cause.clone()),
        StoreError::Other(cause) => StoreError::Other(cause.clone()),
    }
}

/// The handle the store uses; the writer thread ends when every handle is gone.
#[derive(Debug, Clone)]
pub(crate) struct ScanWriter {
    jobs: mpsc::Sender<ScanJob>,
}

fn gone() -> StoreError {
    StoreError::Other("the scan writer has stopped".into())
}

impl ScanWriter {
    /// Starts the writer on a thread of its own with `conn` (a connection
    /// of its own, not one of the pool's): the batch is decided and
    /// written there, and the only hand-offs are the jobs coming in and each
    /// caller's answer. With `wal`, the database's WAL file, committed
    /// batches are made durable by a thread of their own ([`sync_then_answer`]).
    pub(crate) fn spawn(conn: Connection, wal: Option<File>) -> StoreResult<Self> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let answers = match wal {
            Some(wal) => {
                let (batches, committed) = std::sync::mpsc::channel();
                std::thread::Builder::new()
                    .name("healthcode-sync".into())
                    .spawn(move || sync_then_answer(&wal, &committed))
                    .map_err(|e| StoreError::Other(format!("starting the scan writer's syncer: {e}")))?;
                Answers::AfterSync(batches)
            }
            None => Answers::Direct,
        };
        std::thread::Builder::new()
            .name("healthcode-scans".into())
            .spawn(move || run(&conn, queue, answers))
            .map_err(|e| StoreError::Other(format!("starting the scan writer: {e}")))?;
        Ok(Self { jobs })
    }

    /// Queues writes decided by the caller and waits until their transaction
    /// has committed (or not).
    pub(crate) async fn record(&self, close: Option<Closing>, open: Option<Visit>) -> StoreResult<()> {
        let (done, result) = oneshot::channel();
        self.jobs.send(ScanJob::Record { close, open, done }).await.map_err(|_| gone())?;
        result.await.map_err(|_| gone())?
    }

    /// Queues a scan for the writer to decide and waits for its commit.
    pub(crate) async fn decide(&self, request: &ScanRequest) -> StoreResult<ScanApplied> {
        let (done, result) = oneshot::channel();
        let job = ScanJob::Decide { request: Box::new(request.clone()), done };
        self.jobs.send(job).await.map_err(|_| gone())?;
        result.await.map_err(|_| gone())?
    }
}

/// The writer's loop: a batch a wake-up, until every handle is gone.
fn run(conn: &Connection, mut queue: mpsc::Receiver<ScanJob>, mut answers: Answers) {
    // With the syncer, each batch is made durable before its callers hear
    // of it, and the commit need not wait for the disk.
    let synchronous = if matches!(answers, Answers::AfterSync(_)) { "NORMAL" } else { "FULL" };
    if let Err(e) = conn.execute_batch(&format!("PRAGMA synchronous = {synchronous}")) {
        tracing::warn!(error = %e, "the scan writer commits with synchronous = FULL");
        answers = Answers::Direct;
    }
    let mut batcher = Batcher::new(conn);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.blocking_recv_many(&mut batch, MAX_BATCH) > 0 {
        let (records, decides): (Vec<ScanJob>, Vec<ScanJob>) =
            batch.drain(..).partition(|job| matches!(job, ScanJob::Record { .. }));
        let scans = records.len() + decides.len();
        match commit(&mut batcher, &records, &decides) {
            Ok(results) => answers.committed(records, decides, results),
            Err(e) if scans > 1 => {
                // Whatever one scan did wrong must not fail the others:
                // each goes again in a transaction of its own.
                tracing::warn!(error = %e, scans, "a group commit of scans failed; committing each scan alone");
                for job in records.into_iter().chain(decides) {
                    commit_alone(&mut batcher, &answers, job);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "a scan could not be committed");
                for job in records.into_iter().chain(decides) {
                    job.fail(&e);
                }
            }
        }
    }
}

/// The jobs' writes in one transaction.
fn commit(batcher: &mut Batcher<'_>, records: &[ScanJob], decides: &[ScanJob]) -> StoreResult<Committed> {
    let records: Vec<Record<'_>> = records
        .iter()
        .filter_map(|job| match job {
            ScanJob::Record { close, open, .. } => Some((close.as_ref(), open.as_ref())),
            ScanJob::Decide { .. } => None,
        })
        .collect();
    let requests: Vec<&ScanRequest> = decides
        .iter()
        .filter_map(|job| match job {
            ScanJob::Decide { request, .. } => Some(request.as_ref()),
            ScanJob::Record { .. } => None,
        })
        .collect();
    batcher.commit(&records, &requests)
}

/// One job in its own transaction, its caller told how it went.
fn commit_alone(batcher: &mut Batcher<'_>, answers: &Answers, job: ScanJob) {
    let (records, decides) = match job {
        ScanJob::Record { .. } => (vec![job], Vec::new()),
        ScanJob::Decide { .. } => (Vec::new(), vec![job]),
    };
    match commit(batcher, &records, &decides) {
        Ok(results) => answers.committed(records, decides, results),
        Err(e) => {
            tracing::error!(error = %e, "a scan could not be committed on its own");
            for job in records.into_iter().chain(decides) {
                job.fail(&e);
            }
        }
    }
}

/// A committed batch: its callers and their results.
type Batch = (Vec<ScanJob>, Vec<ScanJob>, Committed);

/// Where a committed batch's results go.
enum Answers {
    /// Straight to the callers: the commit itself waited for the disk
    /// (`synchronous = FULL`; no WAL file to sync, as in memory).
    Direct,
    /// To the syncer, which tells the callers once the WAL is on disk.
    AfterSync(std::sync::mpsc::Sender<Batch>),
}

impl Answers {
    fn committed(&self, records: Vec<ScanJob>, decides: Vec<ScanJob>, results: Committed) {
        match self {
            Answers::Direct => deliver(records, decides, results),
            Answers::AfterSync(syncer) => {
                if let Err(std::sync::mpsc::SendError((records, decides, _))) = syncer.send((records, decides, results))
                {
                    let gone =
                        StoreError::Other("the scan writer's syncer has stopped: not known to be on disk".into());
                    for job in records.into_iter().chain(decides) {
                        job.fail(&gone);
                    }
                }
            }
        }
    }
}

/// The syncer: the writer's connection commits with `synchronous = NORMAL`
/// (its commit writes the batch to the WAL without waiting for the disk),
/// and this thread syncs the WAL file, one `fdatasync` for every batch
/// committed meanwhile, then tells those batches' callers. A caller hears
/// of a scan only once it is on disk, as with `FULL`; the writer meanwhile
/// decides and writes the next batch instead of waiting for the disk (0.6
/// ms of a 2.2 ms round under wrk). A sync of the file covers every frame
/// written to it before, whichever descriptor wrote it. Readers on other
/// connections may see a committed batch a moment before it is on disk.
fn sync_then_answer(wal: &File, committed: &std::sync::mpsc::Receiver<Batch>) {
    while let Ok(first) = committed.recv() {
        let mut ready = vec![first];
        ready.extend(committed.try_iter());
        match wal.sync_data() {
            Ok(()) => {
                for (records, decides, results) in ready {
                    deliver(records, decides, results);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, batches = ready.len(), "syncing the WAL failed: the scans are not acknowledged");
                let failed = StoreError::Other(format!("the scans are committed but not known to be on disk: {e}"));
                for (records, decides, _) in ready {
                    for job in records.into_iter().chain(decides) {
                        job.fail(&failed);
                    }
                }
            }
        }
    }
}

/// Tells each caller of a committed batch its own result.
fn deliver(records: Vec<ScanJob>, decides: Vec<ScanJob>, (recorded, decided): Committed) {
    for (job, result) in records.into_iter().zip(recorded) {
        if let ScanJob::Record { done, .. } = job {
            let _ = done.send(result);
        }
    }
    for (job, result) in decides.into_iter().zip(decided) {
        if let ScanJob::Decide { done, .. } = job {
            let _ = done.send(Ok(result));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use healthcode_domain::{ResidentId, VenueId, VisitId, VisitSource};

    fn scan_of_a_stranger() -> ScanRequest {
        ScanRequest {
            visit: VisitId::from_bytes([0x99; 16]),
            resident: ResidentId::from_bytes([7; 16]),
            venue: VenueId::from_bytes([8; 16]),
            at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
            source: VisitSource::SelfScan,
            max_stay: jiff::SignedDuration::from_mins(240),
            duplicate_window: jiff::SignedDuration::from_mins(5),
        }
    }

    /// A caller hears of its scan only after the syncer's sync, and of its
    /// failure when the sync fails (a pipe cannot be synced), though the
    /// batch committed: nothing is acknowledged that is not known to be on disk.
    #[tokio::test]
    async fn a_scan_is_answered_only_after_the_wal_is_synced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("healthcode.db");
        let _store = crate::SqliteStore::open_path(&path).await.unwrap();
        let connect = || crate::scan_batch::connect(&path, false, 1000).unwrap();
        let wal = File::open(format!("{}-wal", path.display())).expect("the store keeps a WAL file");

        let synced = ScanWriter::spawn(connect(), Some(wal)).unwrap();
        assert!(matches!(synced.decide(&scan_of_a_stranger()).await, Ok(ScanApplied::NoStatus)));

        let (pipe, _writer) = std::io::pipe().unwrap();
        let unsyncable = File::from(std::os::fd::OwnedFd::from(pipe));
        let failing = ScanWriter::spawn(connect(), Some(unsyncable)).unwrap();
        match failing.decide(&scan_of_a_stranger()).await {
            Err(StoreError::Other(why)) => assert!(why.contains("not known to be on disk"), "{why}"),
            other => panic!("a scan answered without a sync: {other:?}"),
        }
    }

    /// An in-memory store's writer opens the pool's database (sqlx names it),
    /// not an empty one of its own: the scan reads the migrated tables.
    #[tokio::test]
    async fn an_in_memory_store_scans_on_the_pools_database() {
        let store = crate::SqliteStore::open("sqlite::memory:").await.unwrap();
        assert!(matches!(store.scans.decide(&scan_of_a_stranger()).await, Ok(ScanApplied::NoStatus)));
    }
}
