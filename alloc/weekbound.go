package alloc

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Limits of weekBound's subgradient search; like siblingBound's, they count work, not time, and
// only affect how close the bound gets to its best value.
const (
	weekBoundIters = 300
	// weekBoundArcs bounds the unit-hub pairs priced over all iterations: a national week gets
	// fewer iterations than an académie's.
	weekBoundArcs = 150_000_000
	// weekPieceChildren is the most children of a piece whose hub-sharing is priced exactly (every
	// partition of them: 52 for 5); bigger pieces take a weaker bound that is still valid.
	weekPieceChildren = 5
	// weekBoundChunk is the pieces one worker evaluates at a time.
	weekBoundChunk = 256
)

// weekBound returns, in metres, a lower bound on the weekly objective of any valid placement of the
// same child-days as hubOf that keeps together the brothers and sisters hubOf keeps together (as
// siblingBound does): the distance of the non-fixed child-days plus Params.HubChangeKm for every
// placed day (fixed ones included) a child spends away from its usual hub, the hub of its choice.
// That is what Solve pursues under rule 3 (see hubChangeDays for the run's own value).
//
// The seats of every hub, day and level are relaxed with a price λ ≥ 0 each (Lagrange). What
// remains falls apart into pieces: the children that kept-together units link over the week (a
// child alone, or brothers and sisters), each choosing a usual hub per child and a hub per unit and
// day. A piece's least cost at given prices is found exactly when no unit mixes children of
// different usual hubs, and bounded from below otherwise: for every partition of its children into
// classes sharing a usual hub (all partitions, up to weekPieceChildren children), a unit within one
// class pays min(its cost at the class's hub, its cheapest hub + HubChangeKm per member), and a
// unit spanning classes pays its cheapest hub plus HubChangeKm for the members outside its
// biggest class; the classes' hubs are then chosen each on its own. The smallest of these is at
// most the piece's cost in any placement (take the partition by equal usual hubs), so Σ pieces −
// Σ seats·λ bounds the objective, whatever the prices. The prices start from siblingBound's best
// (where the value is at least that bound's, as every unit still pays at least its cheapest hub)
// and improve by projected subgradient steps (Polyak's rule, as siblingBound); the best value met
// is kept. Costs are whole metres rounded down and so is the bound.
func (m *model) weekBound(ctx context.Context, hubOf []int32, prices []float64) (int64, error) {
	wb := m.newWeekProblem(hubOf)
	return wb.search(ctx, slices.Clone(prices))
}

// weekProblem is the relaxed weekly problem of weekBound.
type weekProblem struct {
	penalty float64 // HubChangeKm in metres
	nHub    int
	seats   []float64 // per slot: seats left by fixed placements
	pieces  []weekPiece
	units   []weekUnit
	arcs    []weekArc
	need    []levelNeed
	fixed   []weekFixed
	konst   int64 // hub-change cost of children with only fixed seats, the same in every placement
	upper   int64 // the run's objective over the same child-days, a target for the steps
}

type weekPiece struct {
	unitFrom, unitTo   int32
	fixedFrom, fixedTo int32
	n                  int8 // children
}

// weekUnit is one day's unit of a piece: a kept-together unit, or a child alone.
type weekUnit struct {
	arcFrom, arcTo   int32
	needFrom, needTo int32
	members          uint32 // bit i: the piece's i-th child
	size             int32
	day0             int32 // slot(day, 0, 0): hub h's first slot that day is day0 + h·numLevels
	// cands, for a child alone, replace the arcs: its request's candidates, in the same order
	// (distance, then hub), of which those open on the day (see open) are the unit's hubs, its
	// distance their cost. Shared with the model and with the child's other days, they spare a
	// national week copies of tens of millions of arcs.
	cands []cand
	level int32 // with cands: the child's level
}

// weekArc is a hub a unit could take and the distance of its members there, in whole metres;
// arcs come cheapest first. A national week holds tens of millions of them, so they are kept
// small: the cost is exact as an int32 (at most 32 children, each within reach) and becomes the
// same float64 wherever it is priced.
type weekArc struct {
	cost int32
	hub  int32
}

// base is the first slot of hub h on the unit's day.
func (u *weekUnit) base(h int32) int32 { return u.day0 + h*numLevels }

