-- Visits stored compactly (issue 20, item 3): a city keeps tens of millions of
-- them, and at 194 B a visit the 16-byte ids were most of it (the visit's own
-- id with its unique index, the person's and the venue's in the row and in
-- both time indexes) with the enums spelled out as text.
--
-- * People and venues get a number (`no`), assigned on insert by a trigger
--   (the shared insert statements stay as they are), kept by `VACUUM INTO`
--   (a rowid would not be).
-- * `visit_rows` holds the numbers and one-byte enum codes; its key is the
--   row number, and the visit's public id is made from it (`VisitId::
--   from_number`), so it has no id column and no id index. A visit stored
--   with an id of another form (one written before this migration, or
--   imported from PostgreSQL) keeps it in `legacy_id`, indexed apart.
-- * `visits` becomes a view with the old columns, for the reads both
--   backends share; the SQLite store writes `visit_rows` itself.
--
-- The codes (`store-sqlite/src/visit_rows.rs` has them too, and a test that
-- compares): exit_kind scan 0, button 1, next_check_in 2, auto 3;
-- source self_scan 0, staff 1; colour green 0, yellow 1, red 2.

ALTER TABLE residents ADD COLUMN no INTEGER;
UPDATE residents SET no = rowid;
CREATE UNIQUE INDEX residents_no ON residents (no);
-- A visit's person by number, without reading the person's row (tracing
-- and the stay index's load read millions of visits).
CREATE INDEX residents_no_id ON residents (no, id);
CREATE TRIGGER residents_numbered AFTER INSERT ON residents WHEN NEW.no IS NULL
BEGIN
    UPDATE residents SET no = coalesce((SELECT max(no) FROM residents), 0) + 1 WHERE rowid = NEW.rowid;
END;

ALTER TABLE venues ADD COLUMN no INTEGER;
UPDATE venues SET no = rowid;
CREATE UNIQUE INDEX venues_no ON venues (no);
CREATE TRIGGER venues_numbered AFTER INSERT ON venues WHEN NEW.no IS NULL
BEGIN
    UPDATE venues SET no = coalesce((SELECT max(no) FROM venues), 0) + 1 WHERE rowid = NEW.rowid;
END;

-- AUTOINCREMENT: a number is never given twice, even after the newest visit
-- is deleted, so an id once handed out never names another visit.
CREATE TABLE visit_rows (
    key         INTEGER PRIMARY KEY AUTOINCREMENT,
    resident_no INTEGER NOT NULL REFERENCES residents (no),
    venue_no    INTEGER NOT NULL REFERENCES venues (no),
    entered_at  INTEGER NOT NULL,
    exited_at   INTEGER,
    exit_kind   INTEGER CHECK (exit_kind BETWEEN 0 AND 3),
    source      INTEGER NOT NULL CHECK (source IN (0, 1)),
    max_stay_ms INTEGER NOT NULL,
    colour      INTEGER NOT NULL CHECK (colour BETWEEN 0 AND 2),
    legacy_id   BLOB,
    CHECK ((exited_at IS NULL) = (exit_kind IS NULL))
);

INSERT INTO visit_rows (key, resident_no, venue_no, entered_at, exited_at, exit_kind, source, max_stay_ms, colour, legacy_id)
SELECT v.rowid, r.no, p.no, v.entered_at, v.exited_at,
       CASE v.exit_kind WHEN 'scan' THEN 0 WHEN 'button' THEN 1 WHEN 'next_check_in' THEN 2 WHEN 'auto' THEN 3 END,
       CASE v.source WHEN 'self_scan' THEN 0 ELSE 1 END,
       v.max_stay_ms,
       CASE v.colour WHEN 'green' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END,
       v.id
FROM visits v JOIN residents r ON r.id = v.resident_id JOIN venues p ON p.id = v.venue_id
ORDER BY v.rowid;

DROP TABLE visits;

-- Tracing and the venue's own log: who was at this venue when.
CREATE INDEX visit_rows_venue_entered ON visit_rows (venue_no, entered_at);
-- The person's own visits, and their latest one.
CREATE INDEX visit_rows_resident_entered ON visit_rows (resident_no, entered_at);
-- One active check-in at a time, enforced by the database.
CREATE UNIQUE INDEX visit_rows_one_open ON visit_rows (resident_no) WHERE exited_at IS NULL;
-- The auto check-out job scans only open visits.
CREATE INDEX visit_rows_open_entered ON visit_rows (entered_at) WHERE exited_at IS NULL;
-- Visits that kept an id of another form.
CREATE UNIQUE INDEX visit_rows_legacy_id ON visit_rows (legacy_id) WHERE legacy_id IS NOT NULL;

-- The old shape, for reading. LEFT JOINs on unique keys: SQLite leaves out
-- a last join whose columns a query does not use (not in an aggregate), and
-- a filter on a joined id makes it an inner join again. Counting and
-- statistics read `visit_rows` itself.
CREATE VIEW visits AS
SELECT coalesce(v.legacy_id, unhex(printf('%012x80008000000000000000', v.key))) AS id,
       r.id AS resident_id,
       p.id AS venue_id,
       v.entered_at,
       v.exited_at,
       CASE v.exit_kind WHEN 0 THEN 'scan' WHEN 1 THEN 'button' WHEN 2 THEN 'next_check_in' WHEN 3 THEN 'auto' END
           AS exit_kind,
       CASE v.source WHEN 0 THEN 'self_scan' ELSE 'staff' END AS source,
       v.max_stay_ms,
       CASE v.colour WHEN 0 THEN 'green' WHEN 1 THEN 'yellow' ELSE 'red' END AS colour,
       v.key,
       v.resident_no,
       v.venue_no
FROM visit_rows v
LEFT JOIN venues p ON p.no = v.venue_no
LEFT JOIN residents r ON r.no = v.resident_no;
