package alloc

import (
	"cmp"
	"context"
	"math"
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
	// The step rule (see weekSteps): each direction is the subgradient plus weekBoundDeflection
	// times the last direction; the step factor starts at weekBoundStep, halves after
	// weekBoundPatience iterations without progress, and the search stops below weekBoundMinStep.
	// A halving far below the best value (weekBoundLost of it) goes back to the best prices.
	weekBoundDeflection = 0.9
	weekBoundPlainSteps = 10 // the first steps are along the subgradient itself
	weekBoundStep       = 2.0
	weekBoundPatience   = 10
	weekBoundMinStep    = 1e-3
	weekBoundLost       = 0.01
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
// different usual hubs, and otherwise exactly too while the hubs to try stay few: for every
// partition of its children into classes sharing a usual hub (all partitions, up to
// weekPieceChildren children), a unit within one class pays min(its cost at the class's hub, its
// cheapest hub + HubChangeKm per member); a unit spanning classes pays the least of its cheapest
// hub with every member away and, for each class it touches, its cost at that class's hub with the
// members outside the class away, the hubs of the classes it touches being tried together
// (spanValue; past weekSpanCombos of them, it pays its cheapest hub plus HubChangeKm for the
// members outside its biggest class, and the classes' hubs are chosen each on its own). The
// smallest of these is at most the piece's cost in any placement (take the partition by equal
// usual hubs), so Σ pieces − Σ seats·λ bounds the objective, whatever the prices. The prices start
// from siblingBound's best (where the value is at least that bound's, as every unit still pays at
// least its cheapest hub) and improve by deflected subgradient steps (weekSteps); the best value
// met is kept. Costs are whole metres rounded down and so is the bound.
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
	kids    []int32 // the pieces' children (see weekPiece.kidsFrom)
	units   []weekUnit
	arcs    []weekArc
	need    []levelNeed
	fixed   []weekFixed
	konst   int64 // hub-change cost of children with only fixed seats, the same in every placement
	upper   int64 // the run's objective over the same child-days, a target for the steps
	// spanCombos bounds the work of pricing a partition's spanning units exactly (see spanValue):
	// weekSpanCombos, or 0 for the weaker value alone.
	spanCombos int
}

