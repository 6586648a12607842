package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/lib/pq"
)

// A family cancels days: the seats freed go to the waitlist at once.

// Cancellation is what a cancellation did: how many child-days it cancelled, and the days it
// left as they were because they can no longer be cancelled (see CancelBooking).
type Cancellation struct {
	Cancelled int
	Kept      []BookedDay
}

// CancelBooking cancels days of the account's children (one child-day, or every day from today
// on when day is zero), frees their seats, runs the waitlist of each freed day and e-mails the
// family. Today is the store's clock's, in p's time zone. A day that is over, or today once the
// child has a mark (present or absent), can no longer be cancelled: that day's sheet and the
// contact list the health authority relies on must keep the child. Asked for alone, such a day
// is ErrDayLocked and nothing changes; among every coming day, it is left as it was and listed
// in Kept. ErrNotFound for another household's child, or when nothing is booked.
func (s *Store) CancelBooking(ctx context.Context, p AllocationPolicy, accountID, childID int64, day time.Time) (Cancellation, error) {
	var out Cancellation
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		out = Cancellation{}
		today := p.Today(tx.now())
		type childDay struct {
			ChildID int64     `db:"child_id"`
			Day     time.Time `db:"day"`
			Name    string    `db:"first_name"`
			Email   string    `db:"email"`
		}
		var asked []childDay
		// The requests, then their seats, are locked before the marks are read: a mark being
		// recorded holds its seat (RecordMark), so it is either seen below or finds no seat.
		if err := tx.q.SelectContext(ctx, &asked, `
			SELECT br.child_id, br.day, c.first_name, a.email
			FROM booking_request br JOIN child c ON c.id = br.child_id
			JOIN household h ON h.id = c.household_id JOIN account a ON a.id = h.account_id
			WHERE h.account_id = $1 AND br.cancelled_at IS NULL
			  AND ($2 = 0 OR br.child_id = $2)
			  AND (($3::date IS NOT NULL AND br.day = $3::date) OR ($3::date IS NULL AND br.day >= $4))
			ORDER BY br.day, br.child_id
			FOR UPDATE OF br`, accountID, childID, nullDay(day), today.Format(time.DateOnly)); err != nil {
			return translate(err)
		}
		if len(asked) == 0 {
			return ErrNotFound
		}
		var ids []int64
		var ds []string
		for _, c := range asked {
			ids, ds = append(ids, c.ChildID), append(ds, c.Day.Format(time.DateOnly))
		}
		if _, err := tx.q.ExecContext(ctx, `
			SELECT 1 FROM placement x JOIN unnest($1::bigint[], $2::date[]) AS f(c, d) ON x.child_id = f.c AND x.day = f.d
			ORDER BY x.child_id, x.day FOR UPDATE OF x`, pq.Array(ids), pq.Array(ds)); err != nil {
			return translate(err)
		}
		var marked []cdKey
		var rows []struct { // days with a mark
			ChildID int64  `db:"child_id"`
			Day     string `db:"day"`
		}
		if err := tx.q.SelectContext(ctx, &rows, `
			SELECT a.child_id, a.day::text AS day FROM attendance a
			JOIN unnest($1::bigint[], $2::date[]) AS f(c, d) ON a.child_id = f.c AND a.day = f.d`, pq.Array(ids), pq.Array(ds)); err != nil {
			return translate(err)
		}
		for _, r := range rows {
			marked = append(marked, cdKey{r.ChildID, r.Day})
		}
		var cancelled []childDay
		for _, c := range asked {
			if c.Day.Before(today) || slices.Contains(marked, cdKey{c.ChildID, c.Day.Format(time.DateOnly)}) {
				out.Kept = append(out.Kept, BookedDay{ChildID: c.ChildID, ChildName: c.Name, Day: c.Day})
			} else {
				cancelled = append(cancelled, c)
			}
		}
		if !day.IsZero() && len(out.Kept) > 0 {
			return fmt.Errorf("%w: %s", ErrDayLocked, day.Format(time.DateOnly))
		}
		if len(cancelled) == 0 {
			return nil
		}
		out.Cancelled = len(cancelled)
		ids, ds = ids[:0], ds[:0]
		freed := map[string]time.Time{}
		var freedKeys []cdKey
		var lines []BookedDay
		for _, c := range cancelled {
			ids = append(ids, c.ChildID)
			ds = append(ds, c.Day.Format(time.DateOnly))
			freed[c.Day.Format(time.DateOnly)] = c.Day
			freedKeys = append(freedKeys, cdKey{c.ChildID, c.Day.Format(time.DateOnly)})
			lines = append(lines, BookedDay{ChildID: c.ChildID, ChildName: c.Name, Day: c.Day, Status: RequestCancelled})
		}
		if _, err := tx.q.ExecContext(ctx, `
			UPDATE booking_request x SET cancelled_at = $3 FROM unnest($1::bigint[], $2::date[]) AS f(c, d)
			WHERE x.child_id = f.c AND x.day = f.d`, pq.Array(ids), pq.Array(ds), tx.now()); err != nil {
			return translate(err)
		}
		if err := tx.free(ctx, freedKeys); err != nil {
			return err
		}
		keys := make([]string, 0, len(freed))
		for k := range freed {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if _, err := tx.PromoteWaitlist(ctx, p, freed[k], 0); err != nil {
				return err
			}
		}
		return tx.queueEmails(ctx, []email{bookingEmail(cancelled[0].Email, "Accueil prioritaire : annulation / cancellation", lines)})
	})
	return out, err
}

func nullDay(d time.Time) any {
	if d.IsZero() {
		return nil
	}
	return d.Format(time.DateOnly)
}
