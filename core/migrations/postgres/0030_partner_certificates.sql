-- Partners identified by TLS client certificate (issue 8): each certificate registered to a
-- partner by the SHA-256 fingerprint of its DER bytes, with what the certificate says (subject,
-- issuer, serial, validity) so `partner list` and the expiry alerts need no file; and the THADS
-- deposit accounts each bank holds, so a bank confirms payments only into its own accounts.
-- Times are Unix epoch milliseconds.

CREATE TABLE partner_certificates (
    fingerprint  TEXT PRIMARY KEY,
    partner_id   TEXT NOT NULL REFERENCES partners (partner_id),
    subject      TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    serial       TEXT NOT NULL,
    not_before   BIGINT NOT NULL,
    not_after    BIGINT NOT NULL,
    added_at     BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX partner_certificates_partner_idx ON partner_certificates (partner_id);

-- One account is held by one bank.
CREATE TABLE partner_accounts (
    account     TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES partners (partner_id),
    added_at    BIGINT NOT NULL
);
CREATE INDEX partner_accounts_partner_idx ON partner_accounts (partner_id);
