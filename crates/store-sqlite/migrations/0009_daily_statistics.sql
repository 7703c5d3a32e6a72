-- Daily statistics: compact rollups of closed days (one row per day, district
-- and metric), so the city dashboard reads a few thousand small rows instead of
-- raw personal data, and keeps its figures after retention deletes the raw rows.

CREATE TABLE stat_rollups (
    day      TEXT NOT NULL,
    district TEXT NOT NULL,
    metric   TEXT NOT NULL,
    value    INTEGER NOT NULL,
    PRIMARY KEY (day, district, metric)
) WITHOUT ROWID;

-- Which closed days have been rolled up, and when.
CREATE TABLE stat_days (
    day       TEXT PRIMARY KEY,
    rolled_at INTEGER NOT NULL
);

-- Counting a day reads changes and notices by instant.
CREATE INDEX status_changes_at ON status_changes (at);
CREATE INDEX notices_at ON notices (at);
