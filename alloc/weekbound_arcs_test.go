package alloc

import (
	"cmp"
	"context"
	"math"
	"slices"
	"testing"
)

// A child alone is priced in the week bound through its request's candidates instead of arcs of
// its own (weekUnit.cands), which spares a national week tens of millions of arcs: the bound must
// be exactly the one the arcs give.
func TestWeekBoundChildrenAlonePricedAsArcs(t *testing.T) {
	ctx := context.Background()
	m, hubOf := closedDaysRun(t)
	prices := make([]float64, len(m.seats))
	if _, err := m.lowerBound(ctx, hubOf, keptTogether, boundOut{prices: prices}); err != nil {
		t.Fatal(err)
	}

	wb := m.newWeekProblem(hubOf)
	// The same problem with every child alone given explicit arcs: its candidates open that day,
	// by distance then hub, as for any other unit.
	arcs := &weekProblem{penalty: wb.penalty, nHub: wb.nHub, seats: wb.seats, pieces: wb.pieces,
		need: wb.need, fixed: wb.fixed, konst: wb.konst, upper: wb.upper, spanCombos: wb.spanCombos}
	alone := 0
	for _, u := range wb.units {
		if u.cands != nil {
			alone++
			from := len(arcs.arcs)
			for _, c := range u.cands {
				if m.seats[int(u.day0)+int(c.hub)*numLevels+int(u.level)] > 0 {
					arcs.arcs = append(arcs.arcs, weekArc{c.distM, c.hub})
				}
			}
			u.arcFrom, u.arcTo, u.cands = int32(from), int32(len(arcs.arcs)), nil
		} else {
			arcs.arcs = append(arcs.arcs, wb.arcs[u.arcFrom:u.arcTo]...)
			n := u.arcTo - u.arcFrom
			u.arcFrom = int32(len(arcs.arcs)) - n
			u.arcTo = u.arcFrom + n
		}
		arcs.units = append(arcs.units, u)
	}
	if alone < len(wb.units)/2 || len(wb.arcs) >= len(arcs.arcs)/2 {
		t.Errorf("%d of %d units priced through their candidates, %d arcs instead of %d: want most",
			alone, len(wb.units), len(wb.arcs), len(arcs.arcs))
	}
	got, err := wb.search(ctx, slices.Clone(prices))
	if err != nil {
		t.Fatal(err)
	}
	want, err := arcs.search(ctx, slices.Clone(prices))
	if err != nil {
		t.Fatal(err)
	}
	if got != want || got <= 0 {
		t.Errorf("week bound %d m through the candidates, %d m through arcs", got, want)
	}
}

// closedDaysRun solves a generated académie week in which some hubs close a level on some days,
// which candidate lists (hubs open on some day of the request) do not show, and returns its model
// and placement.
func closedDaysRun(t *testing.T) (*model, []int32) {
	t.Helper()
	s, err := AcademieScenario(2)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	p.Fixed = nil
	for i := range p.Hubs {
		if i%4 == 0 {
			d := &p.Hubs[i].Days[i%len(p.Hubs[i].Days)]
			d.Seats = map[Level]int{College: d.Seats[College]}
		}
	}
	p.Params.NoFigures = true
	return solvedModel(t, p)
}

// solvedModel solves p and returns its model and the placement.
func solvedModel(tb testing.TB, p Problem) (*model, []int32) {
	tb.Helper()
	r, err := Solve(context.Background(), p)
	if err != nil {
		tb.Fatal(err)
	}
	m := compile(&p)
	return m, m.placedHubs(r)
}

// placedHubs is the hub of each child-day in r, or -1.
func (m *model) placedHubs(r Result) []int32 {
	hubOf := make([]int32, len(m.cds))
	for i := range hubOf {
		hubOf[i] = -1
	}
	for _, pl := range r.Placements {
		hubOf[m.childDayOf(m.childIdx[pl.ChildID], m.dayIdx[pl.Day])] = m.hubIdx[pl.HubID]
	}
	return hubOf
}