// open reports whether hub h, one of a child alone's candidates, can take it on the unit's day:
// it hosts the level that day with a seat left by fixed placements.
func (u *weekUnit) open(wb *weekProblem, h int32) bool { return wb.seats[u.base(h)+u.level] >= 1 }

// ownCands reports whether a unit's hubs are its only member's candidates that are open on its
// day (weekUnit.cands): a child alone, without fixed siblings' hubs to keep to.
func ownCands(du *dayUnit) bool { return len(du.members) == 1 && du.u.allowed == nil }

// weekFixed is a fixed placed day of a piece's child.
type weekFixed struct {
	member uint32
	hub    int32
}

func (m *model) newWeekProblem(hubOf []int32) *weekProblem {
	wb := &weekProblem{penalty: float64(m.penalty), nHub: len(m.hubIDs), seats: make([]float64, len(m.seats))}
	for s := range m.seats {
		wb.seats[s] = float64(m.seats[s] - m.fixedN[s])
	}
	changes := m.hubChangeDays(hubOf)
	wb.upper = m.penalty * int64(changes)
	for cd, h := range hubOf {
		if h >= 0 && m.cds[cd].fixedHub < 0 {
			wb.upper += int64(m.distM(int32(cd), h))
		}
	}

	units, pieces := m.weekPieces(hubOf)
	// A unit's hubs are among its first member's candidates: sized once, the arcs are never
	// copied into a bigger array while growing. Children alone, most units, have none (see
	// weekUnit.cands).
	arcs := 0
	for i := range units {
		if !ownCands(&units[i]) {
			arcs += len(m.reqs[m.cds[units[i].members[0]].req].cands)
		}
	}
	wb.arcs = make([]weekArc, 0, arcs)
	wb.units = make([]weekUnit, 0, len(units))
	inPiece := make([]bool, len(m.children))
	var kids []int32
	for _, idx := range pieces {
		// The piece's children, by index: those of its units.
		kids = kids[:0]
		for _, i := range idx {
			for _, cd := range units[i].members {
				if c := m.cds[cd].child; !slices.Contains(kids, c) {
					kids = append(kids, c)
				}
			}
		}
		slices.Sort(kids)
		if len(kids) > 32 {
			panic("alloc: a household of more than 32 children")
		}
		p := weekPiece{unitFrom: int32(len(wb.units)), fixedFrom: int32(len(wb.fixed)), n: int8(len(kids))}
		for _, i := range idx {
			du := units[i]
			wu := weekUnit{arcFrom: int32(len(wb.arcs)), needFrom: int32(len(wb.need)), size: int32(len(du.members)),
				day0: int32(m.slot(du.day, 0, 0))}
			for _, cd := range du.members {
				wu.members |= 1 << slices.Index(kids, m.cds[cd].child)
			}
			if ownCands(&du) {
				req := &m.reqs[m.cds[du.members[0]].req]
				wu.cands, wu.level = req.cands, int32(req.level)
				if !slices.ContainsFunc(wu.cands, func(c cand) bool { return wu.open(wb, c.hub) }) {
					panic("alloc: a placed unit with no hub in the week bound")
				}
				wb.need = append(wb.need, levelNeed{wu.level, 1})
				wu.needTo = int32(len(wb.need))
				wb.units = append(wb.units, wu)
				continue
			}
		hubs:
			for _, h := range m.commonHubs(du.day, &du.u) {
				for l, n := range du.u.need {
					if float64(n) > wb.seats[m.slot(du.day, h, int8(l))] {
						continue hubs
					}
				}
				var c int64
				for _, cd := range du.members {
					c += int64(m.distM(cd, h))
				}
				wb.arcs = append(wb.arcs, weekArc{int32(c), h})
			}
			arcs := wb.arcs[wu.arcFrom:]
			if len(arcs) == 0 {
				panic("alloc: a placed unit with no hub in the week bound")
			}
			slices.SortFunc(arcs, func(a, b weekArc) int { return cmp.Or(cmp.Compare(a.cost, b.cost), cmp.Compare(a.hub, b.hub)) })
			wu.arcTo = int32(len(wb.arcs))
			for l, n := range du.u.need {
				if n > 0 {
					wb.need = append(wb.need, levelNeed{int32(l), float64(n)})
				}
			}
			wu.needTo = int32(len(wb.need))
			wb.units = append(wb.units, wu)
		}
		for i, ci := range kids {
			inPiece[ci] = true
			for _, cd := range m.children[ci].cds {
				if h := m.cds[cd].fixedHub; h >= 0 {
					wb.fixed = append(wb.fixed, weekFixed{1 << i, h})
				}
			}
		}
		p.unitTo, p.fixedTo = int32(len(wb.units)), int32(len(wb.fixed))
		wb.pieces = append(wb.pieces, p)
	}
	// Children with fixed seats only: their hub changes are the same in every placement.
	var fixedHubs []int32
	for ci := range m.children {
		if inPiece[ci] {
			continue
		}
		fixedHubs = fixedHubs[:0]
		for _, cd := range m.children[ci].cds {
			if h := m.cds[cd].fixedHub; h >= 0 {
				fixedHubs = append(fixedHubs, h)
			}
		}
		wb.konst += m.penalty * int64(len(fixedHubs)-mostFrequent(fixedHubs))
	}
	return wb
}

