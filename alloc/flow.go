package alloc

import (
	"math"
	"slices"
)

// network is the residual graph of one day and one level, solved by successive shortest paths:
// children ("kids") are inserted one at a time, each along a shortest augmenting path found by
// Dijkstra's algorithm on reduced costs, which may move already placed kids to other hubs. Each
// insertion keeps the assignment of the kids inserted so far a minimum-cost one, and a kid that
// cannot be inserted makes no change: inserting in priority order therefore places the greedy
// (lexicographically best) set of kids, which is what rules out priority inversions.
//
// Nodes are numbered: hubs [0, nHub), the sink nHub, kid k at nHub+1+k. The residual arcs are
//
//	kid → hub      for each candidate hub other than the kid's own, cost = distance (+ penalty)
//	hub → kid      for each kid at the hub, cost = −(the kid's cost there)
//	hub → sink     when the hub has a free seat, cost 0
//
// Potentials keep every reduced cost c(u,v) + π(u) − π(v) of an arc Dijkstra may explore
// non-negative. Dijkstra stops when it settles the sink; only the settled nodes' potentials change
// (π(v) += d(v) − d(sink)), which keeps all reduced costs non-negative (arcs out of the sink are
// never explored, so they need none).
type network struct {
	nHub    int32
	penalty int64
	cap     []int32 // seats kids may use: seats − fixed placements − seats given to sibling groups
	used    []int32
	// dead marks hubs that are full and from which no augmenting path can ever start again: a
	// failed search proves that every hub it reached is full and that the kids there can only reach
	// full hubs, and later insertions only fill seats. Searches skip dead hubs.
	dead []bool
	at   [][]int32 // kids at each hub
	kids []kid
	potT int64

	// Search scratch, indexed by node.
	node    []nodeState
	stamp   uint32
	settled []int32
	heap    nodeHeap

	// While logging, every change is recorded so that a tentative sibling-group reservation can be
	// undone exactly, potentials included.
	logging bool
	undo    []undoEntry
}

type kid struct {
	cands []cand
	home  int32 // the child's usual hub, or -1
	hub   int32 // -1 while not placed
	slot  int32 // index in network.at[hub]
	cost  int64 // cost of the arc to hub
	pot   int64
}

// nodeState is a node's search state, in one struct so that a relaxation touches one cache line.
// A hub's potential and blocked flag live there too, for the same reason: a search reads them for
// every arc into the hub. (Kids' potentials are in kids.)
type nodeState struct {
	dist  int64
	prevW int64 // cost of the kid → hub arc that reached a hub
	pot   int64 // hubs only: the hub's potential
	prev  int32
	seen  uint32 // stamp of the search that reached the node
	done  uint32 // stamp of the search that settled it
	// blocked, for hubs only, is cap == 0 || dead: searches skip such hubs.
	blocked bool
	// free, for hubs only, is used < cap: the hub → sink arc exists.
	free bool
}

// resetStamps forgets every search, when the stamp wraps around, keeping the hubs' potentials
// and blocked flags.
func (n *network) resetStamps() {
	for i := range n.node {
		n.node[i].seen, n.node[i].done = 0, 0
	}
	n.stamp = 1
}

type undoOp uint8

const (
	opMove undoOp = iota
	opPotHub
	opPotKid
	opPotSink
	opCap
)

type undoEntry struct {
	op   undoOp
	a, b int32
	v    int64
}

// newNetwork makes a network over hubs with the given seats (the slice is owned by the network).
func newNetwork(seats []int32, penalty int64) *network {
	n := &network{
		nHub:    int32(len(seats)),
		penalty: penalty,
		cap:     seats,
		used:    make([]int32, len(seats)),
		dead:    make([]bool, len(seats)),
		at:      make([][]int32, len(seats)),
	}
	n.grow()
	for h, c := range seats {
		n.node[h].blocked, n.node[h].free = c <= 0, c > 0
	}
	return n
}

func (n *network) sink() int32           { return n.nHub }
func (n *network) kidNode(k int32) int32 { return n.nHub + 1 + k }

func (n *network) usable(h int32) bool { return !n.node[h].blocked }

func (n *network) cost(k *kid, c cand) int64 {
	w := int64(c.distM)
	if k.home >= 0 && c.hub != k.home {
		w += n.penalty
	}
	return w
}

func (n *network) pot(v int32) int64 {
	switch {
	case v < n.nHub:
		return n.node[v].pot
	case v == n.nHub:
		return n.potT
	}
	return n.kids[v-n.nHub-1].pot
}

func (n *network) setPot(v int32, p int64) {
	switch {
	case v < n.nHub:
		if n.logging {
			n.undo = append(n.undo, undoEntry{op: opPotHub, a: v, v: n.node[v].pot})
		}
		n.node[v].pot = p
	case v == n.nHub:
		if n.logging {
			n.undo = append(n.undo, undoEntry{op: opPotSink, v: n.potT})
		}
		n.potT = p
	default:
		k := v - n.nHub - 1
		if n.logging {
			n.undo = append(n.undo, undoEntry{op: opPotKid, a: k, v: n.kids[k].pot})
		}
		n.kids[k].pot = p
	}
}

