-- 0004 ingest: runs, provenance of every ingested record, quarantine, and aggregate statistics.
-- Written by palermo.ingest (see docs/ingest.md). No table here holds a value that may be printed
-- without care: ingest_quarantine.original keeps the row exactly as read (names, dates of birth …),
-- for the data officer to fix and re-submit; commands show where and why, never these values.

CREATE TABLE ingest_runs (
    run_id VARCHAR PRIMARY KEY,
    dataset_id VARCHAR NOT NULL,          -- datasets.dataset_id the records were written under
    source_file VARCHAR NOT NULL,         -- absolute path of the file as read
    file_name VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,           -- SHA-256 of the file's bytes
    file_bytes BIGINT NOT NULL,
    mapping VARCHAR NOT NULL,             -- mapping name
    mapping_version VARCHAR NOT NULL,     -- the mapping's declared version
    mapping_hash VARCHAR NOT NULL,        -- SHA-256 of the mapping file's text
    source_org VARCHAR,                   -- organisation the records are held by (target cases)
    target VARCHAR NOT NULL,              -- 'cases' or 'aggregates'
    rows_read BIGINT NOT NULL,            -- = ingested + quarantined + duplicates_skipped
    ingested BIGINT NOT NULL,
    quarantined BIGINT NOT NULL,
    duplicates_skipped BIGINT NOT NULL,
    blank_rows BIGINT NOT NULL DEFAULT 0, -- rows with every mapped column empty (not records)
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    details JSON                          -- unmapped columns, rows decoded with a fallback encoding …
);

-- One row per record ingested (a case, or an aggregate statistic): where it came from.
-- record_key = MD5 (128 bits) over mapping, source organisation and the mapped columns' values, then '.'
-- and the occurrence of that content in the file (1, 2 … : identical rows are distinct records).
CREATE TABLE ingest_records (
    record_key VARCHAR NOT NULL,
    target_table VARCHAR NOT NULL,        -- 'cases' or 'aggregate_statistics'
    target_id VARCHAR NOT NULL,           -- cases.case_id or aggregate_statistics.stat_id
    dataset_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,           -- 1 = the first data row after the header
    mapping VARCHAR NOT NULL,
    mapping_version VARCHAR NOT NULL,
    quarantine_id BIGINT                  -- set when the record came in through a quarantine retry
);
COMMENT ON TABLE ingest_records IS 'Provenance of every ingested record: source file, row, mapping and version. record_key is unique (checked by palermo.ingest before writing; no index, so bulk loads stay fast).';

CREATE SEQUENCE ingest_quarantine_seq START 1;

-- A row that failed a rule: kept whole, with every problem found, until fixed and re-submitted.
CREATE TABLE ingest_quarantine (
    quarantine_id BIGINT PRIMARY KEY DEFAULT nextval('ingest_quarantine_seq'),
    record_key VARCHAR NOT NULL UNIQUE,
    run_id VARCHAR NOT NULL,
    dataset_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    mapping VARCHAR NOT NULL,
    mapping_version VARCHAR NOT NULL,
    source_org VARCHAR,
    problems JSON NOT NULL,               -- [{"field": column -> target, "rule": ...}], never values
    original JSON NOT NULL,               -- {column: value} exactly as read; never printed or logged
    status VARCHAR NOT NULL DEFAULT 'pending',  -- 'pending' or 'resolved'
    attempts INTEGER NOT NULL DEFAULT 1,
    quarantined_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    resolved_at TIMESTAMP,
    resolved_record VARCHAR               -- ingest_records.record_key once re-submitted successfully
);

-- Aggregate statistics (UNODC GLOTIP and other published tables): counts, not persons.
-- A suppressed cell ('<5') is kept as suppressed: value NULL, suppressed TRUE, suppressed_below 5,
-- so the true count lies in [0, suppressed_below - 1]; it is neither zero nor missing.
CREATE TABLE aggregate_statistics (
    stat_id VARCHAR PRIMARY KEY,
    standard VARCHAR NOT NULL,            -- the publisher's standard, e.g. 'unodc-glotip'
    area_code VARCHAR,                    -- ISO 3166-1 alpha-3, or the publisher's code for an area
    area_name VARCHAR,                    -- as published
    area_is_country BOOLEAN NOT NULL,     -- area_code is an ISO 3166-1 alpha-3 country code
    region VARCHAR,
    subregion VARCHAR,
    indicator VARCHAR NOT NULL,           -- concept id of what is counted (victim-of-trafficking …)
    indicator_label VARCHAR NOT NULL,     -- as published
    dimension VARCHAR NOT NULL,           -- the breakdown: Total, by form of exploitation …
    category VARCHAR NOT NULL,            -- as published
    category_concept VARCHAR,             -- concept id when the category is a coded one
    category_country VARCHAR,             -- ISO alpha-3 when the category names a country
    sex VARCHAR NOT NULL,                 -- concept id (female, male, other-sex-or-gender), 'total' or 'unknown'
    age_group VARCHAR NOT NULL,           -- concept id (child-under-18, adult), 'total' or 'unknown'
    year INTEGER NOT NULL,
    unit VARCHAR NOT NULL,
    value BIGINT,                         -- NULL exactly when suppressed
    suppressed BOOLEAN NOT NULL,
    suppressed_below INTEGER,             -- '<5' -> 5
    published_value VARCHAR NOT NULL,     -- the cell as published ('<5', '1,757')
    publisher_source VARCHAR,
    dataset_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    mapping VARCHAR NOT NULL,
    mapping_version VARCHAR NOT NULL,
    CHECK (suppressed = (value IS NULL)),
    CHECK (value IS NULL OR value >= 0)
);
COMMENT ON TABLE aggregate_statistics IS 'Published aggregate counts (UNODC GLOTIP). Suppressed cells keep suppressed=true and the threshold; value is NULL only for them.';
