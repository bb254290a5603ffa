-- Account orders to banks: phong tỏa (freeze), khấu trừ (deduct) and giải tỏa (release) of a
-- debtor's account. The canonical bytes sent travel as the outbound message with the same id
-- (`messages`); this table holds the order's state and the bank's acknowledgement.

CREATE TABLE bank_orders (
    order_id        TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    office_code     TEXT NOT NULL,
    bank            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    account         TEXT NOT NULL,
    amount_vnd      BIGINT NOT NULL,
    order_hash      TEXT NOT NULL,
    related_order   TEXT,
    decision_number TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    state           TEXT NOT NULL,
    ack_status      TEXT,
    ack_amount_vnd  BIGINT,
    ack_reason      TEXT,
    bank_reference  TEXT,
    executed_at     TEXT,
    ack_hash        TEXT,
    ack_message_id  TEXT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX bank_orders_case_idx ON bank_orders (case_id);
CREATE INDEX bank_orders_day_idx ON bank_orders (bank, issued_on);
