-- Manual overrides: no effect until a second person approves.

CREATE TABLE overrides (
    id           uuid PRIMARY KEY,
    resident_id  uuid NOT NULL REFERENCES residents (id),
    colour       text NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    reason_code  text NOT NULL,
    basis        text NOT NULL,
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    state        text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by   text,
    decided_at   timestamptz
);

CREATE INDEX overrides_pending ON overrides (state, requested_at);
