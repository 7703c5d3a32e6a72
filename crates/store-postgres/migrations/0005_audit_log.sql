-- The append-only, hash-chained audit log. Rows are never updated or
-- deleted by the application; `healthcode audit verify` recomputes the chain.

CREATE TABLE audit_log (
    seq       bigint PRIMARY KEY,
    at        timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    subject   text NOT NULL,
    detail    text NOT NULL,
    prev_hash bytea NOT NULL,
    hash      bytea NOT NULL
);
