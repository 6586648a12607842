package alloc

import (
	"context"
	"slices"
	"testing"
)

func TestTmpNationalWhole(t *testing.T) {
	p, err := Generate(NationalScenario(1))
	if err != nil {
		t.Fatal(err)
	}
	p.Params.NoFigures = true
	r, err := Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	m := compile(&p)
	hubOf := m.placedHubs(r)
	ctx := context.Background()
	prices, at := make([]float64, len(m.seats)), make([]int32, len(m.cds))
	_, err = m.lowerBound(ctx, hubOf, byRules, boundOut{prices: prices, at: at})
	if err != nil {
		t.Fatal(err)
	}
	for d := range m.days {
		units, split, outside := 0, 0, 0
		for ui := range m.units[d] {
			u := &m.units[d][ui]
			if len(u.members) < 2 || hubOf[u.members[0]] < 0 || !(u.strict || m.keptTogether(u, hubOf)) {
				continue
			}
			units++
			together := *u
			if !u.strict {
				together.allowed = nil
			}
			common := m.commonHubs(int32(d), &together)
			s := false
			for _, cd := range u.members {
				if at[cd] != at[u.members[0]] {
					s = true
				}
				if _, ok := slices.BinarySearch(common, at[cd]); !ok {
					outside++
				}
			}
			if s {
				split++
			}
		}
		t.Logf("day %d: %d units kept, %d split, %d members outside common hubs", d, units, split, outside)
	}
}
