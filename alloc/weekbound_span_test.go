package alloc

import (
	"context"
	"math"
	"slices"
	"testing"
)

type hubCost struct {
	hub  int32
	cost float64
}

// unitOpts returns the hubs unit u can take and its cost at each at the prices.
func unitOpts(wb *weekProblem, u *weekUnit, price []float64) []hubCost {
	var opts []hubCost
	need := wb.need[u.needFrom:u.needTo]
	add := func(h int32, dist float64) {
		c := dist
		for _, ln := range need {
			c += ln.n * price[u.base(h)+ln.level]
		}
		opts = append(opts, hubCost{h, c})
	}
	for _, cd := range u.cands {
		if u.open(wb, cd.hub) {
			add(cd.hub, float64(cd.distM))
		}
	}
	for a := u.arcFrom; a < u.arcTo; a++ {
		add(wb.arcs[a].hub, float64(wb.arcs[a].cost))
	}
	return opts
}

// hubsCost is the cost of piece p at the prices with its units at hubs: their costs, and
// HubChangeKm for each placed day, fixed ones included, a child spends away from its most frequent
// hub.
func hubsCost(wb *weekProblem, p *weekPiece, price []float64, hubs []int32) float64 {
	units := wb.units[p.unitFrom:p.unitTo]
	v := 0.0
	for i := range units {
		for _, o := range unitOpts(wb, &units[i], price) {
			if o.hub == hubs[i] {
				v += o.cost
			}
		}
	}
	for k := range p.n {
		var at []int32
		for i := range units {
			if units[i].members&(1<<k) != 0 {
				at = append(at, hubs[i])
			}
		}
		for _, f := range wb.fixed[p.fixedFrom:p.fixedTo] {
			if f.member&(1<<k) != 0 {
				at = append(at, f.hub)
			}
		}
		v += wb.penalty * float64(len(at)-mostFrequent(at))
	}
	return v
}

// exactPiece is piece p's least cost at the prices by enumerating every child's usual hub (among
// the hubs of its units and fixed days, or none), ok false when too many.
func exactPiece(wb *weekProblem, p *weekPiece, price []float64) (float64, bool) {
	units := wb.units[p.unitFrom:p.unitTo]
	opts := make([][]hubCost, len(units))
	hubsOf := make([][]int32, p.n)
	for i := range units {
		opts[i] = unitOpts(wb, &units[i], price)
		for _, o := range opts[i] {
			for k := range p.n {
				if units[i].members&(1<<k) != 0 && !slices.Contains(hubsOf[k], o.hub) {
					hubsOf[k] = append(hubsOf[k], o.hub)
				}
			}
		}
	}
	fixed := wb.fixed[p.fixedFrom:p.fixedTo]
	for _, f := range fixed {
		for k := range p.n {
			if f.member&(1<<k) != 0 && !slices.Contains(hubsOf[k], f.hub) {
				hubsOf[k] = append(hubsOf[k], f.hub)
			}
		}
	}
	combos := 1.0
	for k := range hubsOf {
		hubsOf[k] = append(hubsOf[k], -1)
		combos *= float64(len(hubsOf[k]))
	}
	if combos > 2e5 {
		return 0, false
	}
	usual := make([]int32, p.n)
	best := math.Inf(1)
	var rec func(k int)
	rec = func(k int) {
		if k < int(p.n) {
			for _, h := range hubsOf[k] {
				usual[k] = h
				rec(k + 1)
			}
			return
		}
		v := 0.0
		for i := range units {
			b := math.Inf(1)
			for _, o := range opts[i] {
				c := o.cost
				for k := range p.n {
					if units[i].members&(1<<k) != 0 && usual[k] != o.hub {
						c += wb.penalty
					}
				}
				b = min(b, c)
			}
			v += b
		}
		for _, f := range fixed {
			for k := range p.n {
				if f.member&(1<<k) != 0 && usual[k] != f.hub {
					v += wb.penalty
				}
			}
		}
		best = min(best, v)
	}
	rec(0)
	return best, true
}

