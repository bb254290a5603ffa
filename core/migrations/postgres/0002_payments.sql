-- Payments confirmed by banks: posted to a case when matched, else kept for reconciliation.

CREATE INDEX cases_payment_reference_idx ON cases (payment_reference);

CREATE TABLE case_payments (
    payment_id    TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    amount_vnd    BIGINT NOT NULL,
    booking_date  TEXT NOT NULL,
    matched_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX case_payments_case_idx ON case_payments (case_id);

CREATE TABLE unmatched_payments (
    payment_id    TEXT PRIMARY KEY,
    amount_vnd    BIGINT NOT NULL,
    booking_date  TEXT NOT NULL,
    remittance    TEXT NOT NULL,
    reason        TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
