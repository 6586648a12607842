package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/geo"
	"github.com/lib/pq"
)

// The levers' view of a what-if (see whatif.go): the state of the days in memory, changed as
// the levers would change it, day by day, with the same evictions and the same runs.

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
