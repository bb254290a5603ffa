-- Complaints and denunciations (khiếu nại, tố cáo) about enforcement: who filed, against whose
-- decision or act in which case, the competent head's office, the state (received -> accepted
-- | refused -> resolved -> appealed), the answer document signed by the head, each step with
-- its actor, and the statutory deadlines of acceptance and resolution.
-- Times are Unix epoch milliseconds; dates are ISO text.

CREATE TABLE complaints (
    id                  TEXT PRIMARY KEY,
    client_reference    TEXT NOT NULL,
    source              TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('complaint', 'denunciation')),
    channel             TEXT NOT NULL CHECK (channel IN ('online', 'reception', 'post')),
    round               BIGINT NOT NULL,
    previous_id         TEXT REFERENCES complaints (id),
    complainant_name    TEXT NOT NULL,
    complainant_cccd    TEXT NOT NULL,
    complainant_address TEXT,
    complainant_phone   TEXT,
    complainant_email   TEXT,
    case_id             TEXT NOT NULL REFERENCES cases (id),
    against             TEXT NOT NULL CHECK (against IN ('officer', 'head')),
    target_office       TEXT NOT NULL,
    target_officer      TEXT,
    decision_number     TEXT,
    decision_date       TEXT,
    stage               TEXT NOT NULL,
    subject             TEXT NOT NULL,
    request             TEXT,
    resolver_office     TEXT NOT NULL,
    routing_basis       TEXT NOT NULL,
    received_on         TEXT NOT NULL,
    state               TEXT NOT NULL
        CHECK (state IN ('received', 'accepted', 'refused', 'resolved', 'appealed')),
    accepted_on         TEXT,
    refused_on          TEXT,
    refusal_reason      TEXT,
    resolved_on         TEXT,
    outcome             TEXT,
    findings            TEXT,
    conclusion          TEXT,
    document_number     TEXT,
    document_html       TEXT,
    document_pdf        BYTEA,
    document_sha256     TEXT,
    signature           TEXT,
    signer              TEXT,
    signer_name         TEXT,
    signer_key_id       TEXT,
    appealed_by         TEXT,
    extensions          BIGINT NOT NULL DEFAULT 0,
    recorded_by         TEXT NOT NULL,
    message_id          TEXT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    UNIQUE (source, client_reference)
);
CREATE INDEX complaints_resolver_idx ON complaints (resolver_office, state);
CREATE INDEX complaints_target_idx ON complaints (target_office);
CREATE INDEX complaints_case_idx ON complaints (case_id);
CREATE INDEX complaints_received_idx ON complaints (received_on);

CREATE TABLE complaint_history (
    seq           BIGSERIAL PRIMARY KEY,
    complaint_id  TEXT NOT NULL REFERENCES complaints (id),
    action        TEXT NOT NULL,
    from_state    TEXT,
    to_state      TEXT NOT NULL,
    actor         TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    detail        TEXT,
    at            BIGINT NOT NULL
);
CREATE INDEX complaint_history_idx ON complaint_history (complaint_id, seq);

-- Each limit keeps the regime and legal basis that set it, so a later change of configuration
-- never rewrites a running deadline (as case_deadlines).
CREATE TABLE complaint_deadlines (
    complaint_id  TEXT NOT NULL REFERENCES complaints (id),
    step          TEXT NOT NULL,
    regime        TEXT NOT NULL,
    starts_on     TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    legal_basis   TEXT NOT NULL,
    done_on       TEXT,
    PRIMARY KEY (complaint_id, step)
);
CREATE INDEX complaint_deadlines_due_idx ON complaint_deadlines (due_on);
