package alloc

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/geo"
)

// randomProblem draws a small, crowded problem: few hubs over a few kilometres, scarce seats, many
// siblings of mixed levels, households that allow a split and households that chose all-or-none,
// ties in request times, mixed tiers within households, children booked in two requests from two
// places, fixed placements (some of them for one sibling only), closed days.
func randomProblem(rng *rand.Rand) Problem {
	base := geo.Point{Lat: 47.24, Lon: 6.02}
	spread := 2 + rng.Float64()*10 // km
	near := func() geo.Point {
		return geo.Point{
			Lat: base.Lat + (rng.Float64()-0.5)*spread/111.2,
			Lon: base.Lon + (rng.Float64()-0.5)*spread/75.5,
		}
	}
	days := []Day{"2021-04-12", "2021-04-13", "2021-04-14"}[:1+rng.IntN(3)]
	p := Problem{Params: Params{
		MaxDistanceKm: []float64{1.5, 3, 5, 20}[rng.IntN(4)],
		HubChangeKm:   []float64{0, 0.5, 5}[rng.IntN(3)],
		Passes:        1 + rng.IntN(3),
		Seed:          rng.Uint64() >> 11,
	}}
	for h := range 2 + rng.IntN(8) {
		hub := Hub{ID: int64(100 + h), Location: near()}
		var levels []Level
		for _, l := range Levels() {
			if rng.IntN(3) > 0 {
				levels = append(levels, l)
			}
		}
		for _, d := range days {
			if rng.IntN(8) == 0 {
				continue // closed that day
			}
			seats := map[Level]int{}
			for _, l := range levels {
				seats[l] = rng.IntN(4)
			}
			hub.Days = append(hub.Days, HubDay{Day: d, Seats: seats})
		}
		p.Hubs = append(p.Hubs, hub)
	}
	t0 := time.Date(2021, 4, 10, 8, 0, 0, 0, time.UTC)
	child := int64(1)
	for hh := int64(1); child <= int64(8+rng.IntN(40)); hh++ {
		home := near()
		split := rng.IntN(4) == 0
		allOrNone := !split && rng.IntN(5) == 0
		tier := 1 + rng.IntN(3)
		for range 1 + rng.IntN(3) {
			q := Request{
				ChildID: child, HouseholdID: hh, Level: Levels()[rng.IntN(numLevels)],
				Location: home, Tier: tier, AllowSplit: split, AllOrNone: allOrNone,
				RequestedAt: t0.Add(time.Duration(rng.IntN(4)) * time.Hour), // many ties
			}
			if rng.IntN(5) == 0 {
				q.Tier = 1 + rng.IntN(3)
			}
			for _, d := range days {
				if rng.IntN(4) > 0 {
					q.Days = append(q.Days, d)
				}
			}
			if len(q.Days) == 0 {
				q.Days = days[:1]
			}
			if len(q.Days) > 1 && rng.IntN(4) == 0 {
				// The last day booked later, from elsewhere.
				later := q
				later.Days = q.Days[len(q.Days)-1:]
				later.Location = near()
				later.RequestedAt = q.RequestedAt.Add(time.Hour)
				q.Days = q.Days[:len(q.Days)-1]
				p.Requests = append(p.Requests, later)
			}
			p.Requests = append(p.Requests, q)
			child++
		}
	}
	// Fixed placements: a few child-days in any hub hosting the level, within the seats.
	used := map[[3]any]int{}
	for _, q := range p.Requests {
		for _, d := range q.Days {
			if rng.IntN(6) != 0 {
				continue
			}
			h := p.Hubs[rng.IntN(len(p.Hubs))]
			k := [3]any{h.ID, d, q.Level}
			if used[k] < seatsOn(h, d, q.Level) {
				used[k]++
				p.Fixed = append(p.Fixed, FixedPlacement{ChildID: q.ChildID, Day: d, HubID: h.ID})
			}
		}
	}
	return p
}

