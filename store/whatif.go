package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"time"

	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/geo"
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
	// FullBefore and FullAfter are the reports of the days solved whole (see above).
	FullBefore, FullAfter alloc.Report
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
	full.Params.Seed = whatIfSeed(days)
	if res.FullBefore, err = solveReport(ctx, full); err != nil {
		return res, err
	}
	res.FullAfter, err = solveReport(ctx, sim.changed(full))
	return res, err
}

func solveReport(ctx context.Context, p alloc.Problem) (alloc.Report, error) {
	r, err := alloc.Solve(ctx, p)
	if err != nil {
		return alloc.Report{}, fmt.Errorf("what-if: %w", err)
	}
	return r.Report, nil
}

// whatIfSeed is the seed of the full view: the same days solve the same before and after.
func whatIfSeed(days []time.Time) uint64 {
	h := fnv.New64a()
	for _, d := range days {
		fmt.Fprintf(h, "%s|", d.Format(time.DateOnly))
	}
	return h.Sum64()
}

// whatIfSim is the state a what-if changes: every request of its days with the seat it holds,
// and the seats of every hub.
type whatIfSim struct {
	p       AllocationPolicy
	days    []time.Time
	rows    []requestRow // every active request of the days, by day then child
	index   map[cdKey]int
	hubs    map[int64]*simHub
	seats   map[seatKey]*simSeats
	present map[cdKey]bool // checked in: keeps the seat
	tally   *leverTally
	first   WhatIfFigures
	newHubs map[int64]string
	// changeHub is the hub of each change: its own, or the new one opened at a commune.
	changeHub []int64
}

type simHub struct {
	lat, lon float64
	open     bool
	levels   map[Level]bool
}

type simSeats struct{ capacity, placed int }

// read loads the state of the days and checks the changes against sc.
func (sim *whatIfSim) read(ctx context.Context, tx *Store, sc Scope, changes []WhatIfChange) error {
	sim.tally = &leverTally{victims: map[cdKey]bool{}, chosen: map[int64]bool{}, siblings: map[int64]bool{}, to: map[int64]map[int64]bool{},
		waitlisted: map[int64]bool{}, promoted: map[int64]bool{}, returned: map[int64]bool{}}
	var err error
	if sim.rows, err = tx.requestRows(ctx, allocation{days: sim.days}); err != nil {
		return err
	}
	sim.index = make(map[cdKey]int, len(sim.rows))
	for i, r := range sim.rows {
		sim.index[cdKey{r.ChildID, r.Day.Format(time.DateOnly)}] = i
	}
	var hubs []struct {
		ID     int64          `db:"id"`
		Lat    float64        `db:"lat"`
		Lon    float64        `db:"lon"`
		Open   bool           `db:"open"`
		Levels pq.StringArray `db:"levels"`
	}
	if err := tx.q.SelectContext(ctx, &hubs, `
		SELECT h.id, h.lat, h.lon, h.status = 'open' AS open,
		       ARRAY(SELECT hl.level::text FROM hub_level hl WHERE hl.hub_id = h.id ORDER BY hl.level) AS levels
		FROM hub h`); err != nil {
		return err
	}
	sim.hubs = make(map[int64]*simHub, len(hubs))
	for _, h := range hubs {
		sh := &simHub{lat: h.Lat, lon: h.Lon, open: h.Open, levels: map[Level]bool{}}
		for _, l := range h.Levels {
			sh.levels[Level(l)] = true
		}
		sim.hubs[h.ID] = sh
	}
	var seats []struct {
		HubID    int64  `db:"hub_id"`
		Day      string `db:"day"`
		Level    string `db:"level"`
		Capacity int    `db:"capacity"`
		Placed   int    `db:"placed"`
	}
	if err := tx.q.SelectContext(ctx, &seats, `
		SELECT hub_id, day::text AS day, level::text AS level, capacity, placed FROM hub_day_capacity WHERE day = ANY($1)`,
		pq.Array(dayStrings(sim.days))); err != nil {
		return err
	}
	sim.seats = make(map[seatKey]*simSeats, len(seats))
	for _, r := range seats {
		sim.seats[seatKey{r.HubID, r.Day, alloc.Level(r.Level)}] = &simSeats{capacity: r.Capacity, placed: r.Placed}
	}
	var present []struct {
		ChildID int64  `db:"child_id"`
		Day     string `db:"day"`
	}
	if err := tx.q.SelectContext(ctx, &present, `
		SELECT child_id, day::text AS day FROM attendance WHERE day = ANY($1) AND status = 'present'`, pq.Array(dayStrings(sim.days))); err != nil {
		return err
	}
	sim.present = map[cdKey]bool{}
	for _, r := range present {
		sim.present[cdKey{r.ChildID, r.Day}] = true
	}
	sim.first = sim.figures()

	for i, ch := range changes {
		if field := checkWhatIfChange(ch); field != "" {
			return &WhatIfInvalid{Change: i, Field: field}
		}
		if ch.HubID != 0 {
			if _, err := tx.HubInScope(ctx, sc, ch.HubID); err != nil {
				return err
			}
			sim.changeHub = append(sim.changeHub, ch.HubID)
			continue
		}
		var c struct {
			Name        string  `db:"name"`
			Departement string  `db:"departement_code"`
			Lat         float64 `db:"lat"`
			Lon         float64 `db:"lon"`
		}
		err := tx.q.GetContext(ctx, &c, `SELECT name, departement_code, lat, lon FROM commune WHERE insee_code = $1`, ch.Commune)
		if err == sql.ErrNoRows || (err == nil && sc.Role == RolePrefecture && c.Departement != sc.Departement) {
			return &WhatIfInvalid{Change: i, Field: "commune"}
		} else if err != nil {
			return err
		}
		id := whatIfNewHub + int64(i)
		sim.hubs[id] = &simHub{lat: c.Lat, lon: c.Lon, open: true, levels: map[Level]bool{Maternelle: true, Elementaire: true, College: true}}
		sim.newHubs[id] = c.Name
		sim.changeHub = append(sim.changeHub, id)
	}
	return nil
}

