-- The operator's console, second part (issue 7): alerts acknowledged by an administrator, the
-- versioned endpoint settings of partners (an overlay over the configuration file that the
-- connectors read), and the results of connectivity tests run from the console.

ALTER TABLE alerts ADD COLUMN acknowledged_at BIGINT;
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;

-- Each change of a partner's endpoint settings is a new version; the newest is in force.
-- Version 1 of a partner is the configuration file's settings, stored when it is first changed.
CREATE TABLE partner_endpoint_versions (
    partner        TEXT NOT NULL,
    version        BIGINT NOT NULL,
    url            TEXT NOT NULL,
    timeout_ms     BIGINT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('file', 'console', 'restore')),
    restored_from  BIGINT,
    changed_by     TEXT NOT NULL,
    changed_at     BIGINT NOT NULL,
    note           TEXT,
    PRIMARY KEY (partner, version)
);

CREATE TABLE partner_checks (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    partner     TEXT NOT NULL,
    url         TEXT NOT NULL,
    at          BIGINT NOT NULL,
    checked_by  TEXT NOT NULL,
    ok          BIGINT NOT NULL CHECK (ok IN (0, 1)),
    status      BIGINT,
    latency_ms  BIGINT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX partner_checks_partner_idx ON partner_checks (partner, seq);