// Every piece of the week bound is priced exactly, units spanning classes of usual hubs included,
// on small weeks at random seat prices: its value equals the least cost found by enumerating every
// child's usual hub, and the seats it takes are those of a solution of that cost.
func TestWeekPiecePricedExactly(t *testing.T) {
	pieces, spanning := 0, 0
	for i := range 200 {
		rng, p, r := solvedSmallWeek(t, i, 17)
		m := compile(&p)
		hubOf := m.placedHubs(r)
		wb := m.newWeekProblem(hubOf)
		weak := *wb
		weak.spanCombos = 0
		sc, wsc := newWeekScratch(wb.nHub), newWeekScratch(wb.nHub)
		// At random prices, and at those the search meets (the solutions it takes).
		searched := weekBoundStart(t, m, hubOf)
		ev, st := wb.newWeekEval(), newWeekSteps(float64(wb.upper-wb.konst), searched)
		for try := range 40 {
			price := make([]float64, len(wb.seats))
			if try < 30 {
				copy(price, searched)
				value, _ := ev.value(searched)
				st.next(value, searched, ev.used, wb.seats)
			} else {
				for s := range price {
					if rng.IntN(2) == 0 {
						price[s] = rng.Float64() * []float64{1000, 3000, 10000}[rng.IntN(3)]
					}
				}
			}
			for k := range wb.pieces {
				pc := &wb.pieces[k]
				exact, ok := exactPiece(wb, pc, price)
				if !ok {
					continue
				}
				pieces++
				used := make([]int32, len(wb.seats))
				got := wb.piece(pc, price, used, sc)
				if math.Abs(got-exact) > 1e-6 {
					t.Fatalf("instance %d, piece %d: priced %.3f, enumeration %.3f", i, k, got, exact)
				}
				if taken := usedCost(wb, pc, price, used); math.Abs(taken-exact) > 1e-6 {
					t.Fatalf("instance %d, piece %d: the seats taken cost at least %.3f, not %.3f", i, k, taken, exact)
				}
				if w := weak.piece(pc, price, make([]int32, len(wb.seats)), wsc); w < exact-1e-6 {
					spanning++
				}
			}
		}
	}
	// Without spanValue, the pieces whose units span classes were priced below their least cost.
	if pieces < 1000 || spanning < 20 {
		t.Errorf("%d pieces priced, %d of them above the weaker value: want many of both", pieces, spanning)
	}
	t.Logf("%d pieces priced exactly, %d of them above the weaker value", pieces, spanning)
}

// usedCost returns the least cost of piece p at the prices among its solutions that take exactly
// the seats used, by enumeration as exactPiece.
func usedCost(wb *weekProblem, p *weekPiece, price []float64, used []int32) float64 {
	units := wb.units[p.unitFrom:p.unitTo]
	need := func(u *weekUnit, h int32, add int32) bool {
		ok := true
		for _, ln := range wb.need[u.needFrom:u.needTo] {
			used[u.base(h)+ln.level] += add * int32(ln.n)
			ok = ok && used[u.base(h)+ln.level] >= 0
		}
		return ok
	}
	best := math.Inf(1)
	hubs := make([]int32, len(units))
	var rec func(i int)
	rec = func(i int) {
		if i == len(units) {
			if slices.ContainsFunc(used, func(n int32) bool { return n != 0 }) {
				return
			}
			best = min(best, hubsCost(wb, p, price, hubs))
			return
		}
		u := &units[i]
		for _, o := range unitOpts(wb, u, price) {
			if need(u, o.hub, -1) {
				hubs[i] = o.hub
				rec(i + 1)
			}
			need(u, o.hub, 1)
		}
	}
	rec(0)
	return best
}

// weekBoundStart returns the prices the week bound of placement hubOf starts from, as
// distanceFigures gives them: siblingBound's best.
func weekBoundStart(t *testing.T, m *model, hubOf []int32) []float64 {
	t.Helper()
	ctx := context.Background()
	prices := make([]float64, len(m.seats))
	kept, err := m.lowerBound(ctx, hubOf, keptTogether, boundOut{prices: prices})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.siblingBound(ctx, hubOf, kept, prices, nil); err != nil {
		t.Fatal(err)
	}
	return prices
}
