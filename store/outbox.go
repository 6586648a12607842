package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"
)

// OutboxPolicy says how the outbox is delivered: how long a family's e-mails wait to go out as
// one, how long a claimed batch is held, and how failures are retried and set aside.
type OutboxPolicy struct {
	// GroupWindow: a family's booking, cancellation and seat e-mails wait this long after the
	// first of them, then go out as one message listing every change (0: each at once).
	GroupWindow time.Duration
	// Lease: a claimed batch is nobody else's for this long. A sender must not start a message
	// of it once half of it has passed (the deliverer checks), so that nothing is sent twice.
	Lease time.Duration
	// FirstRetry doubles at each failed attempt, up to MaxRetry.
	FirstRetry, MaxRetry time.Duration
	// MaxAttempts failed attempts set an e-mail aside; MaxRefusals are enough when the server
	// refused it for good (a 5xx reply: an address that does not exist, a message refused).
	MaxAttempts, MaxRefusals int
}

// DefaultOutboxPolicy is the policy of `accueil serve`.
func DefaultOutboxPolicy() OutboxPolicy {
	return OutboxPolicy{GroupWindow: 10 * time.Second, Lease: 5 * time.Minute, FirstRetry: 10 * time.Second,
		MaxRetry: 15 * time.Minute, MaxAttempts: 12, MaxRefusals: 3}
}

// retryAfter is the wait before the next attempt of an e-mail that failed attempts times.
func (p OutboxPolicy) retryAfter(attempts int) time.Duration {
	d := p.FirstRetry
	for i := 1; i < attempts && d < p.MaxRetry; i++ {
		d *= 2
	}
	return min(d, p.MaxRetry)
}

// groupedKinds are the e-mails about a family's days: those of a short window go out as one.
// Links (address confirmation, password reset) and notices go out alone and at once. The
// outbox's partial indexes (migration 0021) name the same kinds: TestOutboxIndexesNameTheGroupedKinds.
var groupedKinds = []string{string(EmailBooking), string(EmailCancellation), string(EmailSeatsChanged)}

// groupedKindsSQL is groupedKinds as an SQL list of constants, written into the claim rather
// than passed, so that the planner can match the partial indexes' conditions.
var groupedKindsSQL = "('" + strings.Join(groupedKinds, "', '") + "')"

// Outgoing is one message to send: an e-mail of the outbox, or a family's e-mails of a window
// merged into one (Members lists their ids, the message's own ID first).
type Outgoing struct {
	Email
	Members     []int64
	MemberKinds []EmailKind // in the order of Members
}

// ClaimEmails claims up to limit due e-mails (and, with each family e-mail old enough, the
// family's other e-mails waiting) for the policy's lease, and returns them as messages to send.
// Several processes may claim at once: rows another is claiming are skipped (SKIP LOCKED), and
// a claim is committed at once, so a claimed row is due again only when its lease is over.
// Every claim must be followed by RecordDeliveries.
//
// Family e-mails are looked for by age and the others by when they are due, each in its own
// index (migration 0021), so that the e-mails of the last window, not yet due, are never read:
// the two leads are merged, oldest due first, and cut to limit. A family's other e-mails are
// looked up address by address. At the rush the table's statistics lag far behind (they say
// nothing is pending while thousands are): a join the planner was free to order then compared
// every pending address with every lead's, and a claim took 4 s (bench-rush, auto_explain).
func (s *Store) ClaimEmails(ctx context.Context, p OutboxPolicy, limit int) ([]Outgoing, error) {
	now := s.now()
	var claimed []Email
	err := s.q.SelectContext(ctx, &claimed, `
		WITH lead_alone AS (
			SELECT o.id, o.to_address, o.kind, o.next_attempt_at AS due FROM outbox_email o
			WHERE o.sent_at IS NULL AND o.set_aside_at IS NULL AND o.kind NOT IN `+groupedKindsSQL+`
				AND o.next_attempt_at <= $1
			ORDER BY o.next_attempt_at, o.id LIMIT $3
			FOR UPDATE SKIP LOCKED
		), lead_grouped AS (
			SELECT o.id, o.to_address, o.kind, o.next_attempt_at AS due FROM outbox_email o
			WHERE o.sent_at IS NULL AND o.set_aside_at IS NULL AND o.kind IN `+groupedKindsSQL+`
				AND o.created_at <= $2 AND o.next_attempt_at <= $1
			ORDER BY o.created_at, o.id LIMIT $3
			FOR UPDATE SKIP LOCKED
		), lead AS (
			SELECT * FROM lead_alone UNION ALL SELECT * FROM lead_grouped
			ORDER BY due, id LIMIT $3
		), family AS (
			SELECT f.id FROM (SELECT DISTINCT l.to_address FROM lead l WHERE l.kind IN `+groupedKindsSQL+`) AS a
			CROSS JOIN LATERAL (
				SELECT o.id FROM outbox_email o
				WHERE o.to_address = a.to_address AND o.sent_at IS NULL AND o.set_aside_at IS NULL
					AND o.next_attempt_at <= $1 AND o.kind IN `+groupedKindsSQL+`
					AND o.id NOT IN (SELECT l.id FROM lead l)
				FOR UPDATE SKIP LOCKED
			) AS f
		)
		UPDATE outbox_email o SET next_attempt_at = $4
		WHERE o.id IN (SELECT id FROM lead UNION ALL SELECT id FROM family)
		RETURNING `+emailColumns,
		now, now.Add(-p.GroupWindow), limit, now.Add(p.Lease))
	if err != nil {
		return nil, translate(err)
	}
	return groupEmails(claimed), nil
}