// shuffled returns p with every list in another order.
func shuffled(p Problem, rng *rand.Rand) Problem {
	var q Problem
	data, _ := json.Marshal(p) // a deep copy
	_ = json.Unmarshal(data, &q)
	rng.Shuffle(len(q.Hubs), func(i, j int) { q.Hubs[i], q.Hubs[j] = q.Hubs[j], q.Hubs[i] })
	for _, h := range q.Hubs {
		rng.Shuffle(len(h.Days), func(i, j int) { h.Days[i], h.Days[j] = h.Days[j], h.Days[i] })
	}
	rng.Shuffle(len(q.Requests), func(i, j int) { q.Requests[i], q.Requests[j] = q.Requests[j], q.Requests[i] })
	for _, r := range q.Requests {
		rng.Shuffle(len(r.Days), func(i, j int) { r.Days[i], r.Days[j] = r.Days[j], r.Days[i] })
	}
	rng.Shuffle(len(q.Fixed), func(i, j int) { q.Fixed[i], q.Fixed[j] = q.Fixed[j], q.Fixed[i] })
	return q
}

// sameOutcome compares two results, ignoring the run time.
func sameOutcome(a, b Result) bool {
	a.Report.DurationMS, b.Report.DurationMS = 0, 0
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestPropertiesOnRandomProblems(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 60
	}
	ctx := context.Background()
	for i := range n {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		p := randomProblem(rng)
		if err := p.Validate(); err != nil {
			t.Fatalf("instance %d: generated an invalid problem: %v", i, err)
		}
		r, err := Solve(ctx, p)
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		for _, v := range independentCheck(p, r) {
			t.Errorf("instance %d: %s", i, v)
		}
		vs, err := Check(p, r)
		if err != nil || len(vs) > 0 {
			t.Errorf("instance %d: Check: %v %v", i, err, vs)
		}
		if r.Report.PriorityInversions != 0 || r.Report.Violations != 0 {
			t.Errorf("instance %d: report %+v", i, r.Report)
		}
		// Nobody waits with a free seat in reach, unless their family chose all-or-none.
		if r.Report.WaitingWithFreeSeat != r.Report.WaitingWithFreeSeatAllOrNone {
			t.Errorf("instance %d: %d child-days wait with a free seat in reach, %d of all-or-none families",
				i, r.Report.WaitingWithFreeSeat, r.Report.WaitingWithFreeSeatAllOrNone)
		}
		if max := maxPlaceableByMatching(p); r.Report.ChildDaysPlaced > r.Report.ChildDaysPlaceableMax ||
			(max >= 0 && r.Report.ChildDaysPlaceableMax != max) {
			t.Errorf("instance %d: %d placed, at most %d placeable by the report, %d by matching",
				i, r.Report.ChildDaysPlaced, r.Report.ChildDaysPlaceableMax, max)
		}
		if r.Report.TotalDistanceKm < r.Report.LowerBoundKm {
			t.Errorf("instance %d: total %.3f km below the lower bound %.3f km", i, r.Report.TotalDistanceKm, r.Report.LowerBoundKm)
		}
		again, _ := Solve(ctx, p)
		if !sameOutcome(r, again) {
			t.Errorf("instance %d: two runs with the same seed differ", i)
		}
		if other, _ := Solve(ctx, shuffled(p, rng)); !sameOutcome(r, other) {
			t.Errorf("instance %d: the order of the input changed the result", i)
		}
		if t.Failed() {
			data, _ := json.Marshal(p)
			t.Fatalf("instance %d: %s", i, data)
		}
	}
}

