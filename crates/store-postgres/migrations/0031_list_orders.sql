-- The staff console's lists sort on the server, newest first by default:
-- overrides by when requested, appeals and employers' applications by when
-- submitted, across every state (the existing indexes lead with the state).

CREATE INDEX overrides_requested ON overrides (requested_at);
CREATE INDEX appeals_submitted ON appeals (submitted_at);
CREATE INDEX enterprises_submitted ON enterprises (submitted_at);
