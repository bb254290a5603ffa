-- Scanned judgments and requests waiting for, going through, or done with OCR: the scan's
-- bytes, the job's state and attempts, the recognised text and the extraction it produced.

CREATE TABLE ocr_jobs (
    id             TEXT PRIMARY KEY,
    office_code    TEXT NOT NULL,
    case_id        TEXT REFERENCES cases (id),
    media_type     TEXT NOT NULL,
    source         BYTEA NOT NULL,
    source_sha256  TEXT NOT NULL,
    state          TEXT NOT NULL
        CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts       BIGINT NOT NULL DEFAULT 0,
    pages          BIGINT,
    text           TEXT,
    extraction_id  TEXT REFERENCES extractions (id),
    last_error     TEXT,
    requested_by   TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    started_at     BIGINT,
    finished_at    BIGINT
);
CREATE INDEX ocr_jobs_office_idx ON ocr_jobs (office_code, created_at);
