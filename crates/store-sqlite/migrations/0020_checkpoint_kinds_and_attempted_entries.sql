-- no-transaction
-- Checkpoint control as Hanoi ran it, and red/yellow holders turned away at venues.
--
-- Checkpoint kinds become national_highway, provincial_border, station, airport
-- and other. SQLite cannot change a CHECK in place, so the table is rebuilt (the
-- documented twelve steps: foreign keys off, copy, drop, rename, check, on).
-- Existing `city_entry` posts become `other` (nobody recorded which road or
-- border they stood on); `station` stays. Passages always had a required
-- direction (0003: NOT NULL, in/out), so none lacks one.
-- A checkpoint may name its province (a region code such as VN-HN): its times
-- are shown in that region's zone. NULL = the deployment's zone.
--
-- `venue_attempts`: a yellow or red holder who scanned a venue's QR, or was
-- scanned by its staff, and was told not to enter. No visit is written; the
-- attempt is kept for tracing (the case's timeline) and counted in statistics,
-- and purged with the visits after the retention period.

PRAGMA foreign_keys = OFF;

BEGIN IMMEDIATE;

CREATE TABLE checkpoints_0020 (
    id         BLOB PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL
               CHECK (kind IN ('national_highway', 'provincial_border', 'station', 'airport', 'other')),
    district   TEXT NOT NULL,
    location   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    province   TEXT
);

INSERT INTO checkpoints_0020 (id, name, kind, district, location, created_at, province)
SELECT id, name, CASE kind WHEN 'station' THEN 'station' ELSE 'other' END, district, location, created_at, NULL
FROM checkpoints;

DROP TABLE checkpoints;
ALTER TABLE checkpoints_0020 RENAME TO checkpoints;

CREATE TABLE venue_attempts (
    id           BLOB PRIMARY KEY,
    venue_id     BLOB NOT NULL REFERENCES venues (id),
    resident_id  BLOB NOT NULL REFERENCES residents (id),
    attempted_at INTEGER NOT NULL,
    colour       TEXT NOT NULL CHECK (colour IN ('yellow', 'red')),
    source       TEXT NOT NULL CHECK (source IN ('self_scan', 'staff'))
);

-- The venue's log, and the day's count by venue district.
CREATE INDEX venue_attempts_venue ON venue_attempts (venue_id, attempted_at);
-- A case's timeline.
CREATE INDEX venue_attempts_resident ON venue_attempts (resident_id, attempted_at);
-- Retention and the daily count.
CREATE INDEX venue_attempts_at ON venue_attempts (attempted_at);

COMMIT;

PRAGMA foreign_keys = ON;
