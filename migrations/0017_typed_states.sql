-- States as types of their own (store/states.go holds the Go side, and a test checks that both
-- list the same values).

-- allocation_kind loses 'late', which no run ever had: PostgreSQL cannot drop an enum value, so
-- the type is made anew and the column moved to it. A stored 'late' run would fail the cast and
-- roll the migration back rather than be lost.
ALTER TYPE allocation_kind RENAME TO allocation_kind_before_0017;
CREATE TYPE allocation_kind AS ENUM ('instant', 'confirmation', 'promotion', 'replacement', 'manual', 'rebalance');
ALTER TABLE allocation_run ALTER COLUMN kind TYPE allocation_kind USING kind::text::allocation_kind;
DROP TYPE allocation_kind_before_0017;

-- Where a child's request for a day stands, as its family is told. It is not stored: it follows
-- from the request's cancellation, its seat and its waitlist entry, through request_status()
-- alone, so that every query tells it the same way.
CREATE TYPE request_status AS ENUM ('pending', 'proposed', 'confirmed', 'waitlisted', 'cancelled');

-- request_status(cancelled_at, the seat's status or NULL, whether a waitlist entry exists).
-- A STABLE SQL function (enum casts are stable): PostgreSQL inlines it into the calling query.
CREATE FUNCTION request_status(cancelled_at timestamptz, placed placement_status, waitlisted boolean)
RETURNS request_status LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN cancelled_at IS NOT NULL THEN 'cancelled'::request_status
                WHEN placed IS NOT NULL THEN placed::text::request_status
                WHEN waitlisted THEN 'waitlisted'::request_status
                ELSE 'pending'::request_status END
$$;
