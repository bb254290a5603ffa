-- Citizen reception (tiếp công dân): each visit to an office, who came, who received them,
-- what it was about, how it ended, and the complaint filed if any.

CREATE TABLE reception_visits (
    id             TEXT PRIMARY KEY,
    office_code    TEXT NOT NULL,
    visited_at     BIGINT NOT NULL,
    visited_on     TEXT NOT NULL,
    visitor_name   TEXT NOT NULL,
    visitor_cccd   TEXT,
    visitors       BIGINT NOT NULL DEFAULT 1,
    received_by    TEXT NOT NULL,
    subject        TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    outcome_note   TEXT,
    case_id        TEXT REFERENCES cases (id),
    complaint_id   TEXT REFERENCES complaints (id),
    recorded_by    TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX reception_visits_office_idx ON reception_visits (office_code, visited_on);
