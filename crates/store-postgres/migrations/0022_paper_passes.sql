-- Paper passes: each resident's current print. A pass carries its print
-- number; printing again increments it, which revokes every earlier pass
-- (the server compares; offline scanners learn it from the status list).

CREATE TABLE paper_passes (
    resident_id  uuid PRIMARY KEY REFERENCES residents (id),
    print_number bigint NOT NULL,
    valid_from   timestamptz NOT NULL,
    valid_until  timestamptz NOT NULL,
    printed_at   timestamptz NOT NULL
);
CREATE INDEX paper_passes_printed_at ON paper_passes (printed_at);
