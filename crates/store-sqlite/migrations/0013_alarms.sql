-- Anomaly alarms: raised by the system after a manual status change (a burst
-- of them, or a red code with no case and no presence), shown to the health
-- authority until a person acknowledges them.

CREATE TABLE alarms (
    id              BLOB PRIMARY KEY,
    at              INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    detail          TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at INTEGER,
    CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL))
);

-- Open alarms of a kind in the last hour (no flood), and the list's order.
CREATE INDEX alarms_open ON alarms (kind, at) WHERE acknowledged_at IS NULL;
CREATE INDEX alarms_at ON alarms (at);
