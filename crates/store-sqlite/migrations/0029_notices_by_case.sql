-- The case list counts each case's notices by kind (the contacts its application notified).
CREATE INDEX notices_case ON notices (case_id, kind);
