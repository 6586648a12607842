package store

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
)

// Every allocation (a booking batch, a confirmation, a promotion, a lever's replacement, a run
// by hand or a rebalance, and the what-if, which stops before writing) goes the same way:
//
//  1. read: the requests with their answers so far (requestRows, or the booking batch's one
//     read), then the seats left within reach of the families (seatsLeft);
//  2. plan, without the database (newPlan, then plan.solve, which calls alloc.Solve): which
//     child-days are placed again, the seats and waitlist entries they free, the seats and
//     waitlist entries they get, and whom to tell (plan.notices);
//  3. write, in one statement (write): the run, its seats, its waitlist entries and its
//     e-mails, after the rows freed. The booking batch puts its idempotency keys and requests
//     in front, in the same statement.
//
// The transactional runs call allocate, which does the three; the booking batch calls the same
// steps from bookAtOnce, with its own read and its answers to compute between plan and write.

// allocation describes one run: which days, whose requests, which of them to (re)place.
type allocation struct {
	kind AllocationKind
	days []time.Time
	// households, when set, limits the run to their requests (the instant path, which read
	// them already); childIDs to those children's.
	households map[int64]householdCtx
	childIDs   []int64
	// asked are the child-days a booking batch asks for (bookAtOnce records them with its
	// answers).
	asked askedDays
	// rows, when set, are the requests already read (see requestRows); seats, the seats left
	// in reach of them, read with them.
	rows      []requestRow
	seats     *seatList
	replace   func(requestRow) bool
	seed      uint64
	startedBy int64
	notify    bool
	// cause is why the run moves seats, for the e-mails (empty: the kind's, causeOf);
	// movedFrom, the hub whose seats the children to place just lost (0: none).
	cause     changeCause
	movedFrom int64
	// record stores the run even when it has nothing to place: a day's confirmation points to
	// its run (day_confirmation.run_id), placed children or not.
	record bool
}

// allocate runs one allocation inside the caller's transaction: read, plan, write (see above).
// statusFor gives a seat's status by day.
func (s *Store) allocate(ctx context.Context, p AllocationPolicy, a allocation, statusFor func(time.Time) PlacementStatus) (AllocationRun, error) {
	rows, err := a.rows, error(nil)
	if rows == nil {
		if rows, err = s.requestRows(ctx, a); err != nil {
			return AllocationRun{}, err
		}
	}
	pl := newPlan(p, a, rows)
	if len(pl.toPlace) > 0 {
		hubs, err := s.seatsFor(ctx, p, a, pl)
		if err != nil {
			return AllocationRun{}, err
		}
		if err := pl.solve(ctx, hubs, statusFor); err != nil {
			return AllocationRun{}, err
		}
	}
	run := pl.run()
	if len(pl.toPlace) == 0 && !pl.record {
		return run, nil
	}
	var mails []email
	if a.notify {
		cause := a.cause
		if cause == "" {
			cause = causeOf(a.kind)
		}
		if mails, err = s.noticeEmails(ctx, cause, pl.notices(cause, a.movedFrom)); err != nil {
			return run, err
		}
		run.Notified = len(mails)
	}
	run.ID, _, err = s.write(ctx, pl.writes(mails))
	return run, err
}

// seatsFor reads the seats left that pl's problem may use: those a gave, or those of the open
// hubs within reach of pl's families.
func (s *Store) seatsFor(ctx context.Context, p AllocationPolicy, a allocation, pl *plan) ([]alloc.Hub, error) {
	if a.seats != nil {
		return a.seats.hubs(pl.extra), nil
	}
	return s.seatsLeft(ctx, a.days, pl.places, p.MaxDistanceKm, pl.extra)
}