// With every household allowing splits and no same-hub weight, each day is an exact min-cost
// assignment of the placed child-days, so the distance must equal the lower bound (up to the metre
// rounding of each placement).
func TestDistanceIsOptimalWithoutSiblingsOrSameHub(t *testing.T) {
	ctx := context.Background()
	for i := range 100 {
		rng := rand.New(rand.NewPCG(uint64(i), 11))
		p := randomProblem(rng)
		for j := range p.Requests {
			p.Requests[j].AllowSplit, p.Requests[j].AllOrNone = true, false
		}
		p.Params.HubChangeKm = 1e-6 // as good as none
		p.Params.Passes = 1
		r, err := Solve(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		new := r.Report.ChildDaysPlaced - r.Report.ChildDaysFixed
		if slack := 0.001 * float64(new); r.Report.TotalDistanceKm-r.Report.LowerBoundKm > slack+1e-9 {
			t.Errorf("instance %d: total %.3f km, optimum %.3f km", i, r.Report.TotalDistanceKm, r.Report.LowerBoundKm)
		}
	}
}

// The generated académie week (a larger, realistic instance) obeys every rule too.
func TestAcademieWeekObeysTheRules(t *testing.T) {
	if testing.Short() {
		t.Skip("large instance")
	}
	s, err := AcademieScenario(3)
	if err != nil {
		t.Fatal(err)
	}
	s.Children, s.Hubs = 1200, 140 // the independent checker is quadratic
	p, err := Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if bad := independentCheck(p, r); len(bad) > 0 {
		t.Fatalf("%d violations, first: %s", len(bad), bad[0])
	}
	if r.Report.ChildDaysWaitlist == 0 || !slices.ContainsFunc(r.Placements, func(p Placement) bool { return p.Fixed }) {
		t.Fatalf("the instance should be crowded and have fixed placements: %+v", r.Report)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	s, err := AcademieScenario(9)
	if err != nil {
		t.Fatal(err)
	}
	s.Children, s.Hubs = 300, 30
	a, _ := Generate(s)
	b, _ := Generate(s)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("the same scenario gave two problems")
	}
	if err := a.Validate(); err != nil {
		t.Error(err)
	}
	if len(a.Requests) != 300 || len(a.Hubs) != 30 || len(a.Fixed) == 0 {
		t.Errorf("%d requests, %d hubs, %d fixed", len(a.Requests), len(a.Hubs), len(a.Fixed))
	}
}

// maxPlaceableByMatching counts, from first principles, the most child-days any placement could
// place when no household chose all-or-none (else it returns -1): the fixed ones, plus a maximum
// matching (Kuhn's augmenting paths) of the others to the seats left, per day and level.
func maxPlaceableByMatching(p Problem) int {
	maxKm := p.Params.withDefaults().MaxDistanceKm
	fixed := map[[2]any]int64{}
	for _, f := range p.Fixed {
		fixed[[2]any{f.ChildID, f.Day}] = f.HubID
	}
	type seat struct {
		hub   int64
		day   Day
		level Level
	}
	left := map[seat]int{}
	for _, h := range p.Hubs {
		for _, hd := range h.Days {
			for l, n := range hd.Seats {
				left[seat{h.ID, hd.Day, l}] = n
			}
		}
	}
	for _, f := range p.Fixed {
		for _, q := range p.Requests {
			if q.ChildID == f.ChildID {
				left[seat{f.HubID, f.Day, q.Level}]--
				break
			}
		}
	}
	// Seats one by one, and for each open child-day the seats it may take.
	var seats []seat
	for s, n := range left {
		for range n {
			seats = append(seats, s)
		}
	}
	total := len(p.Fixed)
	var edges [][]int
	for _, q := range p.Requests {
		if q.AllOrNone {
			return -1
		}
		for _, d := range q.Days {
			if _, ok := fixed[[2]any{q.ChildID, d}]; ok {
				continue
			}
			var e []int
			for i, s := range seats {
				if s.day != d || s.level != q.Level {
					continue
				}
				for _, h := range p.Hubs {
					if h.ID == s.hub && geo.DistanceKm(q.Location, h.Location) <= maxKm {
						e = append(e, i)
					}
				}
			}
			edges = append(edges, e)
		}
	}
	holder := make([]int, len(seats))
	for i := range holder {
		holder[i] = -1
	}
	var try func(v int, seen []bool) bool
	try = func(v int, seen []bool) bool {
		for _, s := range edges[v] {
			if seen[s] {
				continue
			}
			seen[s] = true
			if holder[s] < 0 || try(holder[s], seen) {
				holder[s] = v
				return true
			}
		}
		return false
	}
	for v := range edges {
		if try(v, make([]bool, len(seats))) {
			total++
		}
	}
	return total
}

// When every household allows a split, each day and level is a matching placed by augmenting
// paths, so the placement reaches the maximum the report gives.
func TestEveryonePlaceableIsPlacedWhenSplitsAreAllowed(t *testing.T) {
	ctx := context.Background()
	for i := range 100 {
		rng := rand.New(rand.NewPCG(uint64(i), 13))
		p := randomProblem(rng)
		for j := range p.Requests {
			p.Requests[j].AllowSplit, p.Requests[j].AllOrNone = true, false
		}
		r, err := Solve(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if r.Report.ChildDaysPlaced != r.Report.ChildDaysPlaceableMax || r.Report.WaitingWithFreeSeat != 0 {
			t.Errorf("instance %d: %d placed of %d placeable, %d waiting with a free seat", i,
				r.Report.ChildDaysPlaced, r.Report.ChildDaysPlaceableMax, r.Report.WaitingWithFreeSeat)
		}
	}
}
