package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
)

// The waiting room's SQL. The design, the guarantees and the per-process logic live in package
// waitingroom; these are its only statements.

// WaitingRoomMode is how the room decides whether to queue newcomers.
type WaitingRoomMode string

// The modes (SQL enum waiting_room_mode).
const (
	// WaitingRoomAuto queues newcomers while the active parents reach the capacity or anyone waits.
	WaitingRoomAuto WaitingRoomMode = "auto"
	// WaitingRoomOpen queues every newcomer; the queue still lets in up to the capacity.
	WaitingRoomOpen WaitingRoomMode = "open"
	// WaitingRoomClosed lets everyone in at once.
	WaitingRoomClosed WaitingRoomMode = "closed"
)

// Valid reports whether m is one of the modes.
func (m WaitingRoomMode) Valid() bool {
	return m == WaitingRoomAuto || m == WaitingRoomOpen || m == WaitingRoomClosed
}

// WaitingRoomRules are the room's time limits and thresholds, the same in every process.
type WaitingRoomRules struct {
	// Capacity is the default number of parents active at once (the admin page may override it).
	Capacity int
	// Stay is how long an admitted ticket keeps its place after its last request.
	Stay time.Duration
	// Abandon is how long a waiting ticket keeps its place without coming back, and how long a
	// ticket the queue let in has to come back and take the place.
	Abandon time.Duration
	// Lag: the queue lets in only tickets issued at least Lag ago, so that a ticket issued
	// earlier in another process, not recorded yet, is not overtaken.
	Lag time.Duration
	// Notice is how far ahead the room announces a change that every process must apply at the
	// same instant: a switch of its door, a ticket the queue lets in. A process whose view is
	// older than Notice may have missed one (see package waitingroom).
	Notice time.Duration
	// MaxAddresses and MaxPerMinute: a ticket seen from more client addresses, or making more
	// requests in a minute across all processes, is a copy: revoked.
	MaxAddresses, MaxPerMinute int
	// SyncEvery is how often each process reports the tickets it saw: the longest a ticket that
	// came back waits before the room's row knows it.
	SyncEvery time.Duration
}

// TicketSighting is what one process saw of one ticket since its last report.
type TicketSighting struct {
	Number   int64
	IssuedAt time.Time // as signed in the ticket, to the millisecond
	SeenAt   time.Time
	Admitted bool // the process let it in (its cookie says so, or the room was not queuing)
	Requests int
	// Addresses are keyed hashes of the client addresses, at most MaxAddresses+1 of them.
	Addresses []int32
	// Released: the holder gave the place up (logged out, or turned out to be staff).
	Released bool
}

// QueueSlot counts the waiting tickets issued in one millisecond (Unix time).
type QueueSlot struct {
	Millisecond int64 `db:"ms"`
	Count       int   `db:"count"`
}

// WaitingRoomState is the shared state as one process reads it after its report.
type WaitingRoomState struct {
	Mode WaitingRoomMode `db:"mode"`
	// Capacity is the one in force: the admin's, or the rules' default.
	Capacity      int   `db:"capacity"`
	CapacitySet   bool  `db:"capacity_set"`
	AdmittedTotal int64 `db:"admitted_total"`
	// Active: tickets let in whose place is held (activity within Stay, or let in by the queue
	// within Abandon and not back yet).
	Active int `db:"active"`
	// Waiting: tickets in the queue that came back within Abandon.
	Waiting int `db:"waiting"`
	// AdmittedLastMinute: tickets let in during the last minute, by the queue or at the door.
	AdmittedLastMinute int `db:"admitted_last_minute"`
	// QueueFrom and QueueUntil: newcomers whose ticket is issued from QueueFrom (included) to
	// QueueUntil (excluded) queue, the others are let in at the door; nil QueueFrom: none
	// queue, nil QueueUntil: no end set. Each is set Notice ahead of the instant it names.
	QueueFrom  *time.Time `db:"queue_from"`
	QueueUntil *time.Time `db:"queue_until"`
	// Queue counts the waiting tickets by millisecond of issue, oldest first, for positions.
	Queue []QueueSlot
	// Admitted are the tickets the queue let in within Abandon: their holders pass on their
	// first request from the instant given (up to Notice after the queue let them in).
	Admitted []AdmittedTicket
	// Revoked are the tickets revoked within Stay: copies, or given up; sent to the back.
	Revoked []int64
	// ReadAt is the instant the state was read at; from AdvanceWaitingRoom, the instant it
	// held the room's lock: no change missing from the state takes effect before ReadAt + Notice.
	ReadAt time.Time
}