// plan is what one allocation does, computed without the database: newPlan chooses the
// child-days to place again and builds their problem from the requests read, solve places them
// against the seats read.
type plan struct {
	kind     AllocationKind
	seed     uint64
	by       int64
	record   bool // store the run even when toPlace is empty
	from, to time.Time
	rows     []requestRow         // the requests read
	toPlace  map[cdKey]requestRow // those placed again
	// free are the seats and waitlist entries the child-days placed again hold now, by day then
	// child: the writer deletes them before writing the new ones.
	free []cdKey
	// extra are seats to add to those read: the seats freed, and those the brothers and sisters
	// fixed in the problem keep (alloc counts fixed placements against the seats).
	extra map[seatKey]int
	// places is where the families of the problem are: the seats read are those in reach.
	places   extent
	problem  alloc.Problem // without its hubs until solve
	report   alloc.Report
	outcomes []Outcome // by day then child
}

// extent is the smallest box of latitudes and longitudes holding some places.
type extent struct{ minLat, maxLat, minLon, maxLon float64 }

func emptyExtent() extent {
	return extent{math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)}
}

func (e *extent) add(lat, lon float64) {
	e.minLat, e.maxLat = math.Min(e.minLat, lat), math.Max(e.maxLat, lat)
	e.minLon, e.maxLon = math.Min(e.minLon, lon), math.Max(e.maxLon, lon)
}

// newPlan chooses, among rows, the child-days a places again (a.replace) and builds their
// problem: those child-days, plus the seats their brothers and sisters keep that day (fixed, so
// that siblings stay together, unless the household allowed a split).
func newPlan(p AllocationPolicy, a allocation, rows []requestRow) *plan {
	pl := &plan{kind: a.kind, seed: a.seed, by: a.startedBy, record: a.record, rows: rows,
		toPlace: map[cdKey]requestRow{}, extra: map[seatKey]int{}, places: emptyExtent()}
	pl.report.Seed = a.seed
	pl.from, pl.to = a.days[0], a.days[0]
	for _, d := range a.days {
		if d.Before(pl.from) {
			pl.from = d
		}
		if d.After(pl.to) {
			pl.to = d
		}
	}
	type hhDay struct {
		household int64
		day       string
	}
	groups := map[hhDay]bool{}
	for _, r := range rows {
		if a.replace(r) {
			k := cdKey{r.ChildID, r.Day.Format(time.DateOnly)}
			pl.toPlace[k] = r
			groups[hhDay{r.HouseholdID, k.day}] = true
			if r.PlacedHub.Valid || r.Waitlisted {
				pl.free = append(pl.free, k)
			}
			if r.PlacedHub.Valid {
				pl.extra[seatKey{r.PlacedHub.Int64, k.day, alloc.Level(r.Level)}]++
			}
		}
	}
	sort.Slice(pl.free, func(i, j int) bool {
		return pl.free[i].day < pl.free[j].day || pl.free[i].day == pl.free[j].day && pl.free[i].child < pl.free[j].child
	})
	pl.problem.Params = alloc.Params{MaxDistanceKm: p.MaxDistanceKm, Seed: a.seed, NoFigures: !a.kind.reportsFigures()}
	if len(pl.toPlace) == 0 {
		return pl
	}
	for _, r := range rows {
		day := r.Day.Format(time.DateOnly)
		_, place := pl.toPlace[cdKey{r.ChildID, day}]
		keptSibling := !place && r.PlacedHub.Valid && groups[hhDay{r.HouseholdID, day}] && !r.AllowSplit
		if !place && !keptSibling {
			continue
		}
		pl.problem.Requests = append(pl.problem.Requests, r.allocRequest())
		if keptSibling {
			pl.problem.Fixed = append(pl.problem.Fixed, alloc.FixedPlacement{ChildID: r.ChildID, Day: alloc.Day(day), HubID: r.PlacedHub.Int64})
			pl.extra[seatKey{r.PlacedHub.Int64, day, alloc.Level(r.Level)}]++
		}
		pl.places.add(r.Lat, r.Lon)
	}
	return pl
}

