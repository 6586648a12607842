-- One definition of a household's priority and of a waitlist position, for the allocator's
-- reads, the booking answers and the eviction order; and an index for "which days are open".

-- A household with its priority tier: the best (lowest) tier among its parents' professions,
-- 3 when none is given. A plain view: PostgreSQL folds it into the queries that use it.
CREATE VIEW household_tier AS
SELECT h.id, h.account_id, h.allow_split, h.home_commune_code, h.work_commune_code,
       COALESCE((SELECT min(pr.tier) FROM parent pa JOIN profession pr ON pr.code = pa.profession_code
                 WHERE pa.household_id = h.id), 3) AS tier
FROM household h;

-- A waitlisted child-day's place on that day's waitlist, in priority order (1 is next): tier,
-- then the time of the request, then the child. Filters on day reach inside the window.
CREATE VIEW waitlist_position AS
SELECT w.child_id, w.day, w.reason,
       row_number() OVER (PARTITION BY w.day ORDER BY ht.tier, br.requested_at, w.child_id) AS position
FROM waitlist_entry w
JOIN booking_request br ON br.child_id = w.child_id AND br.day = w.day
JOIN child c ON c.id = w.child_id
JOIN household_tier ht ON ht.id = c.household_id;

-- The open days (some hub with seats): the booking calendar walks this index a day at a time.
CREATE INDEX hub_day_capacity_open_day_idx ON hub_day_capacity (day) WHERE capacity > 0;
