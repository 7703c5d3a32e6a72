-- Federation: the last good signed trust list fetched from each peer region.
-- The document is kept as fetched and verified again against the pinned root
-- key when read; a list is never replaced by one with a lower sequence.

CREATE TABLE peer_lists (
    region     TEXT PRIMARY KEY,
    sequence   INTEGER NOT NULL,
    document   TEXT NOT NULL,
    etag       TEXT,
    fetched_at INTEGER NOT NULL,
    checked_at INTEGER NOT NULL
);
