package alloc

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// Limits of the subgradient search of siblingBound. They only affect how close the bound gets to
// its best value, never its validity: every iterate is a bound. They count work, not time, so the
// same problem always gives the same bound.
const (
	siblingBoundIters = 300 // iterations per day at most
	// siblingBoundArcs bounds the unit-hub pairs priced per day over all iterations: a national
	// day gets fewer iterations than an académie's.
	siblingBoundArcs     = 20_000_000
	seatPriceSweeps      = 16   // Bellman-Ford sweeps of seatPrices at most
	siblingBoundStep     = 2.0  // the first step factor of Polyak's rule
	siblingBoundPatience = 5    // iterations without progress before the step factor is halved
	siblingBoundProgress = 1e-5 // the least relative gain that counts as progress
	siblingBoundMinStep  = 1e-2 // the search stops once the step factor falls below this
	// siblingBoundAim places Polyak's target this far from the best bound towards hubOf's cost:
	// hubOf's cost is often well above the optimum, and aiming at it overshoots.
	siblingBoundAim = 0.1
)

// siblingBound returns, in metres, a lower bound on the total distance of any valid placement of
// the same non-fixed child-days as hubOf that keeps together the brothers and sisters hubOf keeps
// together: every all-or-none unit, and every family group hubOf placed whole in one hub, takes
// one hub that could host all its members; other children go one by one (see dayAssignment). The
// units are m.units, the very units the solver places. Seats per hub, day and level hold; only the
// same-hub-all-week rule is dropped. The bound is of distance alone, not of HubChangeKm.
//
// Per day, this is an assignment of units to hubs under capacities, and the bound is its Lagrangian
// relaxation: with a price λ ≥ 0 per seat of each hub and level, each unit takes its cheapest hub
// at those prices, and the value Σ_u min_h (cost(u,h) + Σ_l need_l(u)·λ(h,l)) − Σ_{h,l}
// seats(h,l)·λ(h,l) is at most the cost of any valid placement, whatever the prices, since a
// valid placement pays at most seats × λ in prices. The prices start from the optimal dual of
// relaxed, lowerBound's keptTogether bound (the same siblings together, each sibling in a hub that
// could host them all), given in prices (per slot), where the value is already at least that
// bound's, and improve by projected subgradient steps (Polyak's rule); the best value met is kept,
// and never below the day's relaxed bound, which bounds the same problem, and prices end holding
// the prices of the best value (weekBound starts from them). The limit is the value of the linear
// relaxation of the day's assignment. Costs are whole metres rounded down and the value is rounded
// down, so the bound also holds against exact distances.
//
// When alt is not nil (per slot, as prices), each day starts from whichever of prices and alt gives
// the higher value there: the report passes the prices of the relaxation's potentials (see
// potentialPrices), which on a national week start far higher than seatPrices' few sweeps.
func (m *model) siblingBound(ctx context.Context, hubOf []int32, relaxed []int64, prices, alt []float64) (int64, error) {
	bounds := make([]int64, len(m.days))
	err := forEach(len(m.days), func(d int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		a := m.dayAssignment(int32(d), hubOf)
		dayPrices := func(from []float64) []float64 {
			start := make([]float64, len(a.seats))
			for h := range m.hubIDs {
				for l := range numLevels {
					start[h*numLevels+l] = from[m.slot(int32(d), int32(h), int8(l))]
				}
			}
			return start
		}
		start := dayPrices(prices)
		if alt != nil && a.feasible() {
			other := dayPrices(alt)
			used := make([]float64, len(a.seats))
			mine, _ := a.value(start, used)
			if theirs, _ := a.value(other, used); theirs > mine {
				start = other
			}
		}
		// The relaxed bound of the day is a bound of the same problem too.
		bounds[d] = max(relaxed[d], a.lagrangianBound(start))
		for h := range m.hubIDs { // the prices of the day's best bound, for weekBound
			for l := range numLevels {
				prices[m.slot(int32(d), int32(h), int8(l))] = start[h*numLevels+l]
			}
		}
		return nil
	})
	var total int64
	for _, b := range bounds {
		total += b
	}
	return total, err
}

