package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// bookAtOnce answers a batch of booking calls in four round trips and one write: it reads the
// calls' households and keys, their children's requests on the days asked and the seats left,
// allocates, then writes everything (keys with their answers, requests, run, e-mails, seats)
// in one statement, which is its own transaction: the key of a call is stored with its booking
// or not at all. Nothing is locked between the reads and the write. A seat taken meanwhile by
// another process makes the write fail on the capacity check (ErrFull: the caller starts again);
// a key stored meanwhile (a double submission reaching another process) leaves that call out of
// the write, and it replays the stored answer.
//
// It returns false, having written nothing, when a child would be waitlisted: a waitlist answer
// carries the position, known once the entry is written, and the caller books such a batch in
// a transaction (bookTx) instead.
func (s *Store) bookAtOnce(ctx context.Context, p AllocationPolicy, calls []*BookingCall) (bool, error) {
	valid, households, err := s.checkCalls(ctx, calls)
	if err != nil || len(valid) == 0 {
		return true, err
	}
	a := s.batchAllocation(valid, households)
	if a.rows, err = s.childDays(ctx, a); err != nil {
		return true, err
	}
	sol, err := s.solve(ctx, p, a, s.statusByCutoff(ctx, p))
	if err != nil {
		return true, err
	}
	if slices.ContainsFunc(sol.outcomes, func(o Outcome) bool { return o.Status == "waitlisted" }) {
		return false, nil
	}
	w, err := s.answerCalls(ctx, sol, valid, households)
	if err != nil {
		return true, err
	}
	accountOf := map[int64]int64{} // by child
	for _, c := range valid {
		for _, id := range c.In.ChildIDs {
			accountOf[id] = c.AccountID
		}
	}
	for _, r := range sol.rows { // the households' other children, placed again when unsettled
		if _, ok := accountOf[r.ChildID]; !ok {
			accountOf[r.ChildID] = accountOfHousehold(households, r.HouseholdID)
		}
	}
	var seatAccounts []int64
	for _, o := range sol.outcomes {
		seatAccounts = append(seatAccounts, accountOf[o.ChildID])
	}
	now := s.now()
	runArgs, err := sol.runArgs(now, len(sol.toPlace) > 0)
	if err != nil {
		return true, err
	}
	args := append(sol.run().seatArrays(), pq.Array(seatAccounts), // $1-$6
		pq.Array(w.accounts), pq.Array(w.keys), pq.ByteaArray(w.hashes), pq.ByteaArray(w.responses), now, // $7-$11
		pq.Array(a.asked.account), pq.Array(a.asked.child), pq.Array(a.asked.day), pq.Array(a.asked.location), // $12-$15
		pq.Array(a.asked.arrive), pq.Array(a.asked.depart)) // $16-$17
	args = append(append(args, emailArgs(w.mails, now)[:3]...), runArgs...) // $18-$20, $21-$28
	var claimed []int64
	if err := s.selectPrepared(ctx, &claimed, bookAtOnceSQL, args...); err != nil {
		return true, translate(err)
	}
	var replay []*BookingCall
	for _, c := range valid {
		if !slices.Contains(claimed, c.AccountID) {
			replay = append(replay, c)
		}
	}
	if len(replay) > 0 {
		return true, s.replayKeys(ctx, replay)
	}
	return true, nil
}

// accountOfHousehold is the account of household id among households (by account).
func accountOfHousehold(households map[int64]householdCtx, id int64) int64 {
	for account, h := range households {
		if h.ID == id {
			return account
		}
	}
	return 0
}

