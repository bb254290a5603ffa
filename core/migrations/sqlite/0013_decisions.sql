-- Decisions to enforce (quyết định thi hành án): drafts built from the case's data, their
-- workflow (draft -> submitted -> approved & signed -> issued, or rejected back with a
-- reason), the rendered documents, the head's signature, and every transition with its actor.
-- Also the staff signing keys (ed25519): public key in clear, private key encrypted at rest.
-- Times are Unix epoch milliseconds; dates are ISO text.

CREATE TABLE decision_drafts (
    id                 TEXT PRIMARY KEY,
    case_id            TEXT NOT NULL REFERENCES cases (id),
    office_code        TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('ex_officio', 'on_request')),
    -- The request an on-request decision answers; '' for ex officio decisions.
    request_id         TEXT NOT NULL DEFAULT '',
    state              TEXT NOT NULL
        CHECK (state IN ('draft', 'submitted', 'rejected', 'approved', 'issued')),
    content            TEXT NOT NULL,
    html               TEXT NOT NULL,
    -- The PDF the head approved and signed (number and date still blank).
    pdf                BLOB,
    pdf_sha256         TEXT,
    signature          TEXT,
    signer             TEXT,
    signer_key_id      TEXT,
    signed_at          BIGINT,
    rejection_reason   TEXT,
    -- Number and date, reserved by the clerk when issuing.
    number             TEXT,
    issued_on          TEXT,
    -- The final document with its number and date.
    issued_html        TEXT,
    issued_pdf         BLOB,
    issued_pdf_sha256  TEXT,
    created_by         TEXT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (case_id, kind, request_id)
);
CREATE INDEX decision_drafts_office_idx ON decision_drafts (office_code, state);

CREATE TABLE decision_draft_history (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id    TEXT NOT NULL REFERENCES decision_drafts (id),
    case_id     TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    reason      TEXT,
    at          BIGINT NOT NULL
);
CREATE INDEX decision_draft_history_draft_idx ON decision_draft_history (draft_id, seq);

CREATE TABLE staff_keys (
    key_id       TEXT PRIMARY KEY,
    username     TEXT NOT NULL,
    algorithm    TEXT NOT NULL CHECK (algorithm = 'ed25519'),
    public_key   TEXT NOT NULL UNIQUE,
    -- base64(nonce || XChaCha20-Poly1305 ciphertext of the 32-byte seed).
    private_key  TEXT NOT NULL,
    encryption   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX staff_keys_username_idx ON staff_keys (username, created_at);