// dayAssignment is one day's assignment problem for siblingBound: the placed units with, for each,
// the hubs that could host it all and its cost there.
type dayAssignment struct {
	start []int32 // unit u's arcs are [start[u], start[u+1])
	arcs  []unitArc
	// need lists each unit's seats by level: unit u's are need[needAt[u]:needAt[u+1]].
	needAt []int32
	need   []levelNeed
	seats  []int32 // per hub×numLevels+level: seats left by fixed placements
	upper  int64   // hubOf's cost that day, a target for the steps
}

// unitArc is a hub a unit could take: the hub's first slot (hub × numLevels) and the sum of the
// members' distances to it, in whole metres (exact as an int32, and kept small: a national day
// holds millions of arcs; it becomes the same float64 wherever it is priced).
type unitArc struct {
	cost int32
	base int32
}

type levelNeed struct {
	level int32
	n     float64
}

func (m *model) dayAssignment(d int32, hubOf []int32) *dayAssignment {
	a := &dayAssignment{start: []int32{0}, needAt: []int32{0}, seats: make([]int32, len(m.hubIDs)*numLevels)}
	for h := range m.hubIDs {
		for l := range numLevels {
			s := m.slot(d, int32(h), int8(l))
			a.seats[h*numLevels+l] = m.seats[s] - m.fixedN[s]
		}
	}
	// A unit's hubs are among each of its members' candidates: sized once, the arcs (millions on
	// a national day) are never copied into a bigger array while growing. A unit kept together
	// counts its shortest list, not the sum of its members': that was a third of the figures'
	// live memory on the national week.
	arcs := 0
	for ui := range m.units[d] {
		u := &m.units[d][ui]
		if u.strict || m.keptTogether(u, hubOf) {
			if hubOf[u.members[0]] >= 0 {
				least := math.MaxInt
				for _, cd := range u.members {
					least = min(least, len(m.reqs[m.cds[cd].req].cands))
				}
				arcs += least
			}
			continue
		}
		for _, cd := range u.members {
			if hubOf[cd] >= 0 {
				arcs += len(m.reqs[m.cds[cd].req].cands)
			}
		}
	}
	a.arcs = make([]unitArc, 0, arcs)
	for ui := range m.units[d] {
		u := &m.units[d][ui]
		if u.strict || m.keptTogether(u, hubOf) {
			if hubOf[u.members[0]] >= 0 {
				together := *u
				if !u.strict {
					together.allowed = nil // a family group's fixed siblings' hubs are a wish
				}
				a.addUnit(m, d, &together, hubOf)
			}
			continue
		}
		// Brothers and sisters the run placed apart, or not all: the rules let them be apart.
		for _, cd := range u.members {
			if hubOf[cd] >= 0 {
				alone := unit{members: []int32{cd}}
				alone.need[m.children[m.cds[cd].child].level] = 1
				a.addUnit(m, d, &alone, hubOf)
			}
		}
	}
	return a
}

// keptTogether reports whether hubOf placed every member of the family group u, of more than one
// child, in one hub.
func (m *model) keptTogether(u *unit, hubOf []int32) bool {
	if len(u.members) < 2 {
		return false
	}
	for _, cd := range u.members {
		if hubOf[cd] < 0 || hubOf[cd] != hubOf[u.members[0]] {
			return false
		}
	}
	return true
}

// addUnit adds unit u, placed by hubOf, with every hub that could host it all within the seats
// left by fixed placements.
func (a *dayAssignment) addUnit(m *model, d int32, u *unit, hubOf []int32) {
	for _, cd := range u.members {
		a.upper += int64(m.distM(cd, hubOf[cd]))
	}
	from := len(a.arcs)
	if len(u.members) == 1 && u.allowed == nil {
		// A child alone: its hubs are its candidates with a seat left that day, already by
		// distance then hub, the order the arcs need.
		cd := u.members[0]
		l := int(m.children[m.cds[cd].child].level)
		for _, c := range m.reqs[m.cds[cd].req].cands {
			if a.seats[int(c.hub)*numLevels+l] >= 1 {
				a.arcs = append(a.arcs, unitArc{c.distM, c.hub * numLevels})
			}
		}
		a.endUnit(u)
		return
	}
hubs:
	for _, h := range m.commonHubs(d, u) {
		for l, n := range u.need {
			if n > a.seats[int(h)*numLevels+l] {
				continue hubs // fixed placements left too few seats for the unit
			}
		}
		var c int64
		for _, cd := range u.members {
			c += int64(m.distM(cd, h))
		}
		a.arcs = append(a.arcs, unitArc{int32(c), h * numLevels})
	}
	// Prices are never negative, so with its arcs by cost a unit's search for its cheapest hub
	// stops at the first arc that costs more than the best so far.
	slices.SortFunc(a.arcs[from:], func(x, y unitArc) int {
		return cmp.Or(cmp.Compare(x.cost, y.cost), cmp.Compare(x.base, y.base))
	})
	a.endUnit(u)
}

