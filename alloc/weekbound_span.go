package alloc

import (
	"math"
	"math/bits"
)

// weekSpanCombos bounds the usual hubs tried together for the classes of a partition that units
// spanning classes link (the product of their numbers of hubs); past it, the partition keeps the
// weaker value of weekProblem.piece, which is still a lower bound.
const weekSpanCombos = 4096

// spanScratch is a worker's space for pricing a partition whose units span classes exactly.
type spanScratch struct {
	units   []int32   // the units spanning classes, by index in the piece
	classes []int32   // the classes they touch, by index in the partition
	base    float64   // the partition's cost with no usual hub for the touched classes
	cands   []spanHub // per touched class, candsAt[j]:candsAt[j+1], "no usual hub" first
	candsAt []int32
	gains   []float64 // per candidate, len(units) values: what each spanning unit saves with it
	run     []float64 // per depth of the enumeration, the best saving of each spanning unit so far
	pick    []int32   // per touched class, the candidate being tried
	best    float64   // the best saving found
	bestAt  []int32   // and its candidates
	// kept is the solution of the best partition so far: each touched class's usual hub, and
	// each spanning unit's hub.
	keptClass, keptUnit []int32
	keptClasses         []int32
}

type spanHub struct {
	hub int32   // -1: no usual hub
	s   float64 // what the class's own units and fixed days save with it
}

// spanValue returns the exact least cost of piece p under partition part when its units that span
// classes are priced with the usual hubs of the classes (sc.classV must hold every class's
// value): for each class they touch, every hub that saves the class or one of them anything is
// tried, and each spanning unit takes the best of its cheapest hub with every member away, or the
// usual hub of a class it touches with the members outside that class away. It reports false when
// the hubs to try together are more than weekSpanCombos. The solution is left in sc.span for keep.
func (wb *weekProblem) spanValue(p *weekPiece, part []uint32, sc *weekScratch) (float64, bool) {
	units := wb.units[p.unitFrom:p.unitTo]
	sp := &sc.span
	sp.units, sp.classes = sp.units[:0], sp.classes[:0]
	sp.base = 0
	for i := range units {
		if spanned, _ := spans(units[i].members, part); spanned {
			sp.units = append(sp.units, int32(i))
			sp.base += sc.minCost[i] + wb.penalty*float64(units[i].size)
		}
	}
	for j, c := range part {
		touches := false
		for _, i := range sp.units {
			touches = touches || units[i].members&c != 0
		}
		if touches {
			sp.classes = append(sp.classes, int32(j))
		} else {
			sp.base += sc.classV[c]
		}
	}
	nU := len(sp.units)
	sp.cands, sp.candsAt, sp.gains = sp.cands[:0], append(sp.candsAt[:0], 0), sp.gains[:0]
	combos := 1
	for _, j := range sp.classes {
		c := part[j]
		sp.base += wb.classSavings(p, c, sc)
		from := len(sp.cands)
		sp.cands = append(sp.cands, spanHub{-1, 0})
		for _, h := range sc.touched {
			sp.cands = append(sp.cands, spanHub{h, sc.acc[h]})
		}
		// And the hubs where a spanning unit saves something with the class's members at home.
		for _, i := range sp.units {
			away := wb.penalty * float64(units[i].size-int32(bits.OnesCount32(units[i].members&c)))
			for _, sv := range sc.savings[sc.saveAt[i]:sc.saveAt[i+1]] {
				if sv.s > away && sc.stamp[sv.hub] != sc.tick {
					sc.stamp[sv.hub] = sc.tick
					sp.cands = append(sp.cands, spanHub{sv.hub, 0})
				}
			}
		}
		if combos *= len(sp.cands) - from; combos > wb.spanCombos {
			return 0, false
		}
		sp.candsAt = append(sp.candsAt, int32(len(sp.cands)))
		for k := from + 1; k < len(sp.cands); k++ {
			sc.acc[sp.cands[k].hub] = float64(k - from) // from now on, the candidate's index
		}
		g := len(sp.gains)
		sp.gains = append(sp.gains, make([]float64, (len(sp.cands)-from)*nU)...)
		for ui, i := range sp.units {
			away := wb.penalty * float64(units[i].size-int32(bits.OnesCount32(units[i].members&c)))
			for _, sv := range sc.savings[sc.saveAt[i]:sc.saveAt[i+1]] {
				if sv.s > away && sc.stamp[sv.hub] == sc.tick {
					sp.gains[g+int(sc.acc[sv.hub])*nU+ui] = sv.s - away
				}
			}
		}
	}
	sp.run = append(sp.run[:0], make([]float64, (len(sp.classes)+1)*nU)...)
	sp.pick = append(sp.pick[:0], make([]int32, len(sp.classes))...)
	sp.bestAt = append(sp.bestAt[:0], make([]int32, len(sp.classes))...)
	sp.best = math.Inf(-1)
	sp.enumerate(0, 0, nU)
	sc.priced += int64(combos) // the work, counted against weekBoundArcs as the arcs priced
	return sp.base - sp.best, true
}

