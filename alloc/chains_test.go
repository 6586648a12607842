package alloc

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/accueil-prioritaire/accueil/geo"
)

// search is one of the local searches, by name.
type search struct {
	name string
	run  func(*model, []int32)
}

var (
	byImprove   = search{"improve", (*model).improve}
	byChains    = search{"chains", (*model).chains}
	byReflow    = search{"reflow", func(m *model, hubOf []int32) { m.reflow(hubOf, true) }}
	byMoveWeeks = search{"moveWeeks", (*model).moveWeeks}
)

// onlyStepMoves places p's children as where says (child ID → hub ID on all its days), checks that
// the earlier searches move nobody, then that step keeps the rules and places them as want says.
func onlyStepMoves(t *testing.T, p Problem, where, want map[int64]int64, earlier []search, step search) {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	m := compile(&p)
	placed := placedAt(m, where)
	if vs := m.check(ptr(m.result(placed))); len(vs) > 0 {
		t.Fatalf("the starting placement breaks rules: %v", vs)
	}
	for _, s := range earlier {
		s.run(m, placed)
		if !slices.Equal(placed, placedAt(m, where)) {
			t.Fatalf("%s should find no move here: %+v", s.name, m.result(placed).Placements)
		}
	}
	step.run(m, placed)
	r := m.result(placed)
	if vs := m.check(&r); len(vs) > 0 {
		t.Errorf("%s broke rules: %v", step.name, vs)
	}
	if !slices.Equal(placed, placedAt(m, want)) {
		t.Errorf("%s should place the children as %v: %+v", step.name, want, r.Placements)
	}
}

// Hubs 10, 20, 30 and 40 stand 0, 2, 4 and 6.5 km east on a line, one seat each; the reach is
// 2.5 km. Child 1 (living at 2 km) is in hub 10, child 2 (at 3 km) in hub 20, child 3 (at 5 km) in
// hub 30. Only a chain makes room for child 1 in hub 20: child 2 to hub 30 (no loss), child 3 to
// hub 40 (0.5 km more), child 1 gaining 2 km. No single move or swap gains: improve finds nothing.
func TestChainsMoveThroughFullHubs(t *testing.T) {
	p := Problem{
		Params:   Params{MaxDistanceKm: 2.5},
		Hubs:     []Hub{hub(10, km(0, 0), 1), hub(20, km(0, 2), 1), hub(30, km(0, 4), 1), hub(40, km(0, 6.5), 1)},
		Requests: []Request{lone(1, km(0, 2)), lone(2, km(0, 3)), lone(3, km(0, 5))},
	}
	onlyStepMoves(t, p, map[int64]int64{1: 10, 2: 20, 3: 30}, map[int64]int64{1: 20, 2: 30, 3: 40},
		[]search{byImprove}, byChains)
}

// Hubs 10, 20 and 30 stand 1.6, 4 and 6.6 km east, two seats each; the reach is 2.5 km. Brothers 1
// and 2 (living at hub 20) are in hub 10, 2.4 km away; hub 20's seats are held by children 3 and 4,
// living at 4.8 km, who lose 1 km each in hub 30, which has room and is out of the brothers' reach.
// The group needs two seats where each move frees one: neither improve's swaps nor the chains of
// movers make room, the day's flow does.
func TestReflowMovesAGroupThroughFullHubs(t *testing.T) {
	p := Problem{
		Params:   Params{MaxDistanceKm: 2.5},
		Hubs:     []Hub{hub(10, km(0, 1.6), 2), hub(20, km(0, 4), 2), hub(30, km(0, 6.6), 2)},
		Requests: family(monday)(4, 4, 4.8, 4.8),
	}
	onlyStepMoves(t, p, map[int64]int64{1: 10, 2: 10, 3: 20, 4: 20}, map[int64]int64{1: 20, 2: 20, 3: 30, 4: 30},
		[]search{byImprove, byChains}, byReflow)
}

