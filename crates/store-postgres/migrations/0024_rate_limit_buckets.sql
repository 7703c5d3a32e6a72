-- Several servers on one database: the sign-in rate limit's token buckets,
-- shared by every server (one row per client address, and one for everyone).
-- A bucket untouched for a minute is full again, so the auto check-out job
-- forgets such rows.

CREATE TABLE rate_limit_buckets (
    key        TEXT PRIMARY KEY,
    tokens     DOUBLE PRECISION NOT NULL,
    touched_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX rate_limit_buckets_by_touch ON rate_limit_buckets (touched_at);
