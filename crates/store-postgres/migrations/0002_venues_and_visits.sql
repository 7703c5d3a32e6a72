-- Venues (QR scanning points) and visits (entries and exits).

CREATE TABLE venues (
    id                        uuid PRIMARY KEY,
    owner_phone               text NOT NULL,
    name                      text NOT NULL,
    address                   text NOT NULL,
    province                  text NOT NULL,
    district                  text NOT NULL,
    commune                   text NOT NULL,
    category                  text NOT NULL,
    capacity                  bigint,
    max_stay_minutes          integer NOT NULL,
    state                     text NOT NULL CHECK (state IN ('open', 'closed')),
    token_generation          bigint NOT NULL,
    previous_generation_until timestamptz,
    qr_token                  text NOT NULL,
    created_at                timestamptz NOT NULL
);

CREATE INDEX venues_owner ON venues (owner_phone, created_at);
CREATE INDEX venues_district ON venues (district);

-- Not partitioned yet: a partitioned table cannot carry the global partial
-- unique index below (one open visit per person); see ARCHITECTURE.md.
CREATE TABLE visits (
    id          uuid PRIMARY KEY,
    resident_id uuid NOT NULL REFERENCES residents (id),
    venue_id    uuid NOT NULL REFERENCES venues (id),
    entered_at  timestamptz NOT NULL,
    exited_at   timestamptz,
    exit_kind   text CHECK (exit_kind IN ('scan', 'button', 'next_check_in', 'auto')),
    source      text NOT NULL CHECK (source IN ('self_scan', 'staff')),
    max_stay_ms bigint NOT NULL,
    colour      text NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    CHECK ((exited_at IS NULL) = (exit_kind IS NULL))
);

CREATE INDEX visits_venue_entered ON visits (venue_id, entered_at);
CREATE INDEX visits_resident_entered ON visits (resident_id, entered_at, id);
CREATE UNIQUE INDEX visits_one_open ON visits (resident_id) WHERE exited_at IS NULL;
CREATE INDEX visits_open_entered ON visits (entered_at) WHERE exited_at IS NULL;
