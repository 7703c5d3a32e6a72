-- Several servers on one database (PostgreSQL) share the sign-in rate
-- limit's token buckets in this table. A SQLite file has one server, which
-- keeps its buckets in memory; the table exists so both schemas match.

CREATE TABLE rate_limit_buckets (
    key        TEXT PRIMARY KEY,
    tokens     REAL NOT NULL,
    touched_at INTEGER NOT NULL
);

CREATE INDEX rate_limit_buckets_by_touch ON rate_limit_buckets (touched_at);
