//! The compact visit table (`visit_rows`, migration 0036): the person and the
//! venue by number, the enums as one-byte codes, and no id column: a visit's
//! id is [`VisitId::from_number`] of its row, or, for a visit stored with an
//! id of another form (older data, an import from PostgreSQL), the id it
//! kept in `legacy_id`. The view `visits` shows the old columns for the
//! reads both backends share; every write and every read by id is here.

use healthcode_domain::{Colour, ExitKind, ResidentId, VenueId, Visit, VisitId, VisitSource};
use healthcode_store::StoreResult;
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use sqlx::sqlite::{Sqlite, SqliteArguments, SqliteRow};

use healthcode_store_sql::corrupt;

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

pub(crate) fn exit_kind_code(kind: ExitKind) -> i64 {
    match kind {
        ExitKind::Scan => 0,
        ExitKind::Button => 1,
        ExitKind::NextCheckIn => 2,
        ExitKind::Auto => 3,
    }
}

fn source_code(source: VisitSource) -> i64 {
    match source {
        VisitSource::SelfScan => 0,
        VisitSource::Staff => 1,
    }
}

fn colour_code(colour: Colour) -> i64 {
    match colour {
        Colour::Green => 0,
        Colour::Yellow => 1,
        Colour::Red => 2,
    }
}

fn exit_kind_of(code: i64) -> Option<ExitKind> {
    [ExitKind::Scan, ExitKind::Button, ExitKind::NextCheckIn, ExitKind::Auto]
        .into_iter()
        .find(|&k| exit_kind_code(k) == code)
}

fn source_of(code: i64) -> Option<VisitSource> {
    [VisitSource::SelfScan, VisitSource::Staff].into_iter().find(|&s| source_code(s) == code)
}

fn colour_of(code: i64) -> Option<Colour> {
    Colour::ALL.into_iter().find(|&c| colour_code(c) == code)
}

/// The columns [`visit_at`] reads, from `visit_rows v` joined with the
/// person (`residents r`) and the venue (`venues p`) by number.
pub(crate) const COLUMNS: &str =
    "v.key, v.legacy_id, r.id, p.id, v.entered_at, v.exited_at, v.exit_kind, v.source, v.max_stay_ms, v.colour";

fn column<'r, T>(row: &'r SqliteRow, i: usize) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(i).map_err(|e| corrupt(format!("visit column {i}: {e}")))
}

fn id16(row: &SqliteRow, i: usize) -> StoreResult<[u8; 16]> {
    <[u8; 16]>::try_from(column::<&[u8]>(row, i)?).map_err(|_| corrupt(format!("visit column {i}: not 16 bytes")))
}

/// The visit in [`COLUMNS`] from position `at` of `row`, by position and
/// borrowing the row's bytes (tracing reads hundreds of thousands of rows).
/// `None` when the columns are null (a left join that found no visit).
pub(crate) fn visit_at(row: &SqliteRow, at: usize) -> StoreResult<Option<Visit>> {
    let Some(key) = column::<Option<i64>>(row, at)? else { return Ok(None) };
    let kept = match column::<Option<&[u8]>>(row, at + 1)? {
        Some(kept) => Some(<[u8; 16]>::try_from(kept).map_err(|_| corrupt("a kept visit id".into()))?),
        None => None,
    };
    Stored {
        key,
        kept,
        resident: id16(row, at + 2)?,
        venue: id16(row, at + 3)?,
        entered_at: column(row, at + 4)?,
        exited_at: column(row, at + 5)?,
        exit_kind: column(row, at + 6)?,
        source: column(row, at + 7)?,
        max_stay_ms: column(row, at + 8)?,
        colour: column(row, at + 9)?,
    }
    .visit()
    .map(Some)
}

/// A visit as its row stores it: ids as bytes, instants as Unix ms, enums as codes.
pub(crate) struct Stored {
    pub(crate) key: i64,
    pub(crate) kept: Option<[u8; 16]>,
    pub(crate) resident: [u8; 16],
    pub(crate) venue: [u8; 16],
    pub(crate) entered_at: i64,
    pub(crate) exited_at: Option<i64>,
    pub(crate) exit_kind: Option<i64>,
    pub(crate) source: i64,
    pub(crate) max_stay_ms: i64,
    pub(crate) colour: i64,
}

