//! Group commit for scans. SQLite has one writer at a time and every commit
//! waits for an fsync, so one transaction per check-in caps check-ins at the
//! fsync rate; and every statement is a hand-off to sqlx's SQLite thread, the
//! largest cost of a check-in on a 2-core machine. So check-ins go to one
//! writer, a thread of its own with a connection of its own (never waiting
//! for the pool, never sharing a core's queue with request tasks), which
//! takes every scan waiting (up to [`MAX_BATCH`]) per wake-up and, in one
//! `BEGIN IMMEDIATE` transaction (one sync for the lot, or fewer), reads the
//! people's colours and latest visits in one statement (one row, a JSON
//! array: each row is a message between threads), decides each scan
//! (`healthcode_store::decide_request`, in arrival order, each seeing the
//! ones before it), and writes the closes and the new visits in one statement
//! each: the begin and the read go to SQLite's thread as one request, the
//! closes as one, the inserts and the commit as one, so a batch of any size
//! costs three hand-offs (five before: the begin and the commit went alone).
//! Writes decided by a caller (`record_scan`, the check-out button) go
//! first in the same transaction, each on its own: a `Conflict` leaves that
//! one undone (`visits::write_scan` says how) and the others commit. Every
//! caller gets its own result, and only after the commit and a sync of the
//! WAL file: an acknowledged scan is on disk. The commit itself does not
//! wait for the disk; a thread of its own syncs, once for every batch
//! committed meanwhile ([`sync_then_answer`]), while the writer goes on.
//! Should a batch fail all the same, each of its scans is committed again
//! in a transaction of its own, so a scan that breaks a rule fails alone (a
//! `Conflict` for a broken uniqueness), never its neighbours.

use std::collections::HashMap;
use std::fmt::Write;
use std::fs::File;

use healthcode_domain::visit::Closing;
use healthcode_domain::{Colour, ResidentId, VenueId, Visit, VisitId};
use healthcode_store::{ScanApplied, ScanRequest, StoreError, StoreResult, decide_request};
use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use crate::other;

use crate::visit_rows::{self, LAST_NUMBER};
use crate::visits::write_scan;
use healthcode_store_sql::{Time, colour, corrupt};

/// Scans committed in one transaction at most.
pub const MAX_BATCH: usize = 256;

/// The sizes the batch's statements are made for. A batch's list (people,
/// closes, new visits) is padded up to the next size (a person repeated,
/// closes of no row, rows the insert leaves out), so the writer prepares at
/// most these few statements and keeps them (sqlx's statement cache):
/// parsing each batch's own text was about 15 % of the writer's time, and
/// keeping the statements gave 27-30 % more check-ins a second under wrk
/// (docs/BENCHMARKS.md, 2026-12-07, afternoon).
const SIZES: [usize; 16] = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, MAX_BATCH];

