-- What a parent needs to reach a hub and to know when to come: its phone (from the schools
-- directory when the import has it; empty when unknown) and its opening hours. The defaults are
-- the hosting hours of 2021 (7:30–18:30, periscolaire included).
ALTER TABLE hub
    ADD COLUMN phone     text NOT NULL DEFAULT '' CHECK (phone ~ '^(0[1-9][0-9]{8})?$'),
    ADD COLUMN opens_at  time NOT NULL DEFAULT '07:30',
    ADD COLUMN closes_at time NOT NULL DEFAULT '18:30',
    ADD CONSTRAINT hub_opens_before_closing CHECK (opens_at < closes_at);
