-- 0001 foundation: what the store holds and where it came from.
-- Every dataset loaded into the store is registered here with its source and a content hash,
-- so later capabilities can say which data version a result was computed from.
CREATE TABLE store_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE datasets (
    dataset_id VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,            -- 'scenario', 'ingest', 'bundle' ...
    source VARCHAR NOT NULL,          -- where it came from (path or name), never personal data
    content_hash VARCHAR,             -- hash of the source files, when known
    rows_loaded BIGINT NOT NULL DEFAULT 0,
    loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    details JSON
);
