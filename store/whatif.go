package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
)

// A what-if rehearses changes of hubs (close one, cut or raise a capacity, open one) on a copy
// of the database's state, in memory, and says what they would do; nothing is written. Two
// views, both computed by alloc.Solve:
//
//   - the levers' view: the changes run one after the other, day by day, as the levers of
//     levers.go would run them (the same children lose their seat, the same problems are built
//     with the same seeds, so for the same data PullLever does what the what-if showed); the
//     children who keep their seat do not move. It gives who moves where, who waits, and the
//     week's distance and children with two hubs before and after;
//   - the full view: the days as a problem file (ExportProblem, what `accueil allocate --export`
//     writes) solved from scratch, before and after the changes applied to a copy of it. It
//     gives the allocator's report, whose gap to its lower bound says how good a placement of
//     those days can be with the hubs changed.
//
// The levers' view is in whatif_sim.go, the full view in whatif_full.go.
//
// A new hub at a place with no school (a commune) has no lever: it only exists in the what-if.

// WhatIfAction names a change rehearsed by a what-if.
type WhatIfAction string

// The changes.
const (
	WhatIfClose    WhatIfAction = "close"    // the hub takes nobody on the days
	WhatIfCapacity WhatIfAction = "capacity" // one level's capacity, on each day
	WhatIfOpen     WhatIfAction = "open"     // seats per level on each day, at a school or a commune
)

// WhatIfChange is one change of a what-if.
type WhatIfChange struct {
	Action   WhatIfAction
	HubID    int64 // close, capacity, open at a school of the directory
	Level    Level // capacity
	Capacity int   // capacity
	// Commune (INSEE code) places a new hub at its centre, for open without HubID.
	Commune string
	Seats   map[Level]int // open
}

// WhatIf is a set of changes, applied in order, on some days.
type WhatIf struct {
	Days    []time.Time
	Changes []WhatIfChange
}

// WhatIfMaxChanges bounds the changes of one what-if.
const WhatIfMaxChanges = 12

// WhatIfFigures describe the seats of the what-if's days.
type WhatIfFigures struct {
	ChildDaysRequested int
	ChildDaysPlaced    int
	ChildDaysNoSeat    int // waitlisted (or not answered yet)
	ChildrenNoSeat     int // children without a seat on at least one day
	ChildrenMultiHub   int // children placed in two hubs or more over the days
	DistanceKm         float64
}

// WhatIfMove is a number of children whose seat would go from one hub to another; a hub 0 is
// no seat (the waitlist).
type WhatIfMove struct {
	From, To         int64
	FromName, ToName string
	Children         int
	ChildDays        int
}

// WhatIfSeat is one child-day whose seat would go from one hub to another.
type WhatIfSeat struct {
	ChildID  int64
	Day      time.Time
	From, To int64
}

// WhatIfResult is what a what-if would do.
type WhatIfResult struct {
	// Levers counts children as the levers do: moved, their brothers and sisters, where they
	// go, who waits, who gets a seat from the waitlist.
	Levers        LeverOutcome
	Before, After WhatIfFigures
	Moves         []WhatIfMove // biggest first
	// Changed lists every child-day whose seat would change, by day then child (From and To
	// as in WhatIfMove): what the levers would then do, seat by seat.
	Changed []WhatIfSeat
	// FullBefore and FullAfter are the reports of the days solved whole (see above), with the
	// figures: the week bound and its gap, and the distance's bounds.
	FullBefore, FullAfter alloc.Report
	// HubChangeKm is what the full view's objective charges per day a child spends away from
	// its usual hub (alloc.Params.HubChangeKm).
	HubChangeKm float64
	// NewHubs names the hubs that exist only in the what-if (open at a commune), by their ID
	// in the result.
	NewHubs map[int64]string
}

// WhatIfInvalid is a change of a what-if that cannot be made: Change is its index, Field names
// what is wrong (hub, level, capacity, seats, commune). It is an ErrInvalid.
type WhatIfInvalid struct {
	Change int
	Field  string
}

func (e *WhatIfInvalid) Error() string {
	return fmt.Sprintf("what-if change %d: %s not valid", e.Change, e.Field)
}

func (e *WhatIfInvalid) Unwrap() error { return ErrInvalid }

// HubsInScope lists the hubs sc may act on, open or closed, by commune then name.
func (s *Store) HubsInScope(ctx context.Context, sc Scope) ([]Hub, error) {
	var out []Hub
	err := s.q.SelectContext(ctx, &out, `
		SELECT h.id, h.uai, h.name, h.address, h.commune_code, c.name AS commune, c.departement_code, h.lat, h.lon, h.status
		FROM hub h JOIN commune c ON c.insee_code = h.commune_code
		WHERE `+hubInScope+` ORDER BY c.name, h.name, h.id`, sc.Role, sc.Departement, sc.AccountID)
	return out, err
}

// whatIfNewHub numbers the hubs the what-if opens at a commune: past any real hub's ID.
const whatIfNewHub = int64(1) << 50

// RunWhatIf rehearses w within sc: every hub changed must be in sc (ErrNotFound otherwise), a
// commune too (ErrInvalid). It returns ErrInvalid for a change that is not valid, and
// ErrChildrenPresent, as the levers do, when a change would take seats from children checked in.
func (s *Store) RunWhatIf(ctx context.Context, p AllocationPolicy, sc Scope, w WhatIf) (WhatIfResult, error) {
	var res WhatIfResult
	if len(w.Days) == 0 || len(w.Days) > 7 || len(w.Changes) == 0 || len(w.Changes) > WhatIfMaxChanges {
		return res, fmt.Errorf("%w: %d days, %d changes", ErrInvalid, len(w.Days), len(w.Changes))
	}
	days := slices.Clone(w.Days)
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	var full alloc.Problem
	sim := &whatIfSim{p: p, days: days, newHubs: map[int64]string{}}
	// One snapshot, and PostgreSQL refuses any write: the rehearsal cannot change anything.
	err := s.Transact(ctx, sql.LevelRepeatableRead, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, `SET TRANSACTION READ ONLY`); err != nil {
			return err
		}
		if err := sim.read(ctx, tx, sc, w.Changes); err != nil {
			return err
		}
		before := sim.seatsOf()
		for i, ch := range w.Changes {
			if err := sim.apply(ctx, tx, ch, sim.changeHub[i]); errors.Is(err, ErrInvalid) {
				return &WhatIfInvalid{Change: i, Field: "level"}
			} else if err != nil {
				return err
			}
		}
		sim.settle(before)
		var err error
		if res.Levers, err = sim.tally.outcome(ctx, tx); err != nil {
			return err
		}
		if full, err = tx.ExportProblem(ctx, p, days); err != nil {
			return err
		}
		res.Moves, res.Changed, err = sim.moves(ctx, tx, before)
		return err
	})
	if err != nil {
		return res, err
	}
	for i, h := range res.Levers.To {
		if name, ok := sim.newHubs[h.HubID]; ok {
			res.Levers.To[i].Name = name
		}
	}
	res.Before, res.After, res.NewHubs = sim.first, sim.figures(), sim.newHubs
	res.HubChangeKm = cmp.Or(full.Params.HubChangeKm, alloc.DefaultHubChangeKm)
	res.FullBefore, res.FullAfter, err = solveFull(ctx, full, sim.changed(full), whatIfSeed(days))
	return res, err
}
