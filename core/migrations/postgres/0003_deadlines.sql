-- Statutory deadlines computed on cases, with the regime and legal basis that set them.

CREATE TABLE case_deadlines (
    case_id      TEXT NOT NULL REFERENCES cases (id),
    step         TEXT NOT NULL,
    regime       TEXT NOT NULL,
    starts_on    TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    legal_basis  TEXT NOT NULL,
    done_on      TEXT,
    PRIMARY KEY (case_id, step)
);
CREATE INDEX case_deadlines_due_idx ON case_deadlines (due_on);
