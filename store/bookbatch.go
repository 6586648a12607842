package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// bookAtOnce answers a batch of booking calls in two round trips: one statement reads the
// calls' households and keys, their children's requests on the days asked and the seats left;
// the allocator places every family; one statement writes everything (keys with their answers,
// requests, run, e-mails, waitlist entries, seats), and is its own transaction: the key of a
// call is stored with its booking or not at all. Nothing is locked between the read and the
// write. A seat taken meanwhile by another process makes the write fail on the capacity check
// (ErrFull: the caller starts again); a key stored meanwhile (a double submission reaching
// another process) leaves that call out of the write, and it replays the stored answer. A
// waitlisted child's answer carries the position its entry takes, counted before it is
// written (waitlistPositions, one more read).
func (s *Store) bookAtOnce(ctx context.Context, p AllocationPolicy, calls []*BookingCall) error {
	read, err := s.readBatch(ctx, p, calls)
	if err != nil {
		return err
	}
	valid, households := read.check(calls)
	if len(valid) == 0 {
		return nil
	}
	now := s.now() // the requests' time, in the answers' positions and in the write
	a := s.batchAllocation(valid, households)
	pl := newPlan(p, a, read.rows(a, now))
	if len(pl.toPlace) > 0 {
		if err := pl.solve(ctx, read.seats.hubs(pl.extra), s.statusByCutoff(ctx, p)); err != nil {
			return err
		}
	}
	step, mails, err := s.answerCalls(ctx, pl, valid, households)
	if err != nil {
		return err
	}
	for i, c := range valid {
		if read.unchanged(c.Booking) {
			mails[i].to = "" // not written (see writeCTEs)
		}
	}
	step.asked = a.asked
	// Every row written goes with its call's account, found from the child's household (the
	// children asked for, and the households' others placed again when unsettled).
	accountOf := make(map[int64]int64, len(households)) // by household
	for account, h := range households {
		accountOf[h.ID] = account
	}
	w := pl.writes(mails)
	w.booking, w.account = &step, make(map[int64]int64, len(pl.rows))
	for _, r := range pl.rows {
		w.account[r.ChildID] = accountOf[r.HouseholdID]
	}
	_, claimed, err := s.write(ctx, w)
	if err != nil {
		return err
	}
	var replay []*BookingCall
	for _, c := range valid {
		if !slices.Contains(claimed, c.AccountID) {
			replay = append(replay, c)
		}
	}
	if len(replay) > 0 {
		return s.replayKeys(ctx, replay)
	}
	return nil
}

// batchRead is what a batch reads in one statement (readBatch): per call, its household and
// its key if stored; per child of those households and day asked in the batch, the request and
// its answer so far; the seats left in reach of the households.
type batchRead struct {
	calls []checkedCall
	days  []childDay
	seats seatList
}

// checkedCall is a call's household, and its key if stored.
type checkedCall struct {
	householdCtx
	Used         bool
	UsedHash     []byte
	UsedResponse []byte
}

// childDay is a child of a household on a day, with its active request if any.
type childDay struct {
	requestRow
	Requested bool
}