// dayUnit is what the week's bound and relocate take as one on a day: a unit hubOf kept together
// (all its members placed in one hub; a family group's fixed siblings' hubs dropped, as in
// dayAssignment), or a placed member of another unit, alone. pinned marks a unit whose unit of the
// day was restricted to its fixed siblings' hubs.
type dayUnit struct {
	day     int32
	u       unit
	members []int32 // placed child-days
	pinned  bool
}

// weekPieces returns the units of hubOf's placed, non-fixed child-days, and the pieces of the week:
// the indices of the units of the children that kept-together units link over the days, each
// piece in order, pieces by their first child.
func (m *model) weekPieces(hubOf []int32) ([]dayUnit, [][]int) {
	parent := make([]int32, len(m.children))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	var units []dayUnit
	for d, us := range m.units {
		for ui := range us {
			u := &us[ui]
			if u.strict || m.keptTogether(u, hubOf) {
				if hubOf[u.members[0]] < 0 {
					continue
				}
				together := *u
				if !u.strict {
					together.allowed = nil // as in dayAssignment
				}
				units = append(units, dayUnit{int32(d), together, u.members, u.allowed != nil})
				r0 := find(m.cds[u.members[0]].child)
				for _, cd := range u.members[1:] {
					if r := find(m.cds[cd].child); r != r0 {
						parent[r] = r0
					}
				}
				continue
			}
			for _, cd := range u.members {
				if hubOf[cd] >= 0 {
					alone := m.aloneIn(u, cd)
					units = append(units, dayUnit{int32(d), alone, alone.members, u.allowed != nil})
				}
			}
		}
	}
	byRoot := make([][]int, len(m.children))
	for i, du := range units {
		r := find(m.cds[du.members[0]].child)
		byRoot[r] = append(byRoot[r], i)
	}
	pieces := slices.DeleteFunc(byRoot, func(idx []int) bool { return len(idx) == 0 })
	return units, pieces
}

// mostFrequent is how often the most frequent value of hubs occurs (it sorts hubs).
func mostFrequent(hubs []int32) int {
	slices.Sort(hubs)
	most, run := 0, 0
	for i := range hubs {
		if i > 0 && hubs[i] == hubs[i-1] {
			run++
		} else {
			run = 1
		}
		most = max(most, run)
	}
	return most
}

// hubChangeDays counts, over all children, the placed days (fixed ones included) a child spends
// away from the hub of most of its placed days: the run's hub changes, which rule 3 weighs at
// HubChangeKm each.
func (m *model) hubChangeDays(hubOf []int32) int {
	n := 0
	var hubs []int32
	for ci := range m.children {
		hubs = hubs[:0]
		for _, cd := range m.children[ci].cds {
			if h := hubOf[cd]; h >= 0 {
				hubs = append(hubs, h)
			}
		}
		n += len(hubs) - mostFrequent(hubs)
	}
	return n
}

