-- Seats are counted once per statement instead of once per placement row.
--
-- A booking batch inserts dozens of placements in one statement. Counted row by row (an UPDATE of
-- the capacity row from a trigger, a second trigger for the waitlist rule, a foreign key check to
-- the capacity row) these three cost about as much as everything else in the statement. Counted
-- per statement, from the transition tables, each capacity row is updated once, in key order (so
-- concurrent writers lock them in one order), and the same UPDATE proves the capacity row exists,
-- which the foreign key to it did. The rules do not change:
--   * hub_day_capacity.placed is the number of placements of its hub, day and level;
--   * a seat past capacity is refused (hub_day_capacity_not_exceeded);
--   * a seat in a hub not open that day for the child's level is refused, with the name the
--     foreign key had (placement_hub_id_day_level_fkey), and so is the deletion of a capacity
--     row, or a change of its key, while seats are held against it;
--   * a child-day is placed or waitlisted, never both.

DROP TRIGGER placement_count_insert_delete ON placement;
DROP TRIGGER placement_count_update ON placement;
DROP TRIGGER placement_not_waitlisted ON placement;
DROP FUNCTION placement_count();
ALTER TABLE placement DROP CONSTRAINT placement_hub_id_day_level_fkey;

-- The seats a statement took (+) or gave back (-) per hub, day and level, netted, in key order.
-- A statement touches a few rows of a table that grows every day: always by key (the planner
-- would otherwise scan the whole table when it is small).
CREATE FUNCTION placement_count_seats() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    hubs   bigint[];
    days   date[];
    levels school_level[];
    deltas integer[];
    counted integer;
    missing record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(hub_id ORDER BY hub_id, day, level), array_agg(day ORDER BY hub_id, day, level),
               array_agg(level ORDER BY hub_id, day, level), array_agg(n ORDER BY hub_id, day, level)
          INTO hubs, days, levels, deltas
          FROM (SELECT hub_id, day, level, count(*)::integer AS n FROM new_rows GROUP BY 1, 2, 3) d;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(hub_id ORDER BY hub_id, day, level), array_agg(day ORDER BY hub_id, day, level),
               array_agg(level ORDER BY hub_id, day, level), array_agg(n ORDER BY hub_id, day, level)
          INTO hubs, days, levels, deltas
          FROM (SELECT hub_id, day, level, -count(*)::integer AS n FROM old_rows GROUP BY 1, 2, 3) d;
    ELSE
        SELECT array_agg(hub_id ORDER BY hub_id, day, level), array_agg(day ORDER BY hub_id, day, level),
               array_agg(level ORDER BY hub_id, day, level), array_agg(n ORDER BY hub_id, day, level)
          INTO hubs, days, levels, deltas
          FROM (SELECT hub_id, day, level, sum(n)::integer AS n
                FROM (SELECT hub_id, day, level, 1 AS n FROM new_rows
                      UNION ALL SELECT hub_id, day, level, -1 FROM old_rows) m
                GROUP BY 1, 2, 3 HAVING sum(n) <> 0) d;
    END IF;

    IF hubs IS NOT NULL THEN
        UPDATE hub_day_capacity h SET placed = h.placed + d.n
          FROM unnest(hubs, days, levels, deltas) AS d(hub_id, day, level, n)
         WHERE h.hub_id = d.hub_id AND h.day = d.day AND h.level = d.level;
        GET DIAGNOSTICS counted = ROW_COUNT;
        IF counted < cardinality(hubs) THEN
            SELECT d.hub_id, d.day, d.level INTO missing
              FROM unnest(hubs, days, levels) AS d(hub_id, day, level)
             WHERE NOT EXISTS (SELECT 1 FROM hub_day_capacity h
                               WHERE h.hub_id = d.hub_id AND h.day = d.day AND h.level = d.level)
             LIMIT 1;
            RAISE EXCEPTION 'hub % is not open on % for %', missing.hub_id, missing.day, missing.level
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'placement_hub_id_day_level_fkey';
        END IF;
    END IF;

    IF TG_OP <> 'DELETE' THEN
        SELECT n.child_id, n.day INTO missing
          FROM new_rows n JOIN waitlist_entry w ON w.child_id = n.child_id AND w.day = n.day LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'child % is both placed and waitlisted on %', missing.child_id, missing.day
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'placed_or_waitlisted';
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER placement_count_insert AFTER INSERT ON placement REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement_count_seats();
CREATE TRIGGER placement_count_delete AFTER DELETE ON placement REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement_count_seats();
CREATE TRIGGER placement_count_update AFTER UPDATE ON placement REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION placement_count_seats();

-- The waitlist side of "placed or waitlisted" stays per row (entries come a few at a time).
CREATE OR REPLACE FUNCTION placed_or_waitlisted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM placement WHERE child_id = NEW.child_id AND day = NEW.day;
    IF FOUND THEN
        RAISE EXCEPTION 'child % is both placed and waitlisted on %', NEW.child_id, NEW.day
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'placed_or_waitlisted';
    END IF;
    RETURN NEW;
END $$;

-- What the foreign key to the capacity row also did: keep the row while seats are held on it.
CREATE FUNCTION hub_day_capacity_held() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'hub % holds % seats on % for %', OLD.hub_id, OLD.placed, OLD.day, OLD.level
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'placement_hub_id_day_level_fkey';
END $$;
CREATE TRIGGER hub_day_capacity_held_delete BEFORE DELETE ON hub_day_capacity
    FOR EACH ROW WHEN (OLD.placed > 0) EXECUTE FUNCTION hub_day_capacity_held();
CREATE TRIGGER hub_day_capacity_held_update BEFORE UPDATE OF hub_id, day, level ON hub_day_capacity
    FOR EACH ROW WHEN (OLD.placed > 0 AND (OLD.hub_id, OLD.day, OLD.level) IS DISTINCT FROM (NEW.hub_id, NEW.day, NEW.level))
    EXECUTE FUNCTION hub_day_capacity_held();