// AdmittedTicket is a ticket the queue let in, and the instant from which its holder passes.
type AdmittedTicket struct {
	Number int64     `db:"number"`
	From   time.Time `db:"admitted_at"`
}

// WaitingRoomKey returns the key that signs the room's tickets, creating it the first time: every
// process sharing the database signs with the same key.
func (s *Store) WaitingRoomKey(ctx context.Context) ([]byte, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	// A second process racing here waits for the first one's row lock, then finds the key set.
	if _, err := s.q.ExecContext(ctx, `UPDATE waiting_room SET hmac_key = $1 WHERE hmac_key IS NULL`, key); err != nil {
		return nil, err
	}
	var stored []byte
	if err := s.q.GetContext(ctx, &stored, `SELECT hmac_key FROM waiting_room`); err != nil {
		return nil, translate(err)
	}
	return stored, nil
}

// RecordTickets stores what a process saw of the tickets that came back (one statement for the
// lot), and revokes those given up and those seen from too many addresses or too often: copies
// of one ticket. A revoked ticket holds no place and is not touched again.
func (s *Store) RecordTickets(ctx context.Context, seen []TicketSighting, r WaitingRoomRules) error {
	if len(seen) == 0 {
		return nil
	}
	now := s.now()
	numbers := make([]int64, len(seen))
	issued := make([]int64, len(seen))
	admitted := make([]bool, len(seen))
	seenAt := make([]int64, len(seen))
	addresses := make([]string, len(seen))
	requests := make([]int64, len(seen))
	var released []int64
	for i, t := range seen {
		if t.Released {
			released = append(released, t.Number)
		}
		numbers[i], issued[i], admitted[i], seenAt[i], requests[i] = t.Number, t.IssuedAt.UnixMilli(), t.Admitted, t.SeenAt.UnixMicro(), int64(t.Requests)
		parts := make([]string, len(t.Addresses))
		for j, a := range t.Addresses {
			parts[j] = strconv.FormatInt(int64(a), 10)
		}
		addresses[i] = "{" + strings.Join(parts, ",") + "}"
	}
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, `
			INSERT INTO waiting_room_ticket AS t (number, issued_at, admitted_at, last_seen_at, addresses, minute_start, minute_requests)
			SELECT u.number, 'epoch'::timestamptz + u.issued * interval '1 millisecond',
			       CASE WHEN u.admitted THEN 'epoch'::timestamptz + u.seen * interval '1 microsecond' END,
			       'epoch'::timestamptz + u.seen * interval '1 microsecond', u.addresses::integer[], $7, u.requests
			FROM unnest($1::bigint[], $2::bigint[], $3::boolean[], $4::bigint[], $5::text[], $6::bigint[])
			     AS u(number, issued, admitted, seen, addresses, requests)
			ON CONFLICT (number) DO UPDATE SET
			    admitted_at = COALESCE(t.admitted_at, EXCLUDED.admitted_at),
			    last_seen_at = greatest(t.last_seen_at, EXCLUDED.last_seen_at),
			    addresses = CASE WHEN cardinality(t.addresses) > $8 THEN t.addresses
			                ELSE ARRAY(SELECT DISTINCT a FROM unnest(t.addresses || EXCLUDED.addresses) a ORDER BY a) END,
			    minute_requests = CASE WHEN t.minute_start > $7 - interval '1 minute'
			                      THEN t.minute_requests + EXCLUDED.minute_requests ELSE EXCLUDED.minute_requests END,
			    minute_start = CASE WHEN t.minute_start > $7 - interval '1 minute' THEN t.minute_start ELSE $7 END
			WHERE t.revoked_at IS NULL`,
			pq.Array(numbers), pq.Array(issued), pq.Array(admitted), pq.Array(seenAt), pq.Array(addresses), pq.Array(requests),
			now, r.MaxAddresses); err != nil {
			return fmt.Errorf("record tickets: %w", err)
		}
		_, err := tx.q.ExecContext(ctx, `
			UPDATE waiting_room_ticket SET revoked_at = $2
			WHERE number = ANY($1) AND revoked_at IS NULL
			      AND (cardinality(addresses) > $3 OR minute_requests > $4 OR number = ANY($5))`,
			pq.Array(numbers), now, r.MaxAddresses, r.MaxPerMinute, pq.Array(released))
		return err
	})
}