// endUnit closes the arcs of unit u, the last added, and adds its needs.
func (a *dayAssignment) endUnit(u *unit) {
	a.start = append(a.start, int32(len(a.arcs)))
	for l, n := range u.need {
		if n > 0 {
			a.need = append(a.need, levelNeed{int32(l), float64(n)})
		}
	}
	a.needAt = append(a.needAt, int32(len(a.need)))
}

// lagrangianBound runs the subgradient search from the prices price (per hub×numLevels+level, ≥ 0)
// and returns the best bound met, in whole metres; price ends holding the prices of that bound.
func (a *dayAssignment) lagrangianBound(price []float64) int64 {
	if !a.feasible() {
		return 0
	}
	used := make([]float64, len(a.seats)) // seats the units' choices take, per hub and level
	bestPrice := slices.Clone(price)
	pol := newPolyak(float64(a.upper))
	priced := 0 // unit-hub pairs priced: the work done, the same for the same problem
	for range siblingBoundIters {
		value, n := a.value(price, used)
		priced += n
		var norm float64
		for s, p := range price {
			g := used[s] - float64(a.seats[s])
			if p > 0 || g > 0 {
				norm += g * g
			}
		}
		if value > pol.best {
			copy(bestPrice, price)
		}
		step, stop := pol.next(value, norm)
		if stop || priced > siblingBoundArcs {
			break
		}
		for s, p := range price {
			price[s] = max(0, p+step*(used[s]-float64(a.seats[s])))
		}
	}
	copy(price, bestPrice)
	// The sums are of whole metres and prices below 1e6, far from float64's 2^53; one metre is
	// taken off for rounding.
	return max(0, int64(math.Floor(pol.best))-1)
}

// feasible reports whether the day has units and each has a hub to go to (otherwise hubOf is
// not a valid placement, or there is nothing to bound).
func (a *dayAssignment) feasible() bool {
	units := len(a.start) - 1
	for u := range units {
		if a.start[u] == a.start[u+1] {
			return false
		}
	}
	return units > 0
}

// value returns the Lagrangian value at the prices price, Σ_u min_h (cost(u,h) + Σ_l need_l(u)·
// price(h,l)) − Σ seats·price, with used set to the seats the units' cheapest hubs take, and the
// unit-hub pairs it priced. Every unit has at least one arc.
func (a *dayAssignment) value(price, used []float64) (value float64, priced int) {
	clear(used)
	for u := range len(a.start) - 1 {
		need := a.need[a.needAt[u]:a.needAt[u+1]]
		bestArc, bestCost := int32(-1), math.Inf(1)
		if len(need) == 1 {
			l, n := need[0].level, need[0].n
			for i := a.start[u]; i < a.start[u+1] && float64(a.arcs[i].cost) < bestCost; i++ {
				priced++
				if c := float64(a.arcs[i].cost) + n*price[a.arcs[i].base+l]; c < bestCost {
					bestArc, bestCost = i, c
				}
			}
		} else {
			for i := a.start[u]; i < a.start[u+1] && float64(a.arcs[i].cost) < bestCost; i++ {
				priced++
				c := float64(a.arcs[i].cost)
				for _, ln := range need {
					c += ln.n * price[a.arcs[i].base+ln.level]
				}
				if c < bestCost {
					bestArc, bestCost = i, c
				}
			}
		}
		value += bestCost
		for _, ln := range need {
			used[a.arcs[bestArc].base+ln.level] += ln.n
		}
	}
	for s, p := range price {
		value -= float64(a.seats[s]) * p
	}
	return value, priced
}

