package alloc

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/accueil-prioritaire/accueil/geo"
)

// kmNorth is the point km kilometres north of p.
func kmNorth(p geo.Point, km float64) geo.Point {
	return geo.Point{Lat: p.Lat + km/(6371.0088*math.Pi/180), Lon: p.Lon} // the haversine radius of geo
}

// A household of a maternelle and an élémentaire child 1 km from hub A and 5 km from hub B, and a
// child alone at A, 6 km from B; each hub has one seat of each level. Siblings apart, the old
// bound (maternelle at A, élémentaire at B, the child alone at A) is 6 km; kept together, the
// best is 8 km (the household at A, the child alone at B), and the linear relaxation is 8 km too.
func TestSiblingBoundKeepsSiblingsTogether(t *testing.T) {
	a := geo.Point{Lat: 47.2, Lon: 6}
	day := Day("2021-04-12")
	seats := map[Level]int{Maternelle: 1, Elementaire: 1}
	p := Problem{
		Hubs: []Hub{
			{ID: 1, Location: a, Days: []HubDay{{Day: day, Seats: seats}}},
			{ID: 2, Location: kmNorth(a, 6), Days: []HubDay{{Day: day, Seats: seats}}},
		},
		Requests: []Request{
			{ChildID: 1, HouseholdID: 1, Level: Elementaire, Days: []Day{day}, Location: a, Tier: 1},
			{ChildID: 2, HouseholdID: 2, Level: Maternelle, Days: []Day{day}, Location: kmNorth(a, 1), Tier: 2},
			{ChildID: 3, HouseholdID: 2, Level: Elementaire, Days: []Day{day}, Location: kmNorth(a, 1), Tier: 2},
		},
	}
	r, err := Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	rep := r.Report
	if rep.ChildDaysPlaced != 3 {
		t.Fatalf("%d child-days placed, want 3", rep.ChildDaysPlaced)
	}
	near := func(got, want float64) bool { return math.Abs(got-want) < 0.005 } // metres rounded down
	if !near(rep.LowerBoundKm, 6) || !near(rep.SiblingBoundKm, 8) {
		t.Errorf("bounds: relaxed %.3f km (want 6), siblings together %.3f km (want 8)", rep.LowerBoundKm, rep.SiblingBoundKm)
	}
	if !near(rep.WithoutSiblingsKm, 6) || !near(rep.SiblingsCostKm, 2) {
		t.Errorf("without siblings %.3f km (want 6), cost of siblings %.3f km (want 2)", rep.WithoutSiblingsKm, rep.SiblingsCostKm)
	}
	if rep.TotalDistanceKm < rep.SiblingBoundKm-1e-9 {
		t.Errorf("total %.3f km below the bound %.3f km", rep.TotalDistanceKm, rep.SiblingBoundKm)
	}
	if want := gapPercent(rep.TotalDistanceKm, rep.SiblingBoundKm); rep.SiblingGapPercent != want {
		t.Errorf("sibling gap %v %%, want %v %%", rep.SiblingGapPercent, want)
	}

	// Without the figures, the same placement, and every bound and figure left at 0.
	p.Params.NoFigures = true
	quick, err := Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	q := quick.Report
	if !slices.Equal(quick.Placements, r.Placements) || q.LowerBoundKm != 0 || q.GapPercent != 0 || q.WeekBoundKm != 0 || q.WeekGapPercent != 0 ||
		q.SiblingBoundKm != 0 || q.SiblingGapPercent != 0 || q.WithoutSiblingsKm != 0 || q.PerDayDistanceKm != 0 || q.OneHubWeekKm != 0 {
		t.Errorf("no_figures: %+v", q)
	}
}