type weekPiece struct {
	unitFrom, unitTo   int32
	fixedFrom, fixedTo int32
	kidsFrom           int32 // its children are kids[kidsFrom:kidsFrom+n]
	n                  int8  // children
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
	wb := &weekProblem{penalty: float64(m.penalty), nHub: len(m.hubIDs), seats: make([]float64, len(m.seats)),
		spanCombos: weekSpanCombos}
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
		p := weekPiece{unitFrom: int32(len(wb.units)), fixedFrom: int32(len(wb.fixed)), kidsFrom: int32(len(wb.kids)), n: int8(len(kids))}
		wb.kids = append(wb.kids, kids...)
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

// search runs the subgradient search from the prices (per slot, ≥ 0) and returns the best bound
// met, in whole metres; the prices end holding those of the best bound (pricedPass uses them).
func (wb *weekProblem) search(ctx context.Context, price []float64) (int64, error) {
	if len(wb.pieces) == 0 {
		return wb.konst, nil
	}
	ev := wb.newWeekEval()
	st := newWeekSteps(float64(wb.upper-wb.konst), price)
	var total int64
	for range weekBoundIters {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		value, priced := ev.value(price)
		total += priced
		if st.next(value, price, ev.used, wb.seats) || total > weekBoundArcs {
			break
		}
	}
	copy(price, st.bestPrice)
	return max(0, int64(math.Floor(st.best))-1) + wb.konst, nil
}

// weekSteps is the week bound's step rule: Polyak's step towards a target siblingBoundAim of the
// way from the best value to upper (a value some placement reaches), of the length the subgradient
// g gives, taken along a deflected direction d (g plus weekBoundDeflection times the last d,
// projected on the prices' bounds) rather than along g alone, which zigzags between the seats of
// neighbouring hubs. The length is θ·(target − value)/(|g|·|d|): Polyak's usual /|d|² would
// shorten the steps tenfold wherever g keeps its direction. On two cuts of the académie week, with
// every piece priced exactly, the plain subgradient stopped 1.5 % under the linear relaxation
// after 160–170 iterations, this rule 0.06–0.2 % under it in 300. The first weekBoundPlainSteps
// steps are plain: a national week, whose work budget allows six iterations, lost 1.6 % with
// deflection from the start.
type weekSteps struct {
	progress
	steps          int
	dir, bestPrice []float64
}

func newWeekSteps(upper float64, price []float64) *weekSteps {
	return &weekSteps{progress: progress{upper: upper, best: math.Inf(-1), theta: weekBoundStep, patience: weekBoundPatience},
		dir: make([]float64, len(price)), bestPrice: slices.Clone(price)}
}

// next records the value at the prices, where the pieces take used seats, moves the prices (≥ 0,
// in place) and reports whether the search is over: the bound is within a metre of upper, the
// step factor is spent or the direction is nil.
func (st *weekSteps) next(value float64, price []float64, used []int32, seats []float64) (stop bool) {
	if value > st.best {
		copy(st.bestPrice, price)
	}
	if st.record(value) && value < st.best-weekBoundLost*math.Abs(st.best) {
		copy(price, st.bestPrice)
		clear(st.dir)
		return st.theta < weekBoundMinStep
	}
	if st.upper-st.best < 1 || st.theta < weekBoundMinStep {
		return true
	}
	var gNorm, dNorm float64
	deflection := 0.0
	if st.steps++; st.steps > weekBoundPlainSteps {
		deflection = weekBoundDeflection
	}
	for s, p := range price {
		g := float64(used[s]) - seats[s]
		if p > 0 || g > 0 {
			gNorm += g * g
		}
		d := g + deflection*st.dir[s]
		if p == 0 && d < 0 {
			d = 0
		}
		st.dir[s] = d
		dNorm += d * d
	}
	if gNorm == 0 || dNorm == 0 {
		return true
	}
	step := st.theta * (st.best + siblingBoundAim*(st.upper-st.best) - value) / math.Sqrt(gNorm*dNorm)
	for s, p := range price {
		price[s] = max(0, p+step*st.dir[s])
	}
	return false
}

// weekEval evaluates the relaxed problem at given prices with every worker.
type weekEval struct {
	wb      *weekProblem
	used    []int32 // per slot: the seats the pieces' solutions take at the last prices
	scratch []*weekScratch
	values  []float64 // per chunk of pieces
	priced  []int64
}

func (wb *weekProblem) newWeekEval() *weekEval {
	chunks := (len(wb.pieces) + weekBoundChunk - 1) / weekBoundChunk
	ev := &weekEval{wb: wb, used: make([]int32, len(wb.seats)), scratch: make([]*weekScratch, runtime.GOMAXPROCS(0)),
		values: make([]float64, chunks), priced: make([]int64, chunks)}
	for i := range ev.scratch {
		ev.scratch[i] = newWeekScratch(wb.nHub)
	}
	return ev
}

// value returns the Lagrangian value at the prices (Σ pieces − Σ seats·λ, without konst), a lower
// bound of the objective for any prices ≥ 0, and the unit-hub pairs priced; ev.used holds its
// solution's seats.
func (ev *weekEval) value(price []float64) (float64, int64) {
	wb := ev.wb
	clear(ev.used)
	var next atomic.Int32
	var wg sync.WaitGroup
	for w := range ev.scratch {
		wg.Go(func() {
			sc := ev.scratch[w]
			for {
				c := int(next.Add(1) - 1)
				if c >= len(ev.values) {
					return
				}
				v := 0.0
				sc.priced = 0
				for i := c * weekBoundChunk; i < min(len(wb.pieces), (c+1)*weekBoundChunk); i++ {
					v += wb.piece(&wb.pieces[i], price, ev.used, sc)
				}
				ev.values[c], ev.priced[c] = v, sc.priced
			}
		})
	}
	wg.Wait()
	value := 0.0
	var priced int64
	for c, v := range ev.values { // in order, so the same problem gives the same sum
		value += v
		priced += ev.priced[c]
	}
	for s, p := range price {
		value -= wb.seats[s] * p
	}
	return value, priced
}

// polyak is the step rule of the subgradient searches: Polyak's step towards a target placed
// siblingBoundAim of the way from the best value to upper, a value some placement reaches; the step
// factor halves after siblingBoundPatience iterations without progress.
type polyak struct{ progress }

func newPolyak(upper float64) *polyak {
	return &polyak{progress{upper: upper, best: math.Inf(-1), theta: siblingBoundStep, patience: siblingBoundPatience}}
}

// progress is the best value a search met, below upper, and Polyak's step factor θ.
type progress struct {
	upper, best, theta float64
	stale, patience    int
}

// record records a value and halves θ after patience values without progress, reporting whether
// it did.
func (p *progress) record(value float64) (halved bool) {
	if value > p.best+siblingBoundProgress*math.Abs(value) {
		p.best, p.stale = value, 0
		return false
	}
	p.best = max(p.best, value)
	if p.stale++; p.stale >= p.patience {
		p.theta, p.stale = p.theta/2, 0
		return true
	}
	return false
}

// next records the value at the current prices and returns the step to take along the
// subgradient whose squared norm is norm, or stop when the search is over: the prices are optimal
// (norm 0), the bound is within a metre of upper, or the step factor is spent.
func (p *polyak) next(value, norm float64) (step float64, stop bool) {
	p.record(value)
	if norm == 0 || p.upper-p.best < 1 || p.theta < siblingBoundMinStep {
		return 0, true
	}
	target := p.best + siblingBoundAim*(p.upper-p.best)
	return p.theta * (target - value) / norm, false
}
