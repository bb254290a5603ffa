-- The daily deadline digest: one row per person and day, claimed before the e-mail is sent,
-- so several hub processes and restarts never send a person the same day's digest twice.

CREATE TABLE digest_deliveries (
    username    TEXT NOT NULL,
    day         TEXT NOT NULL,
    state       TEXT NOT NULL,
    attempts    BIGINT NOT NULL,
    items       BIGINT NOT NULL DEFAULT 0,
    message_id  TEXT,
    last_error  TEXT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (username, day)
);
