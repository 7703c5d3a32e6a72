-- One access entry per person, reader, role, purpose, reference and day:
-- a reader who opens the same trace report again the same day adds nothing
-- (issue 22: every view wrote one row per person named, 46k rows a view on
-- a busy case, and the table grew with every look). The person still sees
-- who (by role) read their record, why, and on which day, with the time of
-- the first look that day.
--
-- `reader` is who read (a staff member's name, a venue's id), for this rule
-- and for auditors; a person's own view shows the role, never the reader.
-- `day` is the UTC day of `at` (whole days since 1970-01-01). Entries written
-- before this migration have neither (NULL), so the unique index never
-- merges them (NULLs are distinct): the old log stays exactly as it was.

ALTER TABLE access_log ADD COLUMN reader TEXT;
ALTER TABLE access_log ADD COLUMN day INTEGER;

CREATE UNIQUE INDEX access_log_once_a_day ON access_log (resident_id, day, reader, role, purpose, reference);
