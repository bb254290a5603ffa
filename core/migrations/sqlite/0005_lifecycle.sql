-- The case lifecycle: the state machine's working fields on cases, every operation performed
-- (tác nghiệp) with its actor, and the register books numbered per office and year.

ALTER TABLE cases ADD COLUMN initiation TEXT NOT NULL DEFAULT 'ex_officio';
ALTER TABLE cases ADD COLUMN judgment_kind TEXT NOT NULL DEFAULT 'other';
ALTER TABLE cases ADD COLUMN received_on TEXT;
ALTER TABLE cases ADD COLUMN officer TEXT;
ALTER TABLE cases ADD COLUMN resume_state TEXT;
ALTER TABLE cases ADD COLUMN registered_on TEXT;
ALTER TABLE cases ADD COLUMN decision_number TEXT;
ALTER TABLE cases ADD COLUMN decision_on TEXT;
ALTER TABLE cases ADD COLUMN finished_on TEXT;
ALTER TABLE cases ADD COLUMN outcome TEXT;
ALTER TABLE cases ADD COLUMN amount_vnd BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN collected_vnd BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN disbursed_vnd BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN reduced_vnd BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

UPDATE cases SET amount_vnd = (
    SELECT COALESCE(SUM(o.amount_vnd), 0) FROM case_obligations o WHERE o.case_id = cases.id
);

CREATE INDEX cases_office_state_idx ON cases (office_code, state);
CREATE INDEX cases_officer_idx ON cases (officer);

CREATE TABLE case_operations (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    operation     TEXT NOT NULL,
    request_id    TEXT,
    actor         TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    effective_on  TEXT NOT NULL,
    at            BIGINT NOT NULL,
    amount_vnd    BIGINT,
    params        TEXT NOT NULL,
    documents     TEXT NOT NULL,
    reason        TEXT
);
CREATE INDEX case_operations_case_idx ON case_operations (case_id, seq);
CREATE INDEX case_operations_effective_idx ON case_operations (effective_on);
CREATE UNIQUE INDEX case_operations_request_idx ON case_operations (case_id, request_id);

-- The register books (sổ nhận bản án, sổ nhận đơn, sổ thụ lý): one counter row per book,
-- office and year, bumped in the transaction that writes the entry, so numbers have no gaps
-- and no repeats whatever the number of writers.
CREATE TABLE register_counters (
    book         TEXT NOT NULL,
    office_code  TEXT NOT NULL,
    year         BIGINT NOT NULL,
    last_number  BIGINT NOT NULL,
    PRIMARY KEY (book, office_code, year)
);

CREATE TABLE register_entries (
    book         TEXT NOT NULL,
    office_code  TEXT NOT NULL,
    year         BIGINT NOT NULL,
    number       BIGINT NOT NULL,
    subject_id   TEXT NOT NULL,
    entered_on   TEXT NOT NULL,
    summary      TEXT NOT NULL,
    at           BIGINT NOT NULL,
    PRIMARY KEY (book, office_code, year, number),
    UNIQUE (book, subject_id)
);
