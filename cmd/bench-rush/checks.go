package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// capacityCheck counts the hub-days over capacity and compares the placements with the
// counters the triggers keep, in one snapshot.
func capacityCheck(ctx context.Context, db *sqlx.DB) (over int, rows, counted int, err error) {
	var r struct {
		Over    int `db:"over"`
		Rows    int `db:"rows"`
		Counted int `db:"counted"`
	}
	err = db.GetContext(ctx, &r, `SELECT (SELECT count(*) FROM hub_day_capacity WHERE placed > capacity) AS over,
		(SELECT count(*) FROM placement) AS rows, (SELECT coalesce(sum(placed), 0) FROM hub_day_capacity) AS counted`)
	return r.Over, r.Rows, r.Counted, err
}

// resetBookings removes the bookings of the measured days, so that the next phase books from
// scratch again (the demo has some 2,600 households: a fast phase books them all), and the
// e-mails they queued that are still unsent. Each phase then starts from the state the baseline
// started from. A family's booking e-mails go out MAIL_GROUP_WINDOW (10 s) after the first:
// left in the outbox, the baseline's 20,000 became due in the overload's first seconds, and
// claiming them (grouped by address, a citext compared in lower case) took PostgreSQL's
// processor from the bookings there, a work the baseline, ending before its own were due, never
// had (measured back to back, 2026-12-05: the overload's rate 69-70 % of the baseline's with
// them, 79-86 % without).
func resetBookings(ctx context.Context, db *sqlx.DB, after time.Time) error {
	if _, err := db.ExecContext(ctx, `DELETE FROM booking_request WHERE day > $1`, after); err != nil {
		return err
	}
	// The processes' senders claim and update these rows meanwhile: rows they hold are skipped
	// (they are being sent) rather than waited for, which deadlocked with them.
	if _, err := db.ExecContext(ctx, `DELETE FROM outbox_email WHERE id IN (
		SELECT id FROM outbox_email WHERE sent_at IS NULL FOR UPDATE SKIP LOCKED)`); err != nil {
		return err
	}
	_, err := db.ExecContext(ctx, `VACUUM ANALYZE booking_request, placement, waitlist_entry, hub_day_capacity, idempotency_key, outbox_email`)
	return err
}

