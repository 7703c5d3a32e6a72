-- Accounts, health reports, statuses with their history, sign-in state and
-- the development outbox. Times are Unix milliseconds (UTC); local dates are
-- ISO 'YYYY-MM-DD' in the deployment's time zone.

CREATE TABLE residents (
    id              BLOB PRIMARY KEY,
    holder_id       BLOB NOT NULL UNIQUE,
    contact         TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('resident', 'visitor')),
    name            TEXT,
    document_type   TEXT,
    document_number TEXT,
    district        TEXT,
    created_at      INTEGER NOT NULL
);

CREATE TABLE health_status (
    resident_id       BLOB PRIMARY KEY REFERENCES residents (id),
    colour            TEXT NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    since             INTEGER NOT NULL,
    basis_kind        TEXT NOT NULL,
    rule_id           TEXT,
    policy_version    TEXT NOT NULL,
    q_required_days   INTEGER,
    q_streak          INTEGER,
    q_started_on      TEXT,
    q_last_counted_on TEXT,
    last_report_on    TEXT,
    version           INTEGER NOT NULL
);

CREATE INDEX health_status_colour ON health_status (colour);

CREATE TABLE reports (
    id             BLOB PRIMARY KEY,
    resident_id    BLOB NOT NULL REFERENCES residents (id),
    at             INTEGER NOT NULL,
    local_date     TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('declaration', 'clock_in')),
    symptoms       INTEGER NOT NULL,
    temperature_dc INTEGER,
    -- The full report as JSON (regions, contact, travel plan).
    body           TEXT NOT NULL
);

CREATE INDEX reports_resident_at ON reports (resident_id, at);
CREATE INDEX reports_local_date ON reports (local_date);

CREATE TABLE status_changes (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    resident_id    BLOB NOT NULL REFERENCES residents (id),
    at             INTEGER NOT NULL,
    event          TEXT NOT NULL,
    from_colour    TEXT,
    to_colour      TEXT NOT NULL,
    basis          TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    actor          TEXT NOT NULL
);

CREATE INDEX status_changes_resident ON status_changes (resident_id, seq);

CREATE TABLE otp_challenges (
    contact        TEXT PRIMARY KEY,
    code_hash      BLOB NOT NULL,
    expires_at     INTEGER NOT NULL,
    attempts       INTEGER NOT NULL,
    window_start   INTEGER NOT NULL,
    sent_in_window INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,
    kind        TEXT NOT NULL,
    role        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    resident_id BLOB REFERENCES residents (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE outbox (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    channel   TEXT NOT NULL,
    recipient TEXT NOT NULL,
    body      TEXT NOT NULL,
    code      TEXT
);

CREATE INDEX outbox_recipient ON outbox (recipient, id);
