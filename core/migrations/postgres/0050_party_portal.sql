-- Party self-service (issue 10): parties of cases sign in through VNeID (OpenID Connect) and
-- see their own cases. A pending sign-in keeps the state (hashed), nonce and PKCE verifier of
-- one authorization request until the provider sends the browser back (used once, short-lived);
-- a party session keeps only the SHA-256 of its token, like staff sessions. Requests for
-- enforcement remember the requester's CCCD and whether the party filed them online.

CREATE TABLE party_sign_ins (
    state_hash     TEXT PRIMARY KEY,
    nonce          TEXT NOT NULL,
    code_verifier  TEXT NOT NULL,
    return_to      TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);
CREATE INDEX party_sign_ins_expires_idx ON party_sign_ins (expires_at);

CREATE TABLE party_sessions (
    token_hash    TEXT PRIMARY KEY,
    cccd          TEXT NOT NULL,
    name          TEXT,
    subject       TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX party_sessions_expires_idx ON party_sessions (expires_at);

CREATE INDEX case_parties_cccd_idx ON case_parties (cccd);

ALTER TABLE enforcement_requests ADD COLUMN requester_cccd TEXT;
ALTER TABLE enforcement_requests ADD COLUMN filed_via TEXT;
CREATE INDEX enforcement_requests_cccd_idx ON enforcement_requests (requester_cccd);