// outboxDrain waits, at most limit, until every e-mail queued since start has been sent, and
// says how many there were, how many had gone when it was called, and how long after that the
// last one went (ok false: some were still waiting at limit). At the rush the deliverers give
// way to the bookings (mailer.Deliverer.YieldTo): this is what that costs the families.
func outboxDrain(ctx context.Context, db *sqlx.DB, start time.Time, limit time.Duration) (queued, sentAtEnd int, took time.Duration, ok bool, err error) {
	count := func() (queued, sent int, err error) {
		var r struct {
			Queued int `db:"queued"`
			Sent   int `db:"sent"`
		}
		err = db.GetContext(ctx, &r, `SELECT count(*) AS queued, count(sent_at) AS sent FROM outbox_email WHERE created_at >= $1`, start)
		return r.Queued, r.Sent, err
	}
	end := time.Now()
	queued, sentAtEnd, err = count()
	for sent := sentAtEnd; err == nil && sent < queued; _, sent, err = count() {
		if time.Since(end) > limit {
			return queued, sentAtEnd, time.Since(end), false, nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	return queued, sentAtEnd, time.Since(end), err == nil, err
}

// ledgerCheck looks up, row by row, every day of every acknowledged booking: the key stored for
// the account, the request, and the answer given (the placement in the hub named, or the
// waitlist entry). It returns the acknowledged bookings with something missing.
func ledgerCheck(ctx context.Context, db *sqlx.DB, b *booker, acks []ack) (lost int, example string, err error) {
	var keys, statuses []string
	var accounts, children, hubs []int64
	var days []time.Time
	var owner []int
	for n, a := range acks {
		bd, err := parseBooking(a.body)
		if err != nil || len(bd) == 0 {
			return 0, "", fmt.Errorf("acknowledged booking %s: unreadable answer %q", a.key, a.body)
		}
		for _, d := range bd {
			keys = append(keys, a.key)
			accounts = append(accounts, b.hh[a.household].Account)
			children = append(children, d.ChildID)
			days = append(days, d.Day)
			statuses = append(statuses, d.Status)
			hubs = append(hubs, d.HubID)
			owner = append(owner, n)
		}
	}
	var found []bool
	if err := db.SelectContext(ctx, &found, `
		SELECT EXISTS (SELECT 1 FROM idempotency_key k WHERE k.account_id = l.account_id AND k.key = l.key)
		   AND EXISTS (SELECT 1 FROM booking_request r WHERE r.child_id = l.child_id AND r.day = l.day AND r.cancelled_at IS NULL)
		   AND CASE WHEN l.status = 'waitlisted'
		            THEN EXISTS (SELECT 1 FROM waitlist_entry w WHERE w.child_id = l.child_id AND w.day = l.day)
		            ELSE EXISTS (SELECT 1 FROM placement p WHERE p.child_id = l.child_id AND p.day = l.day AND p.hub_id = l.hub_id)
		       END
		FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::date[], $5::text[], $6::bigint[]) WITH ORDINALITY
		     AS l(key, account_id, child_id, day, status, hub_id, n)
		ORDER BY l.n`,
		pq.StringArray(keys), pq.Int64Array(accounts), pq.Int64Array(children), pq.Array(days), pq.StringArray(statuses), pq.Int64Array(hubs)); err != nil {
		return 0, "", err
	}
	missing := map[int]bool{}
	for i, ok := range found {
		if !ok {
			missing[owner[i]] = true
			if example == "" {
				example = fmt.Sprintf("key %s: child %d on %s (%s)", keys[i], children[i], days[i].Format(time.DateOnly), statuses[i])
			}
		}
	}
	return len(missing), example, nil
}

// replayCheck sends acknowledged bookings again with their keys: each must be answered 200,
// marked as a replay, with the same days, and book nothing more.
func replayCheck(ctx context.Context, db *sqlx.DB, b *booker, base string, acks []ack) (sent, wrong int, example string, err error) {
	count := func() (n int, err error) {
		err = db.GetContext(ctx, &n, `SELECT count(*) FROM booking_request`)
		return n, err
	}
	before, err := count()
	if err != nil {
		return 0, 0, "", err
	}
	client := clientFrom(sourceAddr(9, 0), 8)
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, a := range acks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			status, _, _, body, err := b.send(ctx, client, base, b.hh[a.household], a.key, a.day)
			first, _ := parseBooking(a.body)
			again, _ := parseBooking(body)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || status != http.StatusOK || !slices.Equal(first, again) {
				wrong++
				if example == "" {
					example = fmt.Sprintf("key %s: %d %v %.200s", a.key, status, err, body)
				}
			}
		}()
	}
	wg.Wait()
	after, err := count()
	if err != nil {
		return 0, 0, "", err
	}
	if after != before {
		wrong++
		example = fmt.Sprintf("the replays changed the number of booking requests from %d to %d", before, after)
	}
	return len(acks), wrong, example, nil
}

// crossProcessCheck sends each of n bookings, with one key, to both processes at once,
// directly: exactly one must book (201), the other replay it (200, same days), and the
// database hold one request per child.
func crossProcessCheck(ctx context.Context, db *sqlx.DB, b *booker, f *farm, day time.Time, n int) (good int, example string, err error) {
	n = min(n, len(b.hh))
	for i := range n {
		h := b.hh[i]
		key := fmt.Sprintf("cross-%04d", i)
		var status [2]int
		var body [2][]byte
		var errs [2]error
		var wg sync.WaitGroup
		for p := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := clientFrom(sourceAddr(8, i*2+p), 1)
				defer client.CloseIdleConnections()
				status[p], _, _, body[p], errs[p] = b.send(ctx, client, "http://"+f.serveAddr[p], h, key, day)
			}()
		}
		wg.Wait()
		var requests int
		if err := db.GetContext(ctx, &requests, `SELECT count(*) FROM booking_request WHERE child_id = ANY($1) AND day = $2`,
			pq.Int64Array(h.Children), day); err != nil {
			return 0, "", err
		}
		first, _ := parseBooking(body[0])
		second, _ := parseBooking(body[1])
		pair := []int{status[0], status[1]}
		slices.Sort(pair)
		if errs[0] == nil && errs[1] == nil && slices.Equal(pair, []int{200, 201}) && slices.Equal(first, second) && requests == len(h.Children) {
			good++
		} else if example == "" {
			example = fmt.Sprintf("key %s: answers %d and %d (%v, %v), %d requests for %d children", key, status[0], status[1], errs[0], errs[1], requests, len(h.Children))
		}
	}
	return good, example, nil
}
