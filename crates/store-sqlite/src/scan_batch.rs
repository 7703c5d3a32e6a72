//! The scan writer's SQL (`group_commit` runs it): one connection of its
//! own, driven from the writer's thread with rusqlite, so a statement is a
//! call on that thread, not a message to sqlx's SQLite thread and a
//! wake-up for each result (three hand-offs a batch and a wake-up a row
//! before; docs/BENCHMARKS.md, 2026-12-07, late night). Its statements are
//! prepared once for each size a batch is padded to ([`SIZES`]) and kept.
//!
//! A batch is one `BEGIN IMMEDIATE` transaction: first the writes callers
//! decided (`record_scan`, the check-out button), each on its own (a
//! `Conflict` undoes that one only, [`Batcher::write_scan`]); then the scans
//! to decide, their people's colours and latest visits read in one
//! statement inside the transaction (so nothing can change under the
//! decisions), decided in arrival order (`healthcode_store::decide_request`,
//! each seeing the ones before it), and written: the closes in one
//! statement, the new visits in one, then the commit.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

use healthcode_domain::visit::Closing;
use healthcode_domain::{ResidentId, VenueId, Visit, VisitId};
use healthcode_store::{ScanApplied, ScanRequest, StoreError, StoreResult, decide_request};
use rusqlite::{Connection, OpenFlags, Row, Statement, ffi};

use crate::visit_rows::{self, LAST_NUMBER, ROW_OF, RowOf, Stored};
use healthcode_store_sql::{colour, corrupt};

/// Scans committed in one transaction at most.
pub const MAX_BATCH: usize = 256;

/// The sizes the batch's statements are made for. A batch's list (people,
/// closes, new visits) is padded up to the next size (a person repeated,
/// closes of no row, rows the insert leaves out), so the writer prepares at
/// most these few statements and keeps them: parsing each batch's own text
/// was about 15 % of the writer's time, and keeping the statements gave
/// 27-30 % more check-ins a second under wrk (docs/BENCHMARKS.md,
/// 2026-12-07, afternoon).
const SIZES: [usize; 16] = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, MAX_BATCH];

/// The size a list of `n` is padded to (`n` itself past the largest).
fn padded(n: usize) -> usize {
    SIZES.iter().copied().find(|&size| size >= n).unwrap_or(n)
}

/// A key no visit row has (`AUTOINCREMENT` numbers start at 1).
const NO_ROW: i64 = 0;

/// A committed batch's results: the callers' own writes, then the decided scans.
pub(crate) type Committed = (Vec<StoreResult<()>>, Vec<ScanApplied>);

/// Writes decided by a caller: a close, a new visit, or both.
pub(crate) type Record<'a> = (Option<&'a Closing>, Option<&'a Visit>);

/// Opens the writer's connection to the database at `path` (`in_memory`: a
/// shared in-memory database of that name, as sqlx opens `sqlite::memory:`).
/// Foreign keys on, the same busy timeout and checkpoint threshold as the
/// pool, a 16 MiB page cache (SQLite's default is 2 MiB: every check-in
/// inserts into two indexes of `visit_rows` at random places; the bundled
/// SQLite is built with SQLITE_ENABLE_MEMORY_MANAGEMENT, so the
/// connections' caches are one budget that any of them fills, and with 64
/// MiB here the trace index's load filled it with pages read once, 70 MB of
/// a server's memory at scale M), and statement journals in memory (the
/// batch's multi-row statements spilled them to a temporary file past 64
/// KiB: 5 % of the server's CPU under wrk).
pub(crate) fn connect(path: &Path, in_memory: bool, wal_autocheckpoint: u32) -> StoreResult<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if in_memory {
        flags |= OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_MEMORY | OpenFlags::SQLITE_OPEN_SHARED_CACHE;
    }
    let opening = |e: rusqlite::Error| StoreError::Other(format!("opening the scan writer's SQLite connection: {e}"));
    let conn = Connection::open_with_flags(path, flags).map_err(opening)?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(opening)?;
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;
         PRAGMA wal_autocheckpoint = {wal_autocheckpoint};"
    ))
    .map_err(opening)?;
    Ok(conn)
}

/// The error for a failed statement: `Conflict` for a broken uniqueness
/// (two open visits for one person, a key taken), else `Other`.
fn failed(context: &'static str) -> impl Fn(rusqlite::Error) -> StoreError {
    move |e| match constraint(&e) {
        Some(ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY) => {
            StoreError::Conflict(format!("{context}: {e}"))
        }
        _ => StoreError::Other(format!("{context}: {e}")),
    }
}