// search runs the subgradient search from the prices (per slot, ≥ 0, changed in place) and returns
// the best bound met, in whole metres.
func (wb *weekProblem) search(ctx context.Context, price []float64) (int64, error) {
	if len(wb.pieces) == 0 {
		return wb.konst, nil
	}
	used := make([]int32, len(wb.seats))
	workers := runtime.GOMAXPROCS(0)
	scratch := make([]*weekScratch, workers)
	for i := range scratch {
		scratch[i] = newWeekScratch(wb.nHub)
	}
	chunks := (len(wb.pieces) + weekBoundChunk - 1) / weekBoundChunk
	values := make([]float64, chunks)
	priced := make([]int64, chunks)
	var total int64
	pol := newPolyak(float64(wb.upper - wb.konst))
	for range weekBoundIters {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		clear(used)
		var next atomic.Int32
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				sc := scratch[w]
				for {
					c := int(next.Add(1) - 1)
					if c >= chunks {
						return
					}
					v := 0.0
					sc.priced = 0
					for i := c * weekBoundChunk; i < min(len(wb.pieces), (c+1)*weekBoundChunk); i++ {
						v += wb.piece(&wb.pieces[i], price, used, sc)
					}
					values[c], priced[c] = v, sc.priced
				}
			})
		}
		wg.Wait()
		value := 0.0
		for c, v := range values { // in order, so the same problem gives the same sum
			value += v
			total += priced[c]
		}
		var norm float64
		for s, p := range price {
			value -= wb.seats[s] * p
			g := float64(used[s]) - wb.seats[s]
			if p > 0 || g > 0 {
				norm += g * g
			}
		}
		step, stop := pol.next(value, norm)
		if stop || total > weekBoundArcs {
			break
		}
		for s, p := range price {
			price[s] = max(0, p+step*(float64(used[s])-wb.seats[s]))
		}
	}
	return max(0, int64(math.Floor(pol.best))-1) + wb.konst, nil
}

// polyak is the step rule of the subgradient searches: Polyak's step towards a target placed
// siblingBoundAim of the way from the best value to upper, a value some placement reaches; the step
// factor halves after siblingBoundPatience iterations without progress.
type polyak struct {
	upper, best, theta float64
	stale              int
}

func newPolyak(upper float64) *polyak {
	return &polyak{upper: upper, best: math.Inf(-1), theta: siblingBoundStep}
}

// next records the value at the current prices and returns the step to take along the
// subgradient whose squared norm is norm, or stop when the search is over: the prices are optimal
// (norm 0), the bound is within a metre of upper, or the step factor is spent.
func (p *polyak) next(value, norm float64) (step float64, stop bool) {
	if value > p.best+siblingBoundProgress*math.Abs(value) {
		p.best, p.stale = value, 0
	} else {
		p.best = max(p.best, value)
		if p.stale++; p.stale >= siblingBoundPatience {
			p.theta, p.stale = p.theta/2, 0
		}
	}
	if norm == 0 || p.upper-p.best < 1 || p.theta < siblingBoundMinStep {
		return 0, true
	}
	target := p.best + siblingBoundAim*(p.upper-p.best)
	return p.theta * (target - value) / norm, false
}

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
	best, bestPart := math.Inf(1), []uint32(nil)
	for _, part := range partitions[p.n] {
		v := 0.0
		for _, c := range part {
			v += sc.classV[c]
		}
		for i := range units {
			if spanned, biggest := spans(units[i].members, part); spanned {
				v += sc.minCost[i] + wb.penalty*float64(units[i].size-biggest)
			}
		}
		if v < best {
			best, bestPart = v, part
		}
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
	sc.tick++
	if sc.tick == 0 {
		clear(sc.stamp)
		sc.tick = 1
	}
	units := wb.units[p.unitFrom:p.unitTo]
	base := 0.0
	bestS, bestK := 0.0, int32(-1)
	add := func(h int32, s float64) {
		if sc.stamp[h] != sc.tick {
			sc.stamp[h], sc.acc[h] = sc.tick, 0
		}
		sc.acc[h] += s
		if v := sc.acc[h]; v > bestS {
			bestS, bestK = v, h
		}
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
	return base - bestS, bestK
}

// takeClass adds to used the seats of the units within class c: at the class's usual hub k when
// that saves anything, else at their cheapest hub.
func (wb *weekProblem) takeClass(p *weekPiece, c uint32, k int32, sc *weekScratch, used []int32) {
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