// A child booked on two days; hub A, 1 km away, opens on the first day only, hub B, 3 km away, on
// both. Day by day the child would go to A then B (4 km, two hubs); one hub all week is B twice
// (6 km): one hub all week costs 2 km.
func TestReportCostOfOneHubAllWeek(t *testing.T) {
	home := geo.Point{Lat: 47.2, Lon: 6}
	mon, tue := Day("2021-04-12"), Day("2021-04-13")
	seats := map[Level]int{Elementaire: 1}
	p := Problem{
		Hubs: []Hub{
			{ID: 1, Location: kmNorth(home, 1), Days: []HubDay{{Day: mon, Seats: seats}}},
			{ID: 2, Location: kmNorth(home, -3), Days: []HubDay{{Day: mon, Seats: seats}, {Day: tue, Seats: seats}}},
		},
		Requests: []Request{{ChildID: 1, HouseholdID: 1, Level: Elementaire, Days: []Day{mon, tue}, Location: home, Tier: 1}},
	}
	r, err := Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	rep := r.Report
	if rep.ChildrenMultiHub != 0 || rep.PerDayChildrenMultiHub != 1 || rep.PerDayChildDaysPlaced != 2 {
		t.Errorf("children with two hubs: %d in the run, %d day by day (want 0 and 1); %d placed day by day",
			rep.ChildrenMultiHub, rep.PerDayChildrenMultiHub, rep.PerDayChildDaysPlaced)
	}
	near := func(got, want float64) bool { return math.Abs(got-want) < 0.005 } // metres rounded down
	if !near(rep.TotalDistanceKm, 6) || !near(rep.PerDayDistanceKm, 4) || !near(rep.OneHubWeekKm, 2) {
		t.Errorf("total %.3f km (want 6), day by day %.3f km (want 4), one hub all week %.3f km (want 2)",
			rep.TotalDistanceKm, rep.PerDayDistanceKm, rep.OneHubWeekKm)
	}
}

// On small crowded problems, the bound is at most the exact optimum of each day under the rules of
// the day (found by enumeration), which is at most the run's own distance; the bound is never below
// the relaxed one.
func TestSiblingBoundAgainstExactOptimum(t *testing.T) {
	ctx := context.Background()
	tighter, exactHits := 0, 0
	for i := range 300 {
		rng := rand.New(rand.NewPCG(uint64(i), 15))
		p := smallFamiliesProblem(rng)
		r, err := Solve(ctx, p)
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		rep := r.Report
		exact := exactDayOptima(t, p, r)
		placed := float64(rep.ChildDaysPlaced - rep.ChildDaysFixed)
		switch {
		case rep.SiblingBoundKm > exact+1e-9:
			t.Errorf("instance %d: bound %.4f km above the exact optimum %.4f km", i, rep.SiblingBoundKm, exact)
		case exact > rep.TotalDistanceKm+0.0005*placed+1e-9: // placements are rounded to the metre
			t.Errorf("instance %d: exact optimum %.4f km above the run's %.4f km", i, exact, rep.TotalDistanceKm)
		case rep.SiblingBoundKm < rep.LowerBoundKm || rep.WithoutSiblingsKm > rep.LowerBoundKm:
			t.Errorf("instance %d: without siblings %.4f ≤ relaxed %.4f ≤ together %.4f does not hold",
				i, rep.WithoutSiblingsKm, rep.LowerBoundKm, rep.SiblingBoundKm)
		}
		if rep.SiblingBoundKm > rep.LowerBoundKm+0.001 {
			tighter++
		}
		if exact-rep.SiblingBoundKm < 0.002*placed+0.002 {
			exactHits++
		}
	}
	// The bound must do better than the relaxed one where siblings matter, and reach the optimum
	// on most of these small days.
	if tighter < 5 || exactHits < 250 {
		t.Errorf("the bound beats the relaxed one on %d instances and meets the optimum on %d of 300", tighter, exactHits)
	}
	t.Logf("tighter than the relaxed bound on %d instances, equal to the optimum on %d of 300", tighter, exactHits)
}

