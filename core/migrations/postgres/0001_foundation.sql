-- Foundation schema (PostgreSQL): message journeys, outbox, inbox, the embedded queue, cases.
-- Times are Unix epoch milliseconds (BIGINT) so both backends share one query text.

CREATE TABLE messages (
    id            TEXT PRIMARY KEY,
    subject       TEXT NOT NULL,
    direction     TEXT NOT NULL,
    partner       TEXT NOT NULL,
    state         TEXT NOT NULL,
    receipt_id    TEXT,
    content_hash  TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    payload       BYTEA NOT NULL,
    case_id       TEXT,
    parent_id     TEXT,
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX messages_case_idx ON messages (case_id);
CREATE INDEX messages_state_idx ON messages (state, subject);
CREATE INDEX messages_parent_idx ON messages (parent_id);

CREATE TABLE message_events (
    seq         BIGSERIAL PRIMARY KEY,
    message_id  TEXT NOT NULL,
    state       TEXT NOT NULL,
    at          BIGINT NOT NULL,
    detail      TEXT
);
CREATE INDEX message_events_msg_idx ON message_events (message_id, seq);

CREATE TABLE outbox (
    seq          BIGSERIAL PRIMARY KEY,
    message_id   TEXT NOT NULL,
    subject      TEXT NOT NULL,
    payload      BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    lease_until  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE inbox (
    consumer    TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    handled_at  BIGINT NOT NULL,
    PRIMARY KEY (consumer, message_id)
);

CREATE TABLE queue_consumers (
    name        TEXT PRIMARY KEY,
    filter      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE queue_messages (
    seq           BIGSERIAL PRIMARY KEY,
    subject       TEXT NOT NULL,
    msg_id        TEXT NOT NULL,
    payload       BYTEA NOT NULL,
    headers       TEXT NOT NULL,
    published_at  BIGINT NOT NULL,
    UNIQUE (subject, msg_id)
);

CREATE TABLE queue_deliveries (
    consumer      TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    delivered     BIGINT NOT NULL DEFAULT 0,
    available_at  BIGINT NOT NULL,
    PRIMARY KEY (consumer, seq)
);
CREATE INDEX queue_deliveries_due_idx ON queue_deliveries (consumer, available_at);

CREATE TABLE cases (
    id               TEXT PRIMARY KEY,
    office_code      TEXT NOT NULL,
    judgment_key     TEXT NOT NULL,
    source_message   TEXT NOT NULL,
    court_code       TEXT NOT NULL,
    court_name       TEXT NOT NULL,
    judgment_number  TEXT NOT NULL,
    judgment_date    TEXT NOT NULL,
    effective_date   TEXT NOT NULL,
    state            TEXT NOT NULL,
    operative_text   TEXT,
    payment_reference TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (judgment_key, office_code)
);

CREATE TABLE case_parties (
    case_id     TEXT NOT NULL REFERENCES cases (id),
    party_ref   TEXT NOT NULL,
    role        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    cccd        TEXT,
    birth_year  BIGINT,
    address     TEXT,
    PRIMARY KEY (case_id, party_ref)
);

CREATE TABLE case_obligations (
    case_id      TEXT NOT NULL REFERENCES cases (id),
    position     BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    debtor_ref   TEXT NOT NULL,
    creditor_ref TEXT,
    amount_vnd   BIGINT,
    description  TEXT,
    PRIMARY KEY (case_id, position)
);

CREATE TABLE case_events (
    seq      BIGSERIAL PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES cases (id),
    kind     TEXT NOT NULL,
    at       BIGINT NOT NULL,
    detail   TEXT
);
CREATE INDEX case_events_case_idx ON case_events (case_id, seq);
