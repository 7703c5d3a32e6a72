-- EU Digital COVID Certificates visitors attached: the verdict and the
-- window in which the acceptance rule holds, not the certificate. The
-- certificate identifier is kept only as its SHA-256, to recognise the
-- same certificate attached twice; the holder's name and birth date are
-- not kept at all.

CREATE TABLE dcc_attachments (
    resident_id      BLOB NOT NULL REFERENCES residents (id),
    certificate_hash TEXT NOT NULL,
    kind             TEXT NOT NULL,
    country          TEXT NOT NULL,
    rule_id          TEXT NOT NULL,
    rule_version     TEXT NOT NULL,
    accepted         INTEGER NOT NULL,
    refusal          TEXT,
    valid_from       INTEGER,
    valid_until      INTEGER,
    expires_at       INTEGER NOT NULL,
    attached_at      INTEGER NOT NULL,
    PRIMARY KEY (resident_id, certificate_hash)
);
