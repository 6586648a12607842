package alloc

import (
	"context"
	"slices"
)

// distanceFigures are the report's figures on distance beside the run's own (see Report): bounds in
// metres, the per-day pass in kilometres.
type distanceFigures struct {
	computed        bool    // the figures below, or none of them (Params.NoFigures)
	relaxedBound    int64   // lowerBound byRules: family groups child by child
	siblingBound    int64   // siblingBound: the siblings the run kept together, together
	withoutSiblings int64   // lowerBound ownReach: the exact least distance without the siblings rule
	perDayKm        float64 // distance of a pass without usual hubs: the allocator's placement day by day
	perDayMultiHub  int     // children with more than one hub in that pass
	perDayPlaced    int     // child-days that pass placed, fixed ones included
	weekBound       int64   // weekBound: the weekly objective, distance and hub changes
}

// perDayPass is the placement pass without usual hubs or HubChangeKm that the figures compare the
// run with. It needs only the problem, so it runs from the start of Solve, beside the run's own
// passes, filling the second core while they work on one.
type perDayPass struct {
	done  chan struct{}
	hubOf []int32
	err   error
}

// startPerDayPass starts that pass, or returns nil with Params.NoFigures.
func (m *model) startPerDayPass(ctx context.Context) *perDayPass {
	if m.params.NoFigures {
		return nil
	}
	p := &perDayPass{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		noHomes := make([]int32, len(m.children))
		for i := range noHomes {
			noHomes[i] = -1
		}
		p.hubOf, p.err = m.placeAll(ctx, noHomes, 0)
	}()
	return p
}

// distanceFigures computes the bounds for the placement hubOf, and adds the pass perDay (started
// by startPerDayPass) to show what "one hub all week" costs; with Params.NoFigures, none. The
// relaxed bound needs nothing the others give, so it runs beside the bound without the siblings
// rule; the others start from its optimum.
func (m *model) distanceFigures(ctx context.Context, hubOf []int32, perDay *perDayPass) (distanceFigures, error) {
	var f distanceFigures
	if m.params.NoFigures {
		return f, nil
	}
	f.computed = true
	var relaxed []int64
	// keptBound starts from the relaxation's optimum.
	prices, potPrices, at := make([]float64, len(m.seats)), make([]float64, len(m.seats)), make([]int32, len(m.cds))
	relaxedDone := make(chan error, 1)
	go func() {
		var err error
		relaxed, err = m.lowerBound(ctx, hubOf, byRules, boundOut{prices: prices, potPrices: potPrices, at: at})
		relaxedDone <- err
	}()
	var free []int64
	if slices.ContainsFunc(m.units, func(us []unit) bool { return slices.ContainsFunc(us, func(u unit) bool { return u.strict }) }) {
		var err error
		if free, err = m.lowerBound(ctx, hubOf, ownReach, boundOut{}); err != nil {
			<-relaxedDone
			return f, err
		}
	}
	if err := <-relaxedDone; err != nil {
		return f, err
	}
	kept, err := m.keptBound(ctx, hubOf, prices, potPrices, at, relaxed)
	if err != nil {
		return f, err
	}
	if free == nil {
		free = relaxed // the same when no household chose all-or-none
	}
	for d := range m.days {
		f.relaxedBound += relaxed[d]
		f.withoutSiblings += free[d]
	}
	if f.siblingBound, err = m.siblingBound(ctx, hubOf, kept, prices, potPrices); err != nil {
		return f, err
	}
	if f.weekBound, err = m.weekBound(ctx, hubOf, prices); err != nil {
		return f, err
	}
	<-perDay.done
	if perDay.err != nil {
		return f, perDay.err
	}
	f.perDayMultiHub = m.multiHub(perDay.hubOf)
	for cd, h := range perDay.hubOf {
		if h < 0 {
			continue
		}
		f.perDayPlaced++
		if m.cds[cd].fixedHub < 0 {
			f.perDayKm += roundMetre(m.distanceKm(int32(cd), h)) // as the report sums placements
		}
	}
	f.perDayKm = roundMetre(f.perDayKm)
	return f, nil
}
