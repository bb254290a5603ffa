-- Outbound delivery of court evidences (issue 3): how many HTTP attempts the hub made to push
-- each evidence to its court's endpoint, and when the court confirmed it (Unix epoch ms; NULL
-- while not delivered, and for courts without an endpoint, which pull their evidences).
ALTER TABLE court_evidences ADD COLUMN delivered_at BIGINT;
ALTER TABLE court_evidences ADD COLUMN delivery_attempts BIGINT NOT NULL DEFAULT 0;
