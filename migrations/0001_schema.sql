-- Accueil prioritaire: the whole domain. Invariants live here, not only in Go.

CREATE EXTENSION IF NOT EXISTS citext;

-- Geography -----------------------------------------------------------------------------------

CREATE TABLE departement (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{2}$|^2[AB]$|^9[78][0-9]$'),
    name text NOT NULL CHECK (name <> '')
);

CREATE TABLE commune (
    insee_code       text PRIMARY KEY CHECK (insee_code ~ '^[0-9][0-9AB][0-9]{3}$'),
    name             text NOT NULL CHECK (name <> ''),
    departement_code text NOT NULL REFERENCES departement (code),
    population       integer NOT NULL CHECK (population >= 0),
    postal_code      text NOT NULL DEFAULT '' CHECK (postal_code ~ '^([0-9]{5})?$'),
    lat              double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon              double precision NOT NULL CHECK (lon BETWEEN -180 AND 180)
);
CREATE INDEX commune_departement_idx ON commune (departement_code);
-- Autocomplete on names typed without accents or case ("besancon" finds "Besançon").
CREATE INDEX commune_name_idx ON commune (lower(name) text_pattern_ops);

-- School levels follow the birth year; a hub's capacity is counted per level.
CREATE TYPE school_level AS ENUM ('maternelle', 'elementaire', 'college');

-- Hubs ----------------------------------------------------------------------------------------

CREATE TYPE hub_status AS ENUM ('open', 'closed');

CREATE TABLE hub (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uai          text NOT NULL UNIQUE CHECK (uai ~ '^[0-9]{7}[A-Z]$'),
    name         text NOT NULL CHECK (name <> ''),
    address      text NOT NULL,
    commune_code text NOT NULL REFERENCES commune (insee_code),
    lat          double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon          double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    status       hub_status NOT NULL DEFAULT 'open',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hub_commune_idx ON hub (commune_code);

-- The levels a hub accepts, with its usual capacity per open day (groups × cap of the level).
CREATE TABLE hub_level (
    hub_id           bigint NOT NULL REFERENCES hub (id) ON DELETE CASCADE,
    level            school_level NOT NULL,
    default_capacity integer NOT NULL CHECK (default_capacity >= 0),
    PRIMARY KEY (hub_id, level)
);

-- Capacity of a hub for one day and level, and the count of placements held against it. The count
-- is maintained by triggers on placement, in the same transaction, and the CHECK refuses any
-- placement past capacity: concurrent writers serialise on this row's lock.
CREATE TABLE hub_day_capacity (
    hub_id   bigint NOT NULL,
    day      date NOT NULL,
    level    school_level NOT NULL,
    capacity integer NOT NULL CHECK (capacity >= 0),
    placed   integer NOT NULL DEFAULT 0 CHECK (placed >= 0),
    PRIMARY KEY (hub_id, day, level),
    FOREIGN KEY (hub_id, level) REFERENCES hub_level (hub_id, level) ON DELETE CASCADE,
    CONSTRAINT hub_day_capacity_not_exceeded CHECK (placed <= capacity)
);
CREATE INDEX hub_day_capacity_day_idx ON hub_day_capacity (day);

-- Professions and accounts --------------------------------------------------------------------

CREATE TABLE profession (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]+$'),
    label_fr text NOT NULL CHECK (label_fr <> ''),
    label_en text NOT NULL CHECK (label_en <> ''),
    -- 1 is served first when seats are scarce; see GUIDE.md §2.
    tier     smallint NOT NULL CHECK (tier BETWEEN 1 AND 3),
    position smallint NOT NULL DEFAULT 0
);

CREATE TYPE account_role AS ENUM ('parent', 'director', 'prefecture', 'rectorat', 'admin');

