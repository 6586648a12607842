package alloc

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// A child's usual hub in the relaxed week follows the seat prices: its nearest hub while seats
// are free, the other one once a seat of the nearest costs more than the extra kilometre.
func TestPriceHomesFollowTheSeatPrices(t *testing.T) {
	r := lone(1, km(0, 0))
	r.Days = []Day{monday, tuesday}
	p := Problem{
		Hubs:     []Hub{hub(10, km(0, 0), 4, monday, tuesday), hub(20, km(0, 1), 4, monday, tuesday)},
		Requests: []Request{r},
	}
	m := compile(&p)
	hubOf := firstPass(context.Background(), t, m)
	wb := m.newWeekProblem(hubOf)
	near, far := int32(slices.Index(m.hubIDs, 10)), int32(slices.Index(m.hubIDs, 20))
	none := []int32{-1}
	price := make([]float64, len(m.seats))
	if got := wb.priceHomes(price, none); got[0] != near {
		t.Fatalf("free seats: usual hub %d, want %d (hub 10)", got[0], near)
	}
	for d := range m.days {
		price[m.slot(int32(d), near, int8(Elementaire.index()))] = 1_500 // metres: more than the extra kilometre
	}
	if got := wb.priceHomes(price, none); got[0] != far {
		t.Fatalf("dear seats at hub 10: usual hub %d, want %d (hub 20)", got[0], far)
	}
}

// The priced pass is a placement pass like the others: on random crowded weeks its placement
// obeys every rule, as Check and the independent checker see them.
func TestPricedPassKeepsTheRules(t *testing.T) {
	ctx := context.Background()
	more := 0
	for i := range 200 {
		p := randomProblem(rand.New(rand.NewPCG(uint64(i), 47)))
		m := compile(&p)
		first := firstPass(ctx, t, m)
		priced, err := m.pricedPass(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		r := m.result(priced)
		if vs := m.check(&r); len(vs) > 0 {
			t.Fatalf("instance %d: %d violations, first: %+v", i, len(vs), vs[0])
		}
		if bad := independentCheck(p, r); len(bad) > 0 {
			t.Fatalf("instance %d: %d violations, first: %s", i, len(bad), bad[0])
		}
		if m.placesMore(priced, first) {
			more++
		}
	}
	t.Logf("the priced pass did better than the first on %d instances of 200", more)
}

// On the generated académie week, the pass with the week's prices places at least as many
// child-days as Solve's first pass, tier by tier, for a lower objective, or more.
func TestPricedPassBeatsTheFirstOnTheAcademieWeek(t *testing.T) {
	if testing.Short() {
		t.Skip("large instance")
	}
	p := generatedAcademie(t, 1)
	ctx := context.Background()
	m := compile(&p)
	first := firstPass(ctx, t, m)
	priced, err := m.pricedPass(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if !m.placesMore(priced, first) {
		t.Errorf("priced pass: placed %v, objective %d m; first pass: placed %v, objective %d m",
			m.score(priced).placedByTier, m.objectiveMetres(priced), m.score(first).placedByTier, m.objectiveMetres(first))
	}
	t.Logf("placed %v → %v, objective %d m → %d m", m.score(first).placedByTier, m.score(priced).placedByTier,
		m.objectiveMetres(first), m.objectiveMetres(priced))
}

// generatedAcademie is the generated académie week of the seed.
func generatedAcademie(t testing.TB, seed uint64) Problem {
	t.Helper()
	s, err := AcademieScenario(seed)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
