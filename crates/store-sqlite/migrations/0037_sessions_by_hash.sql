-- Sessions stored in the order of their hash (WITHOUT ROWID): every API
-- call reads one by its hash, and in a rowid table that read went down two
-- B-trees, the hash's index and then the table by rowid; it now goes down
-- one. With 100,000 people nearly every check-in reads a session
-- (docs/BENCHMARKS.md, "sessions read on the caller's thread"). The columns stay as they were.

CREATE TABLE sessions_by_hash (
    token_hash  BLOB NOT NULL PRIMARY KEY,
    kind        TEXT NOT NULL,
    role        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    resident_id BLOB REFERENCES residents (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    scope       TEXT
) WITHOUT ROWID;

INSERT INTO sessions_by_hash (token_hash, kind, role, subject, resident_id, created_at, expires_at, scope)
SELECT token_hash, kind, role, subject, resident_id, created_at, expires_at, scope FROM sessions;

DROP TABLE sessions;
ALTER TABLE sessions_by_hash RENAME TO sessions;

-- `healthcode tokens list|revoke --subject` finds a person's sessions and tokens.
CREATE INDEX sessions_subject ON sessions (subject, created_at);
