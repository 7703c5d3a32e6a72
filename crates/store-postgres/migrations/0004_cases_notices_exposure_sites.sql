-- Cases recorded by the health authority, exposure notices, and the public
-- list of exposure sites (venue and time window, no personal data).

CREATE TABLE cases (
    id          uuid PRIMARY KEY,
    resident_id uuid NOT NULL REFERENCES residents (id),
    kind        text NOT NULL CHECK (kind IN ('confirmed', 'suspected')),
    onset       date NOT NULL,
    isolated_on date,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL,
    applied_at  timestamptz
);

CREATE INDEX cases_resident ON cases (resident_id, recorded_at);
CREATE INDEX cases_recorded ON cases (recorded_at);

CREATE TABLE notices (
    id          uuid PRIMARY KEY,
    resident_id uuid NOT NULL REFERENCES residents (id),
    at          timestamptz NOT NULL,
    case_id     uuid NOT NULL REFERENCES cases (id),
    kind        text NOT NULL CHECK (kind IN ('case', 'close', 'secondary')),
    message     text NOT NULL
);

CREATE INDEX notices_resident ON notices (resident_id, at);

CREATE TABLE exposure_sites (
    case_id   uuid NOT NULL REFERENCES cases (id),
    venue_id  uuid NOT NULL REFERENCES venues (id),
    from_at   timestamptz NOT NULL,
    to_at     timestamptz NOT NULL,
    PRIMARY KEY (case_id, venue_id, from_at)
);

CREATE INDEX exposure_sites_to ON exposure_sites (to_at);