// readBatch reads the batch of calls (see batchRead). The seats are those of the open hubs in
// a box around the households' homes and workplaces, the maximum distance wide.
func (s *Store) readBatch(ctx context.Context, p AllocationPolicy, calls []*BookingCall) (batchRead, error) {
	accounts := make([]int64, len(calls))
	keys := make([]string, len(calls))
	var days []time.Time
	for i, c := range calls {
		accounts[i], keys[i] = c.AccountID, c.Key
		for _, d := range c.In.Days {
			if !slices.ContainsFunc(days, d.Equal) {
				days = append(days, d)
			}
		}
	}
	args, err := readBatchSQL.args(map[string]any{"days": pq.Array(dayStrings(days)), "accounts": pq.Array(accounts), "keys": pq.Array(keys),
		"max_km": p.MaxDistanceKm})
	if err != nil {
		return batchRead{}, err
	}
	rows, err := s.queryPrepared(ctx, readBatchSQL.text, args...)
	if err != nil {
		return batchRead{}, translate(err)
	}
	defer rows.Close()
	var out batchRead
	for rows.Next() {
		var c checkedCall
		var d childDay
		var child sql.NullInt64
		var level, firstName, location, arrive, depart sql.NullString
		var birth, day, requestedAt sql.NullTime
		var requested, waitlisted sql.NullBool
		var seats struct {
			hub, left  pq.Int64Array
			lat, lon   pq.Float64Array
			day, level pq.StringArray
		}
		if err := rows.Scan(&c.AccountID, &c.ID, &c.AllowSplit, &c.AllOrNone, &c.Tier, &c.HomeLat, &c.HomeLon, &c.WorkLat, &c.WorkLon, &c.Email,
			&c.Children, &c.OpenDays, &c.Used, &c.UsedHash, &c.UsedResponse,
			&child, &level, &firstName, &birth, &day, &requested, &requestedAt, &location, &arrive, &depart,
			&d.PlacedHub, &d.PlacedStatus, &d.DistanceM, &waitlisted, &d.WaitReason, &d.NearestFull,
			&seats.hub, &seats.lat, &seats.lon, &seats.day, &seats.level, &seats.left); err != nil {
			return batchRead{}, err
		}
		if !slices.ContainsFunc(out.calls, func(k checkedCall) bool { return k.AccountID == c.AccountID }) {
			out.calls = append(out.calls, c)
		}
		if child.Valid {
			d.ChildID, d.HouseholdID, d.Level, d.FirstName, d.BirthDate, d.Day = child.Int64, c.ID, Level(level.String), firstName.String, birth.Time, day.Time
			d.Requested, d.RequestedAt, d.Location = requested.Bool, requestedAt.Time, Location(location.String)
			d.ArriveAt, d.DepartAt, d.Waitlisted = arrive.String, depart.String, waitlisted.Bool
			out.days = append(out.days, d)
		}
		if seats.hub != nil {
			out.seats = seatList{hub: seats.hub, lat: seats.lat, lon: seats.lon, day: seats.day, level: seats.level, left: seats.left}
		}
	}
	return out, rows.Err()
}

// readBatchSQL reads a batchRead: :days the days, :accounts and :keys the calls', :max_km the
// maximum distance in km. Every lookup goes by key (LATERAL … OFFSET 0): planned for a few dozen
// rows, the query would otherwise hash whole tables. The seats come once, on the first row.
var readBatchSQL = named(`
	WITH calls AS (SELECT * FROM unnest(:accounts::bigint[], :keys::text[]) AS f(account_id, key)),
	wanted AS (SELECT DISTINCT account_id FROM calls),
	households AS (` + householdCtxSQL + `),
	checked AS (
		SELECT h.*, k.account_id IS NOT NULL AS used, COALESCE(k.request_hash, '') AS used_hash, COALESCE(k.response, '') AS used_response
		FROM calls c JOIN households h ON h.account_id = c.account_id
		LEFT JOIN LATERAL (SELECT * FROM idempotency_key k WHERE k.account_id = c.account_id AND k.key = c.key OFFSET 0) k ON true
	), places AS (
		SELECT min(least(home_lat, work_lat)) AS min_lat, max(greatest(home_lat, work_lat)) AS max_lat,
		       min(least(home_lon, work_lon)) AS min_lon, max(greatest(home_lon, work_lon)) AS max_lon
		FROM checked WHERE id <> 0 AND NOT used
	),` + seatsInReachSQL + `, seats AS (
		SELECT array_agg(hub) AS hub, array_agg(lat) AS lat, array_agg(lon) AS lon, array_agg(day) AS day,
		       array_agg(level) AS level, array_agg(seats_left) AS seats_left
		FROM seats_in_reach
	)
	SELECT ch.account_id, ch.id, ch.allow_split, ch.all_or_none, ch.tier, ch.home_lat, ch.home_lon, ch.work_lat, ch.work_lon, ch.email, ch.children, ch.open_days,
	       ch.used, ch.used_hash, ch.used_response,
	       cd.child_id, cd.level, cd.first_name, cd.birth_date, cd.day, cd.requested, cd.requested_at, cd.location, cd.arrive_at, cd.depart_at,
	       cd.placed_hub, cd.placed_status, cd.distance_m, cd.waitlisted, cd.wait_reason, cd.nearest_full_hub_id,
	       CASE WHEN row_number() OVER () = 1 THEN seats.hub END, CASE WHEN row_number() OVER () = 1 THEN seats.lat END,
	       CASE WHEN row_number() OVER () = 1 THEN seats.lon END, CASE WHEN row_number() OVER () = 1 THEN seats.day END,
	       CASE WHEN row_number() OVER () = 1 THEN seats.level END, CASE WHEN row_number() OVER () = 1 THEN seats.seats_left END
	FROM checked ch
	LEFT JOIN LATERAL (` + childDaysSQL("c.household_id = ch.id") + `) cd ON NOT ch.used
	CROSS JOIN seats
	ORDER BY cd.day, cd.child_id`)

