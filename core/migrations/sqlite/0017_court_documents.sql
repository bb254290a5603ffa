-- Court documents, schema v1: what kind of document opened a case, recurring obligations, and
-- the corrections and annulments courts send for earlier documents.

ALTER TABLE cases ADD COLUMN document_kind TEXT NOT NULL DEFAULT 'judgment';
ALTER TABLE case_obligations ADD COLUMN period TEXT;

-- One row per correcting or annulling document, with what the hub did about it.
CREATE TABLE judgment_amendments (
    message_id         TEXT PRIMARY KEY,
    court_code         TEXT NOT NULL,
    document_id        TEXT NOT NULL,
    amends_document_id TEXT NOT NULL,
    kind               TEXT NOT NULL,
    reason             TEXT,
    case_id            TEXT,
    outcome            TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX judgment_amendments_case_idx ON judgment_amendments (case_id);
