-- Who looked at a person's records: one row per person whose visits a trace
-- report, a venue's log or an export revealed, with the reader's role (never
-- their name) and why. Residents read their own rows; the audit log holds the
-- reader's name for auditors.

CREATE TABLE access_log (
    resident_id BLOB NOT NULL REFERENCES residents (id),
    at          INTEGER NOT NULL,
    role        TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    reference   TEXT NOT NULL
);

CREATE INDEX access_log_resident ON access_log (resident_id, at);