CREATE TABLE account (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email              citext NOT NULL UNIQUE CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    -- NULL: no password set yet (the owner must use a reset link).
    password_hash      text,
    role               account_role NOT NULL,
    display_name       text NOT NULL DEFAULT '',
    -- A prefecture agent acts on one département; other roles have none.
    departement_code   text REFERENCES departement (code),
    email_confirmed_at timestamptz,
    disabled_at        timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_login_at      timestamptz,
    CONSTRAINT account_scope_matches_role CHECK ((role = 'prefecture') = (departement_code IS NOT NULL))
);

-- The hubs a director runs.
CREATE TABLE account_hub (
    account_id bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    hub_id     bigint NOT NULL REFERENCES hub (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, hub_id)
);
CREATE INDEX account_hub_hub_idx ON account_hub (hub_id);

-- Sessions are looked up by the SHA-256 of the cookie token: a copy of this table opens no session.
CREATE TABLE session (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id   bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ip           inet,
    user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX session_account_idx ON session (account_id);
CREATE INDEX session_expires_idx ON session (expires_at);

-- Single-use tokens sent by e-mail (address confirmation, password reset), hashed like sessions.
CREATE TYPE account_token_purpose AS ENUM ('confirm_email', 'reset_password');
CREATE TABLE account_token (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    purpose    account_token_purpose NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX account_token_account_idx ON account_token (account_id);

-- Failed logins, to slow down password guessing per address across all app processes.
CREATE TABLE login_failure (
    email citext NOT NULL,
    at    timestamptz NOT NULL DEFAULT now(),
    ip    inet
);
CREATE INDEX login_failure_email_at_idx ON login_failure (email, at);

-- Households and children ---------------------------------------------------------------------

CREATE TABLE household (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id          bigint NOT NULL UNIQUE REFERENCES account (id) ON DELETE CASCADE,
    home_address        text NOT NULL DEFAULT '',
    home_commune_code   text NOT NULL REFERENCES commune (insee_code),
    work_commune_code   text NOT NULL REFERENCES commune (insee_code),
    -- The sworn statement that no other childcare is possible: when, and the wording accepted.
    sworn_at            timestamptz NOT NULL,
    sworn_text_version  text NOT NULL,
    -- The employer proof is shown at a hub, never uploaded: we keep who saw it and when.
    proof_checked_by    bigint REFERENCES account (id) ON DELETE SET NULL,
    proof_checked_at    timestamptz,
    -- Siblings are kept in one hub unless the household allows them to be split.
    allow_split         boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT household_proof_checked_whole CHECK ((proof_checked_by IS NULL) OR (proof_checked_at IS NOT NULL))
);
CREATE INDEX household_home_commune_idx ON household (home_commune_code);

CREATE TABLE parent (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id    bigint NOT NULL REFERENCES household (id) ON DELETE CASCADE,
    rank            smallint NOT NULL CHECK (rank IN (1, 2)),
    first_name      text NOT NULL CHECK (first_name <> ''),
    last_name       text NOT NULL CHECK (last_name <> ''),
    phone           text NOT NULL CHECK (phone ~ '^\+?[0-9]{9,15}$'),
    -- NULL: this parent is not in a priority profession (parent 2 may not be).
    profession_code text REFERENCES profession (code),
    employer        text NOT NULL DEFAULT '',
    UNIQUE (household_id, rank)
);

CREATE TABLE child (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id bigint NOT NULL REFERENCES household (id) ON DELETE CASCADE,
    first_name   text NOT NULL CHECK (first_name <> ''),
    last_name    text NOT NULL CHECK (last_name <> ''),
    birth_date   date NOT NULL,
    level        school_level NOT NULL,
    -- Health note or PAI: shown only to the director of the child's hub.
    health_note  text NOT NULL DEFAULT '' CHECK (length(health_note) <= 1000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Lets placements reference (child, level) so the level counted in capacity is the child's.
    UNIQUE (id, level)
);
CREATE INDEX child_household_idx ON child (household_id);

CREATE TABLE pickup_person (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    child_id bigint NOT NULL REFERENCES child (id) ON DELETE CASCADE,
    name     text NOT NULL CHECK (name <> ''),
    phone    text NOT NULL CHECK (phone ~ '^\+?[0-9]{9,15}$'),
    relation text NOT NULL DEFAULT ''
);
CREATE INDEX pickup_person_child_idx ON pickup_person (child_id);

-- Bookings, allocation, placements and waitlist -------------------------------------------------

CREATE TYPE booking_location AS ENUM ('home', 'work');

-- One row per child and day asked for. A cancelled request keeps its row (history) and may be
-- asked again, which clears cancelled_at and takes a new requested_at.
CREATE TABLE booking_request (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    child_id     bigint NOT NULL REFERENCES child (id) ON DELETE CASCADE,
    day          date NOT NULL,
    location     booking_location NOT NULL,
    arrive_at    time NOT NULL DEFAULT '07:30',
    depart_at    time NOT NULL DEFAULT '18:30',
    requested_at timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    UNIQUE (child_id, day),
    CONSTRAINT booking_request_hours CHECK (arrive_at >= '07:30' AND depart_at <= '18:30' AND arrive_at < depart_at),
    CONSTRAINT booking_request_weekday CHECK (extract(isodow FROM day) BETWEEN 1 AND 5)
);
CREATE INDEX booking_request_day_idx ON booking_request (day) WHERE cancelled_at IS NULL;

CREATE TYPE allocation_kind AS ENUM ('instant', 'confirmation', 'late', 'promotion', 'replacement', 'manual', 'rebalance');

CREATE TABLE allocation_run (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        allocation_kind NOT NULL,
    day_from    date NOT NULL,
    day_to      date NOT NULL CHECK (day_to >= day_from),
    seed        bigint NOT NULL,
    started_by  bigint REFERENCES account (id) ON DELETE SET NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    report      jsonb NOT NULL DEFAULT '{}'
);

-- A day is confirmed once its confirmation run, at the cutoff, has placed everyone by priority.
CREATE TABLE day_confirmation (
    day          date PRIMARY KEY,
    run_id       bigint NOT NULL REFERENCES allocation_run (id),
    confirmed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE placement_status AS ENUM ('proposed', 'confirmed');

-- A child's seat in a hub for one day. UNIQUE (child, day): one seat a day. The seat's level is the
-- child's (foreign key with cascade) and the hub must be open for that day and level (foreign key
-- to its capacity row, whose count the triggers below keep exact).
CREATE TABLE placement (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    child_id   bigint NOT NULL,
    day        date NOT NULL,
    hub_id     bigint NOT NULL,
    level      school_level NOT NULL,
    status     placement_status NOT NULL DEFAULT 'proposed',
    run_id     bigint REFERENCES allocation_run (id) ON DELETE SET NULL,
    distance_m integer NOT NULL DEFAULT 0 CHECK (distance_m >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (child_id, day),
    FOREIGN KEY (child_id, level) REFERENCES child (id, level) ON UPDATE CASCADE ON DELETE CASCADE,
    FOREIGN KEY (child_id, day) REFERENCES booking_request (child_id, day) ON DELETE CASCADE,
    FOREIGN KEY (hub_id, day, level) REFERENCES hub_day_capacity (hub_id, day, level)
);
CREATE INDEX placement_hub_day_idx ON placement (hub_id, day);
CREATE INDEX placement_day_idx ON placement (day);

CREATE FUNCTION placement_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE hub_day_capacity SET placed = placed - 1
         WHERE hub_id = OLD.hub_id AND day = OLD.day AND level = OLD.level;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        -- Fails with hub_day_capacity_not_exceeded when the hub-day-level is full.
        UPDATE hub_day_capacity SET placed = placed + 1
         WHERE hub_id = NEW.hub_id AND day = NEW.day AND level = NEW.level;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER placement_count_insert_delete AFTER INSERT OR DELETE ON placement
    FOR EACH ROW EXECUTE FUNCTION placement_count();
CREATE TRIGGER placement_count_update AFTER UPDATE OF hub_id, day, level ON placement
    FOR EACH ROW WHEN ((OLD.hub_id, OLD.day, OLD.level) IS DISTINCT FROM (NEW.hub_id, NEW.day, NEW.level))
    EXECUTE FUNCTION placement_count();

-- The allocator's reasons (alloc.Reason), stable codes shown to families in their words.
CREATE TYPE waitlist_reason AS ENUM ('no_hub_in_reach', 'sibling_hub_full', 'no_common_hub', 'hubs_full',
    'higher_priority', 'no_room_for_siblings');

-- A child-day asked for and not placed, with the reason told to the family. The family's position
-- is computed when shown, from the priority of every child waiting that day.
CREATE TABLE waitlist_entry (
    child_id   bigint NOT NULL,
    day        date NOT NULL,
    reason     waitlist_reason NOT NULL,
    run_id     bigint REFERENCES allocation_run (id) ON DELETE SET NULL,
    since      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (child_id, day),
    FOREIGN KEY (child_id, day) REFERENCES booking_request (child_id, day) ON DELETE CASCADE
);
CREATE INDEX waitlist_entry_day_idx ON waitlist_entry (day);

-- A child-day is placed or waitlisted, never both.
CREATE FUNCTION placed_or_waitlisted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'placement' THEN
        PERFORM 1 FROM waitlist_entry WHERE child_id = NEW.child_id AND day = NEW.day;
    ELSE
        PERFORM 1 FROM placement WHERE child_id = NEW.child_id AND day = NEW.day;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'child % is both placed and waitlisted on %', NEW.child_id, NEW.day
            USING ERRCODE = 'unique_violation', CONSTRAINT = 'placed_or_waitlisted';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER placement_not_waitlisted BEFORE INSERT OR UPDATE OF child_id, day ON placement
    FOR EACH ROW EXECUTE FUNCTION placed_or_waitlisted();
CREATE TRIGGER waitlist_not_placed BEFORE INSERT OR UPDATE OF child_id, day ON waitlist_entry
    FOR EACH ROW EXECUTE FUNCTION placed_or_waitlisted();

-- Attendance at a hub, recorded by its director (or from the paper sheet after the fact).
CREATE TYPE attendance_status AS ENUM ('present', 'absent');
CREATE TABLE attendance (
    child_id    bigint NOT NULL REFERENCES child (id) ON DELETE CASCADE,
    day         date NOT NULL,
    hub_id      bigint NOT NULL REFERENCES hub (id),
    status      attendance_status NOT NULL,
    arrived_at  time,
    departed_at time,
    recorded_by bigint REFERENCES account (id) ON DELETE SET NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (child_id, day),
    CONSTRAINT attendance_times CHECK (departed_at IS NULL OR arrived_at IS NULL OR arrived_at <= departed_at)
);
CREATE INDEX attendance_hub_day_idx ON attendance (hub_id, day);

-- Requests replayed safely: the same key from the same account gives the same answer.
CREATE TABLE idempotency_key (
    account_id   bigint NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (length(key) BETWEEN 8 AND 128),
    request_hash bytea NOT NULL,
    status_code  integer NOT NULL,
    response     bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);

-- Audit and outbox ----------------------------------------------------------------------------

CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    account_id  bigint REFERENCES account (id) ON DELETE SET NULL,
    action      text NOT NULL CHECK (action ~ '^[a-z_.]+$'),
    object_type text NOT NULL DEFAULT '',
    object_id   text NOT NULL DEFAULT '',
    ip          inet,
    details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_account_idx ON audit_log (account_id, at);

-- E-mails are queued in the transaction that causes them and sent by a worker.
CREATE TABLE outbox_email (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_address      citext NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    sent_at         timestamptz
);
CREATE INDEX outbox_email_pending_idx ON outbox_email (next_attempt_at) WHERE sent_at IS NULL;
