-- Reconciliation and e-receipts (issue 4): the queue of payments no case could be matched to
-- gets its candidates, its state and the officer's resolution; every posted payment gets an
-- electronic receipt (biên lai điện tử) numbered per office and year without gaps; every
-- officer decision on money is audited.

ALTER TABLE case_payments ADD COLUMN account TEXT;

ALTER TABLE unmatched_payments ADD COLUMN payer_name TEXT;
ALTER TABLE unmatched_payments ADD COLUMN account TEXT;
ALTER TABLE unmatched_payments ADD COLUMN bank TEXT;
ALTER TABLE unmatched_payments ADD COLUMN candidates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE unmatched_payments ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
ALTER TABLE unmatched_payments ADD COLUMN resolved_at BIGINT;
ALTER TABLE unmatched_payments ADD COLUMN resolved_by TEXT;
ALTER TABLE unmatched_payments ADD COLUMN resolved_case TEXT;
ALTER TABLE unmatched_payments ADD COLUMN resolution_reason TEXT;
CREATE INDEX unmatched_payments_state_idx ON unmatched_payments (state, created_at);

-- Which offices hold a THADS deposit account: learned from payments that quote a case's
-- payment reference (source 'learned'), or entered by an operator (source 'registered').
CREATE TABLE deposit_accounts (
    account      TEXT NOT NULL,
    office_code  TEXT NOT NULL,
    source       TEXT NOT NULL,
    first_seen   BIGINT NOT NULL,
    PRIMARY KEY (account, office_code)
);

-- One counter per office and year, bumped in the transaction that issues the receipt, so
-- numbers have no gaps and no repeats whatever the number of writers.
CREATE TABLE receipt_counters (
    office_code  TEXT NOT NULL,
    year         BIGINT NOT NULL,
    last_number  BIGINT NOT NULL,
    PRIMARY KEY (office_code, year)
);

CREATE TABLE receipts (
    receipt_id   TEXT PRIMARY KEY,
    office_code  TEXT NOT NULL,
    year         BIGINT NOT NULL,
    series       TEXT NOT NULL,
    number       BIGINT NOT NULL,
    payment_id   TEXT NOT NULL,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    amount_vnd   BIGINT NOT NULL,
    payer_party  TEXT,
    payer_name   TEXT,
    state        TEXT NOT NULL,
    replaces     TEXT,
    replaced_by  TEXT,
    document     TEXT NOT NULL,
    body         TEXT,
    key_id       TEXT,
    issued_at    BIGINT NOT NULL,
    sealed_at    BIGINT,
    voided_at    BIGINT,
    voided_by    TEXT,
    void_reason  TEXT,
    UNIQUE (series, number)
);
CREATE INDEX receipts_case_idx ON receipts (case_id, issued_at);
CREATE INDEX receipts_payment_idx ON receipts (payment_id);

-- Every officer decision on money: resolving a queued payment, voiding a receipt.
CREATE TABLE money_audit (
    seq           BIGSERIAL PRIMARY KEY,
    subject_kind  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    action        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    actor_office  TEXT NOT NULL,
    at            BIGINT NOT NULL,
    reason        TEXT NOT NULL,
    before_state  TEXT NOT NULL,
    after_state   TEXT NOT NULL
);
CREATE INDEX money_audit_subject_idx ON money_audit (subject_kind, subject_id, seq);
