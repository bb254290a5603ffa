-- Verification of the debtor's means (xác minh điều kiện thi hành án, Art. 44) through the
-- national databases: the records written on cases, the jobs that start runs automatically,
-- identifiers officers supply for debtors the judgment gave none for, the connector's answer
-- cache and the audit of every query. Times are Unix epoch milliseconds; JSON is text.

-- One verification record (biên bản xác minh) per run. At most one run per case is 'running'.
CREATE TABLE verification_records (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    -- A client-chosen id that makes a repeated officer's request safe.
    request_id    TEXT,
    -- officer | automatic | retry
    trigger_kind  TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    legal_basis   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete')),
    -- assets_found | nothing_found | undetermined, once finished
    conclusion    TEXT,
    -- JSON: what each database answered about each debtor
    findings      TEXT,
    -- JSON: one line per failed query
    failures      TEXT,
    text_vi       TEXT,
    state_before  TEXT,
    state_after   TEXT,
    -- JSON: the lifecycle operations the record caused
    operations    TEXT,
    retry_at      BIGINT,
    started_at    BIGINT NOT NULL,
    finished_at   BIGINT,
    UNIQUE (case_id, request_id)
);
CREATE INDEX verification_records_case_idx ON verification_records (case_id, started_at);
CREATE UNIQUE INDEX verification_records_running_idx ON verification_records (case_id)
    WHERE status = 'running';

-- Runs the scheduler owes: after the voluntary period, on the re-verification schedule, and
-- retries of incomplete records. Claimed with a lease, so several hub processes never run the
-- same job at once and a process that dies leaves the job to another after the lease.
CREATE TABLE verification_jobs (
    case_id      TEXT NOT NULL REFERENCES cases (id),
    -- voluntary_period:<due day> | re_verification:<due day> | retry
    trigger_key  TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    due_at       BIGINT NOT NULL,
    lease_until  BIGINT NOT NULL DEFAULT 0,
    attempts     BIGINT NOT NULL DEFAULT 0,
    last_record  TEXT,
    note         TEXT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (case_id, trigger_key)
);
CREATE INDEX verification_jobs_due_idx ON verification_jobs (state, due_at);

-- A CCCD or tax code an officer supplied for a debtor the judgment named without one.
CREATE TABLE verification_subjects (
    case_id      TEXT NOT NULL REFERENCES cases (id),
    party_ref    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('cccd', 'tax_code')),
    number       TEXT NOT NULL,
    supplied_by  TEXT NOT NULL,
    supplied_at  BIGINT NOT NULL,
    PRIMARY KEY (case_id, party_ref)
);

-- The connector's cache of answers, keyed by database and a SHA-256 of the subject (no raw
-- number in the key), with the partner's reference and the time it answered.
CREATE TABLE registry_cache (
    registry     TEXT NOT NULL,
    subject_key  TEXT NOT NULL,
    answer       TEXT NOT NULL,
    source       TEXT NOT NULL,
    fetched_at   BIGINT NOT NULL,
    PRIMARY KEY (registry, subject_key)
);

-- The audit of every query: who caused it, for which case and on what legal basis, which
-- database, the subject masked, when, the outcome and whether the cache answered. The row is
-- written before the partner is asked, and its case must exist: no query without a case.
CREATE TABLE registry_queries (
    id              BIGSERIAL PRIMARY KEY,
    run_id          TEXT NOT NULL,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    legal_basis     TEXT NOT NULL,
    requested_by    TEXT NOT NULL,
    registry        TEXT NOT NULL,
    subject_kind    TEXT NOT NULL,
    subject_masked  TEXT NOT NULL,
    -- pending | found | nothing_found | failed
    outcome         TEXT NOT NULL,
    cache_hit       BIGINT NOT NULL DEFAULT 0,
    attempts        BIGINT NOT NULL DEFAULT 0,
    detail          TEXT,
    started_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX registry_queries_case_idx ON registry_queries (case_id, id);
CREATE INDEX registry_queries_run_idx ON registry_queries (run_id);