// family returns children 1 to 4 booked on days, living at the given kilometres east; 1 and 2 are
// brothers.
func family(days ...Day) func(at ...float64) []Request {
	return func(at ...float64) []Request {
		var reqs []Request
		for c, x := range at {
			q := lone(int64(c+1), km(0, x))
			q.Days = days
			if c == 1 {
				q.HouseholdID = 1
			}
			reqs = append(reqs, q)
		}
		return reqs
	}
}

// Hubs 10 and 20, 4 km apart, have two seats each. Brothers 1 and 2 live at hub 20 and are in hub
// 10; children 3 and 4 live 1 km from hub 10 and are in hub 20. The brothers' move needs the seats
// they leave: with them, the four swap hubs and save 12 km.
func TestReflowSwapsAGroupWithChildrenAlone(t *testing.T) {
	p := Problem{
		Params:   Params{MaxDistanceKm: 5},
		Hubs:     []Hub{hub(10, km(0, 0), 2), hub(20, km(0, 4), 2)},
		Requests: family(monday)(4, 4, 1, 1),
	}
	onlyStepMoves(t, p, map[int64]int64{1: 10, 2: 10, 3: 20, 4: 20}, map[int64]int64{1: 20, 2: 20, 3: 10, 4: 10},
		[]search{byImprove, byChains}, byReflow)
}

// Hubs 10, 20 and 30 stand 1.6, 4 and 6.6 km east, one seat each on Monday and Tuesday; the reach
// is 2.5 km. Child 1 (both days, living at hub 20) is in hub 10 all week; hub 20 holds child 2 on
// Monday and child 3 on Tuesday, who live at 4.8 km and lose 1 km each in hub 30. Day by day, child
// 1's move would cost a hub change; only its whole week moves, and improve's whole movers find no
// room on both days.
func TestMoveWeeksMovesAChildsWeekThroughFullHubs(t *testing.T) {
	one, two, three := lone(1, km(0, 4)), lone(2, km(0, 4.8)), lone(3, km(0, 4.8))
	one.Days, three.Days = []Day{monday, tuesday}, []Day{tuesday}
	p := Problem{
		Params: Params{MaxDistanceKm: 2.5},
		Hubs: []Hub{hub(10, km(0, 1.6), 1, monday, tuesday), hub(20, km(0, 4), 1, monday, tuesday),
			hub(30, km(0, 6.6), 1, monday, tuesday)},
		Requests: []Request{one, two, three},
	}
	onlyStepMoves(t, p, map[int64]int64{1: 10, 2: 20, 3: 20}, map[int64]int64{1: 20, 2: 30, 3: 30},
		[]search{byImprove, byChains, byReflow}, byMoveWeeks)
}

// TestReflowMovesAGroupThroughFullHubs on Monday and Tuesday: the brothers' week moves as a whole,
// which no day alone would do (a hub change each), and neither improve nor chains can.
func TestMoveWeeksMovesSiblingsThroughFullHubs(t *testing.T) {
	p := Problem{
		Params: Params{MaxDistanceKm: 2.5},
		Hubs: []Hub{hub(10, km(0, 1.6), 2, monday, tuesday), hub(20, km(0, 4), 2, monday, tuesday),
			hub(30, km(0, 6.6), 2, monday, tuesday)},
		Requests: family(monday, tuesday)(4, 4, 4.8, 4.8),
	}
	onlyStepMoves(t, p, map[int64]int64{1: 10, 2: 10, 3: 20, 4: 20}, map[int64]int64{1: 20, 2: 20, 3: 30, 4: 30},
		[]search{byImprove, byChains, byReflow}, byMoveWeeks)
}