// A child alone takes as the sibling bound's arcs its candidates with a seat left that day, in
// their order: exactly the hubs, costs and order that the merge of candidate lists gives a group.
func TestSiblingBoundChildrenAloneArcs(t *testing.T) {
	m, hubOf := closedDaysRun(t)
	alone := 0
	for d := range m.days {
		a := m.dayAssignment(int32(d), hubOf)
		i := 0
		for ui := range m.units[d] {
			u := &m.units[d][ui]
			if u.strict || m.keptTogether(u, hubOf) {
				if hubOf[u.members[0]] >= 0 {
					i++
				}
				continue
			}
			for _, cd := range u.members {
				if hubOf[cd] < 0 {
					continue
				}
				alone++
				l := m.children[m.cds[cd].child].level
				var want []unitArc
				for _, h := range m.commonHubs(int32(d), &unit{members: []int32{cd}}) {
					if a.seats[int(h)*numLevels+int(l)] >= 1 {
						want = append(want, unitArc{m.distM(cd, h), h * numLevels})
					}
				}
				slices.SortFunc(want, func(x, y unitArc) int { return cmp.Or(cmp.Compare(x.cost, y.cost), cmp.Compare(x.base, y.base)) })
				if got := a.arcs[a.start[i]:a.start[i+1]]; !slices.Equal(got, want) {
					t.Fatalf("day %d, child-day %d: arcs %v, want %v", d, cd, got, want)
				}
				i++
			}
		}
		if i != len(a.start)-1 {
			t.Fatalf("day %d: %d units, want %d", d, len(a.start)-1, i)
		}
	}
	if alone == 0 {
		t.Fatal("no child alone")
	}
}

// seatPrices gathers each full hub's cheapest move to each other hub once; its prices must be
// those of the sweeps over every kid's candidates.
func TestSeatPricesOverGatheredMoves(t *testing.T) {
	m, hubOf := closedDaysRun(t)
	full := 0
	for d := range m.days {
		for l := range numLevels {
			seats := m.seatsLeft(int32(d), int8(l))
			n := newNetwork(seats, 0)
			for cd, h := range hubOf {
				if h >= 0 && m.cds[cd].day == int32(d) && m.children[m.cds[cd].child].level == int8(l) {
					if !n.insert(n.addKid(m.reqs[m.cds[cd].req].cands, -1)) {
						t.Fatalf("child-day %d does not fit", cd)
					}
				}
			}
			for h := range seats {
				if seats[h] > 0 && n.used[h] >= seats[h] {
					full++
				}
			}
			if got, want := n.seatPrices(), sweptSeatPrices(n); !slices.Equal(got, want) {
				t.Fatalf("day %d, level %d: prices %v, want %v", d, l, got, want)
			}
		}
	}
	if full == 0 {
		t.Fatal("no full hub: nothing priced")
	}
}

// sweptSeatPrices is seatPrices computed as its definition says: Bellman-Ford sweeps over every
// kid's candidates.
func sweptSeatPrices(n *network) []float64 {
	const unknown = math.MaxInt64
	price := make([]int64, n.nHub)
	for h := range price {
		if n.cap[h] > 0 && n.used[h] >= n.cap[h] {
			price[h] = unknown
		}
	}
	for range min(int(n.nHub), seatPriceSweeps) {
		changed := false
		for h, p := range price {
			if p == 0 {
				continue
			}
			for _, k := range n.at[h] {
				kd := &n.kids[k]
				for _, c := range kd.cands {
					if c.hub == int32(h) || n.cap[c.hub] <= 0 || price[c.hub] == unknown {
						continue
					}
					if v := int64(c.distM) - kd.cost + price[c.hub]; v < price[h] {
						price[h], changed = v, true
					}
				}
			}
		}
		if !changed {
			break
		}
	}
	return knownPrices(price, unknown)
}
