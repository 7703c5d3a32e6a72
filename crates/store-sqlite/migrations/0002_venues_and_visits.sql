-- Venues (QR scanning points) and visits (entries and exits).

CREATE TABLE venues (
    id                        BLOB PRIMARY KEY,
    owner_phone               TEXT NOT NULL,
    name                      TEXT NOT NULL,
    address                   TEXT NOT NULL,
    province                  TEXT NOT NULL,
    district                  TEXT NOT NULL,
    commune                   TEXT NOT NULL,
    category                  TEXT NOT NULL,
    capacity                  INTEGER,
    max_stay_minutes          INTEGER NOT NULL,
    state                     TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    token_generation          INTEGER NOT NULL,
    previous_generation_until INTEGER,
    qr_token                  TEXT NOT NULL,
    created_at                INTEGER NOT NULL
);

CREATE INDEX venues_owner ON venues (owner_phone, created_at);
CREATE INDEX venues_district ON venues (district);

CREATE TABLE visits (
    id          BLOB PRIMARY KEY,
    resident_id BLOB NOT NULL REFERENCES residents (id),
    venue_id    BLOB NOT NULL REFERENCES venues (id),
    entered_at  INTEGER NOT NULL,
    exited_at   INTEGER,
    exit_kind   TEXT CHECK (exit_kind IN ('scan', 'button', 'next_check_in', 'auto')),
    source      TEXT NOT NULL CHECK (source IN ('self_scan', 'staff')),
    max_stay_ms INTEGER NOT NULL,
    colour      TEXT NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    CHECK ((exited_at IS NULL) = (exit_kind IS NULL))
);

-- Tracing and the venue's own log: who was at this venue when.
CREATE INDEX visits_venue_entered ON visits (venue_id, entered_at);
-- The person's own visits, and their latest one.
CREATE INDEX visits_resident_entered ON visits (resident_id, entered_at);
-- One active check-in at a time, enforced by the database.
CREATE UNIQUE INDEX visits_one_open ON visits (resident_id) WHERE exited_at IS NULL;
-- The auto check-out job scans only open visits.
CREATE INDEX visits_open_entered ON visits (entered_at) WHERE exited_at IS NULL;