// check answers the calls whose key is stored (the first answer again, or
// ErrIdempotencyMismatch), those asking for another household's children (ErrNotFound) or for
// a day without any open hub (ErrInvalid), and returns the others with their households by
// account. Nothing was written: a refused call leaves nothing behind.
func (r batchRead) check(calls []*BookingCall) ([]*BookingCall, map[int64]householdCtx) {
	households := map[int64]householdCtx{}
	var valid []*BookingCall
	for _, c := range calls {
		i := slices.IndexFunc(r.calls, func(k checkedCall) bool { return k.AccountID == c.AccountID })
		if i < 0 {
			c.answer(Booking{}, false, fmt.Errorf("account %d: %w", c.AccountID, ErrNotFound))
			continue
		}
		k := r.calls[i]
		h := k.householdCtx
		switch {
		case k.Used && !bytes.Equal(k.UsedHash, c.Hash):
			c.answer(Booking{}, false, ErrIdempotencyMismatch)
		case k.Used:
			b, err := decodeReply(k.UsedResponse)
			if err != nil {
				c.answer(Booking{}, false, err)
				continue
			}
			c.answer(b, true, nil)
		case h.ID == 0 || slices.ContainsFunc(c.In.ChildIDs, func(id int64) bool { return !slices.Contains(h.Children, id) }):
			c.answer(Booking{}, false, ErrNotFound)
		case slices.ContainsFunc(c.In.Days, func(d time.Time) bool { return !slices.Contains(h.OpenDays, d.Format(time.DateOnly)) }):
			c.answer(Booking{}, false, fmt.Errorf("%w: a day asked for has no open hub", ErrInvalid))
		default:
			households[c.AccountID] = h
			valid = append(valid, c)
		}
	}
	return valid, households
}

// unchanged reports whether an answer only repeats what its child-days had already: each one
// requested before, with the same seat or still waiting. The family was told that answer, so
// asking again (the form sent again after "back", under a new key) sends no second e-mail.
func (r batchRead) unchanged(b Booking) bool {
	for _, d := range b.Days {
		i := slices.IndexFunc(r.days, func(cd childDay) bool { return cd.ChildID == d.ChildID && cd.Day.Equal(d.Day) })
		if i < 0 || !r.days[i].Requested {
			return false
		}
		before := r.days[i]
		sameSeat := before.PlacedHub.Valid && before.PlacedHub.Int64 == d.HubID && RequestStatus(before.PlacedStatus.String) == d.Status
		stillWaiting := before.Waitlisted && d.Status == RequestWaitlisted
		if !sameSeat && !stillWaiting {
			return false
		}
	}
	return len(b.Days) > 0
}

// rows are the requests allocation a starts from: the active requests of its households'
// children on its days, with their answer so far, and the child-days asked that have none
// (new, or cancelled before) as they will be recorded, at now.
func (r batchRead) rows(a allocation, now time.Time) []requestRow {
	askedAt := make(map[cdKey]int, len(a.asked.child))
	for i, child := range a.asked.child {
		askedAt[cdKey{child, a.asked.day[i]}] = i
	}
	byID := make(map[int64]householdCtx, len(a.households))
	for _, h := range a.households {
		byID[h.ID] = h
	}
	var out []requestRow
	for _, d := range r.days {
		h, ok := byID[d.HouseholdID]
		if !ok || !slices.ContainsFunc(a.days, d.Day.Equal) {
			continue
		}
		row := d.requestRow
		if !d.Requested {
			i, ok := askedAt[cdKey{row.ChildID, row.Day.Format(time.DateOnly)}]
			if !ok {
				continue
			}
			row.RequestedAt, row.Location, row.ArriveAt, row.DepartAt = now, Location(a.asked.location[i]), a.asked.arrive[i], a.asked.depart[i]
		}
		h.complete(&row)
		out = append(out, row)
	}
	return out
}
