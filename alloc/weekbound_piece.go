package alloc

import (
	"math"
	"math/bits"
	"slices"
	"sync/atomic"
)

// weekScratch is one worker's scratch space.
type weekScratch struct {
	priced int64
	// Per hub: a class's savings, valid where stamp matches.
	acc   []float64
	stamp []uint32
	tick  uint32
	// Per unit of the current piece: its cheapest hub and cost, and its hubs cheaper than that
	// plus HubChangeKm per member (savings[saveAt[i]:saveAt[i+1]]).
	minHub  []int32
	minCost []float64
	saveAt  []int32
	savings []saving
	classV  []float64 // per class (a subset of the piece's children): its least cost
	classK  []int32   // and its usual hub, or -1
	touched []int32   // the hubs stamped by the last classSavings
	homes   [32]int32 // per child of the last piece: the usual hub of its class, or -1
	span    spanScratch
}

type saving struct {
	hub int32
	s   float64 // cheapest cost + HubChangeKm × members − the cost at hub, > 0
}

func newWeekScratch(nHub int) *weekScratch {
	return &weekScratch{acc: make([]float64, nHub), stamp: make([]uint32, nHub)}
}

// piece returns the least cost of piece p at the prices (a lower bound of it, see weekBound) and
// adds the seats its solution takes to used.
func (wb *weekProblem) piece(p *weekPiece, price []float64, used []int32, sc *weekScratch) float64 {
	units := wb.units[p.unitFrom:p.unitTo]
	sc.minHub, sc.minCost = sc.minHub[:0], sc.minCost[:0]
	sc.saveAt, sc.savings = append(sc.saveAt[:0], 0), sc.savings[:0]
	for i := range units {
		u := &units[i]
		need := wb.need[u.needFrom:u.needTo]
		w := wb.penalty * float64(u.size)
		best, bestHub := math.Inf(1), int32(-1)
		from := len(sc.savings)
		// Prices are never negative: past an arc whose distance alone costs the best so far plus
		// w, no arc can save anything.
		if u.cands != nil {
			for _, cd := range u.cands {
				if float64(cd.distM) >= best+w {
					break
				}
				s := u.base(cd.hub) + u.level
				if wb.seats[s] < 1 {
					continue // not open that day (see open)
				}
				c := float64(cd.distM) + need[0].n*price[s]
				sc.priced++
				if c < best {
					best, bestHub = c, cd.hub
				}
				sc.savings = append(sc.savings, saving{cd.hub, c}) // the cost, for now
			}
		}
		for a := u.arcFrom; a < u.arcTo && float64(wb.arcs[a].cost) < best+w; a++ {
			arc := &wb.arcs[a]
			c := float64(arc.cost)
			base := u.base(arc.hub)
			for _, ln := range need {
				c += ln.n * price[base+ln.level]
			}
			sc.priced++
			if c < best {
				best, bestHub = c, arc.hub
			}
			sc.savings = append(sc.savings, saving{arc.hub, c}) // the cost, for now
		}
		kept := sc.savings[from:from]
		for _, sv := range sc.savings[from:] {
			if s := best + w - sv.s; s > 0 {
				kept = append(kept, saving{sv.hub, s})
			}
		}
		sc.savings = sc.savings[:from+len(kept)]
		sc.saveAt = append(sc.saveAt, int32(len(sc.savings)))
		sc.minHub, sc.minCost = append(sc.minHub, bestHub), append(sc.minCost, best)
	}

	full := uint32(1)<<p.n - 1
	if p.n > weekPieceChildren {
		// Each child a class of its own, and units of several children at their cheapest hub
		// with no hub change: a bound of every partition's value.
		value := 0.0
		for i := range p.n {
			v, k := wb.class(p, 1<<i, sc)
			value += v
			wb.takeClass(p, 1<<i, k, sc, used)
		}
		for i := range units {
			if bits.OnesCount32(units[i].members) > 1 {
				value += sc.minCost[i]
				wb.take(sc.minHub[i], &units[i], used)
			}
		}
		return value
	}
	if cap(sc.classV) <= int(full) {
		sc.classV, sc.classK = make([]float64, full+1), make([]int32, full+1)
	}
	sc.classV, sc.classK = sc.classV[:full+1], sc.classK[:full+1]
	if p.n == 1 {
		value, k := wb.class(p, 1, sc)
		wb.takeClass(p, 1, k, sc, used)
		return value
	}
	for c := uint32(1); c <= full; c++ {
		sc.classV[c], sc.classK[c] = wb.class(p, c, sc)
	}
	best, bestPart, bestSpan := math.Inf(1), []uint32(nil), false
	for _, part := range partitions[p.n] {
		v := 0.0
		for _, c := range part {
			v += sc.classV[c]
		}
		spanning := false
		for i := range units {
			if spanned, biggest := spans(units[i].members, part); spanned {
				v += sc.minCost[i] + wb.penalty*float64(units[i].size-biggest)
				spanning = true
			}
		}
		if v >= best {
			continue
		}
		// v is at most the partition's value; where the units spanning classes are few enough,
		// price them exactly.
		if spanning {
			if exact, ok := wb.spanValue(p, part, sc); ok {
				if exact >= best {
					continue
				}
				v = exact
				sc.span.keep()
			} else {
				spanning = false
			}
		}
		best, bestPart, bestSpan = v, part, spanning
	}
	if bestSpan {
		wb.takeSpan(p, bestPart, sc, used)
		return best
	}
	for _, c := range bestPart {
		wb.takeClass(p, c, sc.classK[c], sc, used)
	}
	for i := range units {
		if spanned, _ := spans(units[i].members, bestPart); spanned {
			wb.take(sc.minHub[i], &units[i], used)
		}
	}
	return best
}

