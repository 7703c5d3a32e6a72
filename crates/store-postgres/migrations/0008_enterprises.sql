-- Work resumption: employers' applications, their rosters and gate scans.
-- Roster lines are never deleted (statistics need the history): removal sets
-- removed_at and every employer view filters on it.

CREATE TABLE enterprises (
    id                uuid PRIMARY KEY,
    owner_phone       text NOT NULL,
    name              text NOT NULL,
    -- Array of {"name", "address", "district"}; the first is the main site.
    sites             jsonb NOT NULL,
    district          text NOT NULL,
    planned_headcount integer NOT NULL CHECK (planned_headcount > 0),
    measures          text NOT NULL,
    state             text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    submitted_at      timestamptz NOT NULL,
    due_at            timestamptz NOT NULL,
    decided_at        timestamptz,
    decided_by        text,
    decision_reason   text
);

CREATE INDEX enterprises_state_due ON enterprises (state, due_at);
CREATE INDEX enterprises_owner ON enterprises (owner_phone);

CREATE TABLE employees (
    enterprise_id uuid NOT NULL REFERENCES enterprises (id),
    phone         text NOT NULL,
    resident_id   uuid REFERENCES residents (id),
    invited_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    removed_at    timestamptz,
    PRIMARY KEY (enterprise_id, phone)
);

-- A resident's invitations and employers.
CREATE INDEX employees_phone ON employees (phone);
CREATE INDEX employees_resident ON employees (resident_id);

CREATE TABLE gate_scans (
    id             uuid PRIMARY KEY,
    enterprise_id  uuid NOT NULL REFERENCES enterprises (id),
    resident_id    uuid NOT NULL REFERENCES residents (id),
    scanned_at     timestamptz NOT NULL,
    colour         text NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    temperature_dc integer,
    flagged        boolean NOT NULL,
    reason         text NOT NULL
);

CREATE INDEX gate_scans_enterprise_scanned ON gate_scans (enterprise_id, scanned_at);
