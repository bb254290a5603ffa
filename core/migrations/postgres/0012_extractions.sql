-- Extraction proposals and what the officer confirmed: both kept, with the corrected fields.

CREATE TABLE extractions (
    id            TEXT PRIMARY KEY,
    office_code   TEXT NOT NULL,
    case_id       TEXT REFERENCES cases (id),
    source_hash   TEXT NOT NULL,
    source        BYTEA NOT NULL,
    proposal      TEXT NOT NULL,
    confirmed     TEXT,
    corrections   TEXT,
    state         TEXT NOT NULL,
    proposed_by   TEXT NOT NULL,
    confirmed_by  TEXT,
    created_at    BIGINT NOT NULL,
    confirmed_at  BIGINT
);
CREATE INDEX extractions_case_idx ON extractions (case_id);
