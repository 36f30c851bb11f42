-- 0005 linkage: runs of record linkage across agencies (palermo.linkage). A run is either 'encoded'
-- (Bloom-filter encodings matched at the hub) or 'clear' (Splink on identifying values held by one
-- agency or a trusted hub). Only pseudonymous record ids, cluster ids and scores are stored here;
-- no name, date of birth or other identifying value, and no encoding.
CREATE TABLE linkage_runs (
    run_id VARCHAR PRIMARY KEY,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    kind VARCHAR NOT NULL,
    engine VARCHAR NOT NULL,
    sources VARCHAR[] NOT NULL,
    threshold DOUBLE,
    records BIGINT NOT NULL,
    clusters BIGINT NOT NULL,
    parameters JSON NOT NULL,
    palermo_version VARCHAR NOT NULL
);
COMMENT ON TABLE linkage_runs IS 'palermo.linkage: one row per linkage run; sources in the order of capture-history columns';
COMMENT ON COLUMN linkage_runs.kind IS 'encoded (privacy-preserving, Bloom filters) or clear (Splink)';
COMMENT ON COLUMN linkage_runs.parameters IS 'schema fingerprint, blocking, within-agency threshold, candidate counts, timings; never a value';

CREATE TABLE linkage_records (
    run_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    cluster_id BIGINT NOT NULL,
    PRIMARY KEY (run_id, source, record_id)
);
COMMENT ON TABLE linkage_records IS 'palermo.linkage: the cluster (one person) of every record of a run; source is the agency';

CREATE TABLE linkage_clusters (
    run_id VARCHAR NOT NULL,
    cluster_id BIGINT NOT NULL,
    size INTEGER NOT NULL,
    agencies INTEGER NOT NULL,
    history VARCHAR NOT NULL,
    links INTEGER NOT NULL,
    mean_score DOUBLE,
    min_score DOUBLE,
    PRIMARY KEY (run_id, cluster_id)
);
COMMENT ON TABLE linkage_clusters IS 'palermo.linkage: each cluster of a run, its capture history (one 0/1 per source, in linkage_runs.sources order) and link confidence; scores stay at the hub';
