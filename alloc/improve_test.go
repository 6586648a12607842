package alloc

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// placedAt builds a pass's hubs by hand: where[child ID] is the hub ID of that child on all its
// days (0: waitlisted).
func placedAt(m *model, where map[int64]int64) []int32 {
	hubOf := make([]int32, len(m.cds))
	for cd := range m.cds {
		hubOf[cd] = -1
		if id := where[m.children[m.cds[cd].child].id]; id != 0 {
			hubOf[cd] = m.hubIdx[id]
		}
	}
	return hubOf
}

func improved(t *testing.T, p Problem, where map[int64]int64) (*model, Result) {
	t.Helper()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	m := compile(&p)
	hubOf := placedAt(m, where)
	if vs := m.check(ptr(m.result(hubOf))); len(vs) > 0 {
		t.Fatalf("the starting placement breaks rules: %v", vs)
	}
	m.improve(hubOf)
	r := m.result(hubOf)
	if vs := m.check(&r); len(vs) > 0 {
		t.Errorf("improve broke rules: %v", vs)
	}
	return m, r
}

func ptr[T any](v T) *T { return &v }

func TestImproveMovesSiblingsToANearerFreeHub(t *testing.T) {
	a, b := lone(1, km(0, 0)), lone(2, km(0, 0))
	a.Days, b.Days = []Day{monday, tuesday}, []Day{tuesday}
	b.HouseholdID = 1
	p := Problem{
		Hubs:     []Hub{hub(10, km(1, 0), 2, monday, tuesday), hub(20, km(5, 0), 2, monday, tuesday)},
		Requests: []Request{a, b},
	}
	_, r := improved(t, p, map[int64]int64{1: 20, 2: 20})
	for _, pl := range r.Placements {
		if pl.HubID != 10 {
			t.Errorf("siblings should move together to hub 10 on every day: %+v", r.Placements)
		}
	}
}

func TestImproveSwapsHubs(t *testing.T) {
	// Two households of two siblings, each in the other's nearer hub, which is full.
	var reqs []Request
	for i, at := range []float64{0, 10} {
		for j := range 2 {
			q := lone(int64(1+2*i+j), km(at, 0))
			q.HouseholdID = int64(1 + i)
			reqs = append(reqs, q)
		}
	}
	p := Problem{Hubs: []Hub{hub(10, km(0, 0), 2), hub(20, km(10, 0), 2)}, Requests: reqs}
	_, r := improved(t, p, map[int64]int64{1: 20, 2: 20, 3: 10, 4: 10})
	if hubOf(r, 1, monday) != 10 || hubOf(r, 2, monday) != 10 || hubOf(r, 3, monday) != 20 || hubOf(r, 4, monday) != 20 {
		t.Errorf("households should swap hubs: %+v", r.Placements)
	}
}

func TestImproveKeepsSeatsAWaitlistedChildCouldTake(t *testing.T) {
	// Child 2 (tier 2) can only reach hub 10, held by child 1 (tier 1), for whom hub 20 is nearer.
	// Moving child 1 would leave a free seat child 2 could take: a priority inversion.
	one, two := lone(1, km(0, 3)), lone(2, km(0, -3))
	one.Tier = 1
	p := Problem{
		Params:   Params{MaxDistanceKm: 3.5},
		Hubs:     []Hub{hub(10, km(0, 0), 1), hub(20, km(0, 3), 1)},
		Requests: []Request{one, two},
	}
	_, r := improved(t, p, map[int64]int64{1: 10})
	if hubOf(r, 1, monday) != 10 {
		t.Errorf("child 1 should stay in hub 10: %+v", r.Placements)
	}

}

// On random crowded problems, improve never breaks a rule, never adds a second hub, places the same
// child-days and never lengthens the total distance; Solve's own property tests cover the rest.
func TestImproveKeepsTheRulesOnRandomProblems(t *testing.T) {
	ctx := context.Background()
	for i := range 300 {
		rng := rand.New(rand.NewPCG(uint64(i), 23))
		p := randomProblem(rng)
		m := compile(&p)
		hubOf := firstPass(ctx, t, m)
		before := slices.Clone(hubOf)
		m.improve(hubOf)
		checkSamePlaced(t, i, m, before, hubOf)
		if a, b := m.multiHub(hubOf), m.multiHub(before); a > b {
			t.Errorf("instance %d: %d children with more than one hub, %d before", i, a, b)
		}
		if a, b := m.score(hubOf).distM, m.score(before).distM; a > b {
			t.Errorf("instance %d: distance %d m, %d m before", i, a, b)
		}
	}
}

// firstPass is a pass of Solve's before its final phases: usual hubs from whole weeks, the daily
// placement, consolidation.
func firstPass(ctx context.Context, t *testing.T, m *model) []int32 {
	t.Helper()
	homes, err := m.weeklyHomes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hubOf, err := m.placeAll(ctx, homes, m.penalty)
	if err != nil {
		t.Fatal(err)
	}
	m.consolidate(hubOf)
	return hubOf
}

// checkSamePlaced fails the test when placement after breaks a rule or places other child-days
// than before.
func checkSamePlaced(t *testing.T, instance int, m *model, before, after []int32) {
	t.Helper()
	if vs := m.check(ptr(m.result(after))); len(vs) > 0 {
		t.Fatalf("instance %d: %v", instance, vs)
	}
	for cd := range after {
		if (after[cd] < 0) != (before[cd] < 0) {
			t.Fatalf("instance %d: child-day %d placed %d before, %d after", instance, cd, before[cd], after[cd])
		}
	}
}