/// The size a list of `n` is padded to (`n` itself past the largest).
fn padded(n: usize) -> usize {
    SIZES.iter().copied().find(|&size| size >= n).unwrap_or(n)
}
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
    /// Starts the writer on a thread of its own, with `conn` (a connection
    /// of its own, not one of the pool's) and a single-threaded runtime: the
    /// batch is decided and written there, and the only hand-offs are the
    /// jobs coming in, SQLite's requests, and each caller's answer. With
    /// `wal`, the database's WAL file, committed batches are made durable by
    /// a thread of their own ([`sync_then_answer`]).
    pub(crate) fn spawn(conn: SqliteConnection, wal: Option<File>) -> StoreResult<Self> {
        let (jobs, queue) = mpsc::channel(QUEUE);
        // No I/O or timer driver: the writer waits on channels only, so a
        // wake-up is a futex, not an eventfd write and an epoll_wait.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| StoreError::Other(format!("starting the scan writer: {e}")))?;
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
            .spawn(move || runtime.block_on(run(conn, queue, answers)))
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

/// The venues' numbers the writer has looked up (a venue's never changes).
type VenueNumbers = HashMap<VenueId, i64>;

async fn run(mut conn: SqliteConnection, mut queue: mpsc::Receiver<ScanJob>, mut answers: Answers) {
    if let Answers::AfterSync(_) = answers {
        // The syncer makes each batch durable before its callers hear of
        // it; the commit need not wait for the disk.
        if let Err(e) = sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut conn).await {
            tracing::warn!(error = %e, "the scan writer commits with synchronous = FULL");
            answers = Answers::Direct;
        }
    }
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut venues = VenueNumbers::new();
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (records, decides): (Vec<ScanJob>, Vec<ScanJob>) =
            batch.drain(..).partition(|job| matches!(job, ScanJob::Record { .. }));
        let scans = records.len() + decides.len();
        match commit(&mut conn, &mut venues, &records, &decides).await {
            Ok(results) => answers.committed(records, decides, results),
            Err(e) if scans > 1 => {
                // Whatever one scan did wrong must not fail the others:
                // each goes again in a transaction of its own.
                tracing::warn!(error = %e, scans, "a group commit of scans failed; committing each scan alone");
                for job in records.into_iter().chain(decides) {
                    commit_alone(&mut conn, &mut venues, &answers, job).await;
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
    let _ = conn.close().await;
}

/// One job in its own transaction, its caller told how it went.
async fn commit_alone(conn: &mut SqliteConnection, venues: &mut VenueNumbers, answers: &Answers, job: ScanJob) {
    let (records, decides) = match job {
        ScanJob::Record { .. } => (vec![job], Vec::new()),
        ScanJob::Decide { .. } => (Vec::new(), vec![job]),
    };
    match commit(conn, venues, &records, &decides).await {
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

type Committed = (Vec<StoreResult<()>>, Vec<ScanApplied>);

/// One transaction for the batch: first the writes callers decided, each on
/// its own (a `Conflict` undoes that one only); then the scans to decide,
/// all read in one statement inside the transaction (so nothing can change
/// under the decisions), decided in arrival order against what the batch
/// already did, and written. The results once committed; on any error the
/// transaction is rolled back (nothing of the batch stays).
async fn commit(
    conn: &mut SqliteConnection,
    venues: &mut VenueNumbers,
    records: &[ScanJob],
    decides: &[ScanJob],
) -> StoreResult<Committed> {
    let result = decide_and_write(conn, venues, records, decides).await;
    if result.is_err() {
        // The transaction may be open (a statement failed) or not (it never
        // began, or the commit itself failed and SQLite ended it): a rollback
        // without one is refused, which changes nothing.
        let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
    }
    result
}

async fn decide_and_write(
    conn: &mut SqliteConnection,
    venues: &mut VenueNumbers,
    records: &[ScanJob],
    decides: &[ScanJob],
) -> StoreResult<Committed> {
    let mut recorded = Vec::with_capacity(records.len());
    let requests: Vec<&ScanRequest> = decides
        .iter()
        .filter_map(|job| match job {
            ScanJob::Decide { request, .. } => Some(request.as_ref()),
            ScanJob::Record { .. } => None,
        })
        .collect();
    let Read { mut state, residents, next: mut number } = if records.is_empty() {
        // The usual batch: the begin and the read are one request to SQLite.
        contexts(conn, BEGIN, &requests).await?
    } else {
        sqlx::query(BEGIN).execute(&mut *conn).await.map_err(other("starting a group commit"))?;
        for job in records {
            if let ScanJob::Record { close, open, .. } = job {
                recorded.push(write_scan(conn, close.as_ref(), open.as_ref()).await?);
            }
        }
        contexts(conn, "", &requests).await?
    };
    let (mut closes, mut opens, mut decided) = (Vec::new(), Vec::new(), Vec::with_capacity(requests.len()));
    for request in requests {
        let (colour, latest) = state.entry(request.resident).or_default();
        // The store numbers its visits: the caller's id is replaced by the
        // next number, taken only if the scan opens a visit.
        let visit = VisitId::from_number(number).ok_or_else(|| StoreError::Other(format!("visit number {number}")))?;
        let (close, open, applied) =
            decide_request(&ScanRequest { visit, ..request.clone() }, *colour, latest.as_ref());
        if open.is_some() {
            number += 1;
        }
        if let ScanApplied::Done { visit, .. } = &applied {
            // The next scan of this person in the batch sees this one.
            *latest = Some(visit.clone());
        }
        if let Some(c) = close {
            // A visit opened earlier in this batch is closed before it is written.
            match opens.iter_mut().find(|v: &&mut Visit| v.id == c.visit) {
                Some(pending) => (pending.exited_at, pending.exit_kind) = (Some(c.at), Some(c.kind)),
                None => closes.push(c),
            }
        }
        opens.extend(open);
        decided.push(applied);
    }
    close_all(conn, &closes).await?;
    // The inserts and the commit are one request: a failed insert stops it
    // before the commit, and the caller rolls back.
    open_all_and_commit(conn, &opens, &residents, venues).await?;
    Ok((recorded, decided))
}

/// A key no visit row has (`AUTOINCREMENT` numbers start at 1).
const NO_ROW: i64 = 0;

/// The batch's transaction: immediate, so it holds SQLite's write lock from
/// the start and its reads cannot be overtaken by another writer.
const BEGIN: &str = "BEGIN IMMEDIATE;";

type Known = (Option<Colour>, Option<Visit>);

/// What a batch reads first: each person's context and number, and the next
/// visit number.
struct Read {
    state: HashMap<ResidentId, Known>,
    residents: HashMap<ResidentId, i64>,
    next: u64,
}

/// Each person's colour and latest visit, and the next visit number, one
/// statement for the batch, after `before` (the batch's begin, or nothing)
/// in the same request. The answer is one row, the people as a JSON array:
/// sqlx's SQLite thread sends each row to this thread on its own, and a row
/// a person woke this thread and preempted SQLite's once a person (this
/// thread woke 12,200 times a second under wrk, 5,100 with the one row, for
/// 5-10 % less of the server's CPU a check-in; docs/BENCHMARKS.md).
async fn contexts(conn: &mut SqliteConnection, before: &str, requests: &[&ScanRequest]) -> StoreResult<Read> {
    let mut people: Vec<ResidentId> = requests.iter().map(|r| r.resident).collect();
    people.sort_unstable();
    people.dedup();
    let mut found = HashMap::with_capacity(people.len());
    if people.is_empty() {
        if !before.is_empty() {
            sqlx::query(sqlx::AssertSqlSafe(before))
                .execute(&mut *conn)
                .await
                .map_err(other("starting a group commit"))?;
        }
        return Ok(Read { state: found, residents: HashMap::new(), next: 1 });
    }
    // Padded with the first person again: a repeat reads the same row twice.
    let size = padded(people.len());
    // Each person's place in the list, then their id: one string, built
    // once a batch (not a string a person).
    let mut values = String::with_capacity(size * 12);
    for i in 0..size {
        let comma = if i == 0 { "" } else { "," };
        let _ = write!(values, "{comma}({i}, ?)");
    }
    // The open visit (at most one a person: `visit_rows_one_open`), else
    // the latest: two index seeks a person. One `ORDER BY exited_at IS NULL
    // DESC, entered_at DESC, ...` read and sorted every visit the person
    // ever made, about 100 µs a person at scale M against 16 µs. A person is
    // named by their place in the list; a visit found is theirs.
    let sql = format!(
        "{before}
         WITH people(i, id) AS (VALUES {values}),
         known AS (SELECT people.i AS i, people.id AS id, r.no AS no
                   FROM people LEFT JOIN residents r ON r.id = people.id),
         latest AS (SELECT known.i AS i, known.id AS person, known.no AS no, coalesce(
             (SELECT key FROM visit_rows WHERE resident_no = known.no AND exited_at IS NULL),
             (SELECT key FROM visit_rows WHERE resident_no = known.no
              ORDER BY entered_at DESC, exited_at DESC, key DESC LIMIT 1)) AS key
           FROM known)
         SELECT {LAST_NUMBER}, json_group_array(json_array(
                latest.i, (SELECT colour FROM health_status WHERE resident_id = latest.person), latest.no,
                v.key, hex(v.legacy_id), hex(p.id), v.entered_at, v.exited_at, v.exit_kind, v.source,
                v.max_stay_ms, v.colour))
         FROM latest
         LEFT JOIN visit_rows v ON v.key = latest.key
         LEFT JOIN venues p ON p.no = v.venue_no"
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
    for p in people.iter().chain(std::iter::repeat_n(&people[0], size - people.len())) {
        query = query.bind(p.as_bytes().as_slice());
    }
    let (last, json) = query.fetch_one(&mut *conn).await.map_err(other("reading the scans' people"))?;
    let entries: Vec<Context> =
        serde_json::from_str(&json).map_err(|e| corrupt(format!("the scans' people as JSON: {e}")))?;
    let mut residents = HashMap::with_capacity(people.len());
    for entry in entries {
        // A padding repeat reads the first person again.
        let Some(&person) = people.get(entry.0) else { continue };
        residents.extend(entry.2.map(|n| (person, n)));
        let status = entry.1.as_deref().map(colour).transpose()?;
        found.insert(person, (status, entry.visit(person)?));
    }
    let next = u64::try_from(last).map_err(|_| corrupt(format!("visit number {last}")))? + 1;
    Ok(Read { state: found, residents, next })
}

/// One person of [`contexts`]' JSON: their place in the list, colour and
/// number, then their latest visit's columns (nulls when they have none;
/// `hex` gives an empty text for a null id).
#[derive(serde::Deserialize)]
struct Context(
    usize,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

impl Context {
    fn visit(&self, person: ResidentId) -> StoreResult<Option<Visit>> {
        let Some(key) = self.3 else { return Ok(None) };
        let id = |hex: &str| {
            uuid::Uuid::try_parse(hex)
                .map(|id| id.into_bytes())
                .map_err(|e| corrupt(format!("visit {key}: an id: {e}")))
        };
        let number = |n: Option<i64>| n.ok_or_else(|| corrupt(format!("visit {key}: a null column")));
        visit_rows::Stored {
            key,
            kept: if self.4.is_empty() { None } else { Some(id(&self.4)?) },
            resident: *person.as_bytes(),
            venue: id(&self.5)?,
            entered_at: number(self.6)?,
            exited_at: self.7,
            exit_kind: self.8,
            source: number(self.9)?,
            max_stay_ms: number(self.10)?,
            colour: number(self.11)?,
        }
        .visit()
        .map(Some)
    }
}

/// Closes the batch's visits in one statement; each was read open inside
/// this transaction, so every one must change (anything else fails the batch).
async fn close_all(conn: &mut SqliteConnection, closes: &[Closing]) -> StoreResult<()> {
    if closes.is_empty() {
        return Ok(());
    }
    // Each visit by its row: a numbered id is its key; an id kept from
    // before the numbers is looked up (a `coalesce` in the join would make
    // SQLite walk every open visit instead of the keys).
    let mut keys = Vec::with_capacity(closes.len());
    for c in closes {
        keys.push(match c.visit.number().and_then(|n| i64::try_from(n).ok()) {
            Some(key) => key,
            None => sqlx::query_scalar("SELECT key FROM visit_rows WHERE legacy_id = ?")
                .bind(c.visit.as_bytes().as_slice())
                .fetch_optional(&mut *conn)
                .await
                .map_err(other("finding a visit by its kept id"))?
                // Gone: the count below finds the close that changed nothing.
                .unwrap_or(NO_ROW),
        });
    }
    // Padded with closes of key 0, which no row has (numbers start at 1).
    let size = padded(closes.len());
    let values = vec!["(?, ?, ?)"; size].join(",");
    let sql = format!(
        "UPDATE visit_rows SET exited_at = c.column2, exit_kind = c.column3
         FROM (VALUES {values}) AS c WHERE visit_rows.key = c.column1 AND visit_rows.exited_at IS NULL"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (c, key) in closes.iter().zip(keys) {
        query = query.bind(key).bind(Time(c.at)).bind(visit_rows::exit_kind_code(c.kind));
    }
    for _ in closes.len()..size {
        query = query.bind(NO_ROW).bind(Time(closes[0].at)).bind(visit_rows::exit_kind_code(closes[0].kind));
    }
    let done = query.execute(&mut *conn).await.map_err(other("closing the scans' visits"))?;
    if done.rows_affected() != closes.len() as u64 {
        return Err(StoreError::Conflict(format!(
            "closing {} visits changed {}: the batch is not committed",
            closes.len(),
            done.rows_affected()
        )));
    }
    Ok(())
}

/// Inserts the batch's new visits in one statement and commits, in one
/// request to SQLite (the commit alone when there is nothing to insert).
/// The rows name the person and the venue by number: the people's were read
/// with their contexts, the venues' are kept from batch to batch. Should one
/// be missing (an unknown venue), the rows look them up by id instead, and
/// the insert fails as it should.
async fn open_all_and_commit(
    conn: &mut SqliteConnection,
    opens: &[Visit],
    residents: &HashMap<ResidentId, i64>,
    venues: &mut VenueNumbers,
) -> StoreResult<()> {
    if opens.is_empty() {
        sqlx::query("COMMIT").execute(&mut *conn).await.map_err(other("committing scans"))?;
        return Ok(());
    }
    let mut missing: Vec<VenueId> = opens.iter().map(|v| v.venue).filter(|v| !venues.contains_key(v)).collect();
    missing.sort_unstable();
    missing.dedup();
    if !missing.is_empty() {
        let marks = vec!["?"; missing.len()].join(",");
        let sql = format!("SELECT id, no FROM venues WHERE id IN ({marks})");
        let mut query = sqlx::query_as::<_, (Vec<u8>, i64)>(sqlx::AssertSqlSafe(sql)).persistent(false);
        for v in &missing {
            query = query.bind(v.as_bytes().as_slice());
        }
        for (id, no) in query.fetch_all(&mut *conn).await.map_err(other("reading the venues' numbers"))? {
            if let Ok(id) = <[u8; 16]>::try_from(id.as_slice()) {
                venues.insert(VenueId::from_bytes(id), no);
            }
        }
    }
    let numbers: Option<Vec<(i64, i64)>> =
        opens.iter().map(|v| Some((*residents.get(&v.resident)?, *venues.get(&v.venue)?))).collect();
    let row = if numbers.is_some() { visit_rows::ROW_BY_NUMBERS } else { visit_rows::ROW_BY_IDS };
    let size = padded(opens.len());
    let sql = format!("{};\n COMMIT", visit_rows::padded_insert_statement(size, row));
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (i, v) in opens.iter().enumerate() {
        query = match &numbers {
            Some(numbers) => visit_rows::bind_by_numbers(query, v, numbers[i].0, numbers[i].1),
            None => visit_rows::bind_by_ids(query, v),
        };
    }
    for _ in opens.len()..size {
        query = visit_rows::bind_left_out(query);
    }
    // A unique violation maps to `Conflict`: the batch is then retried scan
    // by scan, and only the scan that breaks the rule fails.
    query.execute(&mut *conn).await.map_err(other("inserting the scans' visits and committing"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use healthcode_domain::VisitSource;
    use sqlx::ConnectOptions;
    use sqlx::sqlite::SqliteConnectOptions;
    use std::str::FromStr;

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
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display())).unwrap();
        let wal = File::open(format!("{}-wal", path.display())).expect("the store keeps a WAL file");

        let synced = ScanWriter::spawn(options.connect().await.unwrap(), Some(wal)).unwrap();
        assert!(matches!(synced.decide(&scan_of_a_stranger()).await, Ok(ScanApplied::NoStatus)));

        let (pipe, _writer) = std::io::pipe().unwrap();
        let unsyncable = File::from(std::os::fd::OwnedFd::from(pipe));
        let failing = ScanWriter::spawn(options.connect().await.unwrap(), Some(unsyncable)).unwrap();
        match failing.decide(&scan_of_a_stranger()).await {
            Err(StoreError::Other(why)) => assert!(why.contains("not known to be on disk"), "{why}"),
            other => panic!("a scan answered without a sync: {other:?}"),
        }
    }
}
