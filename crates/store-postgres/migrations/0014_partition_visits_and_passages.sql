-- Visits and passages become tables partitioned by day (UTC), so retention
-- drops whole days instead of deleting rows one by one. Converted in place:
-- every row moves into the DEFAULT partition; the store creates one partition
-- per day from then on (`partitions.rs`), and a day that already has rows in
-- DEFAULT simply stays there until retention deletes them.
--
-- A partitioned table cannot carry the old global partial unique index (one
-- open visit per person), because every unique index must contain the
-- partition key. That rule moves to `open_visits`, written in the same
-- transaction as the visit. Plain DDL only: no triggers, functions or DO
-- blocks (see ARCHITECTURE.md).

-- Visits ------------------------------------------------------------------

ALTER TABLE visits RENAME TO visits_unpartitioned;
ALTER TABLE visits_unpartitioned DROP CONSTRAINT visits_pkey;
DROP INDEX visits_venue_entered;
DROP INDEX visits_resident_entered;
DROP INDEX visits_one_open;
DROP INDEX visits_open_entered;

CREATE TABLE visits (
    id          uuid NOT NULL,
    resident_id uuid NOT NULL,
    venue_id    uuid NOT NULL,
    entered_at  timestamptz NOT NULL,
    exited_at   timestamptz,
    exit_kind   text CHECK (exit_kind IN ('scan', 'button', 'next_check_in', 'auto')),
    source      text NOT NULL CHECK (source IN ('self_scan', 'staff')),
    max_stay_ms bigint NOT NULL,
    colour      text NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    CHECK ((exited_at IS NULL) = (exit_kind IS NULL))
) PARTITION BY RANGE (entered_at);

CREATE TABLE visits_default PARTITION OF visits DEFAULT;

INSERT INTO visits (id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour)
SELECT id, resident_id, venue_id, entered_at, exited_at, exit_kind, source, max_stay_ms, colour
FROM visits_unpartitioned;

-- At most one open visit per person: the primary key says so.
CREATE TABLE open_visits (
    resident_id uuid PRIMARY KEY REFERENCES residents (id),
    visit_id    uuid NOT NULL UNIQUE,
    entered_at  timestamptz NOT NULL
);

INSERT INTO open_visits (resident_id, visit_id, entered_at)
SELECT resident_id, id, entered_at FROM visits_unpartitioned WHERE exited_at IS NULL;

DROP TABLE visits_unpartitioned;

ALTER TABLE visits ADD PRIMARY KEY (id, entered_at);
ALTER TABLE visits ADD FOREIGN KEY (resident_id) REFERENCES residents (id);
ALTER TABLE visits ADD FOREIGN KEY (venue_id) REFERENCES venues (id);
-- Lookups by id alone (the id is still unique in practice: random uuids).
CREATE INDEX visits_id ON visits (id);
CREATE INDEX visits_venue_entered ON visits (venue_id, entered_at);
CREATE INDEX visits_resident_entered ON visits (resident_id, entered_at, id);
CREATE INDEX visits_open_entered ON visits (entered_at) WHERE exited_at IS NULL;

-- Passages ----------------------------------------------------------------

ALTER TABLE passages RENAME TO passages_unpartitioned;
ALTER TABLE passages_unpartitioned DROP CONSTRAINT passages_pkey;
DROP INDEX passages_checkpoint_scanned;
DROP INDEX passages_holder_scanned;

-- The id comes from the scanning device; the store skips an id it already
-- holds, so a passage synced twice is still kept once.
CREATE TABLE passages (
    id            uuid NOT NULL,
    checkpoint_id uuid NOT NULL,
    holder_id     uuid,
    colour        text CHECK (colour IN ('green', 'yellow', 'red')),
    verdict       text NOT NULL CHECK (verdict IN ('allow', 'deny')),
    reason        text NOT NULL,
    direction     text NOT NULL CHECK (direction IN ('in', 'out')),
    scanned_at    timestamptz NOT NULL,
    officer       text NOT NULL,
    offline       boolean NOT NULL
) PARTITION BY RANGE (scanned_at);

CREATE TABLE passages_default PARTITION OF passages DEFAULT;

INSERT INTO passages (id, checkpoint_id, holder_id, colour, verdict, reason, direction, scanned_at, officer, offline)
SELECT id, checkpoint_id, holder_id, colour, verdict, reason, direction, scanned_at, officer, offline
FROM passages_unpartitioned;

DROP TABLE passages_unpartitioned;

ALTER TABLE passages ADD PRIMARY KEY (id, scanned_at);
ALTER TABLE passages ADD FOREIGN KEY (checkpoint_id) REFERENCES checkpoints (id);
CREATE INDEX passages_id ON passages (id);
CREATE INDEX passages_checkpoint_scanned ON passages (checkpoint_id, scanned_at);
-- A case's timeline shows the checkpoints the person passed.
CREATE INDEX passages_holder_scanned ON passages (holder_id, scanned_at);