// grow sizes the scratch arrays for the current number of nodes.
func (n *network) grow() {
	if nodes := int(n.nHub) + 1 + len(n.kids); len(n.node) < nodes {
		n.node = append(n.node, make([]nodeState, nodes-len(n.node))...)
	}
}

// reserve makes room for kids more kids, so that adding them does not grow the arrays by copies.
func (n *network) reserve(kids int) {
	n.kids = slices.Grow(n.kids, kids)
	n.node = slices.Grow(n.node, int(n.nHub)+1+len(n.kids)+kids-len(n.node))
}

// addKid adds an unplaced kid with its candidate hubs (nearest first) and usual hub (or -1).
func (n *network) addKid(cands []cand, home int32) int32 {
	n.kids = append(n.kids, kid{cands: cands, home: home, hub: -1, slot: -1})
	n.grow()
	return int32(len(n.kids) - 1)
}

// insert places kid k, moving other kids if that is the cheapest way, and reports whether it could.
// A kid that cannot be placed leaves the network unchanged.
func (n *network) insert(k int32) bool {
	kd := &n.kids[k]
	// The kid's potential is chosen so that all its arcs have non-negative reduced costs.
	best, any := int64(math.MinInt64), false
	for _, c := range kd.cands {
		if n.usable(c.hub) {
			best, any = max(best, n.node[c.hub].pot-n.cost(kd, c)), true
		}
	}
	if !any {
		return false
	}
	kd.pot = best
	_, ok := n.augment(n.kidNode(k))
	return ok
}

// freeSeat moves kids out of the full hub h along a cheapest path to a free seat elsewhere, so that
// h gets a free seat. It returns the added cost and false when no kid at h can be moved.
func (n *network) freeSeat(h int32) (int64, bool) { return n.augment(h) }

// freeSeatsReachable counts the free seats of hub h and of the hubs that kids could be moved to
// from h, directly or in a chain, stopping once it reaches limit. Only that many seats could be
// freed at h. When the count stays below limit, every hub reached can free no more (what they
// reach, h reaches too), and visit is called for each of them.
func (n *network) freeSeatsReachable(h, limit int32, visit func(hub int32)) int32 {
	n.stamp++
	if n.stamp == 0 {
		n.resetStamps()
		n.stamp = 1
	}
	queue := append(n.settled[:0], h)
	n.node[h].seen = n.stamp
	var free int32
	for i := 0; i < len(queue); i++ {
		g := queue[i]
		free += n.cap[g] - n.used[g]
		if free >= limit {
			n.settled = queue[:0]
			return free
		}
		for _, k := range n.at[g] {
			kd := &n.kids[k]
			for _, c := range kd.cands {
				if !n.usable(c.hub) || n.node[c.hub].seen == n.stamp {
					continue
				}
				n.node[c.hub].seen = n.stamp
				queue = append(queue, c.hub)
			}
		}
	}
	for _, g := range queue {
		visit(g)
	}
	n.settled = queue[:0]
	return free
}

// decCap takes one seat of hub h away from the kids; h must have a free seat.
func (n *network) decCap(h int32) {
	if n.logging {
		n.undo = append(n.undo, undoEntry{op: opCap, a: h})
	}
	n.cap[h]--
	n.node[h].blocked = n.cap[h] <= 0 || n.dead[h]
	n.node[h].free = n.used[h] < n.cap[h]
}

