-- Federation: the last good signed trust list fetched from each peer region.
-- The document is kept as fetched and verified again against the pinned root
-- key when read; a list is never replaced by one with a lower sequence.

CREATE TABLE peer_lists (
    region     text PRIMARY KEY,
    sequence   bigint NOT NULL,
    document   text NOT NULL,
    etag       text,
    fetched_at timestamptz NOT NULL,
    checked_at timestamptz NOT NULL
);
