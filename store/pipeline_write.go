package store

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/lib/pq"
)

// The writer of the allocation pipeline (see pipeline.go), and the only code that writes runs,
// seats given by a run, waitlist entries and e-mails, or frees seats and entries.

// writes is what one allocation stores (see write).
type writes struct {
	run      AllocationRun // Kind, days, seed, report; its outcomes are the seats and entries
	by       int64         // the account that started the run (0: the service)
	storeRun bool          // write the run row (a run that placed nobody is not kept)
	free     []cdKey       // seats and waitlist entries deleted first
	mails    []email
	// booking, for a booking batch, are its keys and requests, written first: every other row
	// then goes with the account of its call (account, by child; an e-mail's own) and is
	// written only if that call's key is.
	booking *bookingStep
	account map[int64]int64
}

// bookingStep is the idempotency-key step a booking batch puts in front of the writer: one
// key with its stored answer per call, and the child-days asked.
type bookingStep struct {
	accounts          []int64
	keys              []string
	hashes, responses [][]byte
	asked             askedDays
}

// writeCTEs write a run, its e-mails, waitlist entries and seats; guard, a condition on
// f.account_id, says which rows go (see writes.booking). The seats are taken in the order of
// the capacity rows, so that concurrent runs lock them in one order (each child's level read
// by key, not by scanning the children); a full one refuses the seat (ErrFull), and the capacity
// rows stay locked until the transaction ends.
func writeCTEs(guard string) string {
	return `
	run AS (
		INSERT INTO allocation_run (kind, day_from, day_to, seed, started_by, started_at, finished_at, report)
		SELECT :kind::allocation_kind, :day_from::date, :day_to::date, :seed::bigint, NULLIF(:started_by::bigint, 0),
		       :now::timestamptz, :now::timestamptz, :report::jsonb
		WHERE :store_run::boolean RETURNING id
	), mail AS (
		INSERT INTO outbox_email (to_address, subject, body_text, created_at, next_attempt_at, kind)
		SELECT f.to_address, f.subject, f.body, :now::timestamptz, :now::timestamptz, f.kind
		FROM unnest(:mail_to::text[], :mail_subject::text[], :mail_body::text[], :mail_kind::email_kind[], :mail_account::bigint[])
			AS f(to_address, subject, body, kind, account_id)
		WHERE f.to_address <> '' AND ` + guard + `
	), waiting AS (
		INSERT INTO waitlist_entry (child_id, day, reason, nearest_full_hub_id, run_id, since)
		SELECT f.child_id, f.day, f.reason, NULLIF(f.hub, 0), (SELECT id FROM run), :now::timestamptz
		FROM unnest(:wait_child::bigint[], :wait_day::date[], :wait_reason::waitlist_reason[], :wait_hub::bigint[], :wait_account::bigint[])
			AS f(child_id, day, reason, hub, account_id)
		WHERE ` + guard + `
	), seats AS (
		INSERT INTO placement (child_id, day, hub_id, level, status, run_id, distance_m)
		SELECT f.child_id, f.day, f.hub_id, c.level, f.status, (SELECT id FROM run), f.distance_m
		FROM unnest(:seat_child::bigint[], :seat_day::date[], :seat_hub::bigint[], :seat_status::placement_status[], :seat_distance::int[],
		            :seat_account::bigint[]) AS f(child_id, day, hub_id, status, distance_m, account_id)
		CROSS JOIN LATERAL (SELECT c.level FROM child c WHERE c.id = f.child_id OFFSET 0) c
		WHERE ` + guard + `
		ORDER BY f.hub_id, f.day, c.level
	)`
}

// writeSQL writes a run (see writeCTEs) and returns its id (0 when not stored).
var writeSQL = named(`WITH` + writeCTEs("true") + `
	SELECT COALESCE((SELECT id FROM run), 0)`)

