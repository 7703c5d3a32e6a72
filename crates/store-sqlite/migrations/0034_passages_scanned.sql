-- The staff console's passages list reads every checkpoint's passages in a
-- bounded date range, newest first: an index on the time alone (the existing
-- ones lead with the checkpoint or the holder).

CREATE INDEX passages_scanned ON passages (scanned_at);
