-- Staff accounts (issue 16): people sign in with a login (unique without
-- case, kept lower-case), an argon2id password and, for the authority and
-- supervisors, an RFC 6238 second factor. An invitation is a one-use secret
-- stored as its SHA-256. `version` is bumped by every write (optimistic
-- concurrency: counting failed attempts, role changes and disabling race).

CREATE TABLE staff_accounts (
    id                uuid PRIMARY KEY,
    login             text NOT NULL UNIQUE,
    display_name      text NOT NULL,
    roles             text NOT NULL,
    scope             text NOT NULL,
    state             text NOT NULL CHECK (state IN ('invited', 'active', 'locked', 'disabled')),
    password_hash     text,
    totp_secret       bytea,
    totp_last_step    bigint,
    failed_attempts   bigint NOT NULL,
    invite_hash       bytea UNIQUE,
    invite_expires_at timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           bigint NOT NULL
);

-- Device and script tokens carry where they may be used (JSON; NULL: anywhere).
ALTER TABLE sessions ADD COLUMN scope text;

-- Four eyes compare the requester's stable id (a staff account id, or a
-- token's name), not a free-text name; NULL for overrides requested before.
ALTER TABLE overrides ADD COLUMN requested_by_id text;