// On random one-day problems of children alone, every one placed, reflow turns any placement of
// them into one of least distance: the exact optimum found by trying every assignment.
func TestReflowReachesTheExactOptimum(t *testing.T) {
	ctx := context.Background()
	n, improvedFrom := 0, 0
	for i := range 400 {
		rng := rand.New(rand.NewPCG(uint64(i), 41))
		base := geo.Point{Lat: 47.24, Lon: 6.02}
		near := func() geo.Point {
			return geo.Point{Lat: base.Lat + (rng.Float64()-0.5)*8/111.2, Lon: base.Lon + (rng.Float64()-0.5)*8/75.5}
		}
		p := Problem{Params: Params{MaxDistanceKm: 5}}
		for h := range 2 + rng.IntN(3) {
			p.Hubs = append(p.Hubs, hub(int64(10+h), near(), 1+rng.IntN(2)))
		}
		for c := range int64(2 + rng.IntN(6)) {
			q := lone(c+1, near())
			q.AllowSplit = true
			p.Requests = append(p.Requests, q)
		}
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		m := compile(&p)
		// A placement of everyone, far from the best: each child pulled to a hub drawn at random.
		homes := make([]int32, len(m.children))
		for ci := range homes {
			homes[ci] = int32(rng.IntN(len(m.hubIDs)))
		}
		placed, err := m.placeAll(ctx, homes, 50_000)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(placed, -1) {
			continue
		}
		seats := make([]int32, len(m.hubIDs))
		for h := range seats {
			seats[h] = m.seats[m.slot(0, int32(h), int8(Elementaire.index()))]
		}
		var kids [][]cand
		for _, cd := range m.cds {
			kids = append(kids, m.reqs[cd.req].cands)
		}
		best, ok := bruteAssignment(seats, kids)
		if !ok {
			t.Fatalf("instance %d: the placement placed everyone, the enumeration finds no way", i)
		}
		n++
		start := m.score(placed).distM
		m.reflow(placed, false)
		checkSamePlaced(t, i, m, slices.Repeat([]int32{0}, len(placed)), placed)
		if got := m.score(placed).distM; got != best {
			t.Errorf("instance %d: %d m after reflow, optimum %d m (start %d m)", i, got, best, start)
		}
		if start > best {
			improvedFrom++
		}
	}
	if n < 150 || improvedFrom < 50 {
		t.Errorf("%d instances enumerated, %d starting above the optimum: too few to test anything", n, improvedFrom)
	}
	t.Logf("%d instances enumerated, %d started above the optimum", n, improvedFrom)
}

// On random crowded weeks, each step of polish (reflow with and without group moves, moveWeeks,
// chains, recreate) never breaks a rule, places the same child-days, keeps together the siblings
// kept together, and never raises the weekly objective; together they lower it on some, and
// recreate, after the others, on some too.
func TestPolishKeepsTheRulesOnRandomProblems(t *testing.T) {
	ctx := context.Background()
	gained, recreated := 0, 0
	for i := range 300 {
		rng := rand.New(rand.NewPCG(uint64(i), 37))
		p := randomProblem(rng)
		m := compile(&p)
		hubOf := firstPass(ctx, t, m)
		m.improve(hubOf)
		m.relocate(hubOf)
		m.improve(hubOf)
		start := m.objectiveM(hubOf)
		steps := []struct {
			name string
			run  func([]int32)
		}{
			{"reflow with groups", func(h []int32) { m.reflow(h, true) }},
			{"moveWeeks", m.moveWeeks},
			{"reflow", func(h []int32) { m.reflow(h, false) }},
			{"chains", m.chains},
			{"recreate", m.recreate},
		}
		for _, st := range steps {
			before := slices.Clone(hubOf)
			st.run(hubOf)
			checkSamePlaced(t, i, m, before, hubOf)
			for _, us := range m.units {
				for ui := range us {
					if m.keptTogether(&us[ui], before) && !m.keptTogether(&us[ui], hubOf) {
						t.Errorf("instance %d: %s split siblings kept together", i, st.name)
					}
				}
			}
			a, b := m.objectiveM(hubOf), m.objectiveM(before)
			if a > b {
				t.Errorf("instance %d: %s: objective %d m, %d m before", i, st.name, a, b)
			}
			if a < b && st.name == "recreate" {
				recreated++
			}
		}
		if m.objectiveM(hubOf) < start {
			gained++
		}
	}
	if gained < 10 {
		t.Errorf("polish lowered the objective on %d instances of 300", gained)
	}
	if recreated < 5 {
		t.Errorf("recreate lowered the objective on %d instances of 300", recreated)
	}
	t.Logf("polish lowered the objective on %d instances of 300, recreate after the other steps on %d", gained, recreated)
}
