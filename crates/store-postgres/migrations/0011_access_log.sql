-- Who looked at a person's records: one row per person whose visits a trace
-- report, a venue's log or an export revealed, with the reader's role (never
-- their name) and why. Residents read their own rows; the audit log holds the
-- reader's name for auditors.

CREATE TABLE access_log (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resident_id uuid NOT NULL REFERENCES residents (id),
    at          timestamptz NOT NULL,
    role        text NOT NULL,
    purpose     text NOT NULL,
    reference   text NOT NULL
);

CREATE INDEX access_log_resident ON access_log (resident_id, at);
