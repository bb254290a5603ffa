-- The party's own page lists the complaints they filed (GET /v1/me/complaints): by CCCD.

CREATE INDEX complaints_complainant_idx ON complaints (complainant_cccd, created_at);