// smallFamiliesProblem draws a problem small enough to solve each day by enumeration: 2 to 4 hubs,
// up to 6 households of 1 to 3 children, scarce seats, fixed placements now and then.
func smallFamiliesProblem(rng *rand.Rand) Problem {
	base := geo.Point{Lat: 47.24, Lon: 6.02}
	near := func() geo.Point {
		return geo.Point{Lat: base.Lat + (rng.Float64()-0.5)*6/111.2, Lon: base.Lon + (rng.Float64()-0.5)*6/75.5}
	}
	days := []Day{"2021-04-12", "2021-04-13"}[:1+rng.IntN(2)]
	p := Problem{Params: Params{MaxDistanceKm: []float64{3, 5, 20}[rng.IntN(3)], Seed: rng.Uint64() >> 11}}
	for h := range 2 + rng.IntN(3) {
		hub := Hub{ID: int64(10 + h), Location: near()}
		for _, d := range days {
			seats := map[Level]int{}
			for _, l := range Levels() {
				if rng.IntN(4) > 0 {
					seats[l] = rng.IntN(3)
				}
			}
			hub.Days = append(hub.Days, HubDay{Day: d, Seats: seats})
		}
		p.Hubs = append(p.Hubs, hub)
	}
	child := int64(1)
	for hh := range int64(2 + rng.IntN(5)) {
		home := near()
		rule := rng.IntN(5) // 0: split allowed, 1: all or none, else family groups
		for range 1 + rng.IntN(3) {
			q := Request{ChildID: child, HouseholdID: hh + 1, Level: Levels()[rng.IntN(numLevels)],
				Location: home, Tier: 1 + rng.IntN(2), AllowSplit: rule == 0, AllOrNone: rule == 1}
			for _, d := range days {
				if rng.IntN(3) > 0 {
					q.Days = append(q.Days, d)
				}
			}
			if len(q.Days) == 0 {
				q.Days = days[:1]
			}
			p.Requests = append(p.Requests, q)
			child++
		}
	}
	fixAtRandom(rng, &p, 8)
	return p
}

// fixAtRandom gives about one request in oneIn a fixed seat on its first day, in a random hub that
// still has one.
func fixAtRandom(rng *rand.Rand, p *Problem, oneIn int) {
	used := map[[3]any]int{}
	for _, q := range p.Requests {
		d := q.Days[0]
		if rng.IntN(oneIn) != 0 {
			continue
		}
		h := p.Hubs[rng.IntN(len(p.Hubs))]
		if k := [3]any{h.ID, d, q.Level}; used[k] < seatsOn(h, d, q.Level) {
			used[k]++
			p.Fixed = append(p.Fixed, FixedPlacement{ChildID: q.ChildID, Day: d, HubID: h.ID})
		}
	}
}

// exactDayOptima returns the sum over days of the least distance, in km, of the child-days r placed
// (not the fixed ones), each day on its own, keeping together the brothers and sisters r keeps
// together: each all-or-none unit (with the hub of its fixed siblings when there is one) and each
// family group that r placed whole in one hub go to one hub open to all their levels that day and
// within reach of every member; the other children go one by one; all within the seats left by
// fixed placements. It takes the units from the solver (which children form one, as dayUnits
// groups them), but reach, seats and distances from the problem itself, and enumerates every
// assignment.
func exactDayOptima(t *testing.T, p Problem, r Result) float64 {
	t.Helper()
	m := compile(&p)
	var total float64
	for di, d := range m.days {
		left := map[[2]any]int{} // hub, level → seats left by fixed placements
		for _, h := range p.Hubs {
			for _, l := range Levels() {
				left[[2]any{h.ID, l}] = seatsOn(h, d, l)
			}
		}
		for _, f := range p.Fixed {
			if f.Day == d {
				left[[2]any{f.HubID, levelOfChild(p, f.ChildID)}]--
			}
		}
		var units [][]hubOption
		var needs []map[Level]int
		for _, u := range keptUnits(t, p, m, r, di) {
			units = append(units, u.opts)
			needs = append(needs, u.need)
		}
		best := math.Inf(1)
		var try func(i int, cost float64)
		try = func(i int, cost float64) {
			if cost >= best {
				return
			}
			if i == len(units) {
				best = cost
				return
			}
			for _, o := range units[i] {
				fits := true
				for l, n := range needs[i] {
					fits = fits && left[[2]any{o.hub, l}] >= n
				}
				if !fits {
					continue
				}
				for l, n := range needs[i] {
					left[[2]any{o.hub, l}] -= n
				}
				try(i+1, cost+o.cost)
				for l, n := range needs[i] {
					left[[2]any{o.hub, l}] += n
				}
			}
		}
		try(0, 0)
		if math.IsInf(best, 1) {
			t.Fatalf("day %s: the run's placement is not among the enumerated ones", d)
		}
		total += best
	}
	return total
}