// solve places the plan's child-days in hubs (the seats left, extra included) and gives each
// its outcome; statusFor gives a seat's status by day.
func (pl *plan) solve(ctx context.Context, hubs []alloc.Hub, statusFor func(time.Time) PlacementStatus) error {
	prob := pl.problem
	prob.Hubs = hubs
	res, err := alloc.Solve(ctx, prob)
	if err != nil {
		return fmt.Errorf("allocating: %w", err)
	}
	pl.report = res.Report
	pl.outcomes = pl.outcomes[:0]
	for _, p := range res.Placements {
		if p.Fixed {
			continue
		}
		day, err := p.Day.Time()
		if err != nil {
			return err
		}
		pl.outcomes = append(pl.outcomes, Outcome{ChildID: p.ChildID, Day: day, Status: statusFor(day).Request(), HubID: p.HubID, DistanceKm: p.DistanceKm})
	}
	for _, w := range res.Waitlist {
		day, err := w.Day.Time()
		if err != nil {
			return err
		}
		pl.outcomes = append(pl.outcomes, Outcome{ChildID: w.ChildID, Day: day, Status: RequestWaitlisted, Reason: w.Reason,
			ReasonFR: w.MessageFR, ReasonEN: w.MessageEN, NearestFullHub: w.NearestFullHubID})
	}
	sort.Slice(pl.outcomes, func(i, j int) bool {
		if !pl.outcomes[i].Day.Equal(pl.outcomes[j].Day) {
			return pl.outcomes[i].Day.Before(pl.outcomes[j].Day)
		}
		return pl.outcomes[i].ChildID < pl.outcomes[j].ChildID
	})
	return nil
}

// run is the plan as a run, not stored yet (ID 0).
func (pl *plan) run() AllocationRun {
	return AllocationRun{Kind: pl.kind, Seed: int64(pl.seed), Report: pl.report, DayFrom: pl.from, DayTo: pl.to, Outcomes: pl.outcomes}
}

// writes are what the writer stores for the plan, with mails: the run (when it placed anybody,
// or is to be recorded), its seats and waitlist entries, the rows it frees.
func (pl *plan) writes(mails []email) writes {
	return writes{run: pl.run(), by: pl.by, storeRun: len(pl.toPlace) > 0 || pl.record, free: pl.free, mails: mails}
}

// notice is a child-day whose answer a run changed, for the family's e-mail.
type notice struct {
	to, child          string // the family's address, the child's first name
	day                time.Time
	status             RequestStatus
	hub                int64 // the seat now (0: waiting)
	had                int64 // the hub the child leaves (0: none, or the same)
	reasonFR, reasonEN string
}

// notices are the child-days whose families the plan's run tells (see changeNotices).
func (pl *plan) notices(cause changeCause, movedFrom int64) []notice {
	return changeNotices(cause, movedFrom, pl.toPlace, pl.outcomes)
}

// changeNotices are the outcomes whose answer changed since before (another hub, a seat given
// or lost) or, for a confirmation, every outcome. A child who had a seat is told which hub it
// was: its seat before or, when the run places children whose seat was just taken away
// (movedFrom, 0 when none), that hub.
func changeNotices(cause changeCause, movedFrom int64, before map[cdKey]requestRow, outcomes []Outcome) []notice {
	var out []notice
	for _, o := range outcomes {
		prev, ok := before[cdKey{o.ChildID, o.Day.Format(time.DateOnly)}]
		if !ok {
			continue
		}
		changed := prev.PlacedHub.Int64 != o.HubID || prev.Waitlisted != (o.Status == RequestWaitlisted)
		if !changed && cause != causeConfirmation {
			continue
		}
		had := movedFrom
		if prev.PlacedHub.Valid {
			had = prev.PlacedHub.Int64
		}
		if had == o.HubID {
			had = 0
		}
		out = append(out, notice{to: prev.Email, child: prev.FirstName, day: o.Day, status: o.Status, hub: o.HubID, had: had,
			reasonFR: o.ReasonFR, reasonEN: o.ReasonEN})
	}
	return out
}
