-- On-site enrolments (issue 16): who a staff member enrolled, with which
-- document (one enrolment per document), the first declaration they filed,
-- and the one-use sign-in link handed over (kept as SHA-256 until used).

CREATE TABLE enrolments (
    resident_id     uuid PRIMARY KEY REFERENCES residents (id),
    document_key    text NOT NULL UNIQUE,
    staff_id        text NOT NULL,
    report_id       uuid,
    handover        text NOT NULL CHECK (handover IN ('link', 'paper_pass')),
    link_hash       bytea UNIQUE,
    link_expires_at timestamptz,
    enrolled_at     timestamptz NOT NULL
);
CREATE INDEX enrolments_staff ON enrolments (staff_id);

-- Staff TOTP seeds are sealed by the server (ChaCha20-Poly1305 under a key in
-- the data directory); the column is named for what it now holds. Rows
-- written before are sealed by the server at its next start.
ALTER TABLE staff_accounts RENAME COLUMN totp_secret TO totp_sealed;
