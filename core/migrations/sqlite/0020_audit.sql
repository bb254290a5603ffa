-- The audit trail (issue 8): every state change, administrative act and message payload hash,
-- appended in the transaction of the change (chain_no NULL), then chained and sealed in
-- batches by the sealer: chain_no from 1 without gaps, prev_hash the entry before's hash,
-- entry_hash over both and the content. Each batch has a seal signed with the hub's key;
-- audit_head is the chain's head and the sealers' lock. Times are Unix epoch milliseconds.

CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at            BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    detail        TEXT NOT NULL,
    content_hash  TEXT,
    chain_no      BIGINT UNIQUE,
    prev_hash     TEXT,
    entry_hash    TEXT,
    batch_no      BIGINT
);
CREATE INDEX audit_log_unsealed_idx ON audit_log (seq) WHERE chain_no IS NULL;
CREATE INDEX audit_log_subject_idx ON audit_log (subject, seq);

CREATE TABLE audit_seals (
    batch_no        BIGINT PRIMARY KEY,
    first_chain_no  BIGINT NOT NULL,
    last_chain_no   BIGINT NOT NULL,
    head_hash       TEXT NOT NULL,
    sealed_at       BIGINT NOT NULL,
    key_id          TEXT NOT NULL,
    signature       TEXT NOT NULL
);

CREATE TABLE audit_head (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    chain_no   BIGINT NOT NULL,
    head_hash  TEXT NOT NULL,
    batch_no   BIGINT NOT NULL
);
INSERT INTO audit_head (id, chain_no, head_hash, batch_no)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0);
