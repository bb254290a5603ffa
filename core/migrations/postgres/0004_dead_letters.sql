-- Dead letters as the hub saw them (bus payload, subject and reason), so an administrator can
-- replay one without reading the DLQ stream.

CREATE TABLE dead_letters (
    seq          BIGSERIAL PRIMARY KEY,
    message_id   TEXT NOT NULL,
    subject      TEXT NOT NULL,
    payload      BYTEA NOT NULL,
    reason       TEXT NOT NULL,
    deliveries   BIGINT NOT NULL,
    dead_at      BIGINT NOT NULL,
    replayed_at  BIGINT
);
CREATE INDEX dead_letters_message_idx ON dead_letters (message_id, seq);
