-- What the retention purge (store.PurgeExpired) keeps of the child-days it deletes: anonymous
-- counts per day, département and level, added to at each purge, so that the trends show the
-- same figures for past days once the households behind them are gone. No personal data: no
-- child, household or hub, only a day, a département, a level and three counts.
CREATE TABLE purged_day_count (
    day              date NOT NULL,
    departement_code text NOT NULL REFERENCES departement (code),
    level            school_level NOT NULL,
    -- Seats held in the département's hubs, children marked present there, and children of its
    -- households on the waitlist: what the trends count among the rows still held.
    placed           integer NOT NULL DEFAULT 0 CHECK (placed >= 0),
    present          integer NOT NULL DEFAULT 0 CHECK (present >= 0),
    waitlisted       integer NOT NULL DEFAULT 0 CHECK (waitlisted >= 0),
    PRIMARY KEY (day, departement_code, level)
);

-- The purge looks for old entries and sent e-mails by time.
CREATE INDEX outbox_email_created_idx ON outbox_email (created_at);
