-- Serving notices (tống đạt): how and when each notice was validly served, the notices VNeID
-- could not deliver and that went down the fall-back chain (e-mail, then paper), and the
-- paper-service tasks for an office's clerks. Party e-mail addresses are given by the party and
-- entered by a clerk.

ALTER TABLE case_parties ADD COLUMN email TEXT;

-- One row per notice: the first valid service; its date is the legal notice date.
CREATE TABLE notice_service (
    notice_id   TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    party_ref   TEXT NOT NULL,
    channel     TEXT NOT NULL,
    served_on   TEXT NOT NULL,
    at          BIGINT NOT NULL,
    detail      TEXT
);
CREATE INDEX notice_service_case ON notice_service (case_id);

-- Notices handed to the fall-back chain, once each; outcome: email, paper or NULL while running.
CREATE TABLE notice_fallbacks (
    notice_id   TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    reason      TEXT NOT NULL,
    outcome     TEXT,
    started_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Paper service (trực tiếp, bưu điện, niêm yết) left to the clerks of the case's office.
CREATE TABLE service_tasks (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    office_code  TEXT NOT NULL,
    notice_id    TEXT NOT NULL UNIQUE,
    party_ref    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    state        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    done_at      BIGINT,
    done_by      TEXT,
    channel      TEXT,
    served_on    TEXT
);
CREATE INDEX service_tasks_office_state ON service_tasks (office_code, state, created_at);