// waitingRoomRow is the room's row as AdvanceWaitingRoom changes it, under its lock.
type waitingRoomRow struct {
	Mode       WaitingRoomMode `db:"mode"`
	Capacity   sql.NullInt64   `db:"capacity"`
	QueueFrom  *time.Time      `db:"queue_from"`
	QueueUntil *time.Time      `db:"queue_until"`
}

// announce sets the door's next switch, notice after now, unless one is announced already and
// still to come (it stands: processes may be acting on it). The door closes when the room will
// be full (busy) once the visitors the door let in, and lets in until the switch, have come
// back, and opens again once it will not be and no one waits. (Opening again as soon as the
// places held fell short of the capacity opened the door at the first sync after it closed:
// the visitors let in during the notice had not come back yet.)
func (w *waitingRoomRow) announce(now time.Time, notice time.Duration, busy, noneWaiting bool) {
	if (w.QueueFrom != nil && w.QueueFrom.After(now)) || (w.QueueUntil != nil && w.QueueUntil.After(now)) {
		return
	}
	closed := w.QueueFrom != nil && w.QueueUntil == nil
	at := now.Add(notice)
	switch {
	case !closed && busy:
		w.QueueFrom, w.QueueUntil = &at, nil
	case closed && !busy && noneWaiting:
		w.QueueUntil = &at
	}
}

// AdvanceWaitingRoom lets in the next waiting tickets, in the order of their issue, as many as
// there are free places, announces the door's next switch if it is time, and returns
// the state. It happens under the lock of the room's row, and the clock is read once the lock
// is held (the state's ReadAt): processes advancing at the same moment take turns, none lets
// in a ticket another already let in, and the state holds every change decided before
// ReadAt. The tickets let in pass from Notice later, when every process whose view is younger
// than Notice knows them. It also forgets the tickets gone for over an hour past their stay.
func (s *Store) AdvanceWaitingRoom(ctx context.Context, r WaitingRoomRules) (WaitingRoomState, error) {
	var lockedAt time.Time
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		var room waitingRoomRow
		if err := tx.q.GetContext(ctx, &room, `
			SELECT mode, capacity, queue_from, queue_until FROM waiting_room FOR UPDATE`); err != nil {
			return translate(err)
		}
		now := tx.now()
		lockedAt = now
		capacity := int64(r.Capacity)
		if room.Capacity.Valid {
			capacity = room.Capacity.Int64
		}
		// The places held when the tickets let in now pass: a place whose stay ends within the
		// notice is given from then on, so the notice costs the queue no time.
		at := now.Add(r.Notice)
		var active int64
		if err := tx.q.GetContext(ctx, &active, `SELECT count(*) FROM waiting_room_ticket t WHERE `+activeTicket,
			at.Add(-r.Stay), at.Add(-r.Abandon)); err != nil {
			return err
		}
		var admitted int64
		if free := capacity - active; free > 0 && room.Mode != WaitingRoomClosed {
			res, err := tx.q.ExecContext(ctx, `
				UPDATE waiting_room_ticket t SET admitted_at = $1
				FROM (SELECT number FROM waiting_room_ticket
				      WHERE admitted_at IS NULL AND revoked_at IS NULL AND issued_at <= $2 AND last_seen_at > $3
				      ORDER BY issued_at, number LIMIT $4) next
				WHERE t.number = next.number`,
				at, now.Add(-r.Lag), now.Add(-r.Abandon), free)
			if err != nil {
				return err
			}
			admitted, _ = res.RowsAffected()
		}
		var waiting int64
		if err := tx.q.GetContext(ctx, &waiting, `SELECT count(*) FROM waiting_room_ticket t WHERE `+waitingTicket("$1"),
			now.Add(-r.Abandon)); err != nil {
			return err
		}
		coming, err := tx.doorComing(ctx, now, r)
		if err != nil {
			return err
		}
		room.announce(now, r.Notice, active+admitted+coming >= capacity, waiting == 0)
		if _, err := tx.q.ExecContext(ctx, `
			UPDATE waiting_room SET queue_from = $1, queue_until = $2, admitted_total = admitted_total + $3`,
			room.QueueFrom, room.QueueUntil, admitted); err != nil {
			return err
		}
		cut := now.Add(-r.Stay - time.Hour)
		_, err = tx.q.ExecContext(ctx, `
			DELETE FROM waiting_room_ticket WHERE last_seen_at < $1 AND (admitted_at IS NULL OR admitted_at < $1)`, cut)
		return err
	})
	if err != nil {
		return WaitingRoomState{}, fmt.Errorf("advance the waiting room: %w", err)
	}
	// Read once the lock is released (the other processes wait less): the state holds every
	// change committed before lockedAt, and any committed later was decided later, so takes
	// effect after lockedAt + Notice.
	st, err := s.readWaitingRoom(ctx, s.now(), r)
	st.ReadAt = lockedAt
	return st, err
}