/// The extended code of a broken constraint, if that is what `e` is.
fn constraint(e: &rusqlite::Error) -> Option<i32> {
    e.sqlite_error().filter(|s| s.code == rusqlite::ErrorCode::ConstraintViolation).map(|s| s.extended_code)
}

/// A column the writer reads, or `Corrupt`.
fn unreadable(e: impl std::fmt::Display) -> StoreError {
    corrupt(format!("the scans' people: {e}"))
}

/// The statements the writer keeps, each for a size. The batch's close and
/// insert are `OR FAIL`: a broken constraint stops the statement without
/// undoing its earlier rows, so SQLite need not keep a statement journal (a
/// copy of each page the statement changes) to undo them. The close then
/// keeps none (3 % of the writer's time); the insert still does, for its
/// foreign keys, which SQLite counts through the statement and checks at
/// its end. Nothing is lost by it: a failed statement fails the batch, and
/// [`Batcher::commit`] rolls the whole transaction back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Begin,
    Commit,
    LastNumber,
    /// Each person's colour, number and latest visit ([`Batcher::contexts`]).
    Read,
    /// The batch's closes ([`Batcher::close_all`]).
    Close,
    /// The batch's new visits by the person's and the venue's numbers.
    Insert,
}

impl Kind {
    fn sql(self, size: usize) -> String {
        match self {
            Kind::Begin => "BEGIN IMMEDIATE".into(),
            Kind::Commit => "COMMIT".into(),
            Kind::LastNumber => format!("SELECT {LAST_NUMBER}"),
            Kind::Read => read_statement(size),
            Kind::Close => {
                let values = vec!["(?, ?, ?)"; size].join(",");
                format!(
                    "UPDATE OR FAIL visit_rows SET exited_at = c.column2, exit_kind = c.column3
                     FROM (VALUES {values}) AS c WHERE visit_rows.key = c.column1 AND visit_rows.exited_at IS NULL"
                )
            }
            Kind::Insert => visit_rows::padded_insert_statement(size, visit_rows::ROW_BY_NUMBERS),
        }
    }
}

/// Each person's place in the list, colour, number and latest visit: the
/// open one (at most one a person: `visit_rows_one_open`), else the latest:
/// two index seeks a person. One `ORDER BY exited_at IS NULL DESC,
/// entered_at DESC, ...` read and sorted every visit the person ever made,
/// about 100 µs a person at scale M against 16 µs. A person is named by
/// their place in the list; a visit found is theirs.
fn read_statement(size: usize) -> String {
    let mut values = String::with_capacity(size * 12);
    for i in 0..size {
        let comma = if i == 0 { "" } else { "," };
        let _ = write!(values, "{comma}({i}, ?)");
    }
    format!(
        "WITH people(i, id) AS (VALUES {values}),
         known AS (SELECT people.i AS i, people.id AS id, r.no AS no
                   FROM people LEFT JOIN residents r ON r.id = people.id),
         latest AS (SELECT known.i AS i, known.id AS person, known.no AS no, coalesce(
             (SELECT key FROM visit_rows WHERE resident_no = known.no AND exited_at IS NULL),
             (SELECT key FROM visit_rows WHERE resident_no = known.no
              ORDER BY entered_at DESC, exited_at DESC, key DESC LIMIT 1)) AS key
           FROM known)
         SELECT latest.i, (SELECT colour FROM health_status WHERE resident_id = latest.person), latest.no,
                v.key, v.legacy_id, p.id, v.entered_at, v.exited_at, v.exit_kind, v.source, v.max_stay_ms, v.colour
         FROM latest
         LEFT JOIN visit_rows v ON v.key = latest.key
         LEFT JOIN venues p ON p.no = v.venue_no"
    )
}

/// What a batch reads first: each person's context and number, and the next
/// visit number.
struct Read {
    state: HashMap<ResidentId, Known>,
    residents: HashMap<ResidentId, i64>,
    next: u64,
}

type Known = (Option<healthcode_domain::Colour>, Option<Visit>);

/// The writer's connection with its kept statements, and the venues'
/// numbers it has looked up (a venue's never changes).
pub(crate) struct Batcher<'c> {
    conn: &'c Connection,
    statements: HashMap<(Kind, usize), Statement<'c>>,
    venues: HashMap<VenueId, i64>,
}

