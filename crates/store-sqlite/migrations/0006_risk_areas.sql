-- Districts, wards or regions marked as risk areas for a period.

CREATE TABLE risk_areas (
    id        BLOB PRIMARY KEY,
    code      TEXT NOT NULL,
    from_at   INTEGER NOT NULL,
    until_at  INTEGER NOT NULL,
    marked_by TEXT NOT NULL,
    reason    TEXT NOT NULL
);

CREATE INDEX risk_areas_until ON risk_areas (until_at);