// groupEmails makes the messages of claimed e-mails: a family's e-mails about its days merged
// into one, in the order they were queued; every other e-mail alone.
func groupEmails(claimed []Email) []Outgoing {
	slices.SortFunc(claimed, func(a, b Email) int { return int(a.ID - b.ID) })
	var out []Outgoing
	family := map[string]int{} // address → index in out
	for _, e := range claimed {
		if !slices.Contains(groupedKinds, string(e.Kind)) {
			out = append(out, Outgoing{Email: e, Members: []int64{e.ID}, MemberKinds: []EmailKind{e.Kind}})
			continue
		}
		if i, ok := family[e.To]; ok {
			out[i].Members = append(out[i].Members, e.ID)
			out[i].MemberKinds = append(out[i].MemberKinds, e.Kind)
			out[i].Email = mergeEmails(out[i].Email, e)
			continue
		}
		family[e.To] = len(out)
		out = append(out, Outgoing{Email: e, Members: []int64{e.ID}, MemberKinds: []EmailKind{e.Kind}})
	}
	return out
}

// The parts of a family e-mail (see bookingEmail and notifyChanges): a French half and an
// English half, each a greeting, lines starting with "- ", and a closing paragraph.
const (
	halfSeparator = "\n\n---\n\n"
	mergedSubject = "Accueil prioritaire : vos réservations / your bookings"
	mergedFR      = "Bonjour,\n\nVoici les dernières nouvelles de vos réservations :\n%s\n\nRetrouvez-les dans « Mes réservations »."
	mergedEN      = "Hello,\n\nHere is the latest about your bookings:\n%s\n\nSee them under “My bookings”.\n"
)

// mergeEmails is one e-mail listing the changes of both a (itself perhaps merged) and b, a's
// first then b's. Its ID is a's (the message's id), its attempts the larger.
func mergeEmails(a, b Email) Email {
	frA, enA := changeLines(a.Body)
	frB, enB := changeLines(b.Body)
	a.Subject = mergedSubject
	a.Body = strings.Replace(mergedFR, "%s", strings.Join(append(frA, frB...), "\n"), 1) + halfSeparator +
		strings.Replace(mergedEN, "%s", strings.Join(append(enA, enB...), "\n"), 1)
	a.Kind = EmailBooking
	a.Attempts = max(a.Attempts, b.Attempts)
	return a
}

// changeLines are the "- " lines of a family e-mail's French and English halves.
func changeLines(body string) (fr, en []string) {
	frHalf, enHalf, _ := strings.Cut(body, halfSeparator)
	pick := func(half string) []string {
		var lines []string
		for _, l := range strings.Split(half, "\n") {
			if strings.HasPrefix(l, "- ") {
				lines = append(lines, l)
			}
		}
		return lines
	}
	return pick(frHalf), pick(enHalf)
}

// DeliveryResult is what became of a claimed message.
type DeliveryResult int

const (
	// Delivered: the server took the message.
	Delivered DeliveryResult = iota
	// NotTried: the message was not started (server unreachable, lease half gone); it is due
	// again at once and the attempt does not count.
	NotTried
	// Failed: the server failed or timed out on it, or refused it for now (4xx); retried later.
	Failed
	// Refused: the server refused it for good (5xx).
	Refused
)

// Delivery is the result of sending a claimed message. Error is kept for the admin (it may
// name the address: it goes to the database, never to the log).
type Delivery struct {
	Message Outgoing
	Result  DeliveryResult
	Error   string
}