// bookAtOnceSQL writes a batch (see bookAtOnce). Every row comes with its call's account: a
// call whose key was stored meanwhile by another submission writes none (its e-mail is the
// call's, in the order of the keys).
var bookAtOnceSQL = `
	WITH claimed AS (
		INSERT INTO idempotency_key (account_id, key, request_hash, status_code, response, created_at)
		SELECT f.account_id, f.key, f.hash, 200, f.response, $11
		FROM unnest($7::bigint[], $8::text[], $9::bytea[], $10::bytea[]) AS f(account_id, key, hash, response)
		ORDER BY f.account_id, f.key
		ON CONFLICT DO NOTHING RETURNING account_id
	), asked AS (
		INSERT INTO booking_request (child_id, day, location, arrive_at, depart_at, requested_at)
		SELECT f.child_id, f.day, f.location, f.arrive_at, f.depart_at, $11
		FROM unnest($12::bigint[], $13::bigint[], $14::date[], $15::booking_location[], $16::time[], $17::time[])
			AS f(account_id, child_id, day, location, arrive_at, depart_at)
		WHERE f.account_id IN (SELECT account_id FROM claimed)
		ON CONFLICT (child_id, day) DO UPDATE SET location = EXCLUDED.location, arrive_at = EXCLUDED.arrive_at,
			depart_at = EXCLUDED.depart_at, requested_at = EXCLUDED.requested_at, cancelled_at = NULL
		WHERE booking_request.cancelled_at IS NOT NULL
	), run AS (` + insertRunSQL(21) + `
	), mail AS (
		INSERT INTO outbox_email (to_address, subject, body_text, created_at, next_attempt_at)
		SELECT f.t, f.s, f.b, $11, $11 FROM unnest($7::bigint[], $18::text[], $19::text[], $20::text[]) AS f(account_id, t, s, b)
		WHERE f.account_id IN (SELECT account_id FROM claimed)
	), seats AS (
		INSERT INTO placement (child_id, day, hub_id, level, status, run_id, distance_m)
		SELECT f.child_id, f.day, f.hub_id, c.level, f.status, (SELECT id FROM run), f.distance_m
		FROM unnest($1::bigint[], $2::date[], $3::bigint[], $4::placement_status[], $5::int[], $6::bigint[])
			AS f(child_id, day, hub_id, status, distance_m, account_id)
		CROSS JOIN LATERAL (SELECT c.level FROM child c WHERE c.id = f.child_id OFFSET 0) c
		WHERE f.account_id IN (SELECT account_id FROM claimed)
		ORDER BY f.hub_id, f.day, c.level
	)
	SELECT account_id FROM claimed`

