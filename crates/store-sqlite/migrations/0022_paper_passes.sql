-- Paper passes: each resident's current print. A pass carries its print
-- number; printing again increments it, which revokes every earlier pass
-- (the server compares; offline scanners learn it from the status list).

CREATE TABLE paper_passes (
    resident_id  BLOB PRIMARY KEY REFERENCES residents (id),
    print_number INTEGER NOT NULL,
    valid_from   INTEGER NOT NULL,
    valid_until  INTEGER NOT NULL,
    printed_at   INTEGER NOT NULL
);
CREATE INDEX paper_passes_printed_at ON paper_passes (printed_at);
