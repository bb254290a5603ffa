-- The operator's console (issue 7): dead letters discarded for good (with who and why),
-- alerts raised and mailed (so each is mailed once while it lasts), and indexes for searching
-- messages by time and partner.

ALTER TABLE dead_letters ADD COLUMN discarded_at BIGINT;
ALTER TABLE dead_letters ADD COLUMN discarded_by TEXT;
ALTER TABLE dead_letters ADD COLUMN discard_reason TEXT;

CREATE TABLE alerts (
    alert_key    TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    subject      TEXT NOT NULL,
    detail       TEXT NOT NULL,
    first_seen   BIGINT NOT NULL,
    last_seen    BIGINT NOT NULL,
    mailed_at    BIGINT,
    resolved_at  BIGINT
);

CREATE INDEX messages_created_idx ON messages (created_at);
CREATE INDEX messages_partner_idx ON messages (partner, created_at);
