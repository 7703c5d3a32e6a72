-- Four eyes on false declarations compare the requester's stable id (a staff
-- account id, or `token:<name>` for a device token), as overrides do since
-- 0018; records made before this keep NULL and fall back to the name.

ALTER TABLE false_declarations ADD COLUMN requested_by_id TEXT;
