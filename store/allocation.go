package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/geo"
)

// maxFullRetries bounds how often an instant placement is recomputed when a concurrent booking
// took a seat between the read and the write (the capacity CHECK refused ours).
const maxFullRetries = 8

// PlaceHousehold gives instant answers to a household's new requests on days: a seat against the
// current occupancy (proposed before the day's cutoff, confirmed after), or a waitlist entry.
// Requests already answered are left as they are. Safe under concurrent bookings: the database's
// capacity CHECK is the last guard, and a refused seat is recomputed.
func (s *Store) PlaceHousehold(ctx context.Context, p AllocationPolicy, householdID int64, days []time.Time) (AllocationRun, error) {
	var accountID int64
	if err := s.q.GetContext(ctx, &accountID, `SELECT account_id FROM household WHERE id = $1`, householdID); err != nil {
		return AllocationRun{}, translate(err)
	}
	households, err := s.householdsOf(ctx, []int64{accountID}, nil)
	if err != nil {
		return AllocationRun{}, err
	}
	return s.allocateRetrying(ctx, p, allocation{
		kind: KindInstant, days: days, households: map[int64]householdCtx{householdID: households[accountID]},
		seed: alloc.RandomSeed(), replace: requestRow.unsettled,
	})
}

// ConfirmDay runs day's confirmation: every request of the day not already confirmed is placed
// again by priority, the seats are confirmed and families whose answer changed are told. It is a
// no-op (returning ok false) when the day is confirmed already.
func (s *Store) ConfirmDay(ctx context.Context, p AllocationPolicy, day time.Time, seed uint64, startedBy int64) (run AllocationRun, ok bool, err error) {
	err = s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if err := tx.lockDays(ctx, []time.Time{day}); err != nil {
			return err
		}
		var done bool
		if err := tx.q.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM day_confirmation WHERE day = $1)`, day.Format(time.DateOnly)); err != nil {
			return err
		}
		if done {
			return nil
		}
		run, err = tx.allocate(ctx, p, allocation{
			kind: KindConfirmation, days: []time.Time{day}, seed: seed, startedBy: startedBy, notify: true, record: true,
			replace: func(r requestRow) bool { return !r.confirmed() },
		}, func(time.Time) PlacementStatus { return Confirmed })
		if err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO day_confirmation (day, run_id, confirmed_at) VALUES ($1, $2, $3)`,
			day.Format(time.DateOnly), run.ID, tx.now()); err != nil {
			return translate(err)
		}
		ok = true
		return nil
	})
	return run, ok, err
}

// DueConfirmations returns the days from today on whose cutoff has passed and that are not
// confirmed yet, in order.
func (s *Store) DueConfirmations(ctx context.Context, p AllocationPolicy) ([]time.Time, error) {
	now := s.now()
	today := p.Today(now)
	var days []time.Time
	err := s.q.SelectContext(ctx, &days, `
		SELECT DISTINCT hdc.day FROM hub_day_capacity hdc
		WHERE hdc.day >= $1 AND NOT EXISTS (SELECT 1 FROM day_confirmation dc WHERE dc.day = hdc.day)
		ORDER BY hdc.day`, today.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	var due []time.Time
	for _, d := range days {
		if !now.Before(p.Cutoff(d)) {
			due = append(due, d)
		}
	}
	return due, nil
}

// PromoteWaitlist gives the waitlisted children of day, in priority order, the seats that freed
// up (a cancellation, a capacity increase, a new hub). Nobody placed moves.
func (s *Store) PromoteWaitlist(ctx context.Context, p AllocationPolicy, day time.Time, startedBy int64) (AllocationRun, error) {
	return s.allocateRetrying(ctx, p, allocation{
		kind: KindPromotion, days: []time.Time{day}, seed: alloc.RandomSeed(), startedBy: startedBy, notify: true,
		replace: func(r requestRow) bool { return r.Waitlisted || r.unsettled() },
	})
}

// AllocateDays is the batch run by hand (command line, rectorat): on each day, children waiting
// or not yet answered are placed against the current occupancy. With rebalance, proposed seats
// are also given again, to cut distance or unmet demand; confirmed seats never move.
func (s *Store) AllocateDays(ctx context.Context, p AllocationPolicy, days []time.Time, rebalance bool, seed uint64, startedBy int64) (AllocationRun, error) {
	a := allocation{kind: KindManual, days: days, seed: seed, startedBy: startedBy, notify: true,
		replace: func(r requestRow) bool { return r.Waitlisted || r.unsettled() }}
	if rebalance {
		a.kind = KindRebalance
		a.replace = func(r requestRow) bool { return !r.confirmed() }
	}
	var run AllocationRun
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if err := tx.lockDays(ctx, days); err != nil {
			return err
		}
		var err error
		run, err = tx.allocate(ctx, p, a, tx.statusByCutoff(ctx, p))
		return err
	})
	return run, err
}

// allocateRetrying runs a in a transaction of its own (or the caller's), recomputing it when a
// concurrent writer filled a hub between our read and our write.
func (s *Store) allocateRetrying(ctx context.Context, p AllocationPolicy, a allocation) (AllocationRun, error) {
	var run AllocationRun
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		return tx.retryFull(ctx, func() error {
			var err error
			run, err = tx.allocate(ctx, p, a, tx.statusByCutoff(ctx, p))
			return err
		})
	})
	return run, err
}