// spans reports whether the members of a unit belong to more than one class of the partition, and
// how many of them the biggest class holds.
func spans(members uint32, part []uint32) (bool, int32) {
	var biggest int32
	for _, c := range part {
		if members&c == members {
			return false, 0
		}
		biggest = max(biggest, int32(bits.OnesCount32(members&c)))
	}
	return true, biggest
}

// class returns the least cost of the units of piece p whose members are all in class c (a set of
// the piece's children sharing a usual hub) plus the class's fixed days away from that hub, and
// the hub (-1 when none saves anything).
func (wb *weekProblem) class(p *weekPiece, c uint32, sc *weekScratch) (float64, int32) {
	base := wb.classSavings(p, c, sc)
	bestS, bestK := 0.0, int32(-1)
	for _, h := range sc.touched {
		if v := sc.acc[h]; v > bestS {
			bestS, bestK = v, h
		}
	}
	return base - bestS, bestK
}

// classSavings returns the cost of class c's units and fixed days with no usual hub (every unit at
// its cheapest hub, every day away), and leaves in sc.acc, for each hub of sc.touched, what the
// class saves with that hub as its usual hub (> 0).
func (wb *weekProblem) classSavings(p *weekPiece, c uint32, sc *weekScratch) float64 {
	sc.tick++
	if sc.tick == 0 {
		clear(sc.stamp)
		sc.tick = 1
	}
	sc.touched = sc.touched[:0]
	units := wb.units[p.unitFrom:p.unitTo]
	base := 0.0
	add := func(h int32, s float64) {
		if sc.stamp[h] != sc.tick {
			sc.stamp[h], sc.acc[h] = sc.tick, 0
			sc.touched = append(sc.touched, h)
		}
		sc.acc[h] += s
	}
	for i := range units {
		if units[i].members&c != units[i].members {
			continue
		}
		base += sc.minCost[i] + wb.penalty*float64(units[i].size)
		for _, sv := range sc.savings[sc.saveAt[i]:sc.saveAt[i+1]] {
			add(sv.hub, sv.s)
		}
	}
	for _, f := range wb.fixed[p.fixedFrom:p.fixedTo] {
		if f.member&c != 0 {
			base += wb.penalty
			add(f.hub, wb.penalty)
		}
	}
	return base
}

// takeClass adds to used the seats of the units within class c: at the class's usual hub k when
// that saves anything, else at their cheapest hub.
func (wb *weekProblem) takeClass(p *weekPiece, c uint32, k int32, sc *weekScratch, used []int32) {
	for m := c; m != 0; m &= m - 1 {
		sc.homes[bits.TrailingZeros32(m)] = k
	}
	units := wb.units[p.unitFrom:p.unitTo]
	for i := range units {
		if units[i].members&c != units[i].members {
			continue
		}
		hub := sc.minHub[i]
		for _, sv := range sc.savings[sc.saveAt[i]:sc.saveAt[i+1]] {
			if sv.hub == k {
				hub = sv.hub
				break
			}
		}
		wb.take(hub, &units[i], used)
	}
}

func (wb *weekProblem) take(hub int32, u *weekUnit, used []int32) {
	base := u.base(hub)
	for _, ln := range wb.need[u.needFrom:u.needTo] {
		atomic.AddInt32(&used[base+ln.level], int32(ln.n))
	}
}

// partitions[n] lists the partitions of n children into classes (bit masks), for n up to
// weekPieceChildren.
var partitions = func() [][][]uint32 {
	out := make([][][]uint32, weekPieceChildren+1)
	for n := 1; n <= weekPieceChildren; n++ {
		var rec func(i int, classes []uint32)
		rec = func(i int, classes []uint32) {
			if i == n {
				out[n] = append(out[n], slices.Clone(classes))
				return
			}
			for c := range classes {
				classes[c] |= 1 << i
				rec(i+1, classes)
				classes[c] &^= 1 << i
			}
			rec(i+1, append(classes, 1<<i))
		}
		rec(0, nil)
	}
	return out
}()
