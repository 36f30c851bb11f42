-- 0006 disclosure: the release ledger (palermo.disclosure). Every release the hub publishes is
-- recorded with its profile, the data version it was computed from, its parameters, the privacy
-- budget it spent and the cells it published, so that later releases can be refused when they would
-- overspend the budget or reveal a small cell by differencing. Published counts only: no record.
CREATE TABLE releases (
    release_id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    profile VARCHAR NOT NULL,
    audience VARCHAR NOT NULL,
    data_version VARCHAR NOT NULL,
    records BIGINT NOT NULL,
    tables INTEGER NOT NULL,
    records_suppressed BIGINT NOT NULL,
    min_cell BIGINT,
    epsilon DOUBLE NOT NULL,
    delta DOUBLE NOT NULL,
    parameters JSON NOT NULL,
    manifest_sha256 VARCHAR NOT NULL,
    out_dir VARCHAR NOT NULL,
    palermo_version VARCHAR NOT NULL
);
COMMENT ON TABLE releases IS 'palermo.disclosure: one row per published release';
COMMENT ON COLUMN releases.data_version IS 'SHA-256 of the microdata the release was computed from (sorted rows)';
COMMENT ON COLUMN releases.epsilon IS 'privacy budget spent by the release (sum over its DP queries; 0 for suppression only)';

CREATE TABLE release_queries (
    release_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    columns VARCHAR[] NOT NULL,
    epsilon DOUBLE NOT NULL,
    delta DOUBLE NOT NULL,
    parameters JSON NOT NULL,
    PRIMARY KEY (release_id, name)
);
COMMENT ON TABLE release_queries IS 'palermo.disclosure: each table, microdata set or DP query of a release';
COMMENT ON COLUMN release_queries.kind IS 'suppressed_table, kanon_microdata, dp_counts or dp_synthetic';

CREATE TABLE release_cells (
    release_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    cell VARCHAR NOT NULL,
    count BIGINT,
    PRIMARY KEY (release_id, name, cell)
);
COMMENT ON TABLE release_cells IS 'palermo.disclosure: every cell of every suppression-based table a release published (count null: suppressed), for differencing checks';
COMMENT ON COLUMN release_cells.cell IS 'the cell''s categories as JSON, in the table''s column order (a margin holds null for "all")';