// augment runs Dijkstra from src (an unplaced kid, or a full hub) to the sink and applies the
// shortest path found. It returns the change in total cost.
func (n *network) augment(src int32) (delta int64, ok bool) {
	n.stamp++
	if n.stamp == 0 {
		n.resetStamps()
		n.stamp = 1
	}
	n.settled = n.settled[:0]
	n.heap = n.heap[:0]
	sink := n.sink()
	// ub is the length of a path to the sink found so far: through a hub with a free seat that
	// is reached but not yet settled (hub → sink arcs are never negative in reduced cost).
	ub := int64(math.MaxInt64 / 4) // no path yet; far from overflowing when compared below
	n.relax(src, 0, -1, 0)
	for len(n.heap) > 0 {
		d, u := n.heap.pop()
		if n.node[u].done == n.stamp || d > n.node[u].dist {
			continue
		}
		n.node[u].done = n.stamp
		n.settled = append(n.settled, u)
		switch {
		case u == sink:
			n.heap = n.heap[:0]
		case u < sink:
			if n.node[u].free {
				n.relax(sink, d+n.node[u].pot-n.potT, u, 0)
			}
			for _, k := range n.at[u] {
				kd := &n.kids[k]
				n.relax(n.kidNode(k), d-kd.cost+n.node[u].pot-kd.pot, u, 0)
			}
		default:
			kd := &n.kids[u-sink-1]
			// Hub potentials are at most 0 and candidates come nearest first, so once an arc
			// cannot beat the sink's tentative distance, no later one can. Only settled hubs
			// relax the sink, so its distance does not change during this loop. Arcs whose paths
			// are all strictly longer than ub, a path to the sink already found, are left out as
			// well: they could not be on a shortest path.
			limit := int64(math.MaxInt64)
			if s := &n.node[sink]; s.seen == n.stamp {
				limit = s.dist - d - kd.pot
			}
			base := d + kd.pot
			for _, c := range kd.cands {
				if dm := int64(c.distM); dm >= limit || dm > ub-base {
					break
				}
				if c.hub == kd.hub {
					continue
				}
				s := &n.node[c.hub]
				if s.blocked || s.done == n.stamp {
					continue
				}
				w := n.cost(kd, c)
				nd := base + w - s.pot
				if s.seen == n.stamp && nd >= s.dist {
					continue
				}
				n.relax(c.hub, nd, u, w)
				if s.free {
					ub = min(ub, nd+s.pot-n.potT)
				}
			}
		}
	}
	if n.node[sink].done != n.stamp {
		// Every hub reached is full, and so is every hub its kids could move to. Marking them is
		// only sound when the network is in its committed state (see tentative reservations).
		if !n.logging || len(n.undo) == 0 {
			for _, v := range n.settled {
				if v < sink {
					n.dead[v] = true
					n.node[v].blocked = true
				}
			}
		}
		return 0, false
	}

	for v := n.node[sink].prev; v != src; {
		kn := n.node[v].prev
		k := kn - sink - 1
		from := n.kids[k].hub
		delta += n.node[v].prevW - n.kids[k].cost
		n.move(k, v, n.node[v].prevW)
		if kn == src {
			break
		}
		v = from
	}
	dT := n.node[sink].dist
	for _, v := range n.settled {
		if d := n.node[v].dist - dT; d != 0 {
			n.setPot(v, n.pot(v)+d)
		}
	}
	return delta, true
}

func (n *network) relax(v int32, d int64, from int32, w int64) {
	s := &n.node[v]
	if s.done == n.stamp || (s.seen == n.stamp && d >= s.dist) {
		return
	}
	s.dist, s.prevW, s.prev, s.seen = d, w, from, n.stamp
	n.heap.push(d, v)
}

// move puts kid k at hub to (or nowhere, when to is -1) with the given arc cost.
func (n *network) move(k, to int32, cost int64) {
	kd := &n.kids[k]
	if n.logging {
		n.undo = append(n.undo, undoEntry{op: opMove, a: k, b: kd.hub, v: kd.cost})
	}
	if h := kd.hub; h >= 0 {
		last := n.at[h][len(n.at[h])-1]
		n.at[h][kd.slot] = last
		n.kids[last].slot = kd.slot
		n.at[h] = n.at[h][:len(n.at[h])-1]
		n.used[h]--
		n.node[h].free = n.used[h] < n.cap[h]
	}
	kd.hub, kd.cost, kd.slot = to, cost, -1
	if to >= 0 {
		kd.slot = int32(len(n.at[to]))
		n.at[to] = append(n.at[to], k)
		n.used[to]++
		n.node[to].free = n.used[to] < n.cap[to]
	}
}

// begin starts recording changes for a tentative reservation.
func (n *network) begin() {
	n.logging = true
	n.undo = n.undo[:0]
}

// commit keeps the changes made since begin.
func (n *network) commit() {
	n.logging = false
	n.undo = n.undo[:0]
}

// rollback undoes every change since begin, restoring flow, capacities and potentials exactly, so
// the restored potentials are valid again.
func (n *network) rollback() {
	n.logging = false
	for i := len(n.undo) - 1; i >= 0; i-- {
		e := n.undo[i]
		switch e.op {
		case opMove:
			n.move(e.a, e.b, e.v)
		case opPotHub:
			n.node[e.a].pot = e.v
		case opPotKid:
			n.kids[e.a].pot = e.v
		case opPotSink:
			n.potT = e.v
		case opCap:
			n.cap[e.a]++
			n.node[e.a].blocked = n.cap[e.a] <= 0 || n.dead[e.a]
			n.node[e.a].free = n.used[e.a] < n.cap[e.a]
		}
	}
	n.undo = n.undo[:0]
}

// totalCost is the sum of the placed kids' arc costs.
func (n *network) totalCost() int64 {
	var s int64
	for i := range n.kids {
		if n.kids[i].hub >= 0 {
			s += n.kids[i].cost
		}
	}
	return s
}

// nodeHeap is a binary min-heap of (distance, node) with lazy deletion.
type nodeHeap []heapItem

type heapItem struct {
	d int64
	v int32
}

func (h *nodeHeap) push(d int64, v int32) {
	*h = append(*h, heapItem{d, v})
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p].d <= a[i].d {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *nodeHeap) pop() (int64, int32) {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(a) {
			break
		}
		c := l
		if r := l + 1; r < len(a) && a[r].d < a[l].d {
			c = r
		}
		if a[i].d <= a[c].d {
			break
		}
		a[i], a[c] = a[c], a[i]
		i = c
	}
	*h = a
	return top.d, top.v
}
