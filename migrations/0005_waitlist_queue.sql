-- The waitlist with what orders it, defined once. waitlist_position ranks these entries; a
-- booking batch ranks them together with the entries it is about to write (in store), so that
-- its answers carry the positions those entries take.

-- Each waitlisted child-day with its household's tier and the time of its request.
CREATE VIEW waitlist_queue AS
SELECT w.child_id, w.day, w.reason, ht.tier, br.requested_at
FROM waitlist_entry w
JOIN booking_request br ON br.child_id = w.child_id AND br.day = w.day
JOIN child c ON c.id = w.child_id
JOIN household_tier ht ON ht.id = c.household_id;

-- A waitlisted child-day's place on that day's waitlist, in priority order (1 is next): tier,
-- then the time of the request, then the child. Filters on day reach inside the window.
CREATE OR REPLACE VIEW waitlist_position AS
SELECT child_id, day, reason,
       row_number() OVER (PARTITION BY day ORDER BY tier, requested_at, child_id) AS position
FROM waitlist_queue;
