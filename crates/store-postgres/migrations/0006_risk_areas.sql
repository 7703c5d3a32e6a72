-- Districts, wards or regions marked as risk areas for a period.

CREATE TABLE risk_areas (
    id        uuid PRIMARY KEY,
    code      text NOT NULL,
    from_at   timestamptz NOT NULL,
    until_at  timestamptz NOT NULL,
    marked_by text NOT NULL,
    reason    text NOT NULL
);

CREATE INDEX risk_areas_until ON risk_areas (until_at);