// enumUnit is what exactDayOptima and exactWeekOptimum place as one on a day: its children, the
// seats it needs by level and the hubs it could take, with the sum of its members' distances.
type enumUnit struct {
	children []int64
	need     map[Level]int
	opts     []hubOption
}

type hubOption struct {
	hub  int64
	cost float64
}

// keptUnits lists the units of day di for the exact optima: each all-or-none unit (restricted to
// the hubs of its fixed siblings), each family group r placed whole in one hub, and each other
// placed child alone, with the hubs open to all their levels that day within reach of every
// member. Reach, seats and distances come from the problem itself, only the grouping from m.
func keptUnits(t *testing.T, p Problem, m *model, r Result, di int) []enumUnit {
	t.Helper()
	d := m.days[di]
	placedAt := map[[2]any]int64{}
	for _, pl := range r.Placements {
		placedAt[[2]any{pl.ChildID, pl.Day}] = pl.HubID
	}
	locationOf := func(child int64) geo.Point {
		for _, q := range p.Requests {
			if q.ChildID == child && slices.Contains(q.Days, d) {
				return q.Location
			}
		}
		t.Fatalf("child %d did not ask for %s", child, d)
		return geo.Point{}
	}
	var units []enumUnit
	add := func(members []int32, allowed []int32) {
		u := enumUnit{need: map[Level]int{}}
		for _, h := range p.Hubs {
			if allowed != nil && !slices.Contains(allowed, m.hubIdx[h.ID]) {
				continue
			}
			cost, ok := 0.0, true
			for _, cd := range members {
				c := m.children[m.cds[cd].child]
				km := geo.DistanceKm(locationOf(c.id), h.Location)
				ok = ok && seatsOn(h, d, levelAt(int(c.level))) > 0 && km <= p.Params.withDefaults().MaxDistanceKm
				cost += km
			}
			if ok {
				u.opts = append(u.opts, hubOption{h.ID, cost})
			}
		}
		for _, cd := range members {
			c := m.children[m.cds[cd].child]
			u.need[levelAt(int(c.level))]++
			u.children = append(u.children, c.id)
		}
		units = append(units, u)
	}
	for _, u := range m.units[di] {
		var placed []int32
		hubs := map[int64]bool{}
		for _, cd := range u.members {
			if h, ok := placedAt[[2]any{m.children[m.cds[cd].child].id, d}]; ok {
				placed = append(placed, cd)
				hubs[h] = true
			}
		}
		switch {
		case len(placed) == 0:
		case u.strict:
			add(placed, u.allowed)
		case len(placed) == len(u.members) && len(placed) > 1 && len(hubs) == 1:
			add(placed, nil)
		default:
			for _, cd := range placed {
				add([]int32{cd}, nil)
			}
		}
	}
	return units
}

func levelOfChild(p Problem, child int64) Level {
	for _, q := range p.Requests {
		if q.ChildID == child {
			return q.Level
		}
	}
	return ""
}