impl<'c> Batcher<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn, statements: HashMap::new(), venues: HashMap::new() }
    }

    /// The kept statement of `kind` for `size`, prepared the first time.
    fn statement(&mut self, kind: Kind, size: usize) -> StoreResult<&mut Statement<'c>> {
        match self.statements.entry((kind, size)) {
            Entry::Occupied(kept) => Ok(kept.into_mut()),
            Entry::Vacant(slot) => {
                let prepared = self.conn.prepare(&kind.sql(size)).map_err(failed("preparing a scan statement"))?;
                Ok(slot.insert(prepared))
            }
        }
    }

    /// One transaction for the batch; its results once committed. On any
    /// error the transaction is rolled back (nothing of the batch stays).
    pub(crate) fn commit(&mut self, records: &[Record<'_>], requests: &[&ScanRequest]) -> StoreResult<Committed> {
        let result = self.decide_and_write(records, requests);
        if result.is_err() && !self.conn.is_autocommit() {
            // A statement failed inside the transaction (a failed commit
            // may have ended it already: then there is nothing to undo).
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        result
    }

    fn decide_and_write(&mut self, records: &[Record<'_>], requests: &[&ScanRequest]) -> StoreResult<Committed> {
        self.statement(Kind::Begin, 0)?.raw_execute().map_err(failed("starting a group commit"))?;
        let mut recorded = Vec::with_capacity(records.len());
        for &(close, open) in records {
            recorded.push(self.write_scan(close, open)?);
        }
        let Read { mut state, residents, next: mut number } = self.contexts(requests)?;
        let (mut closes, mut opens, mut decided) = (Vec::new(), Vec::new(), Vec::with_capacity(requests.len()));
        for &request in requests {
            let (colour, latest) = state.entry(request.resident).or_default();
            // The store numbers its visits: the caller's id is replaced by
            // the next number, taken only if the scan opens a visit.
            let visit =
                VisitId::from_number(number).ok_or_else(|| StoreError::Other(format!("visit number {number}")))?;
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
        self.close_all(&closes)?;
        self.open_all(&opens, &residents)?;
        self.statement(Kind::Commit, 0)?.raw_execute().map_err(failed("committing scans"))?;
        Ok((recorded, decided))
    }

    /// A scan's writes decided by its caller: close the visit (still open,
    /// else `Conflict`), then open the new one. No savepoint: SQLite undoes
    /// a statement that breaks a constraint by itself and the transaction
    /// goes on, so a refused insert only needs the close before it undone,
    /// which is exact (the visit was open, or the close would have changed
    /// nothing). The outer error fails the whole batch (nothing of it is
    /// acknowledged); the inner result is this scan's own.
    fn write_scan(&mut self, close: Option<&Closing>, open: Option<&Visit>) -> StoreResult<StoreResult<()>> {
        if let Some(c) = close {
            let row = RowOf::new(c.visit);
            let sql =
                format!("UPDATE visit_rows SET exited_at = ?, exit_kind = ? WHERE {ROW_OF} AND exited_at IS NULL");
            let kept = row.kept_bytes();
            let changed = self
                .conn
                .execute(&sql, (c.at.as_millisecond(), visit_rows::exit_kind_code(c.kind), row.key, kept, kept))
                .map_err(failed("closing visit"))?;
            if changed != 1 {
                return Ok(Err(StoreError::Conflict("the visit was already closed".into())));
            }
        }
        let Some(v) = open else { return Ok(Ok(())) };
        let refused = match self.insert_by_ids(v) {
            Ok(_) => return Ok(Ok(())),
            // A broken constraint is this scan's own: `Conflict` for a race
            // (a broken uniqueness), else a row refused for what it holds
            // (an unknown person or venue, a value out of range).
            Err(e) if constraint(&e).is_some() => failed("inserting visit")(e),
            Err(e) => return Err(failed("inserting visit")(e)),
        };
        if let Some(c) = close {
            let row = RowOf::new(c.visit);
            let kept = row.kept_bytes();
            let sql = format!("UPDATE visit_rows SET exited_at = NULL, exit_kind = NULL WHERE {ROW_OF}");
            self.conn.execute(&sql, (row.key, kept, kept)).map_err(failed("undoing a close"))?;
        }
        Ok(Err(refused))
    }

    /// Each person's colour and latest visit, and the next visit number.
    fn contexts(&mut self, requests: &[&ScanRequest]) -> StoreResult<Read> {
        let mut people: Vec<ResidentId> = requests.iter().map(|r| r.resident).collect();
        people.sort_unstable();
        people.dedup();
        let (mut state, mut residents) = (HashMap::with_capacity(people.len()), HashMap::with_capacity(people.len()));
        let Some(&first) = people.first() else { return Ok(Read { state, residents, next: 1 }) };
        let last: i64 = self
            .statement(Kind::LastNumber, 0)?
            .query_row([], |row| row.get(0))
            .map_err(failed("reading the last visit number"))?;
        let next = u64::try_from(last).map_err(|_| corrupt(format!("visit number {last}")))? + 1;
        // Padded with the first person again: a repeat reads the same row twice.
        let size = padded(people.len());
        let read = self.statement(Kind::Read, size)?;
        for (i, person) in people.iter().chain(std::iter::repeat_n(&first, size - people.len())).enumerate() {
            read.raw_bind_parameter(i + 1, person.as_bytes().as_slice())
                .map_err(failed("reading the scans' people"))?;
        }
        let mut rows = read.raw_query();
        while let Some(row) = rows.next().map_err(failed("reading the scans' people"))? {
            let at: i64 = row.get(0).map_err(unreadable)?;
            // A padding repeat reads the first person again.
            let Some(&person) = usize::try_from(at).ok().and_then(|at| people.get(at)) else { continue };
            if let Some(no) = row.get::<_, Option<i64>>(2).map_err(unreadable)? {
                residents.insert(person, no);
            }
            let status = row.get_ref(1).and_then(|c| Ok(c.as_str_or_null()?)).map_err(unreadable)?;
            state.insert(person, (status.map(colour).transpose()?, stored_visit(row, person)?));
        }
        Ok(Read { state, residents, next })
    }

    /// Closes the batch's visits in one statement; each was read open inside
    /// this transaction, so every one must change (anything else fails the batch).
    fn close_all(&mut self, closes: &[Closing]) -> StoreResult<()> {
        let Some(first) = closes.first() else { return Ok(()) };
        // Each visit by its row: a numbered id is its key; an id kept from
        // before the numbers is looked up (a `coalesce` in the join would
        // make SQLite walk every open visit instead of the keys).
        let mut keys = Vec::with_capacity(closes.len());
        for c in closes {
            keys.push(match RowOf::new(c.visit) {
                RowOf { key: Some(key), .. } => key,
                row => self
                    .conn
                    .query_row("SELECT key FROM visit_rows WHERE legacy_id = ?", [row.kept_bytes()], |row| row.get(0))
                    .or_else(|e| match e {
                        // Gone: the count below finds the close that changed nothing.
                        rusqlite::Error::QueryReturnedNoRows => Ok(NO_ROW),
                        e => Err(e),
                    })
                    .map_err(failed("finding a visit by its kept id"))?,
            });
        }
        // Padded with closes of key 0, which no row has (numbers start at 1).
        let size = padded(closes.len());
        let close = self.statement(Kind::Close, size)?;
        let padding = std::iter::repeat_n((first, NO_ROW), size - closes.len());
        for (i, (c, key)) in closes.iter().zip(keys).chain(padding).enumerate() {
            let at = 3 * i;
            close.raw_bind_parameter(at + 1, key).map_err(failed("closing the scans' visits"))?;
            close.raw_bind_parameter(at + 2, c.at.as_millisecond()).map_err(failed("closing the scans' visits"))?;
            close
                .raw_bind_parameter(at + 3, visit_rows::exit_kind_code(c.kind))
                .map_err(failed("closing the scans' visits"))?;
        }
        let changed = close.raw_execute().map_err(failed("closing the scans' visits"))?;
        if changed != closes.len() {
            return Err(StoreError::Conflict(format!(
                "closing {} visits changed {changed}: the batch is not committed",
                closes.len()
            )));
        }
        Ok(())
    }

    /// Inserts the batch's new visits in one statement. The rows name the
    /// person and the venue by number: the people's were read with their
    /// contexts, the venues' are kept from batch to batch. Should one be
    /// missing (an unknown venue), each row is inserted on its own by ids
    /// instead, and the insert fails as it should.
    fn open_all(&mut self, opens: &[Visit], residents: &HashMap<ResidentId, i64>) -> StoreResult<()> {
        if opens.is_empty() {
            return Ok(());
        }
        self.learn_venues(opens)?;
        let numbers: Option<Vec<(i64, i64)>> =
            opens.iter().map(|v| Some((*residents.get(&v.resident)?, *self.venues.get(&v.venue)?))).collect();
        let Some(numbers) = numbers else {
            for v in opens {
                self.insert_by_ids(v).map_err(failed("inserting the scans' visits"))?;
            }
            return Ok(());
        };
        let size = padded(opens.len());
        let insert = self.statement(Kind::Insert, size)?;
        for (i, (v, (resident, venue))) in opens.iter().zip(numbers).enumerate() {
            bind_visit(insert, 10 * i + 1, v, resident, venue).map_err(failed("inserting the scans' visits"))?;
        }
        // The rows left out: nulls.
        for at in 10 * opens.len()..10 * size {
            insert.raw_bind_parameter(at + 1, None::<i64>).map_err(failed("inserting the scans' visits"))?;
        }
        // A unique violation maps to `Conflict`: the batch is then retried
        // scan by scan, and only the scan that breaks the rule fails.
        insert.raw_execute().map_err(failed("inserting the scans' visits"))?;
        Ok(())
    }

    /// Inserts one visit naming its person and venue by id (a missing one
    /// breaks `NOT NULL`); the rare path, prepared each time.
    fn insert_by_ids(&self, v: &Visit) -> rusqlite::Result<usize> {
        let mut insert = self.conn.prepare(&visit_rows::insert_statement(1, visit_rows::ROW_BY_IDS))?;
        bind_visit(&mut insert, 1, v, v.resident.as_bytes(), v.venue.as_bytes())?;
        insert.raw_execute()
    }

    /// Looks up the numbers of the venues of `opens` not seen before.
    fn learn_venues(&mut self, opens: &[Visit]) -> StoreResult<()> {
        let mut missing: Vec<VenueId> =
            opens.iter().map(|v| v.venue).filter(|v| !self.venues.contains_key(v)).collect();
        missing.sort_unstable();
        missing.dedup();
        for venue in missing {
            let no = self
                .conn
                .query_row("SELECT no FROM venues WHERE id = ?", [venue.as_bytes().as_slice()], |row| row.get(0))
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
                .map_err(failed("reading the venues' numbers"))?;
            self.venues.extend(no.map(|no| (venue, no)));
        }
        Ok(())
    }
}

/// Binds one visit's ten values from parameter `at` on: its key, the person
/// and the venue (numbers for [`visit_rows::ROW_BY_NUMBERS`], ids for
/// [`visit_rows::ROW_BY_IDS`]), then the rest ([`Stored::of`]).
fn bind_visit<T: rusqlite::ToSql>(
    statement: &mut Statement<'_>,
    at: usize,
    v: &Visit,
    resident: T,
    venue: T,
) -> rusqlite::Result<()> {
    let values = Stored::of(v);
    statement.raw_bind_parameter(at, values.key_to_bind())?;
    statement.raw_bind_parameter(at + 1, resident)?;
    statement.raw_bind_parameter(at + 2, venue)?;
    statement.raw_bind_parameter(at + 3, values.entered_at)?;
    statement.raw_bind_parameter(at + 4, values.exited_at)?;
    statement.raw_bind_parameter(at + 5, values.exit_kind)?;
    statement.raw_bind_parameter(at + 6, values.source)?;
    statement.raw_bind_parameter(at + 7, values.max_stay_ms)?;
    statement.raw_bind_parameter(at + 8, values.colour)?;
    statement.raw_bind_parameter(at + 9, values.kept.as_ref().map(<[u8; 16]>::as_slice))
}

/// The person's latest visit in columns 3 to 11 of a [`Kind::Read`] row
/// (nulls when they have none).
fn stored_visit(row: &Row<'_>, person: ResidentId) -> StoreResult<Option<Visit>> {
    let Some(key) = row.get::<_, Option<i64>>(3).map_err(unreadable)? else { return Ok(None) };
    let id = |i: usize| -> StoreResult<Option<[u8; 16]>> {
        match row.get_ref(i).and_then(|c| Ok(c.as_blob_or_null()?)).map_err(unreadable)? {
            Some(bytes) => <[u8; 16]>::try_from(bytes).map(Some).map_err(|_| corrupt(format!("visit {key}: an id"))),
            None => Ok(None),
        }
    };
    let number = |i: usize| row.get::<_, i64>(i).map_err(unreadable);
    let maybe = |i: usize| row.get::<_, Option<i64>>(i).map_err(unreadable);
    Stored {
        key,
        kept: id(4)?,
        resident: *person.as_bytes(),
        venue: id(5)?.ok_or_else(|| corrupt(format!("visit {key}: no venue")))?,
        entered_at: number(6)?,
        exited_at: maybe(7)?,
        exit_kind: maybe(8)?,
        source: number(9)?,
        max_stay_ms: number(10)?,
        colour: number(11)?,
    }
    .visit()
    .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use healthcode_domain::VisitSource;

    const T0: i64 = 1_800_000_000_000;

    fn id(byte: u8) -> String {
        format!("x'{}'", format!("{byte:02x}").repeat(16))
    }

    fn scan(person: u8, venue: u8, minute: i64) -> ScanRequest {
        ScanRequest {
            visit: VisitId::from_bytes([0x99; 16]),
            resident: ResidentId::from_bytes([person; 16]),
            venue: VenueId::from_bytes([venue; 16]),
            at: jiff::Timestamp::from_millisecond(T0 + minute * 60_000).unwrap(),
            source: VisitSource::SelfScan,
            max_stay: jiff::SignedDuration::from_mins(240),
            duplicate_window: jiff::SignedDuration::from_mins(5),
        }
    }

    /// (visits, open visits) and whether a transaction is left open.
    fn visits(conn: &Connection) -> (i64, i64, bool) {
        let (all, open) = conn
            .query_row("SELECT count(*), count(*) FILTER (WHERE exited_at IS NULL) FROM visit_rows", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        (all, open, !conn.is_autocommit())
    }

    /// A batch whose close or insert stops part-way leaves nothing of the
    /// batch, and the next one commits. The triggers' `RAISE(FAIL)` stops a
    /// statement as a broken constraint stops an `OR FAIL` one: its earlier
    /// rows stay written until the transaction is rolled back.
    #[tokio::test]
    async fn a_batch_stopped_part_way_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("healthcode.db");
        let _store = crate::SqliteStore::open_path(&path).await.unwrap();
        let conn = connect(&path, false, 1000).unwrap();
        let (one, two, cafe, shop) = (id(1), id(2), id(0xa), id(0xb));
        conn.execute_batch(&format!(
            "INSERT INTO residents (id, holder_id, contact, kind, created_at)
             VALUES ({one}, {one}, '+8613800000001', 'resident', {T0}),
                    ({two}, {two}, '+8613800000002', 'resident', {T0});
             INSERT INTO health_status (resident_id, colour, since, basis_kind, policy_version, version)
             VALUES ({one}, 'green', {T0}, 'declaration', 'test', 1), ({two}, 'green', {T0}, 'declaration', 'test', 1);
             INSERT INTO venues (id, owner_phone, name, address, province, district, commune, category,
                                 max_stay_minutes, state, token_generation, qr_token, created_at)
             VALUES ({cafe}, '+8613800000009', 'Cafe', '1 Road', 'HN', 'HN-1', 'C1', 'food', 240, 'open', 1, 't', {T0}),
                    ({shop}, '+8613800000009', 'Shop', '2 Road', 'HN', 'HN-1', 'C1', 'retail', 240, 'open', 1, 't', {T0});"
        ))
        .unwrap();
        let mut batcher = Batcher::new(&conn);
        let (a, b) = (scan(1, 0xa, 0), scan(2, 0xa, 0));
        let (_, opened) = batcher.commit(&[], &[&a, &b]).unwrap();
        assert!(opened.iter().all(|s| matches!(s, ScanApplied::Done { .. })), "{opened:?}");
        assert_eq!(visits(&conn), (2, 2, false));

        // Both move to the shop: two closes, then two new visits.
        let (a, b) = (scan(1, 0xb, 30), scan(2, 0xb, 30));
        for trigger in [
            "BEFORE UPDATE OF exited_at ON visit_rows
             WHEN (SELECT count(*) FROM visit_rows WHERE exited_at IS NOT NULL) > 0",
            "BEFORE INSERT ON visit_rows WHEN (SELECT count(*) FROM visit_rows) > 2",
        ] {
            conn.execute_batch(&format!(
                "CREATE TEMP TRIGGER refuse_the_second {trigger} BEGIN SELECT RAISE(FAIL, 'refused'); END"
            ))
            .unwrap();
            let failed = batcher.commit(&[], &[&a, &b]);
            assert!(matches!(&failed, Err(StoreError::Other(why)) if why.contains("refused")), "{failed:?}");
            assert_eq!(visits(&conn), (2, 2, false), "nothing of the batch stays after: {trigger}");
            conn.execute_batch("DROP TRIGGER refuse_the_second").unwrap();
        }
        batcher.commit(&[], &[&a, &b]).unwrap();
        assert_eq!(visits(&conn), (4, 2, false));
    }
}
