package alloc

import (
	"context"
	"slices"
	"testing"
)

// A child alone is priced in the week bound through its request's candidates instead of arcs of
// its own (weekUnit.cands), which spares a national week tens of millions of arcs: the bound must
// be exactly the one the arcs give.
func TestWeekBoundChildrenAlonePricedAsArcs(t *testing.T) {
	s, err := AcademieScenario(2)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	// Some hubs close a level on some days, which candidate lists (hubs open on some day of the
	// request) do not show.
	p.Fixed = nil
	for i := range p.Hubs {
		if i%4 == 0 {
			d := &p.Hubs[i].Days[i%len(p.Hubs[i].Days)]
			d.Seats = map[Level]int{College: d.Seats[College]}
		}
	}
	ctx := context.Background()
	p.Params.NoFigures = true
	r, err := Solve(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	m := compile(&p)
	hubOf := make([]int32, len(m.cds))
	for i := range hubOf {
		hubOf[i] = -1
	}
	for _, pl := range r.Placements {
		hubOf[m.childDayOf(m.childIdx[pl.ChildID], m.dayIdx[pl.Day])] = m.hubIdx[pl.HubID]
	}
	prices := make([]float64, len(m.seats))
	if _, err := m.lowerBound(ctx, hubOf, keptTogether, prices); err != nil {
		t.Fatal(err)
	}

	wb := m.newWeekProblem(hubOf)
	// The same problem with every child alone given explicit arcs: its candidates open that day,
	// by distance then hub, as for any other unit.
	arcs := &weekProblem{penalty: wb.penalty, nHub: wb.nHub, seats: wb.seats, pieces: wb.pieces,
		need: wb.need, fixed: wb.fixed, konst: wb.konst, upper: wb.upper}
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
