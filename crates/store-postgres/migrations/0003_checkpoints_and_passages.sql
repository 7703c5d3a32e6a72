-- Checkpoints and the passages officers record there.

CREATE TABLE checkpoints (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('city_entry', 'station', 'other')),
    district   text NOT NULL,
    location   text NOT NULL,
    created_at timestamptz NOT NULL
);

-- The id comes from the scanning device: a passage synced twice is kept once.
CREATE TABLE passages (
    id            uuid PRIMARY KEY,
    checkpoint_id uuid NOT NULL REFERENCES checkpoints (id),
    holder_id     uuid,
    colour        text CHECK (colour IN ('green', 'yellow', 'red')),
    verdict       text NOT NULL CHECK (verdict IN ('allow', 'deny')),
    reason        text NOT NULL,
    direction     text NOT NULL CHECK (direction IN ('in', 'out')),
    scanned_at    timestamptz NOT NULL,
    officer       text NOT NULL,
    offline       boolean NOT NULL
);

CREATE INDEX passages_checkpoint_scanned ON passages (checkpoint_id, scanned_at);
-- A case's timeline shows the checkpoints the person passed.
CREATE INDEX passages_holder_scanned ON passages (holder_id, scanned_at);
