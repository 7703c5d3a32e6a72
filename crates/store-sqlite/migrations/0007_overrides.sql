-- Manual overrides: no effect until a second person approves.

CREATE TABLE overrides (
    id           BLOB PRIMARY KEY,
    resident_id  BLOB NOT NULL REFERENCES residents (id),
    colour       TEXT NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    reason_code  TEXT NOT NULL,
    basis        TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by   TEXT,
    decided_at   INTEGER
);

CREATE INDEX overrides_pending ON overrides (state, requested_at);