impl Stored {
    /// The row's values for `v`: its number as the key, or 0 and the id
    /// kept whole for an id of another form (the insert then binds no key
    /// and the table numbers the row: [`Stored::key_to_bind`]).
    pub(crate) fn of(v: &Visit) -> Self {
        let RowOf { key, kept } = RowOf::new(v.id);
        Self {
            key: key.unwrap_or(0),
            kept,
            resident: *v.resident.as_bytes(),
            venue: *v.venue.as_bytes(),
            entered_at: v.entered_at.as_millisecond(),
            exited_at: v.exited_at.map(|t| t.as_millisecond()),
            exit_kind: v.exit_kind.map(exit_kind_code),
            source: source_code(v.source),
            max_stay_ms: i64::try_from(v.max_stay.as_millis()).unwrap_or(i64::MAX),
            colour: colour_code(v.colour),
        }
    }

    /// The key an insert binds: none for a row that keeps its id whole.
    pub(crate) fn key_to_bind(&self) -> Option<i64> {
        self.kept.is_none().then_some(self.key)
    }

    /// The visit, or `Corrupt` for a value no write stores.
    pub(crate) fn visit(self) -> StoreResult<Visit> {
        let key = self.key;
        let id = match self.kept {
            Some(kept) => VisitId::from_bytes(kept),
            None => u64::try_from(key)
                .ok()
                .and_then(VisitId::from_number)
                .ok_or_else(|| corrupt(format!("visit number {key}")))?,
        };
        let instant = |ms: i64| Timestamp::from_millisecond(ms).map_err(|e| corrupt(format!("visit {key}: {e}")));
        Ok(Visit {
            id,
            resident: ResidentId::from_bytes(self.resident),
            venue: VenueId::from_bytes(self.venue),
            entered_at: instant(self.entered_at)?,
            exited_at: self.exited_at.map(instant).transpose()?,
            exit_kind: match self.exit_kind {
                Some(c) => Some(exit_kind_of(c).ok_or_else(|| corrupt(format!("exit kind code {c}")))?),
                None => None,
            },
            source: source_of(self.source).ok_or_else(|| corrupt(format!("source code {}", self.source)))?,
            max_stay: SignedDuration::from_millis(self.max_stay_ms),
            colour: colour_of(self.colour).ok_or_else(|| corrupt(format!("colour code {}", self.colour)))?,
        })
    }
}

/// Where a visit id leads: its row's key when it is numbered, else the id
/// kept whole.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowOf {
    pub(crate) key: Option<i64>,
    pub(crate) kept: Option<[u8; 16]>,
}

impl RowOf {
    pub(crate) fn new(id: VisitId) -> Self {
        match id.number().and_then(|n| i64::try_from(n).ok()) {
            Some(key) => Self { key: Some(key), kept: None },
            None => Self { key: None, kept: Some(*id.as_bytes()) },
        }
    }

    /// The id kept whole, as bytes to bind (none for a numbered id).
    pub(crate) fn kept_bytes(&self) -> Option<&[u8]> {
        self.kept.as_ref().map(<[u8; 16]>::as_slice)
    }

    /// Binds the three parameters of [`ROW_OF`].
    pub(crate) fn bind<'q>(&self, query: Query<'q>) -> Query<'q> {
        let kept = self.kept.map(|b| b.to_vec());
        query.bind(self.key).bind(kept.clone()).bind(kept)
    }
}

/// The condition "this row is the visit", over `visit_rows` and three
/// parameters ([`RowOf::bind`]): a numbered id is its row (one that kept no
/// other id), any other id is found through `visit_rows_legacy_id`.
pub(crate) const ROW_OF: &str =
    "key = coalesce(?, (SELECT key FROM visit_rows WHERE legacy_id = ?)) AND legacy_id IS ?";

/// The table and columns a visit insert names; each row is [`ROW_BY_IDS`] or [`ROW_BY_NUMBERS`].
const TABLE_COLUMNS: &str =
    "visit_rows (key, resident_no, venue_no, entered_at, exited_at, exit_kind, source, max_stay_ms, colour, legacy_id)";

