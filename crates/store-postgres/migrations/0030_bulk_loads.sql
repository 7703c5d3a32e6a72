-- A bulk load in progress (`healthcode demo` seeding a synthetic city): the
-- row is written before the first seeded row and deleted after the last
-- index is rebuilt. A row left here means the load was cut short and the
-- data is incomplete (and may lack the indexes in `indexes`, the statements
-- the load dropped to rebuild at its end); the server refuses to open such a
-- store. See crates/store/src/bulk.rs.

CREATE TABLE bulk_loads (
    what       text PRIMARY KEY,
    started_at timestamptz NOT NULL,
    indexes    text NOT NULL
);
