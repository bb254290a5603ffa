-- The partner registry and message-level signatures (issue 8): partners and their ed25519
-- public keys, the hub's own public keys (every key it ever signed with stays published),
-- the signature each inbound message came with, and the signed evidences sent to courts.
-- Times are Unix epoch milliseconds.

CREATE TABLE partners (
    partner_id  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('court', 'bank', 'treasury', 'vneid', 'database')),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (kind, code)
);

-- A key id names one key of one partner across the registry: the X-Signature-Key header
-- carries only the key id.
CREATE TABLE partner_keys (
    key_id       TEXT PRIMARY KEY,
    partner_id   TEXT NOT NULL REFERENCES partners (partner_id),
    algorithm    TEXT NOT NULL CHECK (algorithm = 'ed25519'),
    public_key   TEXT NOT NULL UNIQUE,
    valid_from   BIGINT NOT NULL,
    valid_until  BIGINT,
    revoked_at   BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX partner_keys_partner_idx ON partner_keys (partner_id);

CREATE TABLE hub_keys (
    key_id        TEXT PRIMARY KEY,
    algorithm     TEXT NOT NULL,
    public_key    TEXT NOT NULL,
    first_used    BIGINT NOT NULL,
    last_started  BIGINT NOT NULL
);

-- The signature an inbound message was accepted (or refused) with: base64 of the 64 bytes,
-- and the key id it named. NULL for unsigned messages.
ALTER TABLE messages ADD COLUMN signature TEXT;
ALTER TABLE messages ADD COLUMN signature_key TEXT;

-- Evidences for courts: recorded pending in the transaction of their event, then sealed
-- (signed body stored, outbox row written) by the sealer.
CREATE TABLE court_evidences (
    seq           BIGSERIAL PRIMARY KEY,
    evidence_id   TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    court_code    TEXT NOT NULL,
    document_id   TEXT,
    message_id    TEXT NOT NULL,
    receipt_id    TEXT,
    content_hash  TEXT,
    court_key_id  TEXT,
    court_sig     TEXT,
    case_id       TEXT,
    reason        TEXT,
    at            BIGINT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'sealed')),
    body          TEXT,
    key_id        TEXT,
    sealed_at     BIGINT
);
CREATE INDEX court_evidences_court_idx ON court_evidences (court_code, at);
CREATE INDEX court_evidences_state_idx ON court_evidences (state, seq);
