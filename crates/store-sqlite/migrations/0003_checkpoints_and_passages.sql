-- Checkpoints and the passages officers record there.

CREATE TABLE checkpoints (
    id         BLOB PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('city_entry', 'station', 'other')),
    district   TEXT NOT NULL,
    location   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- The id comes from the scanning device: a passage synced twice is kept once.
CREATE TABLE passages (
    id            BLOB PRIMARY KEY,
    checkpoint_id BLOB NOT NULL REFERENCES checkpoints (id),
    holder_id     BLOB,
    colour        TEXT CHECK (colour IN ('green', 'yellow', 'red')),
    verdict       TEXT NOT NULL CHECK (verdict IN ('allow', 'deny')),
    reason        TEXT NOT NULL,
    direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    scanned_at    INTEGER NOT NULL,
    officer       TEXT NOT NULL,
    offline       INTEGER NOT NULL
);

CREATE INDEX passages_checkpoint_scanned ON passages (checkpoint_id, scanned_at);
-- A case's timeline shows the checkpoints the person passed.
CREATE INDEX passages_holder_scanned ON passages (holder_id, scanned_at);
