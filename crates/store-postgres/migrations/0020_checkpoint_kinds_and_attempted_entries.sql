-- Checkpoint control as Hanoi ran it, and red/yellow holders turned away at venues.
--
-- Checkpoint kinds become national_highway, provincial_border, station, airport
-- and other. Existing `city_entry` posts become `other` (nobody recorded which
-- road or border they stood on); `station` stays. Passages always had a
-- required direction (0003: NOT NULL, in/out), so none lacks one.
-- A checkpoint may name its province (a region code such as VN-HN): its times
-- are shown in that region's zone. NULL = the deployment's zone.
--
-- `venue_attempts`: a yellow or red holder who scanned a venue's QR, or was
-- scanned by its staff, and was told not to enter. No visit is written; the
-- attempt is kept for tracing (the case's timeline) and counted in statistics,
-- and purged with the visits after the retention period.

ALTER TABLE checkpoints DROP CONSTRAINT checkpoints_kind_check;
UPDATE checkpoints SET kind = 'other' WHERE kind NOT IN ('station', 'other');
ALTER TABLE checkpoints ADD CONSTRAINT checkpoints_kind_check
    CHECK (kind IN ('national_highway', 'provincial_border', 'station', 'airport', 'other'));
ALTER TABLE checkpoints ADD COLUMN province text;

CREATE TABLE venue_attempts (
    id           uuid PRIMARY KEY,
    venue_id     uuid NOT NULL REFERENCES venues (id),
    resident_id  uuid NOT NULL REFERENCES residents (id),
    attempted_at timestamptz NOT NULL,
    colour       text NOT NULL CHECK (colour IN ('yellow', 'red')),
    source       text NOT NULL CHECK (source IN ('self_scan', 'staff'))
);

CREATE INDEX venue_attempts_venue ON venue_attempts (venue_id, attempted_at);
CREATE INDEX venue_attempts_resident ON venue_attempts (resident_id, attempted_at);
CREATE INDEX venue_attempts_at ON venue_attempts (attempted_at);