// TestAcademieWeekBoundFigures checks the report's bounds and costs against each other on a
// generated académie week, and logs the gap of the objective to the week bound.
func TestAcademieWeekBoundFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("large instance")
	}
	p := generatedAcademie(t, 1)
	r, err := Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	rep := r.Report
	if !(rep.WithoutSiblingsKm <= rep.LowerBoundKm && rep.LowerBoundKm < rep.SiblingBoundKm && rep.SiblingBoundKm < rep.TotalDistanceKm) {
		t.Fatalf("want without siblings ≤ relaxed < together < total: %.3f, %.3f, %.3f, %.3f km",
			rep.WithoutSiblingsKm, rep.LowerBoundKm, rep.SiblingBoundKm, rep.TotalDistanceKm)
	}
	if math.Abs(rep.OneHubWeekKm-(rep.TotalDistanceKm-rep.PerDayDistanceKm)) > 0.002 || rep.PerDayChildrenMultiHub <= rep.ChildrenMultiHub {
		t.Fatalf("one hub all week: %.3f km, per day %.3f km, %d children with two hubs per day, %d in the run",
			rep.OneHubWeekKm, rep.PerDayDistanceKm, rep.PerDayChildrenMultiHub, rep.ChildrenMultiHub)
	}
	// The week bound holds for the objective, distance and hub changes, and sees the hub changes
	// the sibling bound ignores.
	if math.Abs(rep.ObjectiveKm-(rep.TotalDistanceKm+rep.HubChangeCostKm)) > 0.002 ||
		!(rep.SiblingBoundKm < rep.WeekBoundKm && rep.WeekBoundKm < rep.ObjectiveKm) {
		t.Fatalf("want sibling bound < week bound < objective = distance + hub changes: %.3f, %.3f, %.3f = %.3f + %.3f km",
			rep.SiblingBoundKm, rep.WeekBoundKm, rep.ObjectiveKm, rep.TotalDistanceKm, rep.HubChangeCostKm)
	}
	// Issue 15's target, the objective within 1 % of the bound that keeps the real rules, is not
	// met (README, "Allocation"): the gap is logged for the reader, not asserted, so that the
	// figures above stay checked.
	if rep.WeekGapPercent > 1 {
		t.Logf("target not met: the objective %.0f km (distance %.0f km, hub changes %.0f km) is %.2f %% above the week bound %.0f km "+
			"(1 %% wanted); the distance alone is %.2f %% above the bound that ignores hub changes (%.0f km)",
			rep.ObjectiveKm, rep.TotalDistanceKm, rep.HubChangeCostKm, rep.WeekGapPercent, rep.WeekBoundKm,
			rep.SiblingGapPercent, rep.SiblingBoundKm)
	}
}

// BenchmarkSiblingBound times the bound alone (and the relaxed bound whose prices it starts from)
// on the run of a generated académie week.
func BenchmarkSiblingBound(b *testing.B) {
	s, err := AcademieScenario(1)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkSiblingBound(b, s)
}

func BenchmarkSiblingBoundNational(b *testing.B) { benchmarkSiblingBound(b, NationalScenario(1)) }

