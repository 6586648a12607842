package alloc

import (
	"context"
	"slices"
)

// distanceFigures are the report's figures on distance beside the run's own (see Report): bounds in
// metres, the per-day pass in kilometres.
type distanceFigures struct {
	computed        bool    // all the figures below, or only relaxedBound (Params.NoFigures)
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

// relaxedPass is lowerBound's byRules bound of the run's placement, with what the other figures start
// from. It depends only on which child-days are placed, and the phases after the passes (improve,
// relocate, polish) move children between hubs without placing or unplacing any: so it starts once
// the passes chose the placement and runs beside those phases, on the core they leave idle.
type relaxedPass struct {
	placed []int32 // the placement it started from: only which child-days are placed counts
	out    boundOut
	bound  []int64
	err    error
	done   chan struct{}
}

// startRelaxedBound starts the relaxed bound of hubOf's placed child-days; with the figures, it
// also keeps the seat prices and the relaxation's optimum that keptBound and siblingBound start from.
func (m *model) startRelaxedBound(ctx context.Context, hubOf []int32) *relaxedPass {
	p := &relaxedPass{placed: slices.Clone(hubOf), done: make(chan struct{})}
	if !m.params.NoFigures {
		p.out = boundOut{prices: make([]float64, len(m.seats)), potPrices: make([]float64, len(m.seats)), at: make([]int32, len(m.cds))}
	}
	go func() {
		defer close(p.done)
		p.bound, p.err = m.lowerBound(ctx, p.placed, byRules, p.out)
	}()
	return p
}

// wait returns the relaxed bound of hubOf: the one started, or, should hubOf place other
// child-days than the placement it started from, the bound solved again for hubOf.
func (p *relaxedPass) wait(ctx context.Context, m *model, hubOf []int32) ([]int64, error) {
	<-p.done
	if p.err != nil || samePlaced(p.placed, hubOf) {
		return p.bound, p.err
	}
	return m.lowerBound(ctx, hubOf, byRules, p.out)
}

// samePlaced reports whether a and b place the same child-days (wherever they place them).
func samePlaced(a, b []int32) bool {
	for cd := range a {
		if (a[cd] >= 0) != (b[cd] >= 0) {
			return false
		}
	}
	return len(a) == len(b)
}

// distanceFigures computes the bounds for the placement hubOf, from the relaxed bound started by
// startRelaxedBound, and adds the pass perDay (started by startPerDayPass) to show what "one hub
// all week" costs; with Params.NoFigures, only the relaxed bound. The bound without the siblings
// rule runs beside the relaxed one; the others start from the relaxed optimum.
func (m *model) distanceFigures(ctx context.Context, hubOf []int32, relaxedRun *relaxedPass, perDay *perDayPass) (distanceFigures, error) {
	var f distanceFigures
	if m.params.NoFigures {
		relaxed, err := relaxedRun.wait(ctx, m, hubOf)
		for _, b := range relaxed {
			f.relaxedBound += b
		}
		return f, err
	}
	f.computed = true
	var free []int64
	if slices.ContainsFunc(m.units, func(us []unit) bool { return slices.ContainsFunc(us, func(u unit) bool { return u.strict }) }) {
		var err error
		if free, err = m.lowerBound(ctx, hubOf, ownReach, boundOut{}); err != nil {
			<-relaxedRun.done
			return f, err
		}
	}
	relaxed, err := relaxedRun.wait(ctx, m, hubOf)
	if err != nil {
		return f, err
	}
	prices, potPrices, at := relaxedRun.out.prices, relaxedRun.out.potPrices, relaxedRun.out.at
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