// doorComing estimates how many visitors let in at the door hold no place yet but will: those
// let in from about one sync before their first return until the door could close (Notice
// from now). Only visitors that came back are measured, so traffic that never does (a script
// keeping no cookie, logins of staff) closes nothing: the rate is the door's visitors that
// came back within the last two syncs, per second, times how long that is, plus their mean
// time to come back and one sync. A visitor is told from the door by coming back before
// Lag + Notice (the queue lets in tickets issued at least Lag ago, passing Notice later); one
// slower than that is not counted until it holds its place, as before this estimate.
func (s *Store) doorComing(ctx context.Context, now time.Time, r WaitingRoomRules) (int64, error) {
	var d struct {
		Returned int64   `db:"returned"`
		Span     float64 `db:"span"`
		Delay    float64 `db:"delay"`
	}
	if err := s.q.GetContext(ctx, &d, `
		SELECT count(*) AS returned,
		       COALESCE(extract(epoch FROM $1 - min(admitted_at)), 0)::float8 AS span,
		       COALESCE(avg(extract(epoch FROM admitted_at - issued_at)), 0)::float8 AS delay
		FROM waiting_room_ticket
		WHERE admitted_at > $2 AND admitted_at <= $1 AND revoked_at IS NULL
		      AND admitted_at < issued_at + $3 * interval '1 millisecond'`,
		now, now.Add(-2*r.SyncEvery), (r.Lag + r.Notice).Milliseconds()); err != nil {
		return 0, fmt.Errorf("door's rate: %w", err)
	}
	if d.Returned == 0 {
		return 0, nil
	}
	// Measured over the span since the first return of the window, at least one sync (a
	// lone return does not make a rate).
	rate := float64(d.Returned) / max(d.Span, r.SyncEvery.Seconds())
	return int64(math.Ceil(rate * (r.Notice.Seconds() + d.Delay + r.SyncEvery.Seconds()))), nil
}

// activeTicket is the condition of a ticket that holds a place ($1: the stay's start, $2: the
// abandon window's start): seen within its stay since it was let in, or let in by the queue
// within the abandon window and not back yet.
const activeTicket = `t.admitted_at IS NOT NULL AND t.revoked_at IS NULL
	AND ((t.last_seen_at > $1 AND t.last_seen_at >= t.admitted_at) OR (t.admitted_at > $2 AND t.last_seen_at < t.admitted_at))`

