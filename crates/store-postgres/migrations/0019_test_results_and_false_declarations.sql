-- Laboratory test results and false declarations (issue 18, items 1 and 6).
--
-- A sample (person, kind, sample instant, lab) is recorded once: a repeated
-- import is a duplicate, never a second row. `opens_case` marks the one
-- result per person that opened a case (the partial unique index makes two
-- positive results arriving together open one case, not two).

CREATE TABLE test_results (
    id          uuid PRIMARY KEY,
    resident_id uuid NOT NULL REFERENCES residents (id),
    kind        text NOT NULL CHECK (kind IN ('pcr', 'antigen')),
    outcome     text NOT NULL CHECK (outcome IN ('positive', 'negative')),
    sampled_at  timestamptz NOT NULL,
    lab         text NOT NULL,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL,
    channel     text NOT NULL CHECK (channel IN ('api', 'page', 'csv')),
    opens_case  boolean NOT NULL DEFAULT FALSE,
    case_id     uuid REFERENCES cases (id)
);

CREATE UNIQUE INDEX test_results_sample ON test_results (resident_id, kind, sampled_at, lab);
CREATE UNIQUE INDEX test_results_one_case ON test_results (resident_id) WHERE opens_case;
CREATE INDEX test_results_recorded ON test_results (recorded_at);

-- False declarations: recorded by the authority with evidence; no effect
-- until a supervisor other than the requester approves (four eyes), which
-- turns the person red by the policy's false-declaration rule.

CREATE TABLE false_declarations (
    id           uuid PRIMARY KEY,
    resident_id  uuid NOT NULL REFERENCES residents (id),
    evidence     text NOT NULL,
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    state        text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by   text,
    decided_at   timestamptz
);

CREATE INDEX false_declarations_pending ON false_declarations (state, requested_at);
CREATE INDEX false_declarations_resident ON false_declarations (resident_id, requested_at);
