-- Per-key handling order (core/src/bus/ordering.rs): the outbox and the embedded queue keep
-- each message's order key, and a dead letter keeps it so a replay is ordered with its case.

ALTER TABLE outbox ADD COLUMN order_key TEXT;
ALTER TABLE queue_messages ADD COLUMN order_key TEXT;
ALTER TABLE dead_letters ADD COLUMN order_key TEXT;
CREATE INDEX queue_messages_order_key_idx ON queue_messages (order_key, seq) WHERE order_key IS NOT NULL;
