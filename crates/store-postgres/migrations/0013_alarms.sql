-- Anomaly alarms: raised by the system after a manual status change (a burst
-- of them, or a red code with no case and no presence), shown to the health
-- authority until a person acknowledges them.

CREATE TABLE alarms (
    id              uuid PRIMARY KEY,
    at              timestamptz NOT NULL,
    kind            text NOT NULL,
    subject         text NOT NULL,
    detail          text NOT NULL,
    acknowledged_by text,
    acknowledged_at timestamptz,
    CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL))
);

-- Open alarms of a kind in the last hour (no flood), and the list's order.
CREATE INDEX alarms_open ON alarms (kind, at) WHERE acknowledged_at IS NULL;
CREATE INDEX alarms_at ON alarms (at);
