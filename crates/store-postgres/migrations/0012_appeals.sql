-- Appeals: a resident contests their colour with a message; the health
-- authority answers by a deadline (working days). An upheld appeal reverses
-- the contested change (a status change citing the appeal).

CREATE TABLE appeals (
    id           uuid PRIMARY KEY,
    resident_id  uuid NOT NULL REFERENCES residents (id),
    colour       text NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
    message      text NOT NULL,
    submitted_at timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    state        text NOT NULL CHECK (state IN ('pending', 'upheld', 'rejected')),
    answered_at  timestamptz,
    answered_by  text,
    answer       text
);

CREATE INDEX appeals_resident ON appeals (resident_id, submitted_at);
CREATE INDEX appeals_open ON appeals (state, due_at);
