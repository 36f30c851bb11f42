-- 0003 screening: every screening of a case, in order. Each row keeps the answers in force at that
-- screening (the earlier answers merged with the new ones), the assessment that came out, and what
-- changed since the screening before. Re-screening adds a row; earlier rows are never rewritten.
-- case_id is the case's id in the case model (cases.case_id) when the case is there, else the
-- organisation's own case reference; no name or other identifying value is stored here.
CREATE TABLE screenings (
    case_id VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    screened_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    stage VARCHAR NOT NULL,
    trafficking VARCHAR NOT NULL,
    smuggling VARCHAR NOT NULL,
    catalogue_version VARCHAR NOT NULL,
    referral_table VARCHAR NOT NULL,
    screened_by VARCHAR,
    answers JSON NOT NULL,
    assessment JSON NOT NULL,
    changes JSON NOT NULL,
    PRIMARY KEY (case_id, seq)
);
COMMENT ON TABLE screenings IS 'palermo.screening: one row per screening of a case; answers merged with earlier screenings; assessment JSON includes the disclaimer.';
COMMENT ON COLUMN screenings.trafficking IS 'presumed, possible or no_indication';
COMMENT ON COLUMN screenings.smuggling IS 'yes, possible or no';
COMMENT ON COLUMN screenings.screened_by IS 'organisation id or role of the screener (HTCDS issue 3: how and by whom screened); never a name';
COMMENT ON COLUMN screenings.changes IS 'what changed since the previous screening: answers, facts, verdicts, elements, dimensions';
