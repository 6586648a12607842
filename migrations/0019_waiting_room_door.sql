-- The waiting room's door (newcomers let in at once, or queued) switches at instants the room's
-- row sets a notice ahead, so that every process learns of a switch before it takes effect and
-- all switch at the same instant (see package waitingroom).
ALTER TABLE waiting_room
    -- Newcomers whose ticket is issued from queue_from (included) to queue_until (excluded)
    -- queue; NULL queue_from: none; NULL queue_until: no end set yet.
    ADD COLUMN queue_from  timestamptz,
    ADD COLUMN queue_until timestamptz,
    ADD CONSTRAINT waiting_room_queue_span
        CHECK (queue_until IS NULL OR (queue_from IS NOT NULL AND queue_until > queue_from));