// potentialPrices returns, for each hub, the seat price its potential and the sink's give once
// every kid is placed: max(0, π(sink) − π(h)), 0 for a hub without seats. With every kid placed
// and no dead hub (the bound's networks), the potentials keep every residual arc's reduced cost
// non-negative, so each kid's hub is among its cheapest at these prices, except at hubs whose
// potential the searches left above the sink's (arcs out of the sink are never explored); any
// prices ≥ 0 give a valid bound, these only start the search. Unlike seatPrices they need no
// sweep: on a national day, whose chains of moves are longer than seatPrices' sweeps, siblingBound's
// first value at them is 3.8–5.0 % higher.
func (n *network) potentialPrices() []float64 {
	out := make([]float64, n.nHub)
	for h := range out {
		if n.cap[h] > 0 {
			out[h] = float64(max(0, n.potT-n.node[h].pot))
		}
	}
	return out
}

// seatPrices returns, for each hub, the least added cost of freeing one of its seats by moving kids
// along a chain of hubs to a free seat, 0 when the hub has a free seat: when the kids' assignment
// has minimum cost, these are optimal dual prices of the seats. A full hub from which no seat can
// be freed gets the highest price found. Any prices ≥ 0 give siblingBound a valid bound; these
// only make it start close to its best.
func (n *network) seatPrices() []float64 {
	const unknown = math.MaxInt64
	price := make([]int64, n.nHub)
	for h := range price {
		if n.cap[h] > 0 && n.used[h] >= n.cap[h] {
			price[h] = unknown
		}
	}
	// A full hub's arcs: to each other hub with seats that a kid there could move to, at the least
	// cost of such a move over its kids. Each sweep reads these instead of every kid's candidates
	// again: a hub's new price is the least over its kids' moves, the same over its arcs.
	type hubArc struct {
		to int32
		w  int64
	}
	// Sized once for every full hub's kids' candidates, a bound on the arcs: grown by doubling,
	// the array left 0.75 GB of garbage over the national week's bounds.
	most := 0
	for h, p := range price {
		if p != 0 {
			for _, k := range n.at[h] {
				most += len(n.kids[k].cands)
			}
		}
	}
	arcs := make([]hubArc, 0, most)
	arcsFrom := make([]int32, n.nHub+1)
	at := make([]int32, n.nHub) // the arc to each hub, for the hub being built
	for h, p := range price {
		arcsFrom[h] = int32(len(arcs))
		if p == 0 {
			continue
		}
		first := len(arcs)
		for _, k := range n.at[h] {
			kd := &n.kids[k]
			for _, c := range kd.cands {
				if c.hub == int32(h) || n.cap[c.hub] <= 0 {
					continue
				}
				w := int64(c.distM) - kd.cost
				if i := at[c.hub]; int(i) >= first && int(i) < len(arcs) && arcs[i].to == c.hub {
					arcs[i].w = min(arcs[i].w, w)
					continue
				}
				at[c.hub] = int32(len(arcs))
				arcs = append(arcs, hubArc{c.hub, w})
			}
		}
	}
	arcsFrom[n.nHub] = int32(len(arcs))
	// Bellman-Ford sweeps over the hubs: an optimal assignment leaves no negative cycle, and the
	// sweeps stop early once nothing changes (a bounded number only costs accuracy).
	for range min(int(n.nHub), seatPriceSweeps) {
		changed := false
		for h, p := range price {
			if p == 0 {
				continue
			}
			for _, a := range arcs[arcsFrom[h]:arcsFrom[h+1]] {
				if price[a.to] == unknown {
					continue
				}
				if v := a.w + price[a.to]; v < price[h] {
					price[h], changed = v, true
				}
			}
		}
		if !changed {
			break
		}
	}
	return knownPrices(price, unknown)
}

// knownPrices turns seatPrices' sweeps into prices: a hub whose price stayed unknown gets the
// highest one found, and none is below 0.
func knownPrices(price []int64, unknown int64) []float64 {
	var highest int64
	for _, p := range price {
		if p != unknown {
			highest = max(highest, p)
		}
	}
	out := make([]float64, len(price))
	for h, p := range price {
		if p == unknown {
			p = highest
		}
		out[h] = float64(max(0, p))
	}
	return out
}
