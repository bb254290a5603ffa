-- Urgent freezes by record (phong tỏa bằng biên bản, Art. 67(2)): the formal decision must
-- follow within 24 hours as a `confirm_freeze` order referring to the freeze. `by_record` is 1
-- for such a freeze, `decision_due_at` the instant (epoch ms) the decision is due, and
-- `confirmed_by` the confirming order once issued.
ALTER TABLE bank_orders ADD COLUMN by_record BIGINT NOT NULL DEFAULT 0;
ALTER TABLE bank_orders ADD COLUMN decision_due_at BIGINT;
ALTER TABLE bank_orders ADD COLUMN confirmed_by TEXT;

-- A payout the bank rejected (or that could not be delivered) is issued again to a corrected
-- account: each re-issue is kept with who did it and why; the line points to the newest order.
CREATE TABLE payout_reissues (
    disbursement_id TEXT NOT NULL,
    line_no         BIGINT NOT NULL,
    previous_order  TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    actor           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (disbursement_id, line_no, previous_order)
);