// checkCalls reads the households of calls and whether their keys are stored, in one
// statement. It answers the calls whose key is stored (the first answer again, or
// ErrIdempotencyMismatch), those asking for another household's children (ErrNotFound) or for
// a day without any open hub (ErrInvalid), and returns the others with the households by
// account. Nothing is written: a refused call leaves nothing behind.
func (s *Store) checkCalls(ctx context.Context, calls []*BookingCall) ([]*BookingCall, map[int64]householdCtx, error) {
	accounts := make([]int64, len(calls))
	keys := make([]string, len(calls))
	var days []time.Time
	for i, c := range calls {
		accounts[i], keys[i] = c.AccountID, c.Key
		days = append(days, c.In.Days...)
	}
	var rows []checkedCall
	if err := s.selectPrepared(ctx, &rows, `
		WITH calls AS (SELECT * FROM unnest($2::bigint[], $3::text[]) AS f(account_id, key)),
		wanted AS (SELECT DISTINCT account_id FROM calls),
		households AS (`+householdCtxSQL+`)
		SELECT h.*, k.account_id IS NOT NULL AS used, COALESCE(k.request_hash, '') AS used_hash, COALESCE(k.response, '') AS used_response
		FROM calls c JOIN households h ON h.account_id = c.account_id
		LEFT JOIN LATERAL (SELECT * FROM idempotency_key k WHERE k.account_id = c.account_id AND k.key = c.key OFFSET 0) k ON true`,
		pq.Array(dayStrings(days)), pq.Array(accounts), pq.Array(keys)); err != nil {
		return nil, nil, translate(err)
	}
	households := make(map[int64]householdCtx, len(rows))
	var valid []*BookingCall
	for _, c := range calls {
		i := slices.IndexFunc(rows, func(r checkedCall) bool { return r.AccountID == c.AccountID })
		if i < 0 {
			return nil, nil, fmt.Errorf("no household row for account %d", c.AccountID)
		}
		r := rows[i]
		h := r.householdCtx
		switch {
		case r.Used && !bytes.Equal(r.UsedHash, c.Hash):
			c.answer(Booking{}, false, ErrIdempotencyMismatch)
		case r.Used:
			var b Booking
			if err := json.Unmarshal(r.UsedResponse, &b); err != nil {
				return nil, nil, err
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
	return valid, households, nil
}

// checkedCall is a call's household, and its key if stored.
type checkedCall struct {
	householdCtx
	Used         bool   `db:"used"`
	UsedHash     []byte `db:"used_hash"`
	UsedResponse []byte `db:"used_response"`
}

// childDays reads the active requests of the households' children on days, with their answer
// so far, and adds the child-days asked that have none (new, or cancelled before) as they will
// be recorded: the rows an allocation of the batch starts from.
func (s *Store) childDays(ctx context.Context, a allocation) ([]requestRow, error) {
	ids := make([]int64, 0, len(a.households))
	for id := range a.households {
		ids = append(ids, id)
	}
	var rows []struct {
		requestRow
		Requested bool `db:"requested"`
	}
	if err := s.selectPrepared(ctx, &rows, `
		SELECT c.id AS child_id, c.household_id, c.level, c.first_name, c.birth_date, d.day,
		       b.id IS NOT NULL AS requested, COALESCE(b.requested_at, 'epoch') AS requested_at, COALESCE(b.location, 'home') AS location,
		       COALESCE(to_char(b.arrive_at, 'HH24:MI'), '') AS arrive_at, COALESCE(to_char(b.depart_at, 'HH24:MI'), '') AS depart_at,
		       p.hub_id AS placed_hub, p.status::text AS placed_status, p.distance_m,
		       (w.child_id IS NOT NULL) AS waitlisted, w.reason::text AS wait_reason
		FROM child c
		CROSS JOIN unnest($2::date[]) AS d(day)
		LEFT JOIN LATERAL (SELECT * FROM booking_request b WHERE b.child_id = c.id AND b.day = d.day AND b.cancelled_at IS NULL OFFSET 0) b ON true
		LEFT JOIN LATERAL (SELECT * FROM placement p WHERE p.child_id = c.id AND p.day = d.day OFFSET 0) p ON true
		LEFT JOIN LATERAL (SELECT * FROM waitlist_entry w WHERE w.child_id = c.id AND w.day = d.day OFFSET 0) w ON true
		WHERE c.household_id = ANY($1)
		ORDER BY d.day, c.id`, pq.Array(ids), pq.Array(dayStrings(a.days))); err != nil {
		return nil, translate(err)
	}
	askedAt := make(map[cdKey]int, len(a.asked.child))
	for i, child := range a.asked.child {
		askedAt[cdKey{child, a.asked.day[i]}] = i
	}
	now := s.now()
	var out []requestRow
	for _, r := range rows {
		row := r.requestRow
		if !r.Requested {
			i, ok := askedAt[cdKey{row.ChildID, row.Day.Format(time.DateOnly)}]
			if !ok {
				continue
			}
			row.RequestedAt, row.Location, row.ArriveAt, row.DepartAt = now, Location(a.asked.location[i]), a.asked.arrive[i], a.asked.depart[i]
		}
		h := a.households[row.HouseholdID]
		row.Lat, row.Lon = h.HomeLat, h.HomeLon
		if row.Location == NearWork {
			row.Lat, row.Lon = h.WorkLat, h.WorkLon
		}
		row.AllowSplit, row.Tier, row.Email = h.AllowSplit, h.Tier, h.Email
		out = append(out, row)
	}
	return out, nil
}
