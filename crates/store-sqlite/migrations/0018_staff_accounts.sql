-- Staff accounts (issue 16): people sign in with a login (unique without
-- case, kept lower-case), an argon2id password and, for the authority and
-- supervisors, an RFC 6238 second factor. An invitation is a one-use secret
-- stored as its SHA-256. `version` is bumped by every write (optimistic
-- concurrency: counting failed attempts, role changes and disabling race).

CREATE TABLE staff_accounts (
    id                BLOB PRIMARY KEY,
    login             TEXT NOT NULL UNIQUE,
    display_name      TEXT NOT NULL,
    roles             TEXT NOT NULL,
    scope             TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('invited', 'active', 'locked', 'disabled')),
    password_hash     TEXT,
    totp_secret       BLOB,
    totp_last_step    INTEGER,
    failed_attempts   INTEGER NOT NULL,
    invite_hash       BLOB UNIQUE,
    invite_expires_at INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL
);

-- Device and script tokens carry where they may be used (JSON; NULL: anywhere).
ALTER TABLE sessions ADD COLUMN scope TEXT;

-- Four eyes compare the requester's stable id (a staff account id, or a
-- token's name), not a free-text name; NULL for overrides requested before.
ALTER TABLE overrides ADD COLUMN requested_by_id TEXT;
