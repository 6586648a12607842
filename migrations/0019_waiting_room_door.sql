-- The waiting room's door (newcomers let in at once, or queued) switches at instants the room's
-- row sets a notice ahead, so that every process learns of a switch before it takes effect and
-- all switch at the same instant (see package waitingroom). The row also adds up the visitors
-- the processes let in at the door, per second, to decide when to close it.
ALTER TABLE waiting_room
    -- Newcomers whose ticket is issued from queue_from (included) to queue_until (excluded)
    -- queue; NULL queue_from: none; NULL queue_until: no end set yet.
    ADD COLUMN queue_from    timestamptz,
    ADD COLUMN queue_until   timestamptz,
    -- Visitors let in at the door, as the processes reported them: door_count since door_since,
    -- door_previous in the second before.
    ADD COLUMN door_since    timestamptz NOT NULL DEFAULT 'epoch',
    ADD COLUMN door_count    integer NOT NULL DEFAULT 0 CHECK (door_count >= 0),
    ADD COLUMN door_previous integer NOT NULL DEFAULT 0 CHECK (door_previous >= 0),
    ADD CONSTRAINT waiting_room_queue_span
        CHECK (queue_until IS NULL OR (queue_from IS NOT NULL AND queue_until > queue_from));