func benchmarkSiblingBound(b *testing.B, s Scenario) {
	p, err := Generate(s)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	m, hubOf := solvedModel(b, p)
	var bound int64
	for b.Loop() {
		prices := make([]float64, len(m.seats))
		relaxed, err := m.lowerBound(ctx, hubOf, keptTogether, boundOut{prices: prices})
		if err != nil {
			b.Fatal(err)
		}
		if bound, err = m.siblingBound(ctx, hubOf, relaxed, prices, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(bound)/1000, "bound-km")
}

// TestKeptBoundStartsFromTheRelaxation checks that keptBound takes as they are the days whose
// byRules optimum already keeps each family group's members among its common hubs, and solves the
// others again, giving the bounds of solving every day. A maternelle and an élémentaire child
// live 1.5 km from hub A, which hosts both levels, and 0.5 km from hub B, which hosts only
// élémentaire and is open on Monday alone. The run keeps them together at A; on Monday the byRules
// relaxation sends the élémentaire child to B, where the maternelle child cannot go.
func TestKeptBoundStartsFromTheRelaxation(t *testing.T) {
	a := geo.Point{Lat: 47.2, Lon: 6}
	mon, tue := Day("2021-04-12"), Day("2021-04-13")
	both := map[Level]int{Maternelle: 1, Elementaire: 1}
	p := Problem{
		Hubs: []Hub{
			{ID: 1, Location: a, Days: []HubDay{{Day: mon, Seats: both}, {Day: tue, Seats: both}}},
			{ID: 2, Location: kmNorth(a, 2), Days: []HubDay{{Day: mon, Seats: map[Level]int{Elementaire: 1}}}},
		},
		Requests: []Request{
			{ChildID: 1, HouseholdID: 1, Level: Maternelle, Days: []Day{mon, tue}, Location: kmNorth(a, 1.5), Tier: 1},
			{ChildID: 2, HouseholdID: 1, Level: Elementaire, Days: []Day{mon, tue}, Location: kmNorth(a, 1.5), Tier: 1},
		},
	}
	ctx := context.Background()
	m, hubOf := solvedModel(t, p)
	kept, err := m.lowerBound(ctx, hubOf, keptTogether, boundOut{})
	if err != nil {
		t.Fatal(err)
	}
	prices, at := make([]float64, len(m.seats)), make([]int32, len(m.cds))
	relaxed, err := m.lowerBound(ctx, hubOf, byRules, boundOut{prices: prices, at: at})
	if err != nil {
		t.Fatal(err)
	}
	var taken []bool
	for d := range m.days {
		taken = append(taken, m.keptWithinCommon(d, hubOf, at))
	}
	if !slices.Equal(taken, []bool{false, true}) {
		t.Fatalf("days taken from the relaxation: %v, want Monday solved again and Tuesday taken", taken)
	}
	if !(kept[0] > relaxed[0] && kept[1] == relaxed[1]) {
		t.Fatalf("kept-together bound %v against the relaxed %v: want Monday's higher, Tuesday's the same", kept, relaxed)
	}
	fast, err := m.keptBound(ctx, hubOf, prices, nil, at, relaxed)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fast, kept) {
		t.Fatalf("keptBound per day %v, want %v", fast, kept)
	}
}

// The seat prices of a network's potentials (potentialPrices) give a Lagrangian value never above
// the least cost of the kids it placed, and equal to it on almost every random network: far more
// often than seatPrices, which prices a full hub whose kids cannot move at the highest price met.
func TestPotentialPricesStartAtTheOptimum(t *testing.T) {
	value := func(seats []int32, kids [][]cand, price []float64) float64 {
		v := 0.0
		for _, cs := range kids {
			best := math.Inf(1)
			for _, c := range cs {
				if seats[c.hub] > 0 {
					best = min(best, float64(c.distM)+price[c.hub])
				}
			}
			v += best
		}
		for h, p := range price {
			v -= float64(seats[h]) * p
		}
		return v
	}
	networks, atPotentials, atSeatPrices := 0, 0, 0
	for i := range 5000 {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		seats, kids := randomNetwork(rng)
		n := newNetwork(slices.Clone(seats), 0)
		var in [][]cand
		for _, cs := range kids {
			if n.insert(n.addKid(cs, -1)) {
				in = append(in, cs)
			}
		}
		if len(in) == 0 {
			continue
		}
		networks++
		cost := float64(n.totalCost())
		pot, seat := value(seats, in, n.potentialPrices()), value(seats, in, n.seatPrices())
		if pot > cost || seat > cost {
			t.Fatalf("network %d: values %v (potentials) and %v (seat prices) above the least cost %v", i, pot, seat, cost)
		}
		if pot == cost {
			atPotentials++
		}
		if seat == cost {
			atSeatPrices++
		}
	}
	if atPotentials < networks*95/100 || atPotentials <= atSeatPrices {
		t.Errorf("of %d networks, the potentials' prices reach the least cost on %d, seatPrices on %d", networks, atPotentials, atSeatPrices)
	}
}
