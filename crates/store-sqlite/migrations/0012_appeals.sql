-- Appeals: a resident contests their colour with a message; the health
-- authority answers by a deadline (working days). An upheld appeal reverses
-- the contested change (a status change citing the appeal).

CREATE TABLE appeals (
    id           BLOB PRIMARY KEY,
    resident_id  BLOB NOT NULL REFERENCES residents (id),
    colour       TEXT NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    message      TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    due_at       INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'upheld', 'rejected')),
    answered_at  INTEGER,
    answered_by  TEXT,
    answer       TEXT
);

CREATE INDEX appeals_resident ON appeals (resident_id, submitted_at);
CREATE INDEX appeals_open ON appeals (state, due_at);