// checkWhatIfChange names the field of ch that is not valid, or returns "".
func checkWhatIfChange(ch WhatIfChange) string {
	switch ch.Action {
	case WhatIfClose:
		if ch.HubID <= 0 {
			return "hub"
		}
	case WhatIfCapacity:
		switch {
		case ch.HubID <= 0:
			return "hub"
		case !ch.Level.Valid():
			return "level"
		case ch.Capacity < 0 || ch.Capacity > 500:
			return "capacity"
		}
	case WhatIfOpen:
		if (ch.HubID <= 0) == (ch.Commune == "") {
			return "hub"
		}
		total := 0
		for l, n := range ch.Seats {
			if !l.Valid() || n < 0 || n > 500 {
				return "seats"
			}
			total += n
		}
		if total == 0 {
			return "seats"
		}
	default:
		return "action"
	}
	return ""
}

// apply runs one change on hubID, day by day, as the levers would.
func (sim *whatIfSim) apply(ctx context.Context, tx *Store, ch WhatIfChange, hubID int64) error {
	for _, day := range sim.days {
		d := day.Format(time.DateOnly)
		switch ch.Action {
		case WhatIfClose:
			for _, l := range Levels {
				if _, ok := sim.seats[seatKey{hubID, d, alloc.Level(l)}]; ok {
					if err := sim.setCapacity(ctx, tx, hubID, day, l, 0); err != nil {
						return err
					}
				}
			}
		case WhatIfCapacity:
			if err := sim.setCapacity(ctx, tx, hubID, day, ch.Level, ch.Capacity); err != nil {
				return err
			}
		case WhatIfOpen:
			sim.hubs[hubID].open = true
			for _, l := range Levels {
				if n := ch.Seats[l]; n > 0 {
					if err := sim.setCapacity(ctx, tx, hubID, day, l, n); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// setCapacity is the capacity lever (Store.setCapacity) on the copy: the same children lose
// their seat (see evict), and the same run places them again, or gives seats from the waitlist
// when seats are added. Bringing back children moved by an earlier cut is not rehearsed.
func (sim *whatIfSim) setCapacity(ctx context.Context, tx *Store, hubID int64, day time.Time, level Level, capacity int) error {
	d := day.Format(time.DateOnly)
	k := seatKey{hubID, d, alloc.Level(level)}
	seats, ok := sim.seats[k]
	if !ok {
		if !sim.hubs[hubID].levels[level] {
			return fmt.Errorf("%w: hub %d does not take %s", ErrInvalid, hubID, level)
		}
		seats = &simSeats{}
		sim.seats[k] = seats
	}
	old := seats.capacity
	chosen, siblings := sim.evict(hubID, day, level, seats.placed-capacity)
	if seats.placed > capacity {
		return fmt.Errorf("%w: %d seats at hub %d on %s for %s would leave children checked in without one",
			ErrChildrenPresent, capacity, hubID, d, level)
	}
	seats.capacity = capacity
	sim.tally.evicted(day, chosen, siblings)
	victims := append(append([]int64{}, chosen...), siblings...)
	a := allocation{kind: KindReplacement, days: []time.Time{day}, seed: leverSeed(hubID, day, level, capacity), replace: requestRow.unsettled}
	if len(victims) == 0 {
		if capacity <= old {
			return nil
		}
		a.kind = KindPromotion
		a.replace = func(r requestRow) bool { return r.Waitlisted || r.unsettled() }
	}
	// The rows the lever's run would read: the children moved, or the whole day. A waitlisted
	// child is given to the run as not answered: the same to the allocator, and solve then has
	// no waitlist entry to free.
	isVictim := map[int64]bool{}
	for _, c := range victims {
		isVictim[c] = true
	}
	for _, r := range sim.rows {
		if r.Day.Equal(day) && (len(victims) == 0 || isVictim[r.ChildID]) {
			r.Waitlisted = false
			a.rows = append(a.rows, r)
		}
	}
	if len(a.rows) == 0 {
		return nil
	}
	pl := newPlan(sim.p, a, a.rows)
	if len(pl.toPlace) == 0 {
		return nil
	}
	if err := pl.solve(ctx, sim.seatList().hubs(pl.extra), tx.statusByCutoff(ctx, sim.p)); err != nil {
		return err
	}
	for _, o := range pl.outcomes {
		r := &sim.rows[sim.index[cdKey{o.ChildID, o.Day.Format(time.DateOnly)}]]
		if o.Status == RequestWaitlisted {
			r.Waitlisted = true
			continue
		}
		r.PlacedHub, r.PlacedStatus, r.Waitlisted = sql.NullInt64{Int64: o.HubID, Valid: true}, sql.NullString{String: string(o.Status), Valid: true}, false
		sim.seat(r).placed++
	}
	return nil
}

// settle counts where the children are once every change ran, as a lever counts what its run
// did: the children moved by where they end (or waiting), the others given a seat from the
// waitlist. A child moved by one change and given a seat by a later one has a seat.
func (sim *whatIfSim) settle(before map[cdKey]int64) {
	t := sim.tally
	for _, r := range sim.rows {
		k := cdKey{r.ChildID, r.Day.Format(time.DateOnly)}
		switch {
		case t.victims[k] && r.PlacedHub.Valid:
			if t.to[r.PlacedHub.Int64] == nil {
				t.to[r.PlacedHub.Int64] = map[int64]bool{}
			}
			t.to[r.PlacedHub.Int64][r.ChildID] = true
		case t.victims[k]:
			t.waitlisted[r.ChildID] = true
		case r.PlacedHub.Valid && before[k] == 0:
			t.promoted[r.ChildID] = true
		}
	}
}

// seat is the seats r's placement counts against.
func (sim *whatIfSim) seat(r *requestRow) *simSeats {
	k := seatKey{r.PlacedHub.Int64, r.Day.Format(time.DateOnly), alloc.Level(r.Level)}
	if sim.seats[k] == nil {
		sim.seats[k] = &simSeats{}
	}
	return sim.seats[k]
}

// evict is Store.evict on the copy: up to n children of the level lose their seat at the hub,
// proposed seats first, then lowest tier, latest request, highest ID; their brothers and sisters
// in the hub that day go with them unless the household allowed a split; a child checked in
// keeps the seat.
func (sim *whatIfSim) evict(hubID int64, day time.Time, level Level, n int) (chosen, siblings []int64) {
	if n <= 0 {
		return nil, nil
	}
	var here []*requestRow
	for i := range sim.rows {
		r := &sim.rows[i]
		if r.Day.Equal(day) && r.PlacedHub.Valid && r.PlacedHub.Int64 == hubID && !sim.present[cdKey{r.ChildID, day.Format(time.DateOnly)}] {
			here = append(here, r)
		}
	}
	var candidates []*requestRow
	for _, r := range here {
		if r.Level == level {
			candidates = append(candidates, r)
		}
	}
	slices.SortFunc(candidates, func(a, b *requestRow) int {
		return cmp.Or(cmp.Compare(boolInt(a.confirmed()), boolInt(b.confirmed())), cmp.Compare(b.Tier, a.Tier),
			b.RequestedAt.Compare(a.RequestedAt), cmp.Compare(b.ChildID, a.ChildID))
	})
	candidates = candidates[:min(n, len(candidates))]
	households := map[int64]bool{}
	isChosen := map[int64]bool{}
	for _, r := range candidates {
		households[r.HouseholdID], isChosen[r.ChildID] = true, true
	}
	for _, r := range here {
		switch {
		case isChosen[r.ChildID]:
			chosen = append(chosen, r.ChildID)
		case households[r.HouseholdID] && !r.AllowSplit:
			siblings = append(siblings, r.ChildID)
		default:
			continue
		}
		sim.seat(r).placed--
		r.PlacedHub, r.PlacedStatus = sql.NullInt64{}, sql.NullString{}
	}
	slices.Sort(chosen)
	slices.Sort(siblings)
	return chosen, siblings
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// seatList is the seats left in the open hubs, as the lever's run reads them.
func (sim *whatIfSim) seatList() *seatList {
	var l seatList
	for k, s := range sim.seats {
		h := sim.hubs[k.hub]
		if h == nil || !h.open || s.capacity <= 0 {
			continue
		}
		l.hub, l.lat, l.lon = append(l.hub, k.hub), append(l.lat, h.lat), append(l.lon, h.lon)
		l.day, l.level, l.left = append(l.day, k.day), append(l.level, string(k.level)), append(l.left, int64(s.capacity-s.placed))
	}
	return &l
}

// seatsOf is the hub of every child-day now (0: none).
func (sim *whatIfSim) seatsOf() map[cdKey]int64 {
	out := make(map[cdKey]int64, len(sim.rows))
	for _, r := range sim.rows {
		out[cdKey{r.ChildID, r.Day.Format(time.DateOnly)}] = r.PlacedHub.Int64
	}
	return out
}

// figures counts the seats of the copy now.
func (sim *whatIfSim) figures() WhatIfFigures {
	var f WhatIfFigures
	hubsOf := map[int64]map[int64]bool{}
	noSeat := map[int64]bool{}
	for _, r := range sim.rows {
		f.ChildDaysRequested++
		if !r.PlacedHub.Valid {
			f.ChildDaysNoSeat++
			noSeat[r.ChildID] = true
			continue
		}
		f.ChildDaysPlaced++
		h := sim.hubs[r.PlacedHub.Int64]
		f.DistanceKm += geo.DistanceKm(geo.Point{Lat: r.Lat, Lon: r.Lon}, geo.Point{Lat: h.lat, Lon: h.lon})
		if hubsOf[r.ChildID] == nil {
			hubsOf[r.ChildID] = map[int64]bool{}
		}
		hubsOf[r.ChildID][r.PlacedHub.Int64] = true
	}
	for _, hs := range hubsOf {
		if len(hs) > 1 {
			f.ChildrenMultiHub++
		}
	}
	f.ChildrenNoSeat = len(noSeat)
	return f
}

// moves groups the child-days whose seat changed since before by hubs of origin and destination.
func (sim *whatIfSim) moves(ctx context.Context, tx *Store, before map[cdKey]int64) ([]WhatIfMove, []WhatIfSeat, error) {
	type pair struct{ from, to int64 }
	children := map[pair]map[int64]bool{}
	childDays := map[pair]int{}
	var ids []int64
	var seats []WhatIfSeat
	for _, r := range sim.rows {
		k := pair{before[cdKey{r.ChildID, r.Day.Format(time.DateOnly)}], r.PlacedHub.Int64}
		if k.from == k.to {
			continue
		}
		if children[k] == nil {
			children[k] = map[int64]bool{}
		}
		children[k][r.ChildID] = true
		childDays[k]++
		seats = append(seats, WhatIfSeat{ChildID: r.ChildID, Day: r.Day, From: k.from, To: k.to})
		ids = append(ids, k.from, k.to)
	}
	labels, err := tx.hubInfo(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	name := func(id int64) string {
		if n, ok := sim.newHubs[id]; ok {
			return n
		}
		return labels[id].Name
	}
	var out []WhatIfMove
	for k, cs := range children {
		out = append(out, WhatIfMove{From: k.from, To: k.to, FromName: name(k.from), ToName: name(k.to), Children: len(cs), ChildDays: childDays[k]})
	}
	slices.SortFunc(out, func(a, b WhatIfMove) int {
		return cmp.Or(cmp.Compare(b.Children, a.Children), cmp.Compare(b.ChildDays, a.ChildDays), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out, seats, nil
}

// changed is a copy of the problem file full with the seats of the copy after the changes: the
// hubs changed take their new seats (a new hub is added), and the confirmed seats that no longer
// fit a changed hub are given again.
func (sim *whatIfSim) changed(full alloc.Problem) alloc.Problem {
	out := full
	out.Hubs = nil
	changedHub := map[int64]bool{}
	for _, id := range sim.changeHub {
		changedHub[id] = true
	}
	for _, h := range full.Hubs {
		if !changedHub[h.ID] {
			out.Hubs = append(out.Hubs, h)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(changedHub)) {
		h := sim.hubs[id]
		if !h.open {
			continue
		}
		hub := alloc.Hub{ID: id, Name: sim.newHubs[id], Location: geo.Point{Lat: h.lat, Lon: h.lon}}
		for _, day := range sim.days {
			hd := alloc.HubDay{Day: alloc.DayOf(day), Seats: map[alloc.Level]int{}}
			for _, l := range Levels {
				if s := sim.seats[seatKey{id, day.Format(time.DateOnly), alloc.Level(l)}]; s != nil && s.capacity > 0 {
					hd.Seats[alloc.Level(l)] = s.capacity
				}
			}
			if len(hd.Seats) > 0 {
				hub.Days = append(hub.Days, hd)
			}
		}
		if len(hub.Days) > 0 {
			out.Hubs = append(out.Hubs, hub)
		}
	}
	level := map[int64]alloc.Level{}
	for _, r := range full.Requests {
		level[r.ChildID] = r.Level
	}
	fixed := map[seatKey]int{}
	out.Fixed = nil
	for _, f := range full.Fixed {
		k := seatKey{f.HubID, string(f.Day), level[f.ChildID]}
		if changedHub[f.HubID] {
			s := sim.seats[k]
			if !sim.hubs[f.HubID].open || s == nil || fixed[k] >= s.capacity {
				continue
			}
		}
		fixed[k]++
		out.Fixed = append(out.Fixed, f)
	}
	return out
}