// bookAtOnceSQL writes a booking batch (see bookAtOnce): the calls' keys, and for the calls
// whose key was not stored meanwhile by another submission, their requests and the run's rows.
// It returns the accounts of the calls written.
var bookAtOnceSQL = named(`
	WITH claimed AS (
		INSERT INTO idempotency_key (account_id, key, request_hash, status_code, response, created_at)
		SELECT f.account_id, f.key, f.hash, 200, f.response, :now::timestamptz
		FROM unnest(:key_account::bigint[], :key::text[], :key_hash::bytea[], :key_response::bytea[]) AS f(account_id, key, hash, response)
		ORDER BY f.account_id, f.key
		ON CONFLICT DO NOTHING RETURNING account_id
	), asked AS (
		INSERT INTO booking_request (child_id, day, location, arrive_at, depart_at, requested_at)
		SELECT f.child_id, f.day, f.location, f.arrive_at, f.depart_at, :now::timestamptz
		FROM unnest(:ask_account::bigint[], :ask_child::bigint[], :ask_day::date[], :ask_location::booking_location[], :ask_arrive::time[],
		            :ask_depart::time[]) AS f(account_id, child_id, day, location, arrive_at, depart_at)
		WHERE f.account_id IN (SELECT account_id FROM claimed)
		ON CONFLICT (child_id, day) DO UPDATE SET location = EXCLUDED.location, arrive_at = EXCLUDED.arrive_at,
			depart_at = EXCLUDED.depart_at, requested_at = EXCLUDED.requested_at, cancelled_at = NULL
		WHERE booking_request.cancelled_at IS NOT NULL
	),` + writeCTEs("f.account_id IN (SELECT account_id FROM claimed)") + `
	SELECT account_id FROM claimed`)

// freeSQL frees the seats and waitlist entries of the child-days $1, $2.
const freeSQL = `
	WITH seats AS (
		DELETE FROM placement x USING unnest($1::bigint[], $2::date[]) AS f(child_id, day) WHERE x.child_id = f.child_id AND x.day = f.day
	)
	DELETE FROM waitlist_entry x USING unnest($1::bigint[], $2::date[]) AS f(child_id, day) WHERE x.child_id = f.child_id AND x.day = f.day`

// write stores w: first the rows it frees, then everything else in one statement, so that a
// booking batch takes one round trip (it frees nothing). The rows freed go in a statement of
// their own: the seats of one statement's data-modifying CTEs are written in no set order, and
// a child's new seat must not meet its old one. It returns the run's id (0 when not stored),
// and for a booking batch the accounts whose calls were written.
func (s *Store) write(ctx context.Context, w writes) (runID int64, claimed []int64, err error) {
	if s.observeWrite != nil {
		s.observeWrite(w.run.Kind)
	}
	if err := s.free(ctx, w.free); err != nil {
		return 0, nil, err
	}
	args, err := w.args(s.now())
	if err != nil {
		return 0, nil, err
	}
	if w.booking == nil {
		list, err := writeSQL.args(args)
		if err != nil {
			return 0, nil, err
		}
		return runID, nil, translate(s.getPrepared(ctx, &runID, writeSQL.text, list...))
	}
	b := w.booking
	args["key_account"], args["key"], args["key_hash"], args["key_response"] = pq.Array(b.accounts), pq.Array(b.keys), pq.ByteaArray(b.hashes), pq.ByteaArray(b.responses)
	args["ask_account"], args["ask_child"], args["ask_day"] = pq.Array(b.asked.account), pq.Array(b.asked.child), pq.Array(b.asked.day)
	args["ask_location"], args["ask_arrive"], args["ask_depart"] = pq.Array(b.asked.location), pq.Array(b.asked.arrive), pq.Array(b.asked.depart)
	list, err := bookAtOnceSQL.args(args)
	if err != nil {
		return 0, nil, err
	}
	return 0, claimed, translate(s.selectPrepared(ctx, &claimed, bookAtOnceSQL.text, list...))
}