// waitingTicket is the condition of a ticket in the queue, abandon the parameter holding the
// abandon window's start.
func waitingTicket(abandon string) string {
	return `t.admitted_at IS NULL AND t.revoked_at IS NULL AND t.last_seen_at > ` + abandon
}

// ReadWaitingRoom returns the shared state without changing it.
func (s *Store) ReadWaitingRoom(ctx context.Context, r WaitingRoomRules) (WaitingRoomState, error) {
	return s.readWaitingRoom(ctx, s.now(), r)
}

func (s *Store) readWaitingRoom(ctx context.Context, now time.Time, r WaitingRoomRules) (WaitingRoomState, error) {
	var st WaitingRoomState
	if err := s.q.GetContext(ctx, &st, `
		SELECT w.mode, COALESCE(w.capacity, $4) AS capacity, w.capacity IS NOT NULL AS capacity_set, w.admitted_total,
		       w.queue_from, w.queue_until,
		       (SELECT count(*) FROM waiting_room_ticket t WHERE `+activeTicket+`) AS active,
		       (SELECT count(*) FROM waiting_room_ticket t WHERE `+waitingTicket("$2")+`) AS waiting,
		       (SELECT count(*) FROM waiting_room_ticket t WHERE t.admitted_at > $3) AS admitted_last_minute
		FROM waiting_room w`,
		now.Add(-r.Stay), now.Add(-r.Abandon), now.Add(-time.Minute), r.Capacity); err != nil {
		return WaitingRoomState{}, translate(err)
	}
	if err := s.q.SelectContext(ctx, &st.Queue, `
		SELECT floor(extract(epoch FROM issued_at) * 1000)::bigint AS ms, count(*) AS count
		FROM waiting_room_ticket t WHERE `+waitingTicket("$1")+`
		GROUP BY 1 ORDER BY 1`, now.Add(-r.Abandon)); err != nil {
		return st, err
	}
	if err := s.q.SelectContext(ctx, &st.Admitted, `
		SELECT number, admitted_at FROM waiting_room_ticket
		WHERE admitted_at > $1 AND revoked_at IS NULL`, now.Add(-r.Abandon)); err != nil {
		return st, err
	}
	var revoked pq.Int64Array
	if err := s.q.GetContext(ctx, &revoked, `
		SELECT COALESCE(array_agg(number), '{}') FROM waiting_room_ticket WHERE revoked_at > $1`,
		now.Add(-r.Stay-time.Minute)); err != nil {
		return st, err
	}
	st.Revoked, st.ReadAt = revoked, now
	return st, nil
}

// SetWaitingRoom changes the room's mode and capacity (0: the configured one) and records the
// change in the audit log. Only an admin may: ErrNotFound for any other scope.
func (s *Store) SetWaitingRoom(ctx context.Context, sc Scope, mode WaitingRoomMode, capacity int) error {
	if sc.Role != RoleAdmin {
		return fmt.Errorf("%w: the waiting room is an admin's", ErrNotFound)
	}
	if !mode.Valid() || capacity < 0 {
		return fmt.Errorf("%w: waiting room mode %q, capacity %d", ErrInvalid, mode, capacity)
	}
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		var before struct {
			Mode     WaitingRoomMode `db:"mode"`
			Capacity sql.NullInt64   `db:"capacity"`
		}
		if err := tx.q.GetContext(ctx, &before, `SELECT mode, capacity FROM waiting_room FOR UPDATE`); err != nil {
			return translate(err)
		}
		if _, err := tx.q.ExecContext(ctx, `UPDATE waiting_room SET mode = $1, capacity = NULLIF($2, 0)`, mode, capacity); err != nil {
			return translate(err)
		}
		return tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, Action: "waiting_room.settings", ObjectType: "waiting_room",
			IP: sc.IP, Details: map[string]any{"mode": mode, "capacity": capacity,
				"previous_mode": before.Mode, "previous_capacity": before.Capacity.Int64}})
	})
}
