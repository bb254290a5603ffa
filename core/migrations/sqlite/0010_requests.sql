-- Requests for enforcement (đơn yêu cầu thi hành án): each entered in the office's request
-- book, and tied to the case of its judgment once the court's judgment is here.

CREATE TABLE enforcement_requests (
    id               TEXT PRIMARY KEY,
    office_code      TEXT NOT NULL,
    court_code       TEXT NOT NULL,
    judgment_number  TEXT NOT NULL,
    requester_name   TEXT NOT NULL,
    requester_role   TEXT NOT NULL,
    filed_on         TEXT NOT NULL,
    limit_ends_on    TEXT NOT NULL,
    register_number  TEXT NOT NULL,
    amount_vnd       BIGINT NOT NULL,
    note             TEXT,
    state            TEXT NOT NULL,
    case_id          TEXT REFERENCES cases (id),
    created_at       BIGINT NOT NULL
);
CREATE INDEX enforcement_requests_judgment_idx
    ON enforcement_requests (office_code, court_code, judgment_number);
CREATE INDEX enforcement_requests_case_idx ON enforcement_requests (case_id);
