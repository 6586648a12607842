package alloc

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// placedOn builds a pass's hubs by hand: where[child ID][day] is the hub ID (absent: waitlisted).
func placedOn(m *model, where map[int64]map[Day]int64) []int32 {
	hubOf := make([]int32, len(m.cds))
	for cd, c := range m.cds {
		hubOf[cd] = -1
		if id := where[m.children[c.child].id][m.days[c.day]]; id != 0 {
			hubOf[cd] = m.hubIdx[id]
		}
	}
	return hubOf
}

// objectiveM is the weekly objective of a pass, in metres (see objectiveMetres).
func (m *model) objectiveM(hubOf []int32) int64 { return m.objectiveMetres(hubOf) }

func relocated(t *testing.T, p Problem, where map[int64]map[Day]int64) (*model, []int32) {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	m := compile(&p)
	hubOf := placedOn(m, where)
	if vs := m.check(ptr(m.result(hubOf))); len(vs) > 0 {
		t.Fatalf("the starting placement breaks rules: %v", vs)
	}
	m.relocate(hubOf)
	if vs := m.check(ptr(m.result(hubOf))); len(vs) > 0 {
		t.Errorf("relocate broke rules: %v", vs)
	}
	return m, hubOf
}

// Child 1 (Monday and Tuesday) is at hub 10 on Monday and hub 20 on Tuesday, where hub 10 is full
// with child 2, who can reach no other hub; hub 20, 3 km away, has room on both days. Improve moves
// only children with one hub all week; relocate puts child 1 in hub 20 for the week (6 km instead
// of 3 km and a hub change).
func TestRelocateGivesAChildOneHubForTheWeek(t *testing.T) {
	one, two := lone(1, km(0, 0)), lone(2, km(-3, 0))
	one.Days, two.Days = []Day{monday, tuesday}, []Day{tuesday}
	p := Problem{
		Params:   Params{MaxDistanceKm: 3.5},
		Hubs:     []Hub{hub(10, km(0, 0), 1, monday, tuesday), hub(20, km(3, 0), 2, monday, tuesday)},
		Requests: []Request{one, two},
	}
	m, hubOf := relocated(t, p, map[int64]map[Day]int64{1: {monday: 10, tuesday: 20}, 2: {tuesday: 10}})
	if r := m.result(hubOf); placedHub(r, 1, monday) != 20 || placedHub(r, 1, tuesday) != 20 {
		t.Errorf("child 1 should be in hub 20 all week: %+v", r.Placements)
	}
}

// Hub 20 opens on Tuesday only. Child 1 (Monday and Tuesday, living at hub 10) is at hub 10 on
// Monday and at hub 20 on Tuesday; child 2 (Tuesday, living at hub 20) holds hub 10's only seat on
// Tuesday. Swapping them on Tuesday saves both their trips and child 1's hub change.
func TestRelocateSwapsAChildBackToItsUsualHub(t *testing.T) {
	one, two := lone(1, km(0, 0)), lone(2, km(3, 0))
	one.Days, two.Days = []Day{monday, tuesday}, []Day{tuesday}
	p := Problem{
		Hubs:     []Hub{hub(10, km(0, 0), 1, monday, tuesday), hub(20, km(3, 0), 1, tuesday)},
		Requests: []Request{one, two},
	}
	m, hubOf := relocated(t, p, map[int64]map[Day]int64{1: {monday: 10, tuesday: 20}, 2: {tuesday: 10}})
	r := m.result(hubOf)
	if placedHub(r, 1, tuesday) != 10 || placedHub(r, 2, tuesday) != 20 {
		t.Errorf("children 1 and 2 should swap on Tuesday: %+v", r.Placements)
	}
}

// Child 2 (tier 3) cannot be placed: hub 10, its only hub in reach, is full with children 1 and 3
// (tier 2). Child 1 is there on Tuesday, away from its usual hub 20, which has room; taking it back
// would leave child 2 waiting while a seat it could take is free: child 1 stays.
func TestRelocateKeepsSeatsAWaitlistedChildCouldTake(t *testing.T) {
	one := lone(1, km(0, 2))
	one.Days = []Day{monday, tuesday}
	two, three := lone(2, km(0, -2)), lone(3, km(0, -2))
	two.Days, three.Days = []Day{tuesday}, []Day{tuesday}
	two.Tier = 3
	p := Problem{
		Params:   Params{MaxDistanceKm: 2.5},
		Hubs:     []Hub{hub(10, km(0, 0), 2, monday, tuesday), hub(20, km(0, 2), 1, monday, tuesday)},
		Requests: []Request{one, two, three},
	}
	m, hubOf := relocated(t, p, map[int64]map[Day]int64{1: {monday: 20, tuesday: 10}, 3: {tuesday: 10}})
	if r := m.result(hubOf); placedHub(r, 1, tuesday) != 10 {
		t.Errorf("child 1 should stay in hub 10 on Tuesday: %+v", r.Placements)
	}
}

func placedHub(r Result, child int64, d Day) int64 {
	for _, pl := range r.Placements {
		if pl.ChildID == child && pl.Day == d {
			return pl.HubID
		}
	}
	return 0
}

// On random crowded weeks, relocate never breaks a rule, places the same child-days, keeps
// together the siblings kept together, and never raises the weekly objective.
func TestRelocateKeepsTheRulesOnRandomProblems(t *testing.T) {
	ctx := context.Background()
	gained := 0
	for i := range 300 {
		rng := rand.New(rand.NewPCG(uint64(i), 29))
		p := randomProblem(rng)
		m := compile(&p)
		hubOf := firstPass(ctx, t, m)
		m.improve(hubOf)
		before := slices.Clone(hubOf)
		m.relocate(hubOf)
		checkSamePlaced(t, i, m, before, hubOf)
		for _, us := range m.units {
			for ui := range us {
				if m.keptTogether(&us[ui], before) && !m.keptTogether(&us[ui], hubOf) {
					t.Errorf("instance %d: siblings kept together were split", i)
				}
			}
		}
		a, b := m.objectiveM(hubOf), m.objectiveM(before)
		if a > b {
			t.Errorf("instance %d: objective %d m, %d m before", i, a, b)
		}
		if a < b {
			gained++
		}
	}
	if gained < 10 {
		t.Errorf("relocate lowered the objective on %d instances of 300", gained)
	}
	t.Logf("relocate lowered the objective on %d instances of 300", gained)
}
