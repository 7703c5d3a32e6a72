-- Cases recorded by the health authority, exposure notices, and the public
-- list of exposure sites (venue and time window, no personal data).

CREATE TABLE cases (
    id          BLOB PRIMARY KEY,
    resident_id BLOB NOT NULL REFERENCES residents (id),
    kind        TEXT NOT NULL CHECK (kind IN ('confirmed', 'suspected')),
    onset       TEXT NOT NULL,
    isolated_on TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    applied_at  INTEGER
);

CREATE INDEX cases_resident ON cases (resident_id, recorded_at);
CREATE INDEX cases_recorded ON cases (recorded_at);

CREATE TABLE notices (
    id          BLOB PRIMARY KEY,
    resident_id BLOB NOT NULL REFERENCES residents (id),
    at          INTEGER NOT NULL,
    case_id     BLOB NOT NULL REFERENCES cases (id),
    kind        TEXT NOT NULL CHECK (kind IN ('case', 'close', 'secondary')),
    message     TEXT NOT NULL
);

CREATE INDEX notices_resident ON notices (resident_id, at);

CREATE TABLE exposure_sites (
    case_id   BLOB NOT NULL REFERENCES cases (id),
    venue_id  BLOB NOT NULL REFERENCES venues (id),
    from_at   INTEGER NOT NULL,
    to_at     INTEGER NOT NULL,
    PRIMARY KEY (case_id, venue_id, from_at)
);

CREATE INDEX exposure_sites_to ON exposure_sites (to_at);
