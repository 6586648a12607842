package alloc

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteAssignment returns the least total cost of assigning all kids within the seats, trying
// every assignment, or false when they do not all fit.
func bruteAssignment(seats []int32, kids [][]cand) (int64, bool) {
	left := slices.Clone(seats)
	best, found := int64(math.MaxInt64), false
	var try func(k int, cost int64)
	try = func(k int, cost int64) {
		if k == len(kids) {
			best, found = min(best, cost), true
			return
		}
		for _, c := range kids[k] {
			if left[c.hub] > 0 {
				left[c.hub]--
				try(k+1, cost+int64(c.distM))
				left[c.hub]++
			}
		}
	}
	try(0, 0)
	return best, found
}

func randomNetwork(rng *rand.Rand) (seats []int32, kids [][]cand) {
	hubs := 1 + rng.IntN(4)
	seats = make([]int32, hubs)
	for h := range seats {
		seats[h] = int32(rng.IntN(3))
	}
	for range 1 + rng.IntN(6) {
		var cs []cand
		for h := range hubs {
			if rng.IntN(3) > 0 {
				cs = append(cs, cand{hub: int32(h), distM: int32(rng.IntN(1000))})
			}
		}
		sortCands(cs, nil)
		kids = append(kids, cs)
	}
	return seats, kids
}

// Inserting kids one by one keeps a minimum-cost assignment of the kids inserted so far, and a kid
// is refused exactly when the kids so far plus it cannot all be placed.
func TestNetworkKeepsMinimumCostAndExactFeasibility(t *testing.T) {
	for i := range 3000 {
		rng := rand.New(rand.NewPCG(uint64(i), 3))
		seats, kids := randomNetwork(rng)
		n := newNetwork(slices.Clone(seats), 0)
		var in [][]cand
		for _, cs := range kids {
			k := n.addKid(cs, -1)
			_, feasible := bruteAssignment(seats, append(slices.Clone(in), cs))
			if got := n.insert(k); got != feasible {
				t.Fatalf("network %d: insert = %v, brute force says %v", i, got, feasible)
			}
			if feasible {
				in = append(in, cs)
			}
			want, _ := bruteAssignment(seats, in)
			if got := n.totalCost(); got != want {
				t.Fatalf("network %d: cost %d, optimum %d", i, got, want)
			}
			checkPotentials(t, n)
		}
	}
}

// checkPotentials verifies that every arc a search may explore has a non-negative reduced cost.
func checkPotentials(t *testing.T, n *network) {
	t.Helper()
	for h := range n.nHub {
		if n.used[h] > n.cap[h] {
			t.Fatalf("hub %d over capacity", h)
		}
		if n.used[h] < n.cap[h] && n.node[h].pot-n.potT < 0 {
			t.Fatalf("hub %d → sink: negative reduced cost", h)
		}
	}
	for k := range n.kids {
		kd := &n.kids[k]
		if kd.hub < 0 {
			continue
		}
		if r := -kd.cost + n.node[kd.hub].pot - kd.pot; r < 0 {
			t.Fatalf("hub %d → kid %d: reduced cost %d", kd.hub, k, r)
		}
		for _, c := range kd.cands {
			if c.hub != kd.hub && !n.node[c.hub].blocked {
				if r := n.cost(kd, c) + kd.pot - n.node[c.hub].pot; r < 0 {
					t.Fatalf("kid %d → hub %d: reduced cost %d", k, c.hub, r)
				}
			}
		}
	}
}

// A tentative sibling reservation, undone, leaves the network exactly as it was.
func TestRollbackRestoresTheNetwork(t *testing.T) {
	for i := range 500 {
		rng := rand.New(rand.NewPCG(uint64(i), 5))
		seats, kids := randomNetwork(rng)
		n := newNetwork(slices.Clone(seats), 0)
		for _, cs := range kids {
			n.insert(n.addKid(cs, -1))
		}
		type snapshot struct {
			cap, used []int32
			pot       []int64
			hubs      []int32
		}
		snap := func() snapshot {
			s := snapshot{cap: slices.Clone(n.cap), used: slices.Clone(n.used), pot: hubPots(n)}
			for _, k := range n.kids {
				s.hubs = append(s.hubs, k.hub)
				s.pot = append(s.pot, k.pot)
			}
			return s
		}
		before := snap()
		n.begin()
		h := int32(rng.IntN(len(seats)))
		for range 2 {
			if n.used[h] >= n.cap[h] {
				if _, ok := n.freeSeat(h); !ok {
					break
				}
			}
			if n.cap[h] > 0 {
				n.decCap(h)
			}
		}
		checkPotentials(t, n)
		n.rollback()
		if after := snap(); !slices.Equal(after.cap, before.cap) || !slices.Equal(after.used, before.used) ||
			!slices.Equal(after.pot, before.pot) || !slices.Equal(after.hubs, before.hubs) {
			t.Fatalf("network %d changed: %+v → %+v", i, before, after)
		}
	}
}

func hubPots(n *network) []int64 {
	pots := make([]int64, n.nHub)
	for h := range pots {
		pots[h] = n.node[h].pot
	}
	return pots
}

// The count of placeable child-days starts from a placement and grows it: a waiting kid gets a
// seat by moving a placed one along a chain, and a kid whose reach is all full stays out.
func TestMatchingAugmentsFromAPlacement(t *testing.T) {
	// Hubs 0 and 1 have one seat each, hub 2 none. Kid a sits in hub 0 and could use hub 1; kid b
	// can use only hub 0; kid c only hub 0 as well, so one of b and c must wait.
	mt := newMatching([]int32{1, 1, 0})
	a := mt.addKid([]cand{{hub: 0, distM: 1}, {hub: 1, distM: 2}}, 0)
	b := mt.addKid([]cand{{hub: 0, distM: 1}, {hub: 2, distM: 1}}, -1)
	c := mt.addKid([]cand{{hub: 0, distM: 1}}, -1)
	if !mt.augment(b) {
		t.Fatal("b found no seat, though a could move to hub 1")
	}
	if mt.kids[a].hub != 1 || mt.kids[b].hub != 0 {
		t.Fatalf("a at %d, b at %d, want 1 and 0", mt.kids[a].hub, mt.kids[b].hub)
	}
	if mt.augment(c) || mt.kids[c].hub != -1 || mt.free[0] != 0 || mt.free[1] != 0 {
		t.Fatalf("c placed or seats changed: c at %d, free %v", mt.kids[c].hub, mt.free)
	}
}
