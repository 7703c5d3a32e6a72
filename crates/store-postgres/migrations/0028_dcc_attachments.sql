-- EU Digital COVID Certificates visitors attached: the verdict and the
-- window in which the acceptance rule holds, not the certificate. The
-- certificate identifier is kept only as its SHA-256, to recognise the
-- same certificate attached twice; the holder's name and birth date are
-- not kept at all.

CREATE TABLE dcc_attachments (
    resident_id      uuid NOT NULL REFERENCES residents (id),
    certificate_hash text NOT NULL,
    kind             text NOT NULL,
    country          text NOT NULL,
    rule_id          text NOT NULL,
    rule_version     text NOT NULL,
    accepted         boolean NOT NULL,
    refusal          text,
    valid_from       timestamptz,
    valid_until      timestamptz,
    expires_at       timestamptz NOT NULL,
    attached_at      timestamptz NOT NULL,
    PRIMARY KEY (resident_id, certificate_hash)
);