/// One row's values, the person and the venue found by id (a missing one
/// breaks `NOT NULL`).
pub(crate) const ROW_BY_IDS: &str =
    "(?, (SELECT no FROM residents WHERE id = ?), (SELECT no FROM venues WHERE id = ?), ?, ?, ?, ?, ?, ?, ?)";

/// One row's values, the person's and the venue's numbers given.
pub(crate) const ROW_BY_NUMBERS: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// `rows` copies of `row`, separated by commas.
fn rows_of(rows: usize, row: &str) -> String {
    vec![row; rows].join(",")
}

/// `INSERT` with `rows` rows of `row`.
pub(crate) fn insert_statement(rows: usize, row: &str) -> String {
    format!("INSERT INTO {TABLE_COLUMNS} VALUES {}", rows_of(rows, row))
}

/// `INSERT` of the rows of `rows` rows of `row` whose entry is not null: the
/// scan writer pads a batch with rows of nulls so that one statement serves
/// every batch of a size (`scan_batch::SIZES`). `OR FAIL`, as the writer's
/// batch statements are (`scan_batch::Kind`).
pub(crate) fn padded_insert_statement(rows: usize, row: &str) -> String {
    format!(
        "INSERT OR FAIL INTO {TABLE_COLUMNS} SELECT * FROM (VALUES {}) WHERE column4 IS NOT NULL",
        rows_of(rows, row)
    )
}

/// Binds one visit for [`ROW_BY_IDS`].
pub(crate) fn bind_by_ids<'q>(query: Query<'q>, v: &'q Visit) -> Query<'q> {
    let values = Stored::of(v);
    let query =
        query.bind(values.key_to_bind()).bind(v.resident.as_bytes().as_slice()).bind(v.venue.as_bytes().as_slice());
    bind_rest(query, &values)
}

/// Binds one visit for [`ROW_BY_NUMBERS`].
pub(crate) fn bind_by_numbers<'q>(query: Query<'q>, v: &'q Visit, resident: i64, venue: i64) -> Query<'q> {
    let values = Stored::of(v);
    bind_rest(query.bind(values.key_to_bind()).bind(resident).bind(venue), &values)
}

/// Binds a row's values after the person and the venue.
fn bind_rest<'q>(query: Query<'q>, values: &Stored) -> Query<'q> {
    query
        .bind(values.entered_at)
        .bind(values.exited_at)
        .bind(values.exit_kind)
        .bind(values.source)
        .bind(values.max_stay_ms)
        .bind(values.colour)
        .bind(values.kept.map(|kept| kept.to_vec()))
}

/// The last row number given, as a scalar subquery: past every row's,
/// those of rows since deleted included (`AUTOINCREMENT` keeps them in
/// `sqlite_sequence`). Read inside the writer's transaction, so no one else
/// takes the next one first.
pub(crate) const LAST_NUMBER: &str =
    "(SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'visit_rows'), 0),
                   coalesce((SELECT max(key) FROM visit_rows), 0)))";

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes here and the view's `CASE`s in migration 0036 must agree.
    #[test]
    fn the_codes_are_the_migrations() {
        let migration = include_str!("../migrations/0036_compact_visits.sql");
        for kind in [ExitKind::Scan, ExitKind::Button, ExitKind::NextCheckIn, ExitKind::Auto] {
            let pair = format!("WHEN {} THEN '{}'", exit_kind_code(kind), kind.as_str());
            assert!(migration.contains(&pair), "{pair}");
        }
        for colour in [Colour::Green, Colour::Yellow] {
            let pair = format!("WHEN {} THEN '{}'", colour_code(colour), colour.as_str());
            assert!(migration.contains(&pair), "{pair}");
        }
        assert!(migration.contains("ELSE 'red' END AS colour") && colour_code(Colour::Red) == 2);
        assert!(migration.contains("WHEN 0 THEN 'self_scan' ELSE 'staff'"));
        assert_eq!((source_code(VisitSource::SelfScan), source_code(VisitSource::Staff)), (0, 1));
        for c in 0..4 {
            assert_eq!(exit_kind_of(c).map(exit_kind_code), Some(c));
        }
        assert_eq!(
            (source_of(1), colour_of(2), colour_of(3), exit_kind_of(4)),
            (Some(VisitSource::Staff), Some(Colour::Red), None, None)
        );
    }
}