// args are w's rows, at now, as the parameters of writeCTEs.
func (w writes) args(now time.Time) (map[string]any, error) {
	report, err := json.Marshal(w.run.Report)
	if err != nil {
		return nil, err
	}
	var seatChild, seatHub, seatDistance, seatAccount, waitChild, waitHub, waitAccount []int64
	var seatDay, seatStatus, waitDay, waitReason []string
	for _, o := range w.run.Outcomes {
		day := o.Day.Format(time.DateOnly)
		if o.Status == RequestWaitlisted {
			waitChild, waitDay, waitReason = append(waitChild, o.ChildID), append(waitDay, day), append(waitReason, string(o.Reason))
			waitHub, waitAccount = append(waitHub, o.NearestFullHub), append(waitAccount, w.account[o.ChildID])
			continue
		}
		seatChild, seatDay, seatHub = append(seatChild, o.ChildID), append(seatDay, day), append(seatHub, o.HubID)
		// proposed or confirmed: the seat's status
		seatStatus, seatDistance, seatAccount = append(seatStatus, string(o.Status)), append(seatDistance, distanceM(o.DistanceKm)), append(seatAccount, w.account[o.ChildID])
	}
	to, subjects, bodies, kinds, mailAccount := make([]string, len(w.mails)), make([]string, len(w.mails)), make([]string, len(w.mails)),
		make([]string, len(w.mails)), make([]int64, len(w.mails))
	for i, m := range w.mails {
		to[i], subjects[i], bodies[i], kinds[i], mailAccount[i] = m.to, m.subject, m.body, string(m.kind), m.account
		if m.kind == "" {
			kinds[i] = string(EmailNotice)
		}
	}
	run := w.run
	return map[string]any{
		"now": now, "kind": nullKind(run.Kind), "day_from": nullDay(run.DayFrom), "day_to": nullDay(run.DayTo), "seed": run.Seed, "started_by": w.by,
		"report": report, "store_run": w.storeRun,
		"mail_to": pq.Array(to), "mail_subject": pq.Array(subjects), "mail_body": pq.Array(bodies), "mail_kind": pq.Array(kinds),
		"mail_account": pq.Array(mailAccount),
		"wait_child":   pq.Array(waitChild), "wait_day": pq.Array(waitDay), "wait_reason": pq.Array(waitReason), "wait_hub": pq.Array(waitHub),
		"wait_account": pq.Array(waitAccount),
		"seat_child":   pq.Array(seatChild), "seat_day": pq.Array(seatDay), "seat_hub": pq.Array(seatHub), "seat_status": pq.Array(seatStatus),
		"seat_distance": pq.Array(seatDistance), "seat_account": pq.Array(seatAccount),
	}, nil
}

// nullKind is kind as a parameter: an e-mail alone has no run, and ” is no allocation_kind.
func nullKind(kind AllocationKind) any {
	if kind == "" {
		return nil
	}
	return string(kind)
}

// distanceM is a seat's distance as stored, in whole metres.
func distanceM(km float64) int64 { return int64(math.Round(km * 1000)) }

// free deletes the seats and waitlist entries of child-days.
func (s *Store) free(ctx context.Context, childDays []cdKey) error {
	if len(childDays) == 0 {
		return nil
	}
	children := make([]int64, len(childDays))
	days := make([]string, len(childDays))
	for i, k := range childDays {
		children[i], days[i] = k.child, k.day
	}
	_, err := s.execPrepared(ctx, freeSQL, pq.Array(children), pq.Array(days))
	return translate(err)
}

// queueEmails puts mails in the outbox, in the caller's transaction: they leave only if it
// commits.
func (s *Store) queueEmails(ctx context.Context, mails []email) error {
	if len(mails) == 0 {
		return nil
	}
	_, _, err := s.write(ctx, writes{mails: mails})
	return err
}
