-- The waiting room (salle d'attente) in front of the parents' journey: its settings, the key that
-- signs its tickets, and the tickets that came back at least once. See package waitingroom for
-- the design and its guarantees.
CREATE TYPE waiting_room_mode AS ENUM ('auto', 'open', 'closed');

-- One row: the room's settings, its key, and how many visitors the queue let in.
CREATE TABLE waiting_room (
    id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
    mode               waiting_room_mode NOT NULL DEFAULT 'auto',
    -- NULL: the capacity configured (WAITING_ROOM_CAPACITY).
    capacity           integer CHECK (capacity > 0),
    -- Set once by the first process that needs it (WAITING_ROOM_KEY empty), then only read.
    hmac_key           bytea CHECK (octet_length(hmac_key) = 32),
    admitted_total     bigint NOT NULL DEFAULT 0 CHECK (admitted_total >= 0)
);
INSERT INTO waiting_room DEFAULT VALUES;

-- A ticket as the processes saw it come back. addresses are keyed hashes of the client
-- addresses it came from (never the addresses): a ticket seen from too many is a copy.
CREATE TABLE waiting_room_ticket (
    number          bigint PRIMARY KEY,
    issued_at       timestamptz NOT NULL,
    admitted_at     timestamptz,
    last_seen_at    timestamptz NOT NULL,
    revoked_at      timestamptz,
    addresses       integer[] NOT NULL DEFAULT '{}',
    minute_start    timestamptz NOT NULL,
    minute_requests integer NOT NULL DEFAULT 0 CHECK (minute_requests >= 0)
);
CREATE INDEX waiting_room_ticket_queue_idx ON waiting_room_ticket (issued_at, number)
    WHERE admitted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX waiting_room_ticket_seen_idx ON waiting_room_ticket (last_seen_at);
CREATE INDEX waiting_room_ticket_admitted_idx ON waiting_room_ticket (admitted_at) WHERE admitted_at IS NOT NULL;
CREATE INDEX waiting_room_ticket_revoked_idx ON waiting_room_ticket (revoked_at) WHERE revoked_at IS NOT NULL;