// retryFull runs fn, which reads seats and then takes some, again while a seat it wanted was
// taken meanwhile (ErrFull), each attempt under a savepoint so that a refused write does not
// abort the transaction.
func (s *Store) retryFull(ctx context.Context, fn func() error) error {
	var err error
	for i := 0; i < maxFullRetries; i++ {
		if err = s.savepoint(ctx, fn); !errors.Is(err, ErrFull) {
			return err
		}
	}
	return err
}

// savepoint runs fn under a savepoint of the current transaction, rolled back if fn fails, so
// that the transaction goes on. Outside a transaction it just runs fn.
func (s *Store) savepoint(ctx context.Context, fn func() error) error {
	if _, inTx := s.q.(*sqlx.Tx); !inTx {
		return fn()
	}
	if _, err := s.q.ExecContext(ctx, `SAVEPOINT attempt`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := s.q.ExecContext(ctx, `ROLLBACK TO SAVEPOINT attempt`); rerr != nil {
			return rerr
		}
		return err
	}
	_, err := s.q.ExecContext(ctx, `RELEASE SAVEPOINT attempt`)
	return err
}

// statusByCutoff gives a proposed seat before the day's cutoff and a confirmed one after it (or
// once the day's confirmation ran).
func (s *Store) statusByCutoff(ctx context.Context, p AllocationPolicy) func(time.Time) PlacementStatus {
	now := s.now()
	return func(day time.Time) PlacementStatus {
		if !now.Before(p.Cutoff(day)) {
			return Confirmed
		}
		return Proposed
	}
}

// lockDays takes the capacity rows of days for the rest of the transaction, so that a run that
// re-places a whole day does not race the instant bookings of that day (they wait for it).
func (s *Store) lockDays(ctx context.Context, days []time.Time) error {
	_, err := s.q.ExecContext(ctx, `SELECT 1 FROM hub_day_capacity WHERE day = ANY($1) ORDER BY hub_id, day, level FOR UPDATE`,
		pq.Array(dayStrings(days)))
	return err
}

func dayStrings(days []time.Time) []string {
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = d.Format(time.DateOnly)
	}
	return out
}

// ExportProblem writes the current state of days as an allocator problem: every open hub with
// its full capacity, every active request, and the confirmed seats as fixed placements. It is
// what a complete re-run of those days would start from, for what-if planning on a copy.
func (s *Store) ExportProblem(ctx context.Context, p AllocationPolicy, days []time.Time) (alloc.Problem, error) {
	prob := alloc.Problem{Format: alloc.ProblemFormat, Params: alloc.Params{MaxDistanceKm: p.MaxDistanceKm}}
	rows, err := s.requestRows(ctx, allocation{days: days})
	if err != nil {
		return prob, err
	}
	for _, r := range rows {
		prob.Requests = append(prob.Requests, r.allocRequest())
		if r.confirmed() {
			prob.Fixed = append(prob.Fixed, alloc.FixedPlacement{ChildID: r.ChildID, Day: alloc.DayOf(r.Day), HubID: r.PlacedHub.Int64})
		}
	}
	var seats []struct {
		HubID    int64     `db:"hub_id"`
		Name     string    `db:"name"`
		Lat      float64   `db:"lat"`
		Lon      float64   `db:"lon"`
		Day      time.Time `db:"day"`
		Level    Level     `db:"level"`
		Capacity int       `db:"capacity"`
	}
	if err := s.q.SelectContext(ctx, &seats, `
		SELECT h.id AS hub_id, h.name, h.lat, h.lon, hdc.day, hdc.level, hdc.capacity
		FROM hub_day_capacity hdc JOIN hub h ON h.id = hdc.hub_id
		WHERE h.status = 'open' AND hdc.day = ANY($1) AND hdc.capacity > 0
		ORDER BY h.id, hdc.day, hdc.level`, pq.Array(dayStrings(days))); err != nil {
		return prob, err
	}
	for _, h := range seats {
		if n := len(prob.Hubs); n == 0 || prob.Hubs[n-1].ID != h.HubID {
			prob.Hubs = append(prob.Hubs, alloc.Hub{ID: h.HubID, Name: h.Name, Location: geo.Point{Lat: h.Lat, Lon: h.Lon}})
		}
		hub := &prob.Hubs[len(prob.Hubs)-1]
		day := alloc.DayOf(h.Day)
		if n := len(hub.Days); n == 0 || hub.Days[n-1].Day != day {
			hub.Days = append(hub.Days, alloc.HubDay{Day: day, Seats: map[alloc.Level]int{}})
		}
		hub.Days[len(hub.Days)-1].Seats[alloc.Level(h.Level)] = h.Capacity
	}
	return prob, nil
}

// PreviewAllocateDays says what AllocateDays would do now with seed, without doing it: the run
// is computed in a transaction that is rolled back. Its Notified is the number of families the
// run would write to.
func (s *Store) PreviewAllocateDays(ctx context.Context, p AllocationPolicy, days []time.Time, rebalance bool, seed uint64) (AllocationRun, error) {
	var run AllocationRun
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		var err error
		if run, err = tx.AllocateDays(ctx, p, days, rebalance, seed, 0); err != nil {
			return err
		}
		return errRehearsal
	})
	if errors.Is(err, errRehearsal) {
		err = nil
	}
	return run, err
}

// ConfirmedDays returns those of days whose confirmation has run: their seats no longer move.
func (s *Store) ConfirmedDays(ctx context.Context, days []time.Time) ([]time.Time, error) {
	var out []time.Time
	err := s.q.SelectContext(ctx, &out, `SELECT day FROM day_confirmation WHERE day = ANY($1) ORDER BY day`, pq.Array(dayStrings(days)))
	return out, err
}
