-- Work resumption: employers' applications, their rosters and gate scans.
-- Roster lines are never deleted (statistics need the history): removal sets
-- removed_at and every employer view filters on it.

CREATE TABLE enterprises (
    id                BLOB PRIMARY KEY,
    owner_phone       TEXT NOT NULL,
    name              TEXT NOT NULL,
    -- JSON array of {"name", "address", "district"}; the first is the main site.
    sites             TEXT NOT NULL,
    district          TEXT NOT NULL,
    planned_headcount INTEGER NOT NULL CHECK (planned_headcount > 0),
    measures          TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    submitted_at      INTEGER NOT NULL,
    due_at            INTEGER NOT NULL,
    decided_at        INTEGER,
    decided_by        TEXT,
    decision_reason   TEXT
);

CREATE INDEX enterprises_state_due ON enterprises (state, due_at);
CREATE INDEX enterprises_owner ON enterprises (owner_phone);

CREATE TABLE employees (
    enterprise_id BLOB NOT NULL REFERENCES enterprises (id),
    phone         TEXT NOT NULL,
    resident_id   BLOB REFERENCES residents (id),
    invited_at    INTEGER NOT NULL,
    accepted_at   INTEGER,
    removed_at    INTEGER,
    PRIMARY KEY (enterprise_id, phone)
);

-- A resident's invitations and employers.
CREATE INDEX employees_phone ON employees (phone);
CREATE INDEX employees_resident ON employees (resident_id);

CREATE TABLE gate_scans (
    id             BLOB PRIMARY KEY,
    enterprise_id  BLOB NOT NULL REFERENCES enterprises (id),
    resident_id    BLOB NOT NULL REFERENCES residents (id),
    scanned_at     INTEGER NOT NULL,
    colour         TEXT NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    temperature_dc INTEGER,
    flagged        INTEGER NOT NULL,
    reason         TEXT NOT NULL
);

CREATE INDEX gate_scans_enterprise_scanned ON gate_scans (enterprise_id, scanned_at);