// enumerate tries every candidate of the touched classes from depth on, with saving s so far.
func (sp *spanScratch) enumerate(depth int, s float64, nU int) {
	run := sp.run[depth*nU : (depth+1)*nU]
	if depth == len(sp.classes) {
		for _, g := range run {
			s += g
		}
		if s > sp.best {
			sp.best = s
			copy(sp.bestAt, sp.pick)
		}
		return
	}
	next := sp.run[(depth+1)*nU : (depth+2)*nU]
	from, to := sp.candsAt[depth], sp.candsAt[depth+1]
	gains := sp.gains[sp.gainsAt(depth):]
	for k := from; k < to; k++ {
		g := gains[int(k-from)*nU : int(k-from+1)*nU]
		for u := range next {
			next[u] = max(run[u], g[u])
		}
		sp.pick[depth] = k
		sp.enumerate(depth+1, s+sp.cands[k].s, nU)
	}
}

// gainsAt is where the gains of touched class depth's candidates start.
func (sp *spanScratch) gainsAt(depth int) int { return int(sp.candsAt[depth]) * len(sp.units) }

// keep records the solution of the last spanValue as the piece's best so far: each touched
// class's usual hub, and the hub of each spanning unit (-1: its cheapest).
func (sp *spanScratch) keep() {
	nU := len(sp.units)
	sp.keptClasses = append(sp.keptClasses[:0], sp.classes...)
	sp.keptClass = sp.keptClass[:0]
	sp.keptUnit = append(append(sp.keptUnit[:0], sp.units...), make([]int32, nU)...) // the units, then their hubs
	hubs := sp.keptUnit[nU:]
	best := append(sp.run[:0], make([]float64, nU)...) // run is free once spanValue is done
	for u := range hubs {
		hubs[u] = -1
	}
	for _, k := range sp.bestAt {
		sp.keptClass = append(sp.keptClass, sp.cands[k].hub)
		g := sp.gains[int(k)*nU : int(k+1)*nU]
		for u := range g {
			if g[u] > best[u] {
				best[u], hubs[u] = g[u], sp.cands[k].hub
			}
		}
	}
}

// takeSpan adds to used the seats of the solution kept for partition part (see keep).
func (wb *weekProblem) takeSpan(p *weekPiece, part []uint32, sc *weekScratch, used []int32) {
	sp := &sc.span
	units := wb.units[p.unitFrom:p.unitTo]
	for j, c := range part {
		k := sc.classK[c]
		for t, tj := range sp.keptClasses {
			if int(tj) == j {
				k = sp.keptClass[t]
			}
		}
		wb.takeClass(p, c, k, sc, used)
	}
	nU := len(sp.keptUnit) / 2
	for u, i := range sp.keptUnit[:nU] {
		hub := sp.keptUnit[nU+u]
		if hub < 0 {
			hub = sc.minHub[i]
		}
		wb.take(hub, &units[i], used)
	}
}