// RecordDeliveries writes the results of sending claimed messages, in one statement: delivered
// e-mails are marked sent; failed ones wait longer at each attempt, and are set aside after the
// policy's number of attempts (then listed by SetAsideEmails); those not tried are due again.
// It returns how many e-mails (not messages) were set aside.
func (s *Store) RecordDeliveries(ctx context.Context, p OutboxPolicy, ds []Delivery) (int, error) {
	now := s.now()
	// Delivered e-mails all change alike and go as one list of ids; the others, each with its
	// own next attempt and error, row by row. At the rush the table's statistics may say that
	// nothing is pending: a join of the whole round with the table was then planned as a scan of
	// the table for each row of the round (7.7 s for 1,351 e-mails, bench-rush, auto_explain),
	// where a list of ids is found by its index or in one scan whatever the statistics say.
	var delivered, ids []int64
	var aside []bool
	var next []time.Time
	var errs []string
	var counted []int
	setAside := 0
	for _, d := range ds {
		if d.Result == Delivered {
			delivered = append(delivered, d.Message.Members...)
			continue
		}
		attempts := d.Message.Attempts + 1
		row := struct {
			aside bool
			next  time.Time
			count int
		}{next: now, count: 1}
		switch d.Result {
		case NotTried:
			row.count = 0
		case Failed, Refused:
			row.next = now.Add(p.retryAfter(attempts))
			row.aside = attempts >= p.MaxAttempts || (d.Result == Refused && attempts >= p.MaxRefusals)
		}
		for _, id := range d.Message.Members {
			ids, aside, next = append(ids, id), append(aside, row.aside), append(next, row.next)
			errs, counted = append(errs, d.Error), append(counted, row.count)
			if row.aside {
				setAside++
			}
		}
	}
	const markSent = `UPDATE outbox_email SET attempts = attempts + 1, next_attempt_at = $2, sent_at = $2
		WHERE id = ANY($1::bigint[]) AND sent_at IS NULL`
	var err error
	switch {
	case len(ids) == 0 && len(delivered) == 0:
		return 0, nil
	case len(ids) == 0:
		_, err = s.q.ExecContext(ctx, markSent, pq.Array(delivered), now)
	default:
		_, err = s.q.ExecContext(ctx, `
			WITH delivered AS (`+markSent+`)
			UPDATE outbox_email o SET attempts = o.attempts + f.counted, next_attempt_at = f.next,
				set_aside_at = CASE WHEN f.aside THEN $2::timestamptz END,
				last_error = CASE WHEN f.counted = 1 THEN f.error ELSE o.last_error END
			FROM unnest($3::bigint[], $4::bool[], $5::timestamptz[], $6::text[], $7::int[])
				AS f(id, aside, next, error, counted)
			WHERE o.id = f.id AND o.id = ANY($3::bigint[]) AND o.sent_at IS NULL`,
			pq.Array(delivered), now, pq.Array(ids), pq.Array(aside), pq.Array(next), pq.Array(errs), pq.Array(counted))
	}
	return setAside, translate(err)
}

// OutboxQueue is the outbox's backlog: e-mails still to send, how long the oldest of them has
// waited (0 when none), and e-mails set aside. Cheap enough to be read every few seconds.
type OutboxQueue struct {
	Pending  int
	Oldest   time.Duration
	SetAside int
}

// OutboxQueue reads the outbox's backlog (see OutboxQueue).
func (s *Store) OutboxQueue(ctx context.Context) (OutboxQueue, error) {
	var row struct {
		Pending  int        `db:"pending"`
		Oldest   *time.Time `db:"oldest"`
		SetAside int        `db:"set_aside"`
	}
	err := s.q.GetContext(ctx, &row, `
		SELECT count(*) AS pending, min(created_at) AS oldest,
			(SELECT count(*) FROM outbox_email WHERE set_aside_at IS NOT NULL) AS set_aside
		FROM outbox_email WHERE sent_at IS NULL AND set_aside_at IS NULL`)
	if err != nil {
		return OutboxQueue{}, err
	}
	q := OutboxQueue{Pending: row.Pending, SetAside: row.SetAside}
	if row.Oldest != nil {
		q.Oldest = max(s.now().Sub(*row.Oldest), 0)
	}
	return q, nil
}

// SetAsideEmail is an e-mail that kept failing, for the admin: to whom, about what, and the
// server's last answer.
type SetAsideEmail struct {
	ID        int64     `db:"id"`
	Kind      EmailKind `db:"kind"`
	To        string    `db:"to_address"`
	Subject   string    `db:"subject"`
	CreatedAt time.Time `db:"created_at"`
	SetAside  time.Time `db:"set_aside_at"`
	Attempts  int       `db:"attempts"`
	LastError string    `db:"last_error"`
}

// SetAsideEmails lists the latest e-mails set aside, up to limit.
func (s *Store) SetAsideEmails(ctx context.Context, limit int) ([]SetAsideEmail, error) {
	var out []SetAsideEmail
	err := s.q.SelectContext(ctx, &out, `
		SELECT id, kind, to_address, subject, created_at, set_aside_at, attempts, last_error FROM outbox_email
		WHERE set_aside_at IS NOT NULL ORDER BY set_aside_at DESC, id DESC LIMIT $1`, limit)
	return out, err
}
