-- Accounts, health reports, statuses with their history, sign-in state and
-- the development outbox: the PostgreSQL twin of the SQLite backend's first
-- migration. Instants are timestamptz (microseconds, UTC); local dates are
-- `date` in the deployment's time zone; ids are `uuid` (compared bytewise);
-- hashes are bytea; JSON bodies are jsonb. Only portable DDL: no triggers,
-- functions or extensions, so CockroachDB and YugabyteDB can run it too.
-- `seq` and `outbox.id` are identity columns (backed by sequences).

CREATE TABLE residents (
    id              uuid PRIMARY KEY,
    holder_id       uuid NOT NULL UNIQUE,
    contact         text NOT NULL UNIQUE,
    kind            text NOT NULL CHECK (kind IN ('resident', 'visitor')),
    name            text,
    document_type   text,
    document_number text,
    district        text,
    created_at      timestamptz NOT NULL
);

CREATE TABLE health_status (
    resident_id       uuid PRIMARY KEY REFERENCES residents (id),
    colour            text NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    since             timestamptz NOT NULL,
    basis_kind        text NOT NULL,
    rule_id           text,
    policy_version    text NOT NULL,
    q_required_days   integer,
    q_streak          integer,
    q_started_on      date,
    q_last_counted_on date,
    last_report_on    date,
    version           bigint NOT NULL
);

CREATE INDEX health_status_colour ON health_status (colour);

CREATE TABLE reports (
    id             uuid PRIMARY KEY,
    resident_id    uuid NOT NULL REFERENCES residents (id),
    at             timestamptz NOT NULL,
    local_date     date NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('declaration', 'clock_in')),
    symptoms       smallint NOT NULL,
    temperature_dc integer,
    -- The full report (regions, contact, travel plan).
    body           jsonb NOT NULL
);

-- `id` completes the (at DESC, id DESC) order of a resident's reports, so
-- reading the newest needs no sort.
CREATE INDEX reports_resident_at ON reports (resident_id, at, id);
CREATE INDEX reports_local_date ON reports (local_date);

CREATE TABLE status_changes (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resident_id uuid NOT NULL REFERENCES residents (id),
    at          timestamptz NOT NULL,
    event       text NOT NULL,
    from_colour text,
    to_colour   text NOT NULL,
    basis       jsonb NOT NULL,
    evidence    jsonb NOT NULL,
    actor       jsonb NOT NULL
);

CREATE INDEX status_changes_resident ON status_changes (resident_id, seq);

CREATE TABLE otp_challenges (
    contact        text PRIMARY KEY,
    code_hash      bytea NOT NULL,
    expires_at     timestamptz NOT NULL,
    attempts       bigint NOT NULL,
    window_start   timestamptz NOT NULL,
    sent_in_window bigint NOT NULL
);

CREATE TABLE sessions (
    token_hash  bytea PRIMARY KEY,
    kind        text NOT NULL,
    role        text NOT NULL,
    subject     text NOT NULL,
    resident_id uuid REFERENCES residents (id),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);

CREATE TABLE outbox (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL,
    channel   text NOT NULL,
    recipient text NOT NULL,
    body      text NOT NULL,
    code      text
);

CREATE INDEX outbox_recipient ON outbox (recipient, id);
