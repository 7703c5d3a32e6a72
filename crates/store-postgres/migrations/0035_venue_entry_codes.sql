-- The code printed large on a venue's poster, for a visitor whose camera
-- cannot read the QR: they type it at /c. One per venue and QR generation
-- (a rotation makes a new poster, and so a new code), made when that
-- generation's poster is first drawn.

CREATE TABLE venue_entry_codes (
    code       text PRIMARY KEY,
    venue_id   uuid NOT NULL REFERENCES venues (id),
    generation bigint NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (venue_id, generation)
);
