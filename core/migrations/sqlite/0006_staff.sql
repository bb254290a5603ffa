-- Staff accounts, their sign-in sessions and the audit of every sign-in attempt. Passwords
-- are argon2id PHC strings; sessions keep only the SHA-256 of their token.

CREATE TABLE staff_accounts (
    username         TEXT PRIMARY KEY,
    display_name     TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('administrator', 'head', 'officer', 'clerk')),
    office_code      TEXT NOT NULL,
    email            TEXT,
    password_hash    TEXT NOT NULL,
    disabled         BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_attempts  BIGINT NOT NULL DEFAULT 0,
    locked_until     BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX staff_accounts_office_idx ON staff_accounts (office_code, username);

CREATE TABLE staff_sessions (
    token_hash    TEXT PRIMARY KEY,
    username      TEXT NOT NULL REFERENCES staff_accounts (username) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX staff_sessions_username_idx ON staff_sessions (username);
CREATE INDEX staff_sessions_expires_idx ON staff_sessions (expires_at);

CREATE TABLE staff_signins (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    username  TEXT NOT NULL,
    at        BIGINT NOT NULL,
    outcome   TEXT NOT NULL,
    remote    TEXT
);
CREATE INDEX staff_signins_username_idx ON staff_signins (username, at);
