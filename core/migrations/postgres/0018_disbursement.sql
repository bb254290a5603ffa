-- Disbursements (chi trả, Art. 47): each plan that paid out collected money on a case, and its
-- lines per obligation and payee, with the payout instruction sent to the bank for each
-- private creditor.

CREATE TABLE disbursements (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    office_code      TEXT NOT NULL,
    actor            TEXT NOT NULL,
    available_vnd    BIGINT NOT NULL,
    to_creditors_vnd BIGINT NOT NULL,
    to_state_vnd     BIGINT NOT NULL,
    to_agency_vnd    BIGINT NOT NULL,
    held_vnd         BIGINT NOT NULL,
    operation_seq    BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX disbursements_case_idx ON disbursements (case_id, created_at);
CREATE INDEX disbursements_office_idx ON disbursements (office_code);

CREATE TABLE disbursement_lines (
    disbursement_id  TEXT NOT NULL REFERENCES disbursements (id),
    line_no          BIGINT NOT NULL,
    case_id          TEXT NOT NULL,
    position         BIGINT NOT NULL,
    kind             TEXT NOT NULL,
    rank             TEXT NOT NULL,
    payee_kind       TEXT NOT NULL,
    payee_ref        TEXT,
    amount_vnd       BIGINT NOT NULL,
    remaining_vnd    BIGINT NOT NULL,
    bank             TEXT,
    account          TEXT,
    order_id         TEXT,
    PRIMARY KEY (disbursement_id, line_no)
);
CREATE INDEX disbursement_lines_case_idx ON disbursement_lines (case_id, position);

-- Transfers of the State's share (court fees, fines, confiscation) to the State Treasury
-- (Kho bạc Nhà nước): queued with the plan, acknowledged by the Treasury, then reconciled
-- against its statement of received transfers.
CREATE TABLE treasury_transfers (
    transfer_id        TEXT PRIMARY KEY,
    disbursement_id    TEXT NOT NULL,
    case_id            TEXT NOT NULL,
    office_code        TEXT NOT NULL,
    kind               TEXT NOT NULL,
    amount_vnd         BIGINT NOT NULL,
    state              TEXT NOT NULL,
    treasury_reference TEXT,
    last_error         TEXT,
    statement_id       TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX treasury_transfers_case_idx ON treasury_transfers (case_id);
CREATE INDEX treasury_transfers_office_idx ON treasury_transfers (office_code, state);
